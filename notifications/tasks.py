"""django-q2 entry points: thin, safe to run twice (rows are claimed before sending)."""

import logging

from notifications.models import AttendanceImport
from notifications.services import outbox, reminders

logger = logging.getLogger(__name__)


def send_messages(message_ids: list[int]) -> dict:
    return outbox.send_outbox_messages(message_ids=list(message_ids))


def sweep_outbox() -> dict:
    return outbox.sweep_outbox()


def queue_due_reminders() -> int:
    return reminders.queue_due_reminders()


def finalise_attendance() -> list[int]:
    from registrations.services.attendance import finalise_due_events  # noqa: PLC0415 (layering debt, listed in .importlinter: attendance)

    return finalise_due_events()


def import_participant_report(import_id: int) -> str:
    from registrations.services.participant_reports import import_participant_report as run_import  # noqa: PLC0415 (layering debt, .importlinter)

    report = AttendanceImport.objects.select_related("event").filter(pk=import_id).first()
    if report is None:
        logger.warning("Attendance import %s is gone; nothing to do", import_id)
        return "missing"
    return run_import(report=report).status
