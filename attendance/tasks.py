"""django-q2 entry points of attendance: thin, safe to run twice."""

import logging

from attendance.models import AttendanceImport, RegistrationExport
from attendance.services import exports, finalisation, participant_reports

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


def prepare_report_preview(import_id: int) -> str:
    report = AttendanceImport.objects.select_related("event").filter(pk=import_id).first()
    if report is None:
        logger.warning("Attendance import %s is gone; nothing to do", import_id)
        return "missing"
    return participant_reports.prepare_preview(report=report).status


def build_registrations_export(export_id: int) -> str:
    export = RegistrationExport.objects.select_related("requested_by").filter(pk=export_id).first()
    if export is None:
        logger.warning("Registrations export %s is gone; nothing to do", export_id)
        return "missing"
    try:
        return exports.build_registrations_export(export=export).status
    except Exception:
        # said on the export's page; the organiser asks again
        logger.exception("Registrations export %s failed", export_id)
        exports.fail_registrations_export(export=export)
        return "failed"


def tidy_registration_exports() -> dict:
    """Delete expired registrations exports and their files; fail those whose job was lost."""
    return exports.tidy_registration_exports()
