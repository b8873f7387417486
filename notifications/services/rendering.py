"""How a message's subject, text, HTML and attachments are made.

Lookup order for each part: the organiser's override for this event and kind, then
``notifications/<kind>/<event kind>/<part>``, then ``notifications/<kind>/<part>``.
"""

import base64
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import get_template, select_template
from django.utils import formats, timezone, translation
from django.utils.html import escape, linebreaks
from django.utils.safestring import mark_safe

from events.ical import invitation_ics
from notifications import kinds
from notifications.audience import audience_of

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")

# Kinds whose recipient holds a seat: they carry the QR ticket and the calendar invitation.
TICKET_KINDS = frozenset({kinds.REGISTRATION_CONFIRMED, kinds.REGISTRATION_APPROVED, kinds.WAITING_LIST_PROMOTED})
CALENDAR_UPDATE_KINDS = frozenset({kinds.EVENT_CHANGED})
CALENDAR_CANCEL_KINDS = frozenset({kinds.EVENT_CANCELLED, kinds.REGISTRATION_CANCELLED})
# Kinds that tell the recipient how to join an online event, if the recipient may know
# (notifications.audience decides who may).
JOIN_DETAIL_KINDS = TICKET_KINDS | frozenset({kinds.REMINDER, kinds.EVENT_CHANGED})


@dataclass
class RenderedMessage:
    subject: str
    body_text: str
    body_html: str
    attachments: list = field(default_factory=list)


def _format_moment(moment, zone) -> str:
    local = timezone.localtime(moment, zone)
    return formats.date_format(local, "l j F Y, H:i")


def _registration(about):
    from registrations.models import Registration  # noqa: PLC0415 (layering debt, listed in .importlinter: rendering)

    return about if isinstance(about, Registration) else None


def management_url(registration) -> str:
    return f"{settings.SITE_URL}/registrations/manage/{registration.manage_token}/"


_EVENT_VALUES: dict[tuple, dict] = {}


def _event_values(event, kind: str) -> dict:
    """The event's part of the context; a fan-out of 10,000 reminders formats it once."""
    key = (
        translation.get_language(),
        kind,
        event.pk,
        event.start,
        event.end,
        event.timezone,
        event.title,
        event.venue_name,
        event.venue_address,
        event.city,
        event.format,
        event.online_platform,
    )
    cached = _EVENT_VALUES.get(key)
    if cached is not None:
        return cached
    zone = event.zone
    values = {
        "event_title": event.title,
        "start": _format_moment(event.start, zone),
        "end": _format_moment(event.end, zone),
        "when": f"{_format_moment(event.start, zone)} – {timezone.localtime(event.end, zone):%H:%M} ({event.timezone})",
        "timezone": event.timezone,
        "venue": ", ".join(part for part in (event.venue_name, event.venue_address, event.city) if part),
        "event_url": f"{settings.SITE_URL}{event.get_absolute_url()}",
        "ics_url": f"{settings.SITE_URL}/api/events/{event.pk}/ics/",
        "is_online": event.is_online,
        "has_venue": event.has_venue,
        "online_platform": event.online_platform,
    }
    if len(_EVENT_VALUES) > 500:
        _EVENT_VALUES.clear()
    _EVENT_VALUES[key] = values
    return values


def build_context(*, kind: str, recipient_name: str, about, event, context: dict | None) -> dict:
    """Everything a template may use. Times are in the event's own timezone."""
    values = {"kind": kind, "name": recipient_name or "", "site_url": settings.SITE_URL}
    registration = _registration(about)
    if registration is not None:
        values["registration"] = registration
        values["manage_url"] = management_url(registration)
        if registration.offer_expires_at and event is not None:
            values["offer_expires"] = _format_moment(registration.offer_expires_at, event.zone)
    audience = audience_of(kind=kind, about=about)
    values["recipient_role"] = audience.role
    if event is not None:
        values.update(_event_values(event, kind))
        values["event"] = event
    values.update(context or {})
    # after the caller's context: nobody can pass a join link around the rule
    values.pop("join_url", None)
    if kind in JOIN_DETAIL_KINDS and audience.may_join(event):
        values["join_url"] = event.join_url
    if event is not None and values.get("invitation_code") and "invitation_url" not in values:
        values["invitation_url"] = f"{settings.SITE_URL}/events/{event.pk}/register/?code={values['invitation_code']}"
    return values


