"""Filters for message templates."""

from django import template

from events import when

register = template.Library()


@register.filter
def moment(value, zone="UTC"):
    """A datetime (or its ISO text, as the outbox's JSON context holds it) in ``zone``, with the
    zone's city and offset (events.when.moment)."""
    return when.moment(value, zone or "UTC")


@register.filter
def begins(session) -> str:
    """When an event of a context's list begins ({"start": ISO, "zone": ..., "all_day": ...}):
    its first day if all-day, else the moment with the zone (events.when.begins). Rows queued
    before "all_day" was kept read as timed events, as they were written then."""
    return when.begins(session.get("start"), session.get("zone") or "UTC", all_day=bool(session.get("all_day")))


@register.filter
def percent(value):
    """A rate in per cent, 80.0 → "80%" (never "80.00")."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""
    return f"{round(number)}%"
