"""How a message's subject, text, HTML and attachments are made, in the recipient's language.

Each kind has two templates, ``subject.txt`` and ``body.txt`` (looked up as
``notifications/<kind>/<event kind>/<part>``, then ``notifications/<kind>/<part>``); an
organiser's override replaces either. The wording lives once, in the text; the HTML part is
made from it (paragraphs, links as links) inside ``notifications/base.html``, with the kind's
one call to action as a button (``ACTIONS``), a preheader, and a footer that says who sends it
and why the recipient gets it.
"""

import base64
import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.template.loader import get_template, select_template
from django.utils import translation
from django.utils.html import escape, urlize
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events import when
from events.ical import invitation_ics
from events.models import Event
from events.regions import address_of
from events_project import programme as branding
from events_project.private_links import mask_private_links
from notifications import kinds
from notifications.audience import (
    ACCEPTED_SPEAKER,
    ATTENDEE,
    INVITED_SPEAKER,
    INVITEE,
    MENTOR,
    ORGANISER,
    PARTICIPANT,
    PERSON,
    REGISTRANT,
    TEAM_INVITEE,
    Audience,
    audience_of,
)
from notifications.language import FALLBACK_LANGUAGE, message_language
from notifications.moments import starts_in

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")

# Kinds whose recipient holds a seat: they carry the QR ticket and the calendar invitation.
TICKET_KINDS = frozenset({kinds.REGISTRATION_CONFIRMED, kinds.REGISTRATION_APPROVED, kinds.WAITING_LIST_PROMOTED})
CALENDAR_UPDATE_KINDS = frozenset({kinds.EVENT_CHANGED})
CALENDAR_CANCEL_KINDS = frozenset({kinds.EVENT_CANCELLED, kinds.REGISTRATION_CANCELLED})
# Kinds that end several places in one message (leaving a cohort): the context says which
# sessions' places were cancelled ("cancelled_places") and which waiting lists were left
# ("left_waiting_lists"), as whoever queued it told them apart (programmes.services.leave_cohort);
# a METHOD:CANCEL for each session marked "in_calendar" (its caller asked notifications.selectors.
# calendar_invitation_sent), one file per session; the count of files is "calendar_cancellations".
SESSIONS_CANCEL_KINDS = frozenset({kinds.COHORT_LEFT})
# Kinds that tell the recipient how to join an online event, if the recipient may know
# (notifications.audience decides who may).
JOIN_DETAIL_KINDS = TICKET_KINDS | frozenset({kinds.REMINDER, kinds.EVENT_CHANGED})


@dataclass
class RenderedMessage:
    subject: str
    body_text: str
    body_html: str
    attachments: list = field(default_factory=list)
    language: str = ""
    headers: dict = field(default_factory=dict)
    # the one call to action: (label, absolute URL), or None
    action: tuple | None = None


# Each kind's one call to action: its label and the context value that holds the link. The
# text part ends with "label: link", the HTML part shows it as one button.
ACTIONS = {
    # the ticket page shows and cancels; nothing on it changes a registration
    kinds.REGISTRATION_CONFIRMED: (_("See or cancel your registration"), "manage_url"),
    kinds.REGISTRATION_PENDING: (_("Your registration"), "manage_url"),
    kinds.REGISTRATION_APPROVED: (_("Your registration"), "manage_url"),
    kinds.REGISTRATION_REJECTED: (_("Other events of the programme"), "events_url"),
    kinds.WAITING_LIST_JOINED: (_("Your position on the waiting list"), "manage_url"),
    kinds.SEAT_OFFERED: (_("Accept or decline the seat"), "manage_url"),
    kinds.WAITING_LIST_PROMOTED: (_("Your registration"), "manage_url"),
    kinds.REGISTRATION_CANCELLED: (_("Other events of the programme"), "events_url"),
    kinds.REGISTRATION_INVITATION: (_("Register with your invitation"), "invitation_url"),
    kinds.EVENT_CHANGED: (_("Your registration"), "manage_url"),
    kinds.EVENT_CANCELLED: (_("Other events of the programme"), "events_url"),
    kinds.SPEAKER_INVITATION: (_("Accept or decline"), "respond_url"),
    kinds.SPEAKER_INVITATION_REMINDER: (_("Accept or decline"), "respond_url"),
    kinds.SPEAKER_UNANSWERED_ALERT: (_("Open the event's speakers"), "workspace_url"),
    kinds.SPEAKER_ANSWERED: (_("Open the event's speakers"), "workspace_url"),
    kinds.REMINDER: (_("Your registration"), "manage_url"),
    kinds.FOLLOW_UP_ATTENDED: (_("Tell us how it went"), "feedback_url"),
    kinds.FOLLOW_UP_NO_SHOW: (_("See what is coming up"), "events_url"),
    kinds.MISSED_SESSIONS_ALERT: (_("Write to the participant"), "participant_mailto"),
    kinds.TEAM_INVITATION: (_("Accept the invitation"), "accept_url"),
    kinds.ORGANISER_MESSAGE: (_("Your registration"), "manage_url"),
    kinds.CERTIFICATE_ISSUED: (_("Download your certificate"), "certificate_url"),
    kinds.COHORT_LEFT: (_("Other events of the programme"), "events_url"),
    kinds.COHORT_ENROLLED: (_("Email me my tickets"), "tickets_url"),
    # the dashboard lists the file (signed in: the export's page and file are its requester's only)
    kinds.EXPORT_READY: (_("Open your files"), "dashboard_url"),
}