def _placeholders(values: dict) -> dict[str, str]:
    flat = {key: str(value) for key, value in values.items() if isinstance(value, (str, int, float))}
    if "event" in values and not isinstance(values["event"], str):
        flat["event"] = values.get("event_title", "")
    return flat


def _fill(text: str, values: dict[str, str]) -> str:
    # Organisers' texts get plain substitution, never the template language: no attribute access.
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), ""), text)


def _template_names(kind: str, event, part: str) -> list[str]:
    names = []
    if event is not None:
        names.append(f"notifications/{kind}/{event.kind}/{part}")
    names.append(f"notifications/{kind}/{part}")
    names.append(f"notifications/generic/{part}")
    return names


def _render_part(kind: str, event, part: str, values: dict) -> str:
    return select_template(_template_names(kind, event, part)).render(values)


def render(
    *, kind: str, recipient_email: str, recipient_name: str, about, event, context: dict | None, override=None
) -> RenderedMessage:
    values = build_context(kind=kind, recipient_name=recipient_name, about=about, event=event, context=context)
    if override is not None and (override.subject or override.body):
        flat = _placeholders(values)
        if override.subject:
            subject = _fill(override.subject, flat)
        else:
            subject = _render_part(kind, event, "subject.txt", values)
        if override.body:
            body_text = _fill(override.body, flat)
            body_html = get_template("notifications/base.html").render(
                {**values, "content": mark_safe(linebreaks(escape(body_text)))}
            )
        else:
            body_text = _render_part(kind, event, "body.txt", values)
            body_html = _render_part(kind, event, "body.html", values)
    else:
        subject = _render_part(kind, event, "subject.txt", values)
        body_text = _render_part(kind, event, "body.txt", values)
        body_html = _render_part(kind, event, "body.html", values)
    subject = " ".join(subject.split())[:300]
    attachments = build_attachments(
        kind=kind, recipient_email=recipient_email, recipient_name=recipient_name, about=about, event=event
    )
    return RenderedMessage(
        subject=subject, body_text=body_text.strip() + "\n", body_html=body_html, attachments=attachments
    )


def _attachment(filename: str, content_type: str, content: bytes) -> dict:
    return {"filename": filename, "content_type": content_type, "content": base64.b64encode(content).decode("ascii")}


def build_attachments(*, kind: str, recipient_email: str, recipient_name: str, about, event) -> list[dict]:
    attachments = []
    registration = _registration(about)
    if kind in TICKET_KINDS and registration is not None:
        # the tickets module imports the registration services, which queue messages: a cycle at import time
        from registrations.services.tickets import qr_png  # noqa: PLC0415 (layering debt, listed in .importlinter: rendering)

        attachments.append(_attachment("ticket.png", "image/png", qr_png(registration=registration)))
    method = None
    audience = audience_of(kind=kind, about=about)
    # a calendar entry that says "I take part" only for someone who does
    if event is not None and kind in TICKET_KINDS | CALENDAR_UPDATE_KINDS and audience.holds_a_place:
        method = "REQUEST"
    elif event is not None and kind in CALENDAR_CANCEL_KINDS:
        method = "CANCEL"
    if method:
        ics = invitation_ics(
            event=event,
            attendee_email=recipient_email,
            attendee_name=recipient_name,
            method=method,
            join_url=audience.join_url(event) if method == "REQUEST" else "",
            partstat=audience.partstat,
        )
        attachments.append(_attachment("invite.ics", f"text/calendar; method={method}; charset=utf-8", ics))
    return attachments
