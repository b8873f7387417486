"""Demo data for notifications and attendance. Idempotent: it looks for what it made before.

- an organiser's own reminder wording for the next webinar;
- a participant report (generic CSV) imported for the most recent past webinar, which
  finalises its attendance and queues the follow-ups.
"""

from django.db import transaction
from django.utils import timezone

from events.models import Event, EventKind, EventStatus
from notifications import kinds
from notifications.models import AttendanceImport, MessageTemplateOverride
from registrations.models import Registration, RegistrationStatus

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


def _participant_report(now) -> int:
    from registrations.services.participant_reports import (  # noqa: PLC0415 (layering debt, .importlinter)
        import_participant_report,
        upload_participant_report,
    )

    webinar = (
        Event.objects.filter(kind=EventKind.WEBINAR, status=EventStatus.PUBLISHED, end__lte=now)
        .order_by("-start")
        .first()
    )
    if webinar is None or AttendanceImport.objects.filter(event=webinar).exists():
        return 0
    registrations = list(Registration.objects.filter(event=webinar, status=RegistrationStatus.CONFIRMED))
    if not registrations:
        return 0
    duration = int((webinar.end - webinar.start).total_seconds() // 60)
    lines = ["name,email,duration"]
    for index, registration in enumerate(registrations):
        if index % 3 == 2:
            continue  # a no-show
        minutes = duration if index % 3 == 0 else max(duration // 4, 1)
        lines.append(f"{registration.name},{registration.email},{minutes}")
    lines.append(f"Guest without a registration,guest@example.org,{duration}")
    report, _ = upload_participant_report(
        event=webinar, content=("\n".join(lines) + "\n").encode(), filename="participants.csv"
    )
    import_participant_report(report=report)
    return 1


@transaction.atomic
def load() -> dict:
    now = timezone.now()
    return {"message_templates": _reminder_override(now), "attendance_imports": _participant_report(now)}
