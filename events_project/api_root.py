"""The API's front door: ``/api/`` links the docs, the schema and the main resources, and a
path under ``/api/`` (or a calendar feed's ``/calendar/``) that names nothing is a JSON 404
like every other API error."""

from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.views.defaults import page_not_found
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

# paths whose errors are JSON ``{"detail", "code"}``, not pages
JSON_PATHS = ("/api/", "/calendar/")

# where each resource starts, under /api/ (the pages use some of the same url names)
RESOURCES = {
    "events": "events/",
    "series": "series/",
    "regions": "regions/",
    "speakers": "speakers/",
    "speaker_assignments": "speaker-assignments/",
    "programmes": "programmes/",
    "my_registrations": "me/registrations/",
    "my_calendar_feeds": "me/calendar-feeds/",
    "outbox": "outbox/",
    "token": "auth/token/",
}

ApiRootSerializer = inline_serializer(
    name="ApiRoot",
    fields={
        "docs": serializers.URLField(help_text="Interactive documentation (Swagger UI)"),
        "redoc": serializers.URLField(help_text="The same documentation in ReDoc"),
        "schema": serializers.URLField(help_text="The OpenAPI 3 schema"),
        "conventions": serializers.CharField(help_text="Authentication, errors, limits: docs/reference/api.md"),
        "resources": serializers.DictField(child=serializers.URLField(), help_text="Where each resource starts"),
    },
)


class ApiRoot(APIView):
    """Where the API starts: its documentation, its schema and its main resources."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: ApiRootSerializer}, tags=["api"])
    def get(self, request):
        def url(name: str) -> str:
            return request.build_absolute_uri(reverse(name))

        return Response(
            {
                "docs": url("api-docs"),
                "redoc": url("api-redoc"),
                "schema": url("schema"),
                "conventions": "Token authentication (Authorization: Token <key>, from POST /api/auth/token/); "
                "errors are JSON {detail, code}; see docs/reference/api.md",
                "resources": {key: request.build_absolute_uri(f"/api/{path}") for key, path in RESOURCES.items()},
            }
        )


def not_found(request, exception=None):
    """handler404: JSON under JSON_PATHS, the site's page elsewhere."""
    if request.path_info.startswith(JSON_PATHS):
        return JsonResponse({"detail": gettext("Not found."), "code": "not_found"}, status=404)
    return page_not_found(request, exception)
