"""Invitations to invitation-only events, for their organisers."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from events_project.schema import error_responses
from registrations import selectors
from registrations.apis.registration import EventNested
from registrations.filters import InvitationFilter
from registrations.models import Invitation, Registration
from registrations.permissions import OrganisesTheEvent
from registrations.serializers import InvitationSerializer
from registrations.services import invitations as services


@extend_schema_view(
    list=extend_schema(
        summary="An event's invitations (organisers)",
        responses={200: InvitationSerializer(many=True), **error_responses(400, 401, 403, 404)},
    ),
    retrieve=extend_schema(responses={200: InvitationSerializer, **error_responses(401, 403, 404)}),
    create=extend_schema(
        summary="Invite someone (sends the code by email)",
        responses={201: InvitationSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
    update=extend_schema(responses={200: InvitationSerializer, **error_responses(400, 401, 403, 404, 409)}),
    partial_update=extend_schema(responses={200: InvitationSerializer, **error_responses(400, 401, 403, 404, 409)}),
    destroy=extend_schema(
        summary="Revoke an unused invitation", responses={204: None, **error_responses(401, 403, 404, 409)}
    ),
)
class InvitationViewSet(
    EventNested,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = InvitationSerializer
    permission_classes = [OrganisesTheEvent]
    filterset_class = InvitationFilter
    ordering_fields = ["created_at", "email", "sector"]
    ordering = ["created_at", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Invitation.objects.none()
        return (
            selectors.invitations_managed_by(self.request.user)
            .filter(event=self.event)
            .prefetch_related(
                Prefetch("registration_set", queryset=Registration.objects.only("id", "status", "invitation_id"))
            )
        )

    def create(self, request, event_id=None):
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invitation = services.create_invitation(event=self.event, by=request.user, **payload.validated_data)
        return Response(self.get_serializer(invitation).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        serializer.instance = services.update_invitation(
            invitation=serializer.instance, by=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.revoke_invitation(invitation=instance, by=self.request.user)
