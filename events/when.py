"""The one rule for writing when an event is, and any moment, for a reader in their language.

Pages, mails and the calendar files' text all write time through here, so an event reads the
same wherever it is seen:

- a timed event on one day: "Thursday 11 March 2027, 18:00–20:00";
- over several days, both dates: "Friday 26 March 2027, 18:00 – Monday 29 March 2027, 12:00";
- an all-day event as days, never as midnights: "Thursday 11 March 2027 (all day)",
  "Thursday 11 March 2027 – Saturday 13 March 2027 (all day)";
- the zone as a city and its offset at that time, "Baku time (UTC+4)" (``events.time_zones``):
  the city says whose clock it is, the offset lets a reader in any country convert. A span over
  a change of summer time says both offsets, "Berlin time (UTC+1, then UTC+2)". An all-day
  event has no zone: its days are the same days everywhere.

Mails and calendar text travel, so they always carry the zone (:func:`event_span`,
:func:`moment`); a page adds it only where it helps (``event_pages.zone_hint``).

Dates follow the active language's formats (``events_project/formats/<lang>/formats.py``),
written by :func:`local_date`: "15 December 2026" in English, "15 dekabr 2026, çərşənbə axşamı"
in Azerbaijani; a date that names its weekday in English names it in Azerbaijani too.
"""

import datetime as dt
import functools
import zoneinfo

from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from events import time_zones


def local_format(name: str) -> str:
    """A date format of the active language by name, the project's own names included
    (events_project/formats/<language>/formats.py)."""
    return _local_format(translation.get_language(), name)


@functools.cache
def _local_format(language: str | None, name: str) -> str:
    # looked up once per language and name: a feed writes thousands of times in a row
    for module in formats.get_format_modules(language):
        value = getattr(module, name, None)
        if value is not None:
            return value
    return formats.get_format("DATETIME_FORMAT", language)


def local_date(value, name: str) -> str:
    """``value`` (a date or a local time) in the active language's format ``name``; "" for nothing.
    Every date the site writes comes through here, so Azerbaijani dates read alike: the month
    and the weekday in lower case inside a date ("15 dekabr 2026, çərşənbə axşamı"), where the
    catalogue's "Monday" is capitalised, as a label on its own, and Django's "M" capitalises
    the month's abbreviation ("Dek", so the Azerbaijani formats write "F" or "b" instead)."""
    if not value:
        return ""
    fmt = local_format(name)
    if "l" in fmt and (translation.get_language() or "").startswith("az"):
        weekday = formats.date_format(value, "l").lower()
        fmt = fmt.replace("l", "".join("\\" + letter for letter in weekday))
    return formats.date_format(value, fmt)


def day(value: dt.date) -> str:
    """Tuesday 15 December 2026 / 15 dekabr 2026, çərşənbə axşamı."""
    return local_date(value, "WEEKDAY_DATE_FORMAT")


def day_time(value: dt.datetime) -> str:
    """Tuesday 15 December 2026, 18:30 / 15 dekabr 2026, çərşənbə axşamı, 18:30 (a local time)."""
    return local_date(value, "WEEKDAY_DATETIME_FORMAT")


def clock(value: dt.datetime) -> str:
    """18:30: the time of day alone (a local time)."""
    return formats.time_format(value, local_format("TIME_FORMAT"))


def all_day_bounds(event) -> tuple[dt.date, dt.date]:
    """The first day and the day after the last (iCalendar's exclusive DTEND) of an all-day
    event: an end at midnight closes the day before it, any later end its own day."""
    first = event.local_start.date()
    local_end = event.local_end
    after_last = local_end.date() if local_end.time() == dt.time(0) else local_end.date() + dt.timedelta(days=1)
    return first, max(after_last, first + dt.timedelta(days=1))


def all_day_dates(event) -> tuple[dt.date, dt.date]:
    """The first and the last day of an all-day event, both included."""
    first, after_last = all_day_bounds(event)
    return first, after_last - dt.timedelta(days=1)


def _days(event, write) -> str:
    """An all-day event as its days, each written by ``write``."""
    first, last = all_day_dates(event)
    if first == last:
        return gettext("%(day)s (all day)") % {"day": write(first)}
    return gettext("%(first)s – %(last)s (all day)") % {"first": write(first), "last": write(last)}


