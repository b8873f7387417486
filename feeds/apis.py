"""HTTP for calendar feeds: .ics downloads, public and private feeds, and feed tokens.

Feeds answer conditional GETs: the ETag and Last-Modified come from one aggregate query per
source (events, registrations, speakers), so a client polling every hour costs a few cheap
queries and a 304 until something changes.
"""

import functools
import hashlib
import json

from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from events_project.filters import FilterSet
from events_project.schema import error_responses
from events_project.throttles import ScopedRateThrottle
from feeds import services as feed_services
from feeds.models import CalendarFeed
from feeds.selectors import calendar_feeds_managed_by

CALENDAR_CONTENT_TYPE = "text/calendar; charset=utf-8"
PUBLIC_MAX_AGE = 15 * 60
PRIVATE_MAX_AGE = 5 * 60


class CalendarRenderer(renderers.BaseRenderer):
    """Lets calendar clients that send `Accept: text/calendar` through content negotiation;
    errors are still JSON text."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data).encode()


CALENDAR_RESPONSES = {
    (200, "text/calendar"): OpenApiResponse(OpenApiTypes.STR, description="An iCalendar (RFC 5545) document"),
    304: OpenApiResponse(description="Not modified since the ETag / Last-Modified the client sent"),
}


def calendar_response(request, content: feed_services.FeedContent, *, private: bool) -> HttpResponse:
    etag, last_modified = content.version()
    body = functools.partial(content.body, etag)
    response = _conditional(request, etag, last_modified, body, filename=content.filename, inline=True)
    _cache(response, private=private)
    return response


def _conditional(request, etag: str, last_modified, body, *, filename: str, inline: bool) -> HttpResponse:
    """304 when the client's If-None-Match or (without it) If-Modified-Since still holds,
    else the body; both validators on either answer."""
    # whole seconds: If-Modified-Since has no fractions, and a fraction would always look newer
    stamp = int(last_modified.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=stamp)
    if response is None:
        response = HttpResponse(body(), content_type=CALENDAR_CONTENT_TYPE)
        disposition = "inline" if inline else "attachment"
        response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(stamp)
    return response


def _cache(response, *, private: bool):
    if private:
        # the token is the credential: no shared cache may keep a copy
        patch_cache_control(response, private=True, max_age=PRIVATE_MAX_AGE, no_transform=True)
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex"
    else:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)


class CalendarView(APIView):
    permission_classes = [permissions.AllowAny]
    renderer_classes = [renderers.JSONRenderer, CalendarRenderer]
    pagination_class = None
    filter_backends = []


class PublicFeedView(CalendarView):
    """All public events as a calendar subscription, filtered like `GET /api/events/`."""

    @extend_schema(
        parameters=[
            OpenApiParameter(name, str, description=f"Same as the `{name}` filter of /api/events/")
            for name in ("kind", "format", "language", "audience", "region", "city", "series")
        ],
        responses={**CALENDAR_RESPONSES, **error_responses(400, 404)},
        tags=["calendar"],
    )
    def get(self, request):
        content = feed_services.public_feed(filterset_data=request.GET)
        return calendar_response(request, content, private=False)


class SeriesFeedView(CalendarView):
    """Every public occurrence of a series, each its own VEVENT."""

    @extend_schema(responses={**CALENDAR_RESPONSES, **error_responses(404)}, tags=["calendar"])
    def get(self, request, series_id: int):
        return calendar_response(request, feed_services.series_feed(series_id=series_id), private=False)


class PrivateFeedView(CalendarView):
    """A personal feed behind its token (attendee, speaker or organiser). Revoked: 404."""

    authentication_classes = []  # the token in the URL is the credential
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(responses={**CALENDAR_RESPONSES, **error_responses(404)}, tags=["calendar"])
    def get(self, request, token: str):
        return calendar_response(request, feed_services.private_feed(token=token), private=True)


class EventIcsView(CalendarView):
    """One event as an .ics file. Drafts only for their organisers."""

    @extend_schema(responses={**CALENDAR_RESPONSES, **error_responses(404)}, tags=["events"])
    def get(self, request, pk: int):
        event, body = feed_services.event_download(event_id=pk, user=request.user)
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        # the body differs per reader (join URL): each reader's file has its own history
        last_modified = feed_services.first_served(f"event-ics:{event.pk}:{request.user.pk or 0}", etag)
        response = _conditional(
            request, etag, last_modified, lambda: body, filename=f"event-{event.pk}.ics", inline=False
        )
        # the body differs per reader (join URL), so it is never shared
        patch_cache_control(response, private=True, max_age=PRIVATE_MAX_AGE)
        return response


# --- token management --------------------------------------------------------------------


class PrivateCalendarFeedSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The subscription URL; empty once revoked.")
    webcal_url = serializers.SerializerMethodField(
        help_text="The same as webcal://, which opens the subscription in Apple Calendar and Outlook."
    )

    class Meta:
        model = CalendarFeed
        fields = ["id", "scope", "url", "webcal_url", "created_at", "revoked_at", "last_fetched_at"]
        read_only_fields = ["id", "url", "webcal_url", "created_at", "revoked_at", "last_fetched_at"]

    def get_url(self, feed) -> str:
        if feed.revoked_at:
            return ""
        request = self.context.get("request")
        path = feed_services.feed_path(feed)
        return request.build_absolute_uri(path) if request else path

    def get_webcal_url(self, feed) -> str:
        url = self.get_url(feed)
        return "webcal://" + url.split("://", 1)[1] if "://" in url else url


class CalendarFeedFilter(FilterSet):
    class Meta:
        model = CalendarFeed
        fields = ["scope"]


FEED_ERRORS = error_responses(400, 401, 403, 404, 409)


@extend_schema_view(
    list=extend_schema(responses={200: PrivateCalendarFeedSerializer(many=True), **error_responses(400, 401)}),
    retrieve=extend_schema(responses={200: PrivateCalendarFeedSerializer, **error_responses(401, 404)}),
    create=extend_schema(
        responses={201: PrivateCalendarFeedSerializer, 200: PrivateCalendarFeedSerializer, **FEED_ERRORS}
    ),
)
class CalendarFeedViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Your private calendar feeds: create one per scope (asking again returns the active one),
    rotate its token (the old URL stops working) or revoke it."""

    serializer_class = PrivateCalendarFeedSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = CalendarFeedFilter
    ordering_fields = ["created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return CalendarFeed.objects.none()
        return calendar_feeds_managed_by(self.request.user)

    def create(self, request, *args, **kwargs):
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        before = set(self.get_queryset().values_list("pk", flat=True))
        feed = feed_services.create_feed(user=request.user, scope=payload.validated_data["scope"])
        created = feed.pk not in before
        return Response(
            self.get_serializer(feed).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(request=None, responses={200: PrivateCalendarFeedSerializer, **FEED_ERRORS})
    @action(detail=True, methods=["post"])
    def rotate(self, request, pk=None):
        feed = feed_services.rotate_feed(feed=self.get_object())
        return Response(self.get_serializer(feed).data)

    @extend_schema(request=None, responses={200: PrivateCalendarFeedSerializer, **FEED_ERRORS})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        feed = feed_services.revoke_feed(feed=self.get_object())
        return Response(self.get_serializer(feed).data)
