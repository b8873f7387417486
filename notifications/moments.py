"""One way to write a moment in a message: the event's local time with its UTC offset."""

import datetime as dt
import zoneinfo

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext, ngettext


def _offset(local: dt.datetime) -> str:
    offset = local.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def as_moment(value) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and value:
        return parse_datetime(value)
    return None


def format_moment(value, zone) -> str:
    """``Tuesday 15 December 2026, 18:00 (UTC+04:00)`` in the active language; "" for nothing."""
    moment = as_moment(value)
    if moment is None:
        return ""
    if isinstance(zone, str):
        zone = zoneinfo.ZoneInfo(zone)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, zone)
    local = timezone.localtime(moment, zone)
    return f"{formats.date_format(local, 'l j F Y, H:i')} ({_offset(local)})"


def format_span(start, end, zone) -> str:
    """``Tuesday 15 December 2026, 18:00 – 20:00 (UTC+04:00)``; the end's date too when it differs."""
    start_local = timezone.localtime(start, zone)
    end_local = timezone.localtime(end, zone)
    first = formats.date_format(start_local, "l j F Y, H:i")
    last = formats.date_format(end_local, "H:i" if end_local.date() == start_local.date() else "l j F Y, H:i")
    return f"{first} – {last} ({_offset(start_local)})"


def starts_in(minutes: int) -> str:
    """How soon an event starts, for a reminder sent ``minutes`` before it, in the active language."""
    minutes = int(minutes)
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        if days == 1:
            return gettext("tomorrow")
        return ngettext("in %(count)d day", "in %(count)d days", days) % {"count": days}
    if minutes % 60 == 0:
        hours = minutes // 60
        if hours == 1:
            return gettext("in one hour")
        return ngettext("in %(count)d hour", "in %(count)d hours", hours) % {"count": hours}
    return ngettext("in %(count)d minute", "in %(count)d minutes", minutes) % {"count": minutes}
