"""Template helpers shared by the server-rendered pages: navigation roles and outside links."""

import datetime as dt
from urllib.parse import urlencode

from django import template
from django.conf import settings

from events.permissions import is_organiser
from events.selectors import events_checked_in_by
from speakers.selectors import speaker_for_user

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_roles(context) -> dict:
    """Which role links the header shows; computed once per request."""
    request = context.get("request")
    if request is None:
        return {}
    cached = getattr(request, "_nav_roles", None)
    if cached is None:
        user = request.user
        cached = {"is_organiser": is_organiser(user), "is_speaker": False, "has_doors": False}
        if user.is_authenticated:
            cached["is_speaker"] = speaker_for_user(user) is not None
            # organisers work the doors of their events: no query needed to know they have some
            cached["has_doors"] = cached["is_organiser"] or events_checked_in_by(user).exists()
        request._nav_roles = cached
    return cached


@register.filter
def osm_url(event) -> str:
    """An OpenStreetMap link: no API key, no tracking script, works on every phone."""
    if event.latitude is None or event.longitude is None:
        return ""
    lat, lon = event.latitude, event.longitude
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=16/{lat}/{lon}"


def _google_stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


@register.filter
def google_calendar_url(event) -> str:
    if event.all_day:
        start = event.local_start.date()
        end = event.local_end.date()
        if end <= start:
            end = start + dt.timedelta(days=1)
        dates = f"{start:%Y%m%d}/{end:%Y%m%d}"
    else:
        dates = f"{_google_stamp(event.start)}/{_google_stamp(event.end)}"
    location = ", ".join(part for part in (event.venue_name, event.venue_address, event.city) if part)
    if not location and event.is_online:
        location = event.online_platform or "Online"
    details = f"{settings.SITE_URL}{event.get_absolute_url()}"
    query = {
        "action": "TEMPLATE",
        "text": event.title,
        "dates": dates,
        "details": details,
        "location": location,
        "ctz": event.timezone,
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


@register.filter
def zone_label(event) -> str:
    """'Asia/Baku, UTC+04:00': the zone's name and the offset on the event's day."""
    offset = event.local_start.strftime("%z")
    return f"{event.timezone}, UTC{offset[:3]}:{offset[3:]}"


@register.filter
def percent(value) -> str:
    if value is None:
        return "–"
    return f"{round(value * 100)}%"
