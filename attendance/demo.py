"""Demo data for attendance. Idempotent: it looks for what it made before.

- a participant report (generic CSV) imported for the most recent past webinar, which
  finalises its attendance and queues the follow-ups.
"""

from django.db import transaction
from django.utils import timezone

from attendance.models import AttendanceImport
from attendance.services.participant_reports import import_participant_report, upload_participant_report
from events.models import Event, EventKind, EventStatus
from registrations.models import Registration, RegistrationStatus


def _participant_report(now) -> int:
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
    return {"attendance_imports": _participant_report(timezone.now())}
