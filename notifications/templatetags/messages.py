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
def percent(value):
    """A rate in per cent, 80.0 → "80%" (never "80.00")."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""
    return f"{round(number)}%"
