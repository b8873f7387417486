"""Domain errors of the team invitations. Clients rely on ``code``; the text is for people."""

from events_project.exceptions import Conflict, DomainError, Forbidden, NotFound

__all__ = ["Conflict", "DomainError", "Forbidden", "NotFound", "TeamError", "InvitationUnusable"]


class TeamError(DomainError):
    default_code = "invalid_team_change"


class InvitationUnusable(DomainError):
    """The link is unknown, used, withdrawn or expired (410-like: answered on a page, never a 500)."""

    http_status = 410
    default_code = "invitation_unusable"
