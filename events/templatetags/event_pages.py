"""Template helpers shared by the server-rendered pages: navigation roles, outside links,
dates and times as people read them, and status badges."""

import datetime as dt
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from events import regions, time_zones
from events import when as when_rule
from events.areas import roles_of
from events_project import account_pages

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_roles(context) -> dict:
    """Which role links the header shows; computed once per request."""
    request = context.get("request")
    # no user yet on a page answered before the session is read (a refused form body's 400)
    if request is None or not hasattr(request, "user"):
        return {}
    return roles_of(request)


@register.simple_tag(takes_context=True)
def sign_in_url(context) -> str:
    """The header's Sign in link (events_project.account_pages.sign_in_url)."""
    request = context.get("request")
    return account_pages.sign_in_url(request) if request is not None else reverse("login")


@register.filter
def messages_at(messages, section: str) -> list:
    """The messages a page shows in one of its sections: those given with ``extra_tags`` naming the
    section's anchor (``"events"`` for ``#events``), so that one sent back to the middle of a page
    reads its answer there; with ``""``, the others, for the top of the page."""
    shown = [message for message in messages if (message.extra_tags or "") == section]
    for message in shown:
        message.placed = True  # messages_not_placed leaves it out
    return shown


@register.simple_tag(takes_context=True)
def said_at(context, *parts) -> str:
    """The messages of a button that came back to this row or heading (``events.workspace.back_to_row``
    tags them with its anchor, the row's id: ``"registration", registration.pk`` for
    ``#registration-5``), drawn where the person lands, as ``_messages.html`` draws them."""
    shown = messages_at(context.get("messages") or (), "-".join(str(part) for part in parts))
    return render_to_string("_messages.html", {"shown": shown}) if shown else ""


@register.filter
def messages_not_placed(messages) -> list:
    """The messages no part of the page drew (``messages_at``, ``said_at``): a message tagged for a
    row the page no longer lists is still read, at the end of the page, never lost."""
    return [message for message in messages if not getattr(message, "placed", False)]


# Messages that tell of something gone wrong are announced at once (role="alert", assertive); the
# others wait for the screen reader to finish (role="status", polite): a refusal read out after
# the rest of the page, or never, left a person thinking their form had gone through.
ALERT_LEVELS = frozenset({"error", "warning"})


@register.filter
def messages_with_role(messages, role: str) -> list:
    """Those of ``messages`` the page announces with ``role``: ``"alert"`` for errors and warnings,
    ``"status"`` for the rest (success, info)."""
    return [message for message in messages if (message.level_tag in ALERT_LEVELS) == (role == "alert")]


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
        # the same days as the .ics (Google's end date is exclusive too)
        start, end = when_rule.all_day_bounds(event)
        dates = f"{start:%Y%m%d}/{end:%Y%m%d}"
    else:
        dates = f"{_google_stamp(event.start)}/{_google_stamp(event.end)}"
    location = regions.address_of(event)
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
def percent(value) -> str:
    if value is None:
        return "–"
    return f"{round(value * 100)}%"


# --- dates and times ---------------------------------------------------------------------
# events.when is the one rule for writing a time; these filters put it in the pages. The
# programme's own zone needs no label on an in-person event: everyone there reads Baku time.
# An online event is watched from anywhere, so it says whose time it is.


@register.filter(expects_localtime=True)
def day(value) -> str:
    """Tuesday 15 December 2026 / 15 dekabr 2026, çərşənbə axşamı."""
    return when_rule.day(value)


@register.filter
def moment_of(value, event) -> str:
    """A moment of ``event`` (its door's opening, say) in the event's zone, with the year and the
    zone, as mails write it (events.when.moment): 'Tuesday 15 December 2026, 18:00, Baku time
    (UTC+4)'."""
    return when_rule.moment(value, event.zone)


@register.filter
def card_when(event) -> str:
    """Tue 15 Dec 2026, 18:30 / 15 dekabr 2026, 18:30: a list's line (an all-day event's days)."""
    return when_rule.card(event)


@register.filter(expects_localtime=True)
def card_moment(value) -> str:
    """Tue 15 Dec 2026, 18:30: a moment as a list's line writes it (a series' preview)."""
    return when_rule.card_moment(value)


