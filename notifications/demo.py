"""Demo data for notifications. Idempotent: it looks for what it made before.

- an organiser's own reminder wording for the next webinar.
"""

from django.db import transaction
from django.utils import timezone

from events.models import Event, EventKind, EventStatus
from notifications import kinds
from notifications.models import MessageTemplateOverride

REMINDER_SUBJECT = "Starting soon: {{ event }}"
REMINDER_BODY = (
    "Hello {{ name }},\n\n"
    "{{ event }} starts {{ starts_in }} ({{ when }}).\n"
    "Join here: {{ join_url }}\n\n"
    "Bring a question for the speaker: we keep ten minutes for the audience.\n\n"
    "Cannot come? Please free your place: {{ manage_url }}"
)


def _reminder_override(now) -> int:
    webinar = Event.objects.filter(kind=EventKind.WEBINAR, status=EventStatus.PUBLISHED, start__gt=now).first()
    if webinar is None:
        return 0
    MessageTemplateOverride.objects.get_or_create(
        event=webinar, kind=kinds.REMINDER, defaults={"subject": REMINDER_SUBJECT, "body": REMINDER_BODY}
    )
    return 1


@transaction.atomic
def load() -> dict:
    now = timezone.now()
    return {"message_templates": _reminder_override(now)}
