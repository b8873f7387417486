"""Domain errors of registrations. Clients rely on ``code``; the text is for people."""

from events_project.exceptions import Conflict, DomainError, Forbidden, NotFound

__all__ = [
    "DomainError",
    "Conflict",
    "Forbidden",
    "NotFound",
    "RegistrationError",
    "RegistrationClosed",
    "EventFull",
    "InvalidAnswer",
    "InvalidInvitation",
    "InvalidRegistrationTransition",
]


class RegistrationError(DomainError):
    """Bad input for a registration (400)."""

    default_code = "invalid_registration"


class InvalidAnswer(RegistrationError):
    default_code = "invalid_answer"


class InvalidInvitation(DomainError):
    default_code = "invalid_invitation"


class RegistrationClosed(Conflict):
    default_code = "registration_closed"


class EventFull(Conflict):
    default_code = "event_full"


class InvalidRegistrationTransition(Conflict):
    default_code = "invalid_transition"
