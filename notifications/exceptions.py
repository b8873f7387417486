from events_project.exceptions import Conflict, DomainError, Forbidden, NotFound

__all__ = ["DomainError", "NotFound", "Forbidden", "Conflict", "OutboxError", "ImportFailed", "NotCompleted"]


class OutboxError(Conflict):
    default_code = "outbox_conflict"


class ImportFailed(DomainError):
    """The participant report cannot be read; nothing was imported."""

    default_code = "malformed_report"


class NotCompleted(Forbidden):
    default_code = "not_completed"
