"""An event's team and a series' door team through the API: who organises the event, who works
its door, and the links that invite them.

Thin: each route finds the event with ``event_to_manage`` (the series with ``series_to_manage``:
404 unseen, 403 seen but not organised) and calls one service of ``teams.services``, the one the
team pages call.
"""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from events.permissions import event_to_manage, is_organiser, series_to_manage
from events_project.schema import error_responses
from teams import services
from teams.models import TeamInvitation, TeamRole
from teams.selectors import team_invitations_managed_by
from teams.serializers import (
    EventTeamInvitationInputSerializer,
    SeriesDoorInvitationInputSerializer,
    TeamInvitationSerializer,
    TeamMemberSerializer,
)

READ_ERRORS = error_responses(401, 403, 404)
LIST_ERRORS = error_responses(400, 401, 403, 404)  # a list's ordering is read from the query string
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409)


class _OrganisersOnly:
    """Whoever is no organiser at all is 403 before anything is read (as the other organisers'
    routes); the team's event or series is found once per request by ``team()``."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not is_organiser(request.user):
            self.permission_denied(request, message=self.organisers_only)

    def team(self):
        if not hasattr(self, "_team"):
            self._team = self.find_team()
        return self._team

    def schema_only(self) -> bool:
        return getattr(self, "swagger_fake_view", False)  # the schema is drawn without a team


class _EventTeam(_OrganisersOnly):
    organisers_only = "Only organisers manage an event's team."

    def find_team(self):
        return event_to_manage(self.request.user, self.kwargs["event_id"])


class _SeriesTeam(_OrganisersOnly):
    organisers_only = "Only organisers manage a series' team."

    def find_team(self):
        return series_to_manage(self.request.user, self.kwargs["series_id"])


class _Invitations(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = TeamInvitationSerializer
    team_field = ""  # "event" or "series"

    def get_queryset(self):
        if self.schema_only():
            return TeamInvitation.objects.none()
        return team_invitations_managed_by(self.request.user).filter(**{self.team_field: self.team()})

    def answer(self, invitation, *, status_code=status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=invitation.pk)).data, status=status_code)

    @extend_schema(request=None, responses={200: TeamInvitationSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, *args, **kwargs):
        """Withdraw a link not used yet: it no longer works (400 `invitation_used` once accepted)."""
        return self.answer(services.revoke_team_invitation(invitation=self.get_object(), by=request.user))


@extend_schema_view(
    list=extend_schema(responses={200: TeamInvitationSerializer(many=True), **LIST_ERRORS}),
    create=extend_schema(
        request=EventTeamInvitationInputSerializer,
        responses={201: TeamInvitationSerializer, **WRITE_ERRORS},
        description="Email a one-time link (valid 7 days) that makes its reader check-in staff (`checkin`) or a "
        "co-organiser (`organiser`) of this event. A newer link to the same person in the same role withdraws "
        "the older one. 400 `event_closed` (cancelled or over), `no_door` (door staff for an online-only event), "
        "`invalid_email`; 409 `already_in_team`, `already_has_access`.",
    ),
)
class EventTeamInvitationViewSet(_EventTeam, _Invitations):
    """The event's team links: newest first, with their state (pending, used, revoked, expired, void, no_door)."""

    team_field = "event"

    def create(self, request, *args, **kwargs):
        event = self.team()  # someone else's event is refused before its input is read
        payload = EventTeamInvitationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invitation = services.invite_to_team(event=event, by=request.user, **payload.validated_data)
        return self.answer(invitation, status_code=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(responses={200: TeamInvitationSerializer(many=True), **LIST_ERRORS}),
    create=extend_schema(
        request=SeriesDoorInvitationInputSerializer,
        responses={201: TeamInvitationSerializer, **WRITE_ERRORS},
        description="Email a one-time link that makes its reader door staff of every session of the series.",
    ),
)
class SeriesTeamInvitationViewSet(_SeriesTeam, _Invitations):
    """The series' door links: newest first, with their state (pending, used, revoked, expired, void, no_door)."""

    team_field = "series"

    def create(self, request, *args, **kwargs):
        series = self.team()  # someone else's series is refused before its input is read
        payload = SeriesDoorInvitationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invitation = services.invite_to_series_door(
            series=series, email=payload.validated_data["email"], by=request.user
        )
        return self.answer(invitation, status_code=status.HTTP_201_CREATED)


class _Members(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """A team's members (``members()``), listed by name; removing one is ``remove(user)``'s service."""

    serializer_class = TeamMemberSerializer

    def get_queryset(self):
        if self.schema_only():
            return get_user_model().objects.none()
        return self.members().order_by("first_name", "username", "pk")

    def destroy(self, request, *args, **kwargs):
        self.remove(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def _members_schema(removal: str):
    """The schema of a members route: the list, and what removing someone does (``removal``)."""
    return extend_schema_view(
        list=extend_schema(responses={200: TeamMemberSerializer(many=True), **LIST_ERRORS}),
        destroy=extend_schema(responses={204: None, **WRITE_ERRORS}, description=removal),
    )


@_members_schema(
    "Take this person off the event's organisers (oneself too). 400 `last_organiser`: an event keeps at least one."
)
class EventOrganiserViewSet(_EventTeam, _Members):
    """The event's organisers."""

    def members(self):
        return self.team().organisers.all()

    def remove(self, user):
        services.remove_from_team(event=self.team(), user=user, role=TeamRole.ORGANISER, by=self.request.user)


@_members_schema(
    "Take the event's door from this person. Door staff of the event's series keep it through the series "
    "(`/api/series/{id}/team/door-staff/`)."
)
class EventDoorStaffViewSet(_EventTeam, _Members):
    """The event's own check-in staff (the series' door staff, who work it too, are the series')."""

    def members(self):
        return self.team().checkin_staff.all()

    def remove(self, user):
        services.remove_from_team(event=self.team(), user=user, role=TeamRole.CHECKIN, by=self.request.user)


@_members_schema(
    "Take the door of every session of the series from this person (not a session they were invited to on its own)."
)
class SeriesDoorStaffViewSet(_SeriesTeam, _Members):
    """The series' door staff: they work the door of every session the series reaches."""

    def members(self):
        return self.team().checkin_staff.all()

    def remove(self, user):
        services.remove_from_series_door(series=self.team(), user=user, by=self.request.user)
