"""English dates as the programme writes them (British order): 15 December 2026, 18:30.

Names Django knows override its own; the *_WEEKDAY_* and CARD_* names are read by the one
rule for writing times (events/when.py) and the pages' date filters (events/templatetags/event_pages.py).
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
