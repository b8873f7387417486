"""django-q2 entry points of attendance: thin, safe to run twice."""

import logging

from attendance.models import AttendanceImport
from attendance.services import finalisation, participant_reports

logger = logging.getLogger(__name__)


def finalise_attendance() -> list[int]:
    # imports whose job was lost are handed out again (or failed) before events are finalised
    participant_reports.sweep_stuck_imports()
    return finalisation.finalise_due_events()


def import_participant_report(import_id: int) -> str:
    report = AttendanceImport.objects.select_related("event").filter(pk=import_id).first()
    if report is None:
        logger.warning("Attendance import %s is gone; nothing to do", import_id)
        return "missing"
    return participant_reports.import_participant_report(report=report).status
