from events_project.exceptions import Conflict, DomainError, Forbidden, NotFound

__all__ = ["DomainError", "InvalidAnswer", "NotASpeaker", "SpeakerConflicts", "SpeakerError", "Forbidden"]


class SpeakerError(DomainError):
    default_code = "invalid_speaker"


class NotASpeaker(NotFound):
    """The signed-in user has no speaker profile."""

    default_code = "not_a_speaker"


class InvalidAnswer(Conflict):
    """The invitation is in a state that does not allow this answer or action."""

    default_code = "invalid_transition"


class SpeakerConflicts(Conflict):
    """Assigning would clash with the speaker's other commitments; pass an override reason."""

    default_code = "speaker_conflicts"


class InvalidInvitationLink(DomainError):
    default_code = "invalid_link"
