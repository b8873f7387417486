from events_project.exceptions import Conflict, DomainError, Forbidden, NotFound

__all__ = [
    "CertificateInvalid",
    "NotEligible",
    "NotInCohort",
    "ProgrammeError",
    "ProgrammeNotOver",
    "Forbidden",
    "NotFound",
    "Conflict",
]


class ProgrammeError(DomainError):
    default_code = "invalid_programme"


class NotInCohort(DomainError):
    """The event is not one the participant's cohort follows."""

    default_code = "not_in_cohort"


class NotEligible(Conflict):
    default_code = "below_threshold"


class ProgrammeNotOver(Conflict):
    """Certificates for everyone eligible asked before the programme's end without saying so."""

    default_code = "programme_not_over"


class CertificateInvalid(NotFound):
    """A verification link whose signature does not hold, or that names no certificate."""

    default_code = "certificate_invalid"
