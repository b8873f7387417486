"""Organisers' view of the outbox and their message wording."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from events.permissions import event_to_manage
from events_project.schema import error_responses
from notifications import selectors
from notifications.filters import MessageTemplateFilter, OutboxFilter
from notifications.permissions import IsOrganiser
from notifications.serializers import (
    MessageTemplateSerializer,
    MessageTemplateUpdateSerializer,
    OutboxMessageDetailSerializer,
    OutboxMessageSerializer,
)
from notifications.services import resend_message
from notifications.services import templates as template_services
from notifications.services.outbox import render_message

READ_ERRORS = error_responses(401, 403, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409)
# a list reads filters from the query string: an unknown choice or a malformed id is a 400
LIST_ERRORS = error_responses(400, 401, 403, 404)


@extend_schema_view(
    list=extend_schema(responses={200: OutboxMessageSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: OutboxMessageDetailSerializer, **READ_ERRORS}),
)
class OutboxViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every message about the events you organise, with its delivery status and last error."""

    permission_classes = [IsOrganiser]
    filterset_class = OutboxFilter
    ordering_fields = ["created_at", "sent_at", "status"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return selectors.outbox_visible_to(self.request.user)

    def get_serializer_class(self):
        return OutboxMessageDetailSerializer if self.action == "retrieve" else OutboxMessageSerializer

    def get_object(self):
        message = super().get_object()
        if self.action == "retrieve":
            message.refresh_from_db(fields=["body_text", "body_html", "attachments"])
            # rendered from the current state: what the message says (or would say if sent again)
            message.rendered = render_message(message)
        return message

    @extend_schema(request=None, responses={200: OutboxMessageSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        message = resend_message(message=self.get_object(), by=request.user)
        return Response(OutboxMessageSerializer(message).data)


@extend_schema_view(
    list=extend_schema(responses={200: MessageTemplateSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: MessageTemplateSerializer, **READ_ERRORS}),
    create=extend_schema(responses={201: MessageTemplateSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(
        request=MessageTemplateUpdateSerializer, responses={200: MessageTemplateSerializer, **WRITE_ERRORS}
    ),
    update=extend_schema(
        request=MessageTemplateUpdateSerializer, responses={200: MessageTemplateSerializer, **WRITE_ERRORS}
    ),
    destroy=extend_schema(responses={204: None, **WRITE_ERRORS}),
)
class MessageTemplateViewSet(viewsets.ModelViewSet):
    """Your own wording of a kind of message for one event (placeholders: see README)."""

    permission_classes = [IsOrganiser]
    serializer_class = MessageTemplateSerializer
    filterset_class = MessageTemplateFilter
    ordering = ["event", "kind"]

    def get_queryset(self):
        return selectors.templates_visible_to(self.request.user)

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return MessageTemplateUpdateSerializer
        return MessageTemplateSerializer

    def create(self, request, *args, **kwargs):
        payload = MessageTemplateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        override = template_services.set_template_override(
            event=event_to_manage(request.user, data["event"].pk),
            kind=data["kind"],
            subject=data.get("subject", ""),
            body=data.get("body", ""),
            by=request.user,
        )
        return Response(MessageTemplateSerializer(override).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        payload = MessageTemplateUpdateSerializer(data=request.data, partial=kwargs.get("partial", False))
        payload.is_valid(raise_exception=True)
        override = template_services.update_template_override(
            override=self.get_object(), by=request.user, **payload.validated_data
        )
        return Response(MessageTemplateSerializer(override).data)

    def perform_destroy(self, instance):
        template_services.delete_template_override(override=instance, by=self.request.user)
