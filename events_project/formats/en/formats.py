"""English dates as the programme writes them (British order): 15 December 2026, 18:30.

Names Django knows override its own; the WEEKDAY_*, CARD_*, STAMP_* and CHART_* names are read by
the one rule for writing times (events/when.py, ``local_date``) and the pages' date filters
(events/templatetags/event_pages.py, ``dated``). Each name is in the Azerbaijani module too: a
date that names its weekday here names it there.
"""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
FIRST_DAY_OF_WEEK = 1

WEEKDAY_DATE_FORMAT = "l j F Y"
WEEKDAY_DATETIME_FORMAT = "l j F Y, H:i"
CARD_DATETIME_FORMAT = "D j M Y, H:i"
CARD_DAY_FORMAT = "D j M Y"
CARD_DATE_FORMAT = "D j M"

# when something was done (registered, queued, imported, answered): short, no weekday
STAMP_DATETIME_FORMAT = "j M Y, H:i"
STAMP_DATE_FORMAT = "j M Y"
STAMP_MONTH_DAY_TIME_FORMAT = "j M, H:i"
STAMP_MONTH_DAY_FORMAT = "j M"
CHART_MONTH_FORMAT = "M y"
