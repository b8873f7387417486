from events_project.exceptions import Conflict, DomainError, Forbidden, NotFound

__all__ = ["CertificateInvalid", "NotEligible", "NotInCohort", "ProgrammeError", "Forbidden", "NotFound", "Conflict"]


class ProgrammeError(DomainError):
    default_code = "invalid_programme"


class NotInCohort(DomainError):
    """The event is not one the participant's cohort follows."""

    default_code = "not_in_cohort"


class NotEligible(Conflict):
    default_code = "below_threshold"


class CertificateInvalid(NotFound):
    """A verification link whose signature does not hold, or that names no certificate."""

    default_code = "certificate_invalid"
