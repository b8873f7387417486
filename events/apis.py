from django.conf import settings
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from events import selectors, services
from events.filters import EventFilter, SeriesFilter
from events.models import Language, Region
from events.permissions import CanManageEvent, CanManageSeries, IsOrganiserOrReadOnly
from events.serializers import CancelSerializer, EventSerializer, RegionSerializer, SeriesSerializer
from events_project.schema import error_responses
from registrations.selectors import with_seats_open

WRITE_ERRORS = error_responses(400, 401, 403, 404, 409)


def _language_asked(request) -> dict:
    """A new event or series without a ``language`` is in the one the request asked for (as the
    workspace's form starts in the page's), else the model's default."""
    asked = Language.asked_for(
        accept_language=request.META.get("HTTP_ACCEPT_LANGUAGE", ""),
        cookie=request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, ""),
    )
    return {"language": asked} if asked else {}


@extend_schema_view(
    list=extend_schema(responses={200: EventSerializer(many=True), **error_responses(400, 404)}),
    retrieve=extend_schema(responses={200: EventSerializer, **error_responses(404)}),
    create=extend_schema(responses={201: EventSerializer, **WRITE_ERRORS}),
    update=extend_schema(responses={200: EventSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(responses={200: EventSerializer, **WRITE_ERRORS}),
)
class EventViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Events: public ones for everyone, drafts for their organisers. Cancel instead of delete."""

    serializer_class = EventSerializer
    permission_classes = [IsOrganiserOrReadOnly, CanManageEvent]
    filterset_class = EventFilter
    ordering_fields = ["start", "end", "title", "created_at"]
    ordering = ["start", "id"]

    def get_queryset(self):
        return with_seats_open(selectors.events_visible_to(self.request.user))

    def perform_create(self, serializer):
        fields = {**_language_asked(self.request), **serializer.validated_data}
        serializer.instance = services.create_event(by=self.request.user, **fields)

    def perform_update(self, serializer):
        serializer.instance = services.update_event(
            event=serializer.instance, by=self.request.user, **serializer.validated_data
        )

    @extend_schema(request=None, responses={200: EventSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        event = services.publish_event(event=self.get_object(), by=request.user)
        return Response(self.get_serializer(event).data)

    @extend_schema(request=CancelSerializer, responses={200: EventSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        event = self.get_object()
        payload = CancelSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        event = services.cancel_event(event=event, by=request.user, reason=payload.validated_data["reason"])
        return Response(self.get_serializer(event).data)

    @extend_schema(request=None, responses={200: EventSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        event = services.complete_event(event=self.get_object(), by=request.user)
        return Response(self.get_serializer(event).data)


@extend_schema_view(
    list=extend_schema(responses={200: SeriesSerializer(many=True), **error_responses(400, 404)}),
    retrieve=extend_schema(responses={200: SeriesSerializer, **error_responses(404)}),
    create=extend_schema(responses={201: SeriesSerializer, **WRITE_ERRORS}),
    update=extend_schema(responses={200: SeriesSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(responses={200: SeriesSerializer, **WRITE_ERRORS}),
)
class SeriesViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Recurring series. Creating or editing one (re)generates its future occurrences."""

    serializer_class = SeriesSerializer
    permission_classes = [IsOrganiserOrReadOnly, CanManageSeries]
    filterset_class = SeriesFilter
    ordering_fields = ["first_start", "title"]

    def get_queryset(self):
        return selectors.series_visible_to(self.request.user)

    def perform_create(self, serializer):
        fields = {**_language_asked(self.request), **serializer.validated_data}
        series = services.create_series(by=self.request.user, **fields)
        serializer.instance = self.get_queryset().get(pk=series.pk)  # with its occurrence count

    def perform_update(self, serializer):
        series = services.update_series(series=serializer.instance, by=self.request.user, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=series.pk)

    @extend_schema(request=None, responses={200: SeriesSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        series = services.publish_series(series=self.get_object(), by=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=series.pk)).data)


@extend_schema_view(
    list=extend_schema(responses={200: RegionSerializer(many=True), **error_responses(400, 404)}),
    retrieve=extend_schema(responses={200: RegionSerializer, **error_responses(404)}),
)
class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """Regions and cities of Azerbaijan (seed data)."""

    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    lookup_field = "slug"
    filterset_fields = ["kind", "economic_region"]
    ordering_fields = ["name"]
