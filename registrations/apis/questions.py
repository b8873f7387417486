"""The questions an event asks at registration: anyone reads them, organisers edit them."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from events_project.schema import error_responses
from registrations import selectors
from registrations.apis.registration import EventNested
from registrations.models import Question
from registrations.permissions import OrganisesOrReadsPublicEvent
from registrations.serializers import QuestionSerializer
from registrations.services import questions as services

WRITE_ERRORS = error_responses(400, 401, 403, 404)


@extend_schema_view(
    list=extend_schema(responses={200: QuestionSerializer(many=True), **error_responses(400, 404)}),
    retrieve=extend_schema(responses={200: QuestionSerializer, **error_responses(404)}),
    create=extend_schema(responses={201: QuestionSerializer, **WRITE_ERRORS}),
    update=extend_schema(responses={200: QuestionSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(responses={200: QuestionSerializer, **WRITE_ERRORS}),
    destroy=extend_schema(responses={204: None, **error_responses(401, 403, 404)}),
)
class QuestionViewSet(EventNested, viewsets.ModelViewSet):
    serializer_class = QuestionSerializer
    permission_classes = [OrganisesOrReadsPublicEvent]
    filterset_fields = ["kind", "required"]
    ordering_fields = ["position", "id"]
    ordering = ["position", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Question.objects.none()
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return selectors.questions_visible_to(self.request.user).filter(event=self.event)
        return selectors.questions_managed_by(self.request.user).filter(event=self.event)

    def perform_create(self, serializer):
        serializer.instance = services.create_question(
            event=self.event, by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.update_question(
            question=serializer.instance, by=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.delete_question(question=instance, by=self.request.user)
