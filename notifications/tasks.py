"""django-q2 entry points: thin, safe to run twice (rows are claimed before sending)."""

import logging

from notifications.services import outbox

logger = logging.getLogger(__name__)


def send_messages(message_ids: list[int]) -> dict:
    return outbox.send_outbox_messages(message_ids=list(message_ids))


def send_pending(kind: str) -> dict:
    return outbox.drain_outbox(kind=kind)


def sweep_outbox() -> dict:
    return outbox.sweep_outbox()


# Attendance's jobs live in attendance.tasks, the reminders' scan in registrations.tasks; these
# names stay for jobs and schedules queued before the move (django-q2 stores the dotted path).
def queue_due_reminders() -> int:
    from registrations.tasks import queue_due_reminders as run  # noqa: PLC0415 (the registrations app sits above notifications)

    return run()


def finalise_attendance() -> list[int]:
    from attendance.tasks import finalise_attendance as run  # noqa: PLC0415 (the attendance app sits above notifications)

    return run()


def import_participant_report(import_id: int) -> str:
    from attendance.tasks import import_participant_report as run  # noqa: PLC0415 (the attendance app sits above notifications)

    return run(import_id)