@register.filter(expects_localtime=True)
def card_date(value) -> str:
    """Tue 15 Dec / 15 dekabr, çərşənbə axşamı: one of a series' next dates."""
    return when_rule.local_date(value, "CARD_DATE_FORMAT")


@register.filter(expects_localtime=True)
def dated(value, name: str) -> str:
    """``value`` in one of the project's named formats (events_project/formats), as
    ``{{ registration.created_at|dated:"STAMP_DATETIME_FORMAT" }}``: 28 Nov 2026, 12:00 /
    28 noyabr 2026, 12:00. Django's ``date`` filter knows only its own names, and a format
    written in a template ("j M Y") is English's in every language."""
    return when_rule.local_date(value, name)


@register.filter
def when(event) -> str:
    """The event's date and time in its own zone, plainly: 'Tuesday 15 December 2026, 18:30–20:00'
    (events.when.span: all-day events as days, both dates when it lasts days)."""
    return when_rule.span(event)


@register.filter
def zone_hint(event) -> str:
    """'Baku time (UTC+4)' where it helps: online events, and events outside the programme's zone
    (never on an all-day event: its days are the same everywhere)."""
    if not event.is_online and event.timezone == settings.TIME_ZONE:
        return ""
    return when_rule.zone_label(event)


@register.filter
def deadline_of(value, event) -> str:
    """A moment someone acts by (a seat offered until, registration opening) in ``event``'s zone,
    the zone named where the event's own time names it (``zone_hint``): 'Monday 30 November 2026,
    00:04, Baku time (UTC+4)' for a webinar, watched from anywhere; without it in person in Baku."""
    if zone_hint(event):
        return when_rule.moment(value, event.zone)
    return when_rule.day_time(value.astimezone(event.zone)) if value else ""


@register.filter
def series_zone(series) -> str:
    """A series' zone as people read it, 'Baku time (UTC+4)' (the offset of its first date)."""
    return time_zones.zone_name(series.timezone, series.first_start)


@register.filter
def alphabetical(items) -> list:
    """Things named in the reader's language (regions: Şəki), in that language's alphabet
    (``events.regions``): a speaker's regions on their page."""
    return [item for _, item in regions.in_alphabetical_order((item, item) for item in items)]


@register.filter
def place(event) -> str:
    """Where, in a word: the region in the visitor's spelling (Şəki), else the city typed."""
    return regions.place_of(event)


@register.filter
def place_after_address(event) -> str:
    """The place as it follows the venue's address: what the address says already is left out."""
    return regions.place_after_address(event)


# --- statuses: a colour and an icon, never colour alone ------------------------------------
ICONS = {
    "check": '<path d="M5 12.5l4.5 4.5L19 7.5"/>',
    "cross": '<path d="M7 7l10 10M17 7L7 17"/>',
    "clock": '<circle cx="12" cy="12" r="8.5"/><path d="M12 7.5V12l3 2"/>',
    "dots": '<circle cx="12" cy="12" r="8.5"/><path d="M8.5 12h.01M12 12h.01M15.5 12h.01"/>',
    "alert": '<path d="M12 3.5l9 16H3z"/><path d="M12 10v4.5M12 17.5h.01"/>',
    "pencil": '<path d="M5 19h3.5L18 9.5 14.5 6 5 15.5z"/>',
}
STATUS_LOOK = {
    # registrations
    "confirmed": ("ok", "check"),
    "waitlisted": ("warn", "clock"),
    "offered": ("warn", "alert"),
    "pending": ("neutral", "dots"),
    "cancelled": ("bad", "cross"),
    "rejected": ("bad", "cross"),
    # speaker assignments
    "accepted": ("ok", "check"),
    "invited": ("warn", "clock"),
    "declined": ("bad", "cross"),
    "withdrawn": ("bad", "cross"),
    # events (cancelled as above)
    "draft": ("neutral", "pencil"),
    "published": ("ok", "check"),
}


@register.simple_tag
def status_badge(status: str, label) -> str:
    """<span class="status ok"><svg …/>Confirmed</span>: the same look for every kind of status."""
    level, icon = STATUS_LOOK.get(status, ("neutral", "dots"))
    svg = mark_safe(
        '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" '
        f'stroke-linejoin="round" aria-hidden="true" focusable="false">{ICONS[icon]}</svg>'
    )
    return format_html('<span class="status {} {}" data-status="{}">{}{}</span>', level, status, status, svg, label)
