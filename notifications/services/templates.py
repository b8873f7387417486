"""Organisers' own wording of a message kind for one of their events."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from events.models import Event
from events.services import log_action
from notifications import kinds
from notifications.audience import usual_audience
from notifications.exceptions import DomainError
from notifications.models import MessageTemplateOverride
from notifications.services.rendering import render

KNOWN_PLACEHOLDERS = frozenset(
    {
        "name",
        "event",
        "event_title",
        "start",
        "end",
        "when",
        "timezone",
        "venue",
        "event_url",
        "ics_url",
        "manage_url",
        "join_url",
        "online_platform",
        "site_url",
        "starts_in",
        "reason",
    }
)


def placeholders_in(text: str) -> set[str]:
    """Whatever stands between double braces, trimmed, so that "{{ registration.user }}" is
    refused, not left as text. Each pair of braces is looked for once: the regular expression
    used before backtracked over blanks that no closing braces followed, so a wording of "{{" and
    a thousand spaces held the request 7 seconds, its 10,000 characters hours."""
    found, start = set(), 0
    while (opening := text.find("{{", start)) != -1:
        closing = text.find("}}", opening + 2)
        if closing == -1:
            break
        found.add(text[opening + 2 : closing].strip())
        start = closing + 2
    return found


# the longest text of a wording: each placeholder is filled for every recipient, and a megabyte
# of "{{ venue }}" made each message 45 MB, rendered in 19 s (per recipient, and per preview)
WORDING_BODY_MAX = 10_000


def check_subject(subject: str) -> None:
    """Refuse a subject of more than one line (``subject_not_one_line``): a subject is a mail
    header, one line; a line break typed into it was stored as typed and shown so in the form,
    while the message went out with it folded into a space. Every subject an organiser writes
    (a wording of a message kind, a message to chosen registrants) is checked with it."""
    subject = (subject or "").strip()
    # every line boundary str.splitlines() knows: CR, LF, and the rarer ones (U+2028, NEL, ...)
    if "".join(subject.splitlines()) != subject:
        raise DomainError(_("The subject is one line: remove its line breaks."), "subject_not_one_line")


def check_placeholders(subject: str, body: str) -> None:
    """Refuse a subject of more than one line (``check_subject``), a wording longer than
    WORDING_BODY_MAX (``message_too_long``) or whose placeholders the messages do not fill
    (``unknown_placeholder``: a misspelt one would be sent as nothing). The API, the workspace and
    the admin check with it."""
    subject = (subject or "").strip()
    check_subject(subject)
    if len(body or "") > WORDING_BODY_MAX:
        raise DomainError(
            _("The text is at most %(max)s characters.") % {"max": f"{WORDING_BODY_MAX:,}"}, "message_too_long"
        )
    unknown = placeholders_in(f"{subject}\n{body}") - KNOWN_PLACEHOLDERS
    if unknown:
        raise DomainError(
            _("Unknown placeholder(s): %(unknown)s. Known: %(known)s.")
            % {"unknown": ", ".join(sorted(unknown)), "known": ", ".join(sorted(KNOWN_PLACEHOLDERS))},
            "unknown_placeholder",
        )


@transaction.atomic
def set_template_override(*, event: Event, kind: str, subject: str = "", body: str = "", by=None):
    """Create or replace the override of ``kind`` for ``event``. Messages already queued keep their text."""
    if kind not in kinds.ALL_KINDS:
        raise DomainError(_("Unknown message kind %(kind)s.") % {"kind": repr(kind)}, "unknown_kind")
    check_placeholders(subject, body)
    override, _created = MessageTemplateOverride.objects.update_or_create(
        event=event, kind=kind, defaults={"subject": subject.strip(), "body": body}
    )
    log_action(by=by, action="template.set", event=event, subject=override, data={"kind": kind})
    return override


@transaction.atomic
def update_template_override(*, override: MessageTemplateOverride, by=None, **changes) -> MessageTemplateOverride:
    subject = changes.get("subject", override.subject)
    body = changes.get("body", override.body)
    check_placeholders(subject, body)
    override.subject, override.body = subject.strip(), body
    override.save(update_fields=["subject", "body", "updated_at"])
    log_action(by=by, action="template.changed", event=override.event, subject=override, data={"kind": override.kind})
    return override


@transaction.atomic
def delete_template_override(*, override: MessageTemplateOverride, by=None) -> None:
    log_action(by=by, action="template.removed", event=override.event, subject=override, data={"kind": override.kind})
    override.delete()


SAMPLE_CONTEXT = {
    "invitation_code": "SAMPLE-CODE",
    "reason": "…",
    "position": 3,
}


def preview_message(
    *, event: Event, kind: str, subject: str = "", body: str = "", recipient_name: str = "", language: str = ""
):
    """The message ``kind`` of ``event`` as a sample recipient would receive it, with the given
    wording (empty parts keep the default), in ``language`` (the workspace page's: someone who
    registers in that language receives it so). Nothing is saved or sent. Returns the rendered
    message (``subject``, ``body_text``, ``body_html``)."""
    if kind not in kinds.ALL_KINDS:
        raise DomainError(_("Unknown message kind %(kind)s.") % {"kind": repr(kind)}, "unknown_kind")
    check_placeholders(subject, body)
    draft = MessageTemplateOverride(event=event, kind=kind, subject=subject.strip(), body=body)
    return render(
        kind=kind,
        recipient_email="",
        recipient_name=recipient_name or "Aysel Aliyeva",
        about=None,
        event=event,
        # a reminder as its first one goes out ("starts tomorrow", in the recipient's language),
        # never a fixed English "1 day" that read "starts 1 day" in every language
        context={**SAMPLE_CONTEXT, "offset_minutes": max(event.reminder_offsets or [24 * 60])},
        override=draft,
        language=language,
        audience=usual_audience(kind),
    )