# Why the recipient gets the message, by role (the footer).
WHY = {
    ATTENDEE: _("You receive this email because you registered for an event of the programme."),
    REGISTRANT: _("You receive this email because you registered for an event of the programme."),
    ACCEPTED_SPEAKER: _("You receive this email because you speak at an event of the programme."),
    INVITED_SPEAKER: _("You receive this email because the organisers invited you to speak at an event."),
    ORGANISER: _("You receive this email because you organise this event."),
    MENTOR: _("You receive this email because you mentor or coordinate a cohort of the programme."),
    INVITEE: _("You receive this email because the organisers invited you to this event."),
    # an event's team or a whole series' door team: "this event" would misname the second
    TEAM_INVITEE: _("You receive this email because the organisers invited you to join their team."),
    PERSON: _("You receive this email because someone asked for the tickets of this address."),
    PARTICIPANT: _("You receive this email because you take part in a programme of ours."),
}
# Why, where the kind says more than the role: a person asked for something by address
WHY_OF_KIND = {
    kinds.PASSWORD_RESET: _(
        "You receive this email because someone asked for a new password for this address's account."
    ),
    kinds.CERTIFICATE_LINK: _("You receive this email because someone asked for the certificate of this address."),
    # asked for on the "email me my tickets" form, or sent when someone registered the address again
    kinds.TICKET_LINKS: _(
        "You receive this email because someone asked for the tickets of this address or registered it again."
    ),
    kinds.SPEAKER_ACCOUNT_LINK: _(
        "You receive this email because a speaker profile of the programme has this address."
    ),
    kinds.EXPORT_READY: _("You receive this email because you asked for a file on the organisers' dashboard."),
}


def programme_name() -> str:
    """The programme's name in the active language (``events_project.programme``: the pages' too)."""
    return branding.programme_name()


def sender(language: str) -> str:
    """The From header of a message in ``language``: ``DEFAULT_FROM_EMAIL`` with the programme's
    name in that language as its display name ("STEM Mentorluq <…>" in Azerbaijani, as the
    footer), where the setting names the programme (``PROGRAMME_NAME``) or no one; a sender the
    setting names otherwise is kept as set. A name that is not ASCII is encoded (RFC 2047) when
    the message is made (``ProgrammeEmail``)."""
    language = language or settings.LANGUAGE_CODE
    return _sender(settings.DEFAULT_FROM_EMAIL, settings.PROGRAMME_NAME, settings.PROGRAMME_NAME_AZ, language)


@functools.lru_cache(maxsize=16)
def _sender(from_email: str, name_as_set: str, _name_az: str, language: str) -> str:
    # a message's hot path: once per setting and language
    name, address = parseaddr(from_email)
    if not address or (name and name != name_as_set):
        return from_email
    with translation.override(language):
        local = programme_name()
    if not local or local == name:
        return from_email
    return formataddr((local, address), charset="utf-8")


def contact_email() -> str:
    return settings.PROGRAMME_CONTACT_EMAIL or settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].strip("> ")


