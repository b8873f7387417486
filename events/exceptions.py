from events_project.exceptions import Conflict, DomainError, Forbidden, NotFound

__all__ = ["DomainError", "EventError", "InvalidTransition", "InvalidRecurrence", "NotFound", "Forbidden"]


class EventError(DomainError):
    default_code = "invalid_event"


class InvalidTransition(Conflict):
    default_code = "invalid_transition"


class InvalidRecurrence(DomainError):
    default_code = "invalid_recurrence"
