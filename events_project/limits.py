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
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

# Primary keys are 64-bit integers on every database.
MAX_ID = 2**63 - 1

# Dates far outside the programme's life are typos, and years near 1 or 9999 overflow as soon
# as a timezone is applied. Every date and datetime input lies in [EARLIEST_YEAR, LATEST_YEAR).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100

# JSON bodies: nesting deeper than this is refused before Python's decoder recurses into it;
# their size is bounded by Django's DATA_UPLOAD_MAX_MEMORY_SIZE (settings).
MAX_JSON_DEPTH = 32

# A list of related objects in one request (a programme's series and events, a speaker's
# regions): each is looked up once, and a body of 1 MiB holds some 300,000 ids.
MAX_RELATED_ITEMS = 1000

TIMEZONE_MAX_LENGTH = 64

# An event's, series' or programme's description: a few pages. Unbounded, a series of 200
# sessions copied a 900 KB one into each, holding the request (and the database) for minutes,
# and every feed, page and mail carried it.
DESCRIPTION_MAX_LENGTH = 20_000
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
    # "localtime" is the server's own /etc/localtime, listed when the system's zone files are
    # read: no IANA name, and its meaning changes with the machine; "Factory" is the zone files'
    # placeholder for "not set yet" (its abbreviation is "-00"), no place anyone lives in
    return frozenset(zoneinfo.available_timezones()) - {"localtime", "Factory"}


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


def wall_clock_exists(value: dt.datetime, zone) -> bool:
    """Whether a naive wall-clock time happens in ``zone`` at all: 02:30 on the night the clocks
    go forward (Europe/Berlin, the last Sunday of March) does not. zoneinfo makes such a time
    aware without a word, at an instant whose wall clock reads an hour later.

    A time at the very ends of the calendar (year 1 in a zone ahead of UTC, 9999 behind it) has
    no UTC instant to go through: it is said to exist, and left to the date range's own check
    (:func:`validate_plausible_date`), which refuses it in words.
    """
    try:
        return value.replace(tzinfo=zone).astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) == value
    except OverflowError:
        return True


# the API names the time and zone as it reads them (2030-03-31 02:30, Europe/Berlin); a page's form
# as its reader does (events.manage_forms.check_wall_clock)
NONEXISTENT_TIME = _("%(time)s does not exist in %(zone)s: the clocks go forward then. Choose another time.")


def validate_wall_clock(value: dt.datetime | None, zone) -> None:
    """A naive time read in ``zone`` must exist there (see :func:`wall_clock_exists`)."""
    if value is not None and not wall_clock_exists(value, zone):
        raise ValidationError(
            NONEXISTENT_TIME,
            params={"time": value.strftime("%Y-%m-%d %H:%M"), "zone": str(zone)},
            code="nonexistent_time",
        )


def in_zone(value: dt.datetime, zone) -> dt.datetime:
    """A naive wall-clock time in ``zone`` as an aware one, normalised: a time the clocks skip
    becomes the instant it names (02:30 → 03:30 summer time), so it reads the same everywhere."""
    return value.replace(tzinfo=zone).astimezone(dt.UTC).astimezone(zone)


def zone_or_none(value) -> zoneinfo.ZoneInfo | None:
    return zoneinfo.ZoneInfo(value) if is_known_timezone(value) else None


class _MailboxValidator(EmailValidator):
    """Django's address check, for a mailbox on the internet only: no address at an IP literal
    ([127.0.0.1], [IPv6:::1]) and none at the bare host name "localhost" (Django's default
    allow-list). A stranger registering such an address would make the outbox deliver to the
    service's own machine or to its private network."""

    def validate_domain_part(self, domain_part):
        return not domain_part.startswith("[") and super().validate_domain_part(domain_part)


# the one address check of every form, serializer and service (events_project.fields, the services)
validate_email = _MailboxValidator(allowlist=[])
