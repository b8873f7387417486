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


COMMON_ERRORS = {
    401: "Not authenticated",
    403: "Bad credentials, or not allowed",
    429: "Too many requests",
    503: "Briefly unavailable; retry after the Retry-After header",
}


def document_common_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: the errors any operation can answer with.

    Any request may carry bad credentials (401/403), meet a rate limit (429) or a database
    restart (503); one with a body or query parameters may be invalid (400), one with path
    parameters may name nothing (404), as may a page number past the end. Documenting them
    everywhere keeps the schema honest for clients and fuzzers without repeating them on
    every view.
    """
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    result.setdefault("components", {}).setdefault("schemas", {}).setdefault(
        "Error",
        {
            "type": "object",
            "properties": {
                "detail": {"type": "string"},
                "code": {"type": "string"},
                "errors": {"type": "object", "additionalProperties": {}},
            },
            "required": ["detail", "code"],
        },
    )
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            locations = {parameter.get("in") for parameter in operation.get("parameters", [])}
            wanted = dict(COMMON_ERRORS)
            if "requestBody" in operation or "query" in locations:
                wanted[400] = "Invalid input"
            names = {parameter.get("name") for parameter in operation.get("parameters", [])}
            if "path" in locations or "page" in names:
                wanted[404] = "Not found (or a page past the end)"
            for status, description in wanted.items():
                responses.setdefault(str(status), {**error, "description": description})
    return result
