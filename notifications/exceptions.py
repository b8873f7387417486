from events_project.exceptions import Conflict, DomainError, Forbidden, NotFound

__all__ = ["DomainError", "NotFound", "Forbidden", "Conflict", "OutboxError"]


class OutboxError(Conflict):
    default_code = "outbox_conflict"