# The model a ticket belongs to, by its label (as notifications.audience tells it): the
# registrations app sits above this one.
REGISTRATION = "registrations.registration"

# How a door ticket's image is drawn, by the label of the model it belongs to: filled by the app
# that issues tickets, from its AppConfig.ready (registrations: its QR code), so that this app,
# below it, need not import it. Called as ``draw(registration=...)``, returns PNG bytes.
TICKET_IMAGES: dict[str, Callable[..., bytes]] = {}


def add_ticket_image(model_label: str, draw: Callable[..., bytes]) -> None:
    """Register how the tickets of ``model_label`` rows are drawn (the PNG a ticket mail attaches)."""
    TICKET_IMAGES[model_label] = draw


def _registration(about):
    return about if about is not None and about._meta.label_lower == REGISTRATION else None


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
        event.all_day,
        event.timezone,
        event.title,
        event.venue_name,
        event.venue_address,
        event.city,
        event.region_id,
        event.format,
        event.online_platform,
    )
    cached = _EVENT_VALUES.get(key)
    if cached is not None:
        return cached
    values = {
        "event_title": event.title,
        # events.when: the same words as the pages and the calendar file, the zone always named
        "start": when.event_start(event),
        "end": when.event_end(event),
        "when": when.event_span(event),
        # a subject's few words: "Thu 14 Jan 2027, 18:30" (a series' sessions share one title)
        "when_short": when.card(event),
        "timezone": event.timezone,
        # the region in the reader's spelling, as the pages say it
        "venue": address_of(event),
        "event_url": f"{settings.SITE_URL}{event.get_absolute_url()}",
        "ics_url": f"{settings.SITE_URL}/api/events/{event.pk}/ics/",
        "workspace_url": f"{settings.SITE_URL}/manage/events/{event.pk}/speakers/",
        "is_online": event.is_online,
        "has_venue": event.has_venue,
        "online_platform": event.online_platform,
    }
    if len(_EVENT_VALUES) > 500:
        _EVENT_VALUES.clear()
    _EVENT_VALUES[key] = values
    return values


def personal_values(*, recipient_name: str, about, event) -> dict:
    """The part of the context that differs from one recipient to the next (a fan-out renders
    everything else once: notifications.services.fan_out)."""
    values = {"name": recipient_name or ""}
    registration = _registration(about)
    if registration is not None:
        values["manage_url"] = management_url(registration)
        if registration.offer_expires_at and event is not None:
            values["offer_expires"] = when.moment(registration.offer_expires_at, event.zone)
    return values


# What a change notice names as changed: the row holds these English words, joined
# (registrations.services.messages.NOTIFIED_FIELDS); the message says them in its reader's language,
# in this order.
CHANGED_PARTS = {
    "time": _("time"),
    "place": _("place"),
    "format": _("format"),
    "join details": _("join details"),
}


# What a changed field of an event is, to someone told of the change: its time, its place, ...
# Registrants' notices name these parts ("changed" in their context); speakers' notices carry the
# fields themselves ("changed_fields"), named the same way when rendered.
CHANGED_PART_OF_FIELD = {
    "start": "time",
    "end": "time",
    "all_day": "time",
    "timezone": "time",
    "venue_name": "place",
    "venue_address": "place",
    "city": "place",
    "region": "place",
    "format": "format",
    "join_url": "join details",
}


def changed_parts(changed: str) -> str:
    """``"place, time"`` as the reader says it: ``"vaxt, məkan"`` in Azerbaijani."""
    parts = [part.strip() for part in changed.split(",") if part.strip()]
    order = list(CHANGED_PARTS)
    parts.sort(key=lambda part: order.index(part) if part in order else len(order))
    return ", ".join(str(CHANGED_PARTS.get(part, part)) for part in parts)


