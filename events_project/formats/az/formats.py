"""Azerbaijani dates: the day first, the month and weekday in lower case (15 dekabr 2026,
çərşənbə axşamı); the lower-case names themselves are in locale/az (they override Django's).
Months are written whole ("F"): Django's "M" capitalises the abbreviation ("Noy"), and its
weekday abbreviations ("Ç.a") read as nobody writes them, so where English writes "Tue" this
writes the whole weekday after the date (events.when.local_date lower-cases it). The short month of "b"
(a card's date block, the chart) is locale/az's too: "yan", "fev", "sen", not Django's "ynv", "fvr", "snt".

A date field rendered for <input type="date"> must stay ISO, so DATE_INPUT_FORMATS starts
with it (Django's own Azerbaijani list starts with 25.10.2006, which such an input refuses).
"""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]

WEEKDAY_DATE_FORMAT = "j F Y, l"
WEEKDAY_DATETIME_FORMAT = "j F Y, l, H:i"
CARD_DATETIME_FORMAT = "j F Y, l, H:i"
CARD_DAY_FORMAT = "j F Y, l"
CARD_DATE_FORMAT = "j F, l"

STAMP_DATETIME_FORMAT = "j F Y, H:i"
STAMP_DATE_FORMAT = "j F Y"
STAMP_MONTH_DAY_TIME_FORMAT = "j F, H:i"
STAMP_MONTH_DAY_FORMAT = "j F"
CHART_MONTH_FORMAT = "b y"
