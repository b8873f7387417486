"""The door team of a series through the API: its door staff, and the links that invite them.

Thin: each route finds the series with ``series_to_manage`` (404 unseen, 403 seen but not
organised) and calls one service of ``teams.services``.
"""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from events.permissions import is_organiser, series_to_manage
from events_project.schema import error_responses
from teams import services
from teams.models import TeamInvitation
from teams.selectors import team_invitations_managed_by
from teams.serializers import (
    SeriesDoorInvitationInputSerializer,
    SeriesDoorStaffSerializer,
    SeriesTeamInvitationSerializer,
)

READ_ERRORS = error_responses(401, 403, 404)
LIST_ERRORS = error_responses(400, 401, 403, 404)  # a list's ordering is read from the query string
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409)


class _SeriesOrganisersOnly:
    """The series of the path, for its organisers: whoever is no organiser at all is 403 before
    anything is read (as the other organisers' routes)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not is_organiser(request.user):
            self.permission_denied(request, message="Only organisers manage a series' team.")

    def series(self):
        if not hasattr(self, "_series"):
            self._series = series_to_manage(self.request.user, self.kwargs["series_id"])
        return self._series


@extend_schema_view(
    list=extend_schema(responses={200: SeriesTeamInvitationSerializer(many=True), **LIST_ERRORS}),
    create=extend_schema(
        request=SeriesDoorInvitationInputSerializer,
        responses={201: SeriesTeamInvitationSerializer, **WRITE_ERRORS},
        description="Email a one-time link that makes its reader door staff of every session of the series.",
    ),
)
class SeriesTeamInvitationViewSet(
    _SeriesOrganisersOnly, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The series' door links: newest first, with their state (pending, used, revoked, expired, void, no_door)."""

    serializer_class = SeriesTeamInvitationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema is drawn without a series
            return TeamInvitation.objects.none()
        return team_invitations_managed_by(self.request.user).filter(series=self.series())

    def create(self, request, *args, **kwargs):
        series = self.series()  # someone else's series is refused before its input is read
        payload = SeriesDoorInvitationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invitation = services.invite_to_series_door(
            series=series, email=payload.validated_data["email"], by=request.user
        )
        invitation = self.get_queryset().get(pk=invitation.pk)
        return Response(self.get_serializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: SeriesTeamInvitationSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, *args, **kwargs):
        invitation = services.revoke_team_invitation(invitation=self.get_object(), by=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=invitation.pk)).data)


@extend_schema_view(
    list=extend_schema(responses={200: SeriesDoorStaffSerializer(many=True), **LIST_ERRORS}),
    destroy=extend_schema(
        responses={204: None, **WRITE_ERRORS},
        description="Take the door of every session of the series from this person (not a session "
        "they were invited to on its own).",
    ),
)
class SeriesDoorStaffViewSet(
    _SeriesOrganisersOnly, mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """The series' door staff: they work the door of every session the series reaches."""

    serializer_class = SeriesDoorStaffSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema is drawn without a series
            return get_user_model().objects.none()
        return self.series().checkin_staff.order_by("first_name", "username", "pk")

    def destroy(self, request, *args, **kwargs):
        services.remove_from_series_door(series=self.series(), user=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