def build_context(
    *, kind: str, recipient_name: str, about, event, context: dict | None, audience: Audience | None = None
) -> dict:
    """Everything a template may use. Times are in the event's own timezone, with its city and offset."""
    values = {
        "kind": kind,
        "site_url": settings.SITE_URL,
        "events_url": f"{settings.SITE_URL}/events/",
        "programme_name": programme_name(),
        "contact_email": contact_email(),
        "zone": event.timezone if event is not None else settings.TIME_ZONE,
    }
    values.update(personal_values(recipient_name=recipient_name, about=about, event=event))
    registration = _registration(about)
    if registration is not None:
        values["registration"] = registration
    audience = audience or audience_of(kind=kind, about=about)
    values["recipient_role"] = audience.role
    if event is not None:
        values.update(_event_values(event, kind))
        values["event"] = event
        if event.feedback_url:
            values["feedback_url"] = event.feedback_url
    values.update(context or {})
    if about is not None and about._meta.label_lower == "speakers.speakerassignment":
        # the role's name in the recipient's language, not in the language of whoever queued it
        values["role"] = str(about.get_role_display())
        # what the role is, for a sentence written whole for it (speaker_invitation/body.txt)
        values["role_code"] = about.role
    if values.get("expires_at") and event is not None:
        # a team invitation's end, written in the recipient's language (an older row also holds
        # "expires", written when it was queued in the inviter's)
        try:
            values["expires"] = when.moment(dt.datetime.fromisoformat(values["expires_at"]), event.zone)
        except (TypeError, ValueError):
            pass
    if kind == kinds.EVENT_CHANGED and not values.get("changed") and values.get("changed_fields"):
        # a speaker's notice: it said only "has changed", a registrant's of the same change "(time)"
        fields = values["changed_fields"]
        values["changed"] = ", ".join(sorted({CHANGED_PART_OF_FIELD[f] for f in fields if f in CHANGED_PART_OF_FIELD}))
    if kind == kinds.EVENT_CHANGED and isinstance(values.get("changed"), str):
        values["changed"] = changed_parts(values["changed"])
    if values.get("offset_minutes"):
        # a reminder: "tomorrow", "in 1 hour" in the recipient's language
        values["starts_in"] = starts_in(values["offset_minutes"])
    if not values.get("starts_in"):
        values["starts_in"] = gettext("soon")
    # after the caller's context: nobody can pass a join link around the rule
    values.pop("join_url", None)
    if kind in JOIN_DETAIL_KINDS and audience.may_join(event):
        values["join_url"] = event.join_url
    if event is not None and values.get("invitation_code") and "invitation_url" not in values:
        values["invitation_url"] = f"{settings.SITE_URL}/events/{event.pk}/register/?code={values['invitation_code']}"
    if values.get("participant_email") and "participant_mailto" not in values:
        values["participant_mailto"] = f"mailto:{values['participant_email']}"
    return values


def _placeholders(values: dict) -> dict[str, str]:
    flat = {key: str(value) for key, value in values.items() if isinstance(value, (str, int, float))}
    if "event" in values and not isinstance(values["event"], str):
        flat["event"] = values.get("event_title", "")
    return flat


def _fill(text: str, values: dict[str, str]) -> str:
    # Organisers' texts get plain substitution, never the template language: no attribute access.
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), ""), text)


@functools.lru_cache(maxsize=512)
def _template(kind: str, event_kind: str | None, part: str):
    # resolved once per kind, event kind and part: a fan-out must not try (and miss) the
    # event-kind specific names again for every message
    names = []
    if event_kind is not None:
        names.append(f"notifications/{kind}/{event_kind}/{part}")
    names += [f"notifications/{kind}/{part}", f"notifications/generic/{part}"]
    return select_template(names)


def _render_part(kind: str, event, part: str, values: dict) -> str:
    return _template(kind, getattr(event, "kind", None), part).render(values)


def html_paragraphs(text: str) -> str:
    """Plain text as HTML: paragraphs, line breaks, and every link a link (an organiser's
    override too). Long links wrap (the stylesheet breaks them anywhere)."""
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
    return "\n".join(_paragraph_html(part) for part in paragraphs)


@functools.lru_cache(maxsize=2048)
def _paragraph_html(part: str) -> str:
    # a fan-out repeats most paragraphs (the event's details, the advice) for every recipient:
    # finding the links in them (urlize) once is enough
    return f'<p style="margin:0 0 16px 0;">{urlize(escape(part), autoescape=False).replace(chr(10), "<br>")}</p>'


