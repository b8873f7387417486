"""The limits every input meets, in one place (docs/reference/api.md lists them for clients).

Ids, dates, timezones and JSON bodies come from strangers. Each is checked here before it can
reach the database, the calendar code or the JSON decoder, where an out-of-range value is a
500 (``OverflowError``, ``RecursionError``, "bigint out of range", "File name too long")
instead of a clear 400.
"""

import datetime as dt
import functools
import re
import zoneinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Primary keys are 64-bit integers on every database.
MAX_ID = 2**63 - 1

# Dates far outside the programme's life are typos, and years near 1 or 9999 overflow as soon
# as a timezone is applied. Every date and datetime input lies in [EARLIEST_YEAR, LATEST_YEAR).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100

# JSON bodies: nesting deeper than this is refused before Python's decoder recurses into it;
# their size is bounded by Django's DATA_UPLOAD_MAX_MEMORY_SIZE (settings).
MAX_JSON_DEPTH = 32

TIMEZONE_MAX_LENGTH = 64
_TIMEZONE_CHARACTERS = re.compile(r"[A-Za-z0-9_+\-/]+")


def year_error_message() -> str:
    return _("Give a date between %(first)s and %(last)s.") % {"first": EARLIEST_YEAR, "last": LATEST_YEAR - 1}


def is_plausible(value: dt.date | dt.datetime) -> bool:
    return EARLIEST_YEAR <= value.year < LATEST_YEAR


def validate_plausible_date(value: dt.date | dt.datetime | None) -> None:
    if value is not None and not is_plausible(value):
        raise ValidationError(year_error_message(), code="date_out_of_range")


@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_known_timezone(value) -> bool:
    """An IANA name such as Asia/Baku. Checked before zoneinfo sees it: zoneinfo opens a file
    named after its argument (a 5,000-character name is "File name too long")."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= TIMEZONE_MAX_LENGTH
        and _TIMEZONE_CHARACTERS.fullmatch(value) is not None
        and value in _known_zones()
    )


def validate_timezone(value) -> None:
    if not is_known_timezone(value):
        shown = value[:TIMEZONE_MAX_LENGTH] if isinstance(value, str) else value
        raise ValidationError(
            _("%(value)s is not a known IANA timezone."), params={"value": shown}, code="invalid_timezone"
        )


def zone_or_none(value) -> zoneinfo.ZoneInfo | None:
    return zoneinfo.ZoneInfo(value) if is_known_timezone(value) else None
