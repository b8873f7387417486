"""Calendar feeds: public and series feeds, private feeds behind revocable tokens, .ics downloads.

The iCalendar format of an event itself lives in ``events.ical``; this app decides what goes
into each feed, for whom, and answers HTTP with conditional GETs.
"""
