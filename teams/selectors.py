"""Who may see and change team invitations: the organisers of the invitation's event."""

from django.db.models import QuerySet

from events.selectors import events_managed_by
from teams.models import TeamInvitation


def team_invitations_visible_to(user) -> QuerySet[TeamInvitation]:
    return team_invitations_managed_by(user)


def team_invitations_managed_by(user) -> QuerySet[TeamInvitation]:
    return TeamInvitation.objects.filter(event__in=events_managed_by(user).values("pk")).select_related(
        "event", "invited_by", "used_by"
    )
