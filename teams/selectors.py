"""Who may see and change team invitations: the organisers of the invitation's event, or of its
series for a series' link."""

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from events.models import Event, Series
from events.selectors import events_managed_by, series_managed_by, subjects_of
from events_project.people import account_name
from teams.models import TeamInvitation


def team_invitations_visible_to(user) -> QuerySet[TeamInvitation]:
    return team_invitations_managed_by(user)


def team_invitations_managed_by(user) -> QuerySet[TeamInvitation]:
    return (
        TeamInvitation.objects.filter(
            Q(event__in=events_managed_by(user).values("pk")) | Q(series__in=series_managed_by(user).values("pk"))
        )
        .select_related("event", "series", "invited_by", "used_by")
        .annotate(inviter_organises=_inviter_organises())
    )


def _inviter_organises() -> ExpressionWrapper:
    """Whether whoever sent the invitation still organises its event, or its series
    (``events_managed_by``'s rule: an active account among its organisers, or an active
    superuser); an invitation the system made has no inviter and counts as the event's own
    (the series'). A link is usable only then
    (``teams.services.invitation_for_token``); the team page says so of the others."""
    organises = Event.organisers.through.objects.filter(
        event_id=OuterRef("event_id"), user_id=OuterRef("invited_by_id"), user__is_active=True
    )
    organises_series = Series.organisers.through.objects.filter(
        series_id=OuterRef("series_id"), user_id=OuterRef("invited_by_id"), user__is_active=True
    )
    superuser = get_user_model().objects.filter(pk=OuterRef("invited_by_id"), is_superuser=True, is_active=True)
    return ExpressionWrapper(
        Q(invited_by__isnull=True) | Exists(organises) | Exists(organises_series) | Exists(superuser),
        output_field=BooleanField(),
    )


def name_team_subjects(entries) -> dict[tuple[str, int], str]:
    """The subjects of the team's entries of an event's action log ``entries``, in words: each
    team invitation by the address it went to (only the entries' own events' invitations):
    "invited someone to the team (aysel@example.org)", not "(#1)"; each member taken off the team
    by their account's name, "removed someone from the team (Aysel Mammadova)". At most two
    queries; registered in ``TeamsConfig.ready`` (events sits below teams)."""
    wanted = subjects_of(entries)
    labels: dict[tuple[str, int], str] = {}
    if wanted.get("teaminvitation"):
        events = {entry.event_id for entry in entries}
        invitations = TeamInvitation.objects.filter(pk__in=wanted["teaminvitation"], event_id__in=events)
        labels.update({("teaminvitation", pk): email for pk, email in invitations.values_list("pk", "email")})
    removed = {entry.subject_id for entry in entries if entry.subject_type == "user" and entry.action == "team.removed"}
    if removed:
        members = get_user_model().objects.filter(pk__in=removed).only("username", "first_name", "last_name")
        labels.update({("user", member.pk): account_name(member) for member in members})
    return labels