def render(
    *,
    kind: str,
    recipient_email: str,
    recipient_name: str,
    about,
    event,
    context: dict | None,
    override=None,
    language: str = "",
    extra: dict | None = None,
    audience: Audience | None = None,
) -> RenderedMessage:
    """The message in the recipient's ``language`` (empty: the event's, else the default; see language.py).

    ``extra``: what the sender adds (the unsubscribe and preferences links of a fan-out).
    ``audience``: who it is for, when ``about`` cannot say (a preview without a recipient)."""
    language = message_language(language, event=event, fallback=(context or {}).get(FALLBACK_LANGUAGE, ""))
    with translation.override(language):
        values = build_context(
            kind=kind, recipient_name=recipient_name, about=about, event=event, context=context, audience=audience
        )
        values.update(extra or {})
        attachments = build_attachments(
            kind=kind,
            recipient_email=recipient_email,
            recipient_name=recipient_name,
            about=about,
            event=event,
            context=context,
        )
        if kind in SESSIONS_CANCEL_KINDS:
            values.update(_ended_sessions(context))
            # the text says what is attached: the files there are, not the sessions asked for
            # (a session deleted since has none)
            values["calendar_cancellations"] = sum(1 for item in attachments if calendar_method(item) == "CANCEL")
        subject, body = written_texts(kind=kind, event=event, values=values, override=override)
        rendered = finish(kind=kind, values=values, subject=subject, body=body, language=language, page=html_page)
        rendered.attachments = attachments
    rendered.language = language
    rendered.headers = {"Content-Language": language, **rendered.headers}
    return rendered


def written_texts(*, kind: str, event, values: dict, override) -> tuple[str, str]:
    """Subject and body as the kind's templates (or the organiser's override) write them. A
    subject keeps no private link's secret (``private_links.mask_private_links``): it is listed
    and searched in the organisers' outbox, and no mail client opens a link in a subject; the
    link itself is in the body."""
    if override is not None and override.subject:
        subject = _fill(override.subject, _placeholders(values))
    else:
        subject = _render_part(kind, event, "subject.txt", values)
    subject = mask_private_links(subject)
    if override is not None and override.body:
        body = _fill(override.body, _placeholders(values))
    else:
        body = _render_part(kind, event, "body.txt", values)
    return subject, body


def html_page(values: dict) -> str:
    """The HTML part: the body's paragraphs (``content``) in the house layout."""
    return get_template("notifications/base.html").render(values)