def span(event) -> str:
    """When the event is, in its own zone, without naming the zone (pages show it apart)."""
    if event.all_day:
        return _days(event, day)
    start, end = event.local_start, event.local_end
    if start.date() == end.date():
        return f"{day_time(start)}–{clock(end)}"
    return f"{day_time(start)} – {day_time(end)}"


def card_moment(value: dt.datetime) -> str:
    """Tue 15 Dec 2026, 18:30 / 15 dekabr 2026, çərşənbə axşamı, 18:30: a local moment as a list
    writes it."""
    return local_date(value, "CARD_DATETIME_FORMAT")


def card(event) -> str:
    """A list's line, short: "Tue 15 Dec 2026, 18:30" (the start; the zone follows apart where it
    helps); an all-day event's days, "Thu 11 Mar 2027 (all day)"; an event over several days
    from its start to its end, "Fri 26 Mar 2027, 18:00 – Mon 29 Mar 2027, 12:00" (its start alone
    read as one evening, beside a zone that says the offset changes before it ends)."""
    if event.all_day:
        return _days(event, lambda value: local_date(value, "CARD_DAY_FORMAT"))
    start, end = event.local_start, event.local_end
    if start.date() != end.date():
        return f"{card_moment(start)} – {card_moment(end)}"
    return card_moment(start)


def zone_label(event) -> str:
    """'Baku time (UTC+4)'; both offsets when summer time begins or ends during the event; ""
    for an all-day event."""
    if event.all_day:
        return ""
    return time_zones.zone_name(event.timezone, event.start, event.end)


def with_zone(text: str, zone: str) -> str:
    return gettext("%(when)s, %(zone)s") % {"when": text, "zone": zone} if zone else text


def event_span(event) -> str:
    """:func:`span` with the zone, for text that travels (mails, calendar files)."""
    return with_zone(span(event), zone_label(event))


def event_start(event) -> str:
    """When the event begins, with the zone; an all-day event's first day."""
    if event.all_day:
        return day(all_day_dates(event)[0])
    return moment(event.start, event.zone)


def event_end(event) -> str:
    """When the event ends, with the zone; an all-day event's last day."""
    if event.all_day:
        return day(all_day_dates(event)[1])
    return moment(event.end, event.zone)


def begins(value, zone, *, all_day: bool = False) -> str:
    """When one of a list's events begins (a mail's "coming up next", a cohort's sessions), from
    the values a queued message keeps: its start (a datetime or ISO text), zone and all-day
    flag. :func:`event_start` for what is at hand only as values."""
    if all_day:
        start = as_moment(value)
        if start is None:
            return ""
        return day(timezone.localtime(start, zoneinfo.ZoneInfo(zone or "UTC")).date())
    return moment(value, zone)


def iso(value: dt.datetime, zone=None) -> str:
    """``value`` as ISO 8601 text with its offset, in ``zone`` (a name or a ZoneInfo; the site's
    zone, ``TIME_ZONE``, when None): how a payload writes a moment, an event's in the event's zone
    and any other in the site's, as the API does ("2026-11-28T14:56:38+04:00"), never the database's
    UTC ("+00:00")."""
    if isinstance(zone, str):
        zone = zoneinfo.ZoneInfo(zone)
    return timezone.localtime(value, zone).isoformat()


def as_moment(value) -> dt.datetime | None:
    """A datetime, or its ISO text (as an outbox row's JSON context holds it)."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and value:
        return parse_datetime(value)
    return None


def moment(value, zone) -> str:
    """'Tuesday 15 December 2026, 18:00, Baku time (UTC+4)' in ``zone`` (a name or a ZoneInfo);
    "" for nothing. A naive value is read as ``zone``'s local time."""
    value = as_moment(value)
    if value is None:
        return ""
    if isinstance(zone, str):
        zone = zoneinfo.ZoneInfo(zone or "UTC")
    if timezone.is_naive(value):
        value = timezone.make_aware(value, zone)
    local = timezone.localtime(value, zone)
    return with_zone(day_time(local), time_zones.zone_name(getattr(zone, "key", None) or "UTC", local))
