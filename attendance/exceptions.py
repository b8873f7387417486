from django.utils import translation

from events_project.exceptions import Conflict, DomainError, Forbidden, NotFound

__all__ = ["DomainError", "NotFound", "Forbidden", "Conflict", "ImportFailed", "NotCompleted", "ReportMissing"]


class ImportFailed(DomainError):
    """The participant report cannot be read; nothing was imported.

    ``message`` is the marked text (``gettext_lazy``), its placeholders filled from ``params``:
    ``message`` reads in the request's language, and ``template`` (the English text) with
    ``params`` is what an import stores, to be read later in its reader's language
    (``participant_reports.failure_text``)."""

    default_code = "malformed_report"

    def __init__(self, message, code: str | None = None, *, params: dict | None = None, extra: dict | None = None):
        self.params = params or {}
        with translation.override(None):  # no catalogue: the marked English text itself
            self.template = str(message)
        super().__init__(message % self.params if self.params else message, code, extra=extra)


class NotCompleted(Forbidden):
    default_code = "not_completed"


class ReportMissing(Conflict):
    """An online or hybrid event's attendance waits for its participant report."""

    default_code = "report_missing"