def tidy_body(body: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", body.strip())


@functools.lru_cache(maxsize=512)
def _words(language: str, kind: str, role: str) -> tuple[str, str, str]:
    """The kind's call to action, the footer's reason and its preferences label, in ``language``
    (translated once, not for each of a fan-out's messages)."""
    label_and_key = ACTIONS.get(kind)
    with translation.override(language):
        return (
            str(label_and_key[0]) if label_and_key else "",
            str(WHY_OF_KIND.get(kind) or WHY.get(role, WHY[PERSON])),
            gettext("Choose which emails you get"),
        )


def finish(
    *, kind: str, values: dict, subject: str, body: str, language: str, page, content=html_paragraphs
) -> RenderedMessage:
    """The message from the written subject and body: tidied, with the call to action and the
    footer, and its HTML part made by ``page`` (``html_page``, or a fan-out's stamped copy of it)
    around the body's paragraphs made by ``content``."""
    subject = " ".join(subject.split())[:300]
    body = tidy_body(body)

    action = None
    action_label, why, preferences_label = _words(language, kind, values["recipient_role"])
    label_and_key = ACTIONS.get(kind)
    if label_and_key and values.get(label_and_key[1]):
        action = (action_label, str(values[label_and_key[1]]))
    with translation.override(language):
        name = programme_name()
    footer_lines = [why, f"{name} · {contact_email()}"]
    if values.get("preferences_url"):
        footer_lines.append(f"{preferences_label}: {values['preferences_url']}")
    body_text = body
    if action and action[1] not in body:
        body_text += f"\n\n{action[0]}: {action[1]}"
    body_text += "\n\n-- \n" + "\n".join(footer_lines) + "\n"

    greeting, _sep, rest = body.partition("\n\n")
    preheader = " ".join((rest or greeting).split())[:140]
    body_html = page(
        {
            **values,
            "language": language,
            "subject": subject,
            "preheader": preheader,
            "content": mark_safe(content(body)),  # noqa: S308 -- escaped part by part (html_paragraphs)
            "action": action,
            "why": why,
        }
    )
    return RenderedMessage(subject=subject, body_text=body_text, body_html=body_html, action=action)


def _attachment(filename: str, content_type: str, content: bytes) -> dict:
    return {"filename": filename, "content_type": content_type, "content": base64.b64encode(content).decode("ascii")}


def calendar_method(attachment: dict) -> str:
    """The iTIP method of an attachment that is a calendar file ("REQUEST", "CANCEL"), "" for
    any other attachment."""
    base, *params = [part.strip() for part in (attachment.get("content_type") or "").split(";")]
    if base.lower() != "text/calendar":
        return ""
    for param in params:
        key, _sep, value = param.partition("=")
        if key.strip().lower() == "method":
            return value.strip().strip('"').upper()
    return ""


def carries_calendar_invitation(attachments: list[dict]) -> bool:
    """Whether a message with ``attachments`` puts an entry in the recipient's calendar (a
    METHOD:REQUEST file): what the outbox records of each sending."""
    return any(calendar_method(attachment) == "REQUEST" for attachment in attachments or [])


def build_attachments(
    *, kind: str, recipient_email: str, recipient_name: str, about, event, context: dict | None = None
) -> list[dict]:
    """The ticket and the calendar files a message carries: the one rule of who gets which
    (whether an invitation went out is recorded on the outbox row: ``carries_calendar_invitation``). ``context``: the
    message's, read by the kinds that end several sessions at once (``SESSIONS_CANCEL_KINDS``)."""
    attachments = []
    registration = _registration(about)
    # a door ticket only where there is a door
    if kind in TICKET_KINDS and registration is not None and event is not None and event.has_venue:
        # a KeyError, not a ticket mail without its ticket, if nobody registered how to draw one
        draw = TICKET_IMAGES[REGISTRATION]
        attachments.append(_attachment("ticket.png", "image/png", draw(registration=registration)))
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
    if kind in SESSIONS_CANCEL_KINDS:
        attachments += _sessions_cancelled(context, recipient_email=recipient_email, recipient_name=recipient_name)
    return attachments


def _ended_sessions(context: dict | None) -> dict[str, list[dict]]:
    """The ``cancelled_places`` and ``left_waiting_lists`` of a ``SESSIONS_CANCEL_KINDS`` message.

    Rows queued before the queuer told them apart carry one ``sessions`` list instead, each
    marked ``waitlisted`` or, older still, not marked (then all were places, as those messages
    said). They stay in the outbox, pending or sent and open to a resend, so they are read as
    their queuer meant them: this is that old queuer's rule, frozen, for those rows only."""
    context = context or {}
    if "sessions" in context:
        sessions = context["sessions"] or []
        return {
            "cancelled_places": [session for session in sessions if not session.get("waitlisted")],
            "left_waiting_lists": [session for session in sessions if session.get("waitlisted")],
        }
    return {
        "cancelled_places": context.get("cancelled_places") or [],
        "left_waiting_lists": context.get("left_waiting_lists") or [],
    }


def _sessions_cancelled(context: dict | None, *, recipient_email: str, recipient_name: str) -> list[dict]:
    """A METHOD:CANCEL for each of the context's sessions that were in the recipient's calendar,
    in the message's order (places, then waiting lists); a session deleted since has none.

    One file per session, not one calendar of them all: an iTIP message is about one UID (RFC
    5546), and clients refuse one that mixes events."""
    ended = _ended_sessions(context)
    sessions = ended["cancelled_places"] + ended["left_waiting_lists"]
    wanted = [session["event"] for session in sessions if session.get("in_calendar")]
    if not wanted:
        return []
    events = Event.objects.in_bulk(wanted)
    found = [events[pk] for pk in wanted if pk in events]
    attachments = []
    for number, event in enumerate(found, start=1):
        ics = invitation_ics(event=event, attendee_email=recipient_email, attendee_name=recipient_name, method="CANCEL")
        name = "invite.ics" if len(found) == 1 else f"invite-{number}.ics"
        attachments.append(_attachment(name, "text/calendar; method=CANCEL; charset=utf-8", ics))
    return attachments
