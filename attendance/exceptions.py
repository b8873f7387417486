from events_project.exceptions import Conflict, DomainError, Forbidden, NotFound

__all__ = ["DomainError", "NotFound", "Forbidden", "Conflict", "ImportFailed", "NotCompleted", "ReportMissing"]


class ImportFailed(DomainError):
    """The participant report cannot be read; nothing was imported."""

    default_code = "malformed_report"


class NotCompleted(Forbidden):
    default_code = "not_completed"


class ReportMissing(Conflict):
    """An online or hybrid event's attendance waits for its participant report."""

    default_code = "report_missing"
