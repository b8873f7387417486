"""Shared pieces of the OpenAPI schema: the one error body every endpoint answers with."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "errors": serializers.DictField(required=False, help_text="Per-field messages for code=invalid"),
    },
)


def error_responses(*statuses: int) -> dict:
    descriptions = {
        400: "Invalid input",
        401: "Not authenticated",
        403: "Not allowed",
        404: "Not found",
        409: "Conflicts with the current state",
        429: "Too many requests",
        503: "Briefly unavailable; retry after the Retry-After header",
    }
    return {status: OpenApiResponse(ErrorSerializer, description=descriptions[status]) for status in statuses}
