"""Speaker API: the public roster, organisers' assignments, a speaker's own area, and the
signed invitation link. Views parse, call one service, render."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from events.permissions import is_organiser
from events_project.parsers import FormParser, JSONParser, MultiPartParser
from events_project.schema import error_responses
from notifications.language import request_language
from speakers import selectors, services
from speakers.conflicts import conflicts_for_assignments
from speakers.exceptions import NotASpeaker
from speakers.filters import AssignmentFilter, ScheduleFilter, SpeakerFilter
from speakers.models import SpeakerAssignment
from speakers.permissions import IsOrganiser, OrganisersWriteRosterReadOnly
from speakers.serializers import (
    AnswerSerializer,
    AssignmentSerializer,
    AssignSpeakerSerializer,
    InvitationLinkSerializer,
    LinkAnswerSerializer,
    OrganiserSpeakerSerializer,
    OverrideSerializer,
    OwnSpeakerSerializer,
    PublicSpeakerSerializer,
    ScheduleSerializer,
    UnavailabilitySerializer,
    UpdateAssignmentSerializer,
)

WRITE_ERRORS = error_responses(400, 401, 403, 404, 409)
PARSERS = [JSONParser, MultiPartParser, FormParser]


def _speaker_of(request):
    speaker = selectors.speaker_for_user(request.user)
    if speaker is None:
        raise NotASpeaker(_("You have no speaker profile."))
    return speaker


ORGANISER_SHAPE = OrganiserSpeakerSerializer


# --- roster ---------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses={200: PublicSpeakerSerializer(many=True), **error_responses(400, 404)}),
    retrieve=extend_schema(responses={200: PublicSpeakerSerializer, **error_responses(404)}),
    create=extend_schema(request=ORGANISER_SHAPE, responses={201: ORGANISER_SHAPE, **WRITE_ERRORS}),
    partial_update=extend_schema(request=ORGANISER_SHAPE, responses={200: ORGANISER_SHAPE, **WRITE_ERRORS}),
    update=extend_schema(request=ORGANISER_SHAPE, responses={200: ORGANISER_SHAPE, **WRITE_ERRORS}),
)
class SpeakerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The speaker roster with each speaker's upcoming public events.

    Everyone sees the public fields of listed speakers; organisers also see private contact
    details and unlisted speakers, and maintain the roster.
    """

    permission_classes = [OrganisersWriteRosterReadOnly]
    filterset_class = SpeakerFilter
    ordering = ["name", "id"]

    @property
    def ordering_fields(self) -> list[str]:
        # the public shape has no created_at: ordering the roster by it would tell it (who is new)
        user = getattr(getattr(self, "request", None), "user", None)
        return ["name", "created_at"] if is_organiser(user) else ["name"]

    parser_classes = PARSERS

    def get_queryset(self):
        return selectors.speakers_visible_to(self.request.user)

    def get_serializer_class(self):
        return OrganiserSpeakerSerializer if is_organiser(self.request.user) else PublicSpeakerSerializer

    def perform_create(self, serializer):
        speaker = services.create_speaker(by=self.request.user, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=speaker.pk)

    def perform_update(self, serializer):
        speaker = services.update_speaker(
            speaker=serializer.instance, by=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=speaker.pk)

    @extend_schema(request=None, responses={202: OpenApiTypes.OBJECT, **error_responses(400, 401, 403, 404)})
    @action(detail=True, methods=["post"], url_path="account-link")
    def account_link(self, request, pk=None):
        """Email the speaker a link that links the account they sign in with to this profile:
        linking needs their consent (only a superuser sets ``user`` directly)."""
        services.send_account_link(speaker=self.get_object(), by=request.user)
        return Response(
            {"detail": str(_("The link is on its way to the speaker's address."))}, status=status.HTTP_202_ACCEPTED
        )


# --- assignments (organisers) ---------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses={200: AssignmentSerializer(many=True), **error_responses(400, 401, 403, 404)}),
    retrieve=extend_schema(responses={200: AssignmentSerializer, **error_responses(401, 403, 404)}),
    create=extend_schema(request=AssignSpeakerSerializer, responses={201: AssignmentSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(
        request=UpdateAssignmentSerializer, responses={200: AssignmentSerializer, **WRITE_ERRORS}
    ),
)
class SpeakerAssignmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Speakers assigned to the events you organise. Creating one sends the invitation.

    ``conflicts`` lists clashes across all events (overlap, unavailable, travel); they stay
    listed after an override. ``?unanswered=true`` shows who has not answered.
    """

    serializer_class = AssignmentSerializer
    permission_classes = [permissions.IsAuthenticated, IsOrganiser]
    filterset_class = AssignmentFilter
    ordering_fields = ["invited_at", "response_deadline", "order", "event__start"]
    ordering = ["event__start", "order", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.assignments_managed_by(self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {**self.get_serializer_context(), "conflicts": conflicts_for_assignments(page, viewer=request.user)}
        return self.get_paginated_response(AssignmentSerializer(page, many=True, context=context).data)

    def _render(self, assignment, status_code=status.HTTP_200_OK):
        assignment = self.get_queryset().get(pk=assignment.pk)
        return Response(self.get_serializer(assignment).data, status=status_code)

    def create(self, request, *args, **kwargs):
        payload = AssignSpeakerSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        assignment = services.assign_speaker(by=request.user, **payload.validated_data)
        return self._render(assignment, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        payload = UpdateAssignmentSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        assignment = services.update_assignment(assignment=self.get_object(), by=request.user, **payload.validated_data)
        return self._render(assignment)

    @extend_schema(request=None, responses={200: AssignmentSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        assignment = services.withdraw_assignment(assignment=self.get_object(), by=request.user)
        return self._render(assignment)

    @extend_schema(request=OverrideSerializer, responses={200: AssignmentSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"], url_path="override-conflicts")
    def override_conflicts(self, request, pk=None):
        payload = OverrideSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        assignment = services.override_conflicts(
            assignment=self.get_object(), by=request.user, reason=payload.validated_data["reason"]
        )
        return self._render(assignment)


# --- the speaker's own area -----------------------------------------------------------


@extend_schema_view(
    get=extend_schema(responses={200: OwnSpeakerSerializer, **error_responses(401, 403, 404)}),
    patch=extend_schema(request=OwnSpeakerSerializer, responses={200: OwnSpeakerSerializer, **WRITE_ERRORS}),
)
class MySpeakerProfileView(APIView):
    """Your own speaker profile (404 ``not_a_speaker`` if your account has none)."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = PARSERS

    def _profile(self, speaker):
        speaker = selectors.roster(include_unlisted=True).get(pk=speaker.pk)
        return Response(OwnSpeakerSerializer(speaker, context={"request": self.request}).data)

    def get(self, request):
        return self._profile(_speaker_of(request))

    def patch(self, request):
        speaker = _speaker_of(request)
        payload = OwnSpeakerSerializer(speaker, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        services.update_speaker(speaker=speaker, by=request.user, **payload.validated_data)
        return self._profile(speaker)


@extend_schema_view(
    list=extend_schema(responses={200: ScheduleSerializer(many=True), **error_responses(400, 401, 404)}),
    retrieve=extend_schema(responses={200: ScheduleSerializer, **error_responses(401, 404)}),
)
class MyScheduleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your engagements, upcoming and past (``?when=upcoming|past``), and your answers to invitations.
    The join link appears once you have accepted."""

    serializer_class = ScheduleSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = ScheduleFilter
    ordering_fields = ["event__start", "invited_at"]
    ordering = ["event__start", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SpeakerAssignment.objects.none()
        return selectors.schedule_of(_speaker_of(self.request))

    @extend_schema(request=AnswerSerializer, responses={200: ScheduleSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        payload = AnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        assignment = services.accept_invitation(
            assignment=self.get_object(), language=request_language(request), by=request.user, **payload.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=assignment.pk)).data)

    @extend_schema(request=AnswerSerializer, responses={200: ScheduleSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        payload = AnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        assignment = services.decline_invitation(
            assignment=self.get_object(), language=request_language(request), by=request.user, **payload.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=assignment.pk)).data)


@extend_schema_view(
    list=extend_schema(responses={200: UnavailabilitySerializer(many=True), **error_responses(400, 401, 404)}),
    retrieve=extend_schema(responses={200: UnavailabilitySerializer, **error_responses(401, 404)}),
    create=extend_schema(responses={201: UnavailabilitySerializer, **WRITE_ERRORS}),
    update=extend_schema(responses={200: UnavailabilitySerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(responses={200: UnavailabilitySerializer, **WRITE_ERRORS}),
    destroy=extend_schema(responses={204: None, **error_responses(401, 404)}),
)
class MyUnavailabilityViewSet(viewsets.ModelViewSet):
    """Periods you cannot speak. Organisers see them as ``unavailable`` conflicts."""

    serializer_class = UnavailabilitySerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = []
    ordering = ["start", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return services.SpeakerUnavailability.objects.none()
        return _speaker_of(self.request).unavailabilities.all()

    def perform_create(self, serializer):
        serializer.instance = services.declare_unavailability(
            speaker=_speaker_of(self.request), **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.update_unavailability(period=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.remove_unavailability(period=instance)


# --- the signed link in the invitation email -------------------------------------------


class InvitationLinkView(APIView):
    """The link in the invitation email: GET shows the invitation, POST answers it
    (``answer``: accept or decline, optional ``message``). No sign-in: the signed token is
    the speaker's proof; it names the invitation round and expires."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    parser_classes = PARSERS

    @extend_schema(responses={200: InvitationLinkSerializer, **error_responses(400)})
    def get(self, request, token):
        return Response(InvitationLinkSerializer(services.assignment_from_token(token)).data)

    @extend_schema(
        request=LinkAnswerSerializer,
        responses={200: InvitationLinkSerializer, **error_responses(400, 409)},
    )
    def post(self, request, token):
        assignment = services.assignment_from_token(token)
        payload = LinkAnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.answer_invitation(assignment=assignment, language=request_language(request), **payload.validated_data)
        return Response(InvitationLinkSerializer(services.assignment_from_token(token)).data)
