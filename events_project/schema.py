"""Shared pieces of the OpenAPI schema: the one error body every endpoint answers with, and
the blank values of fields read from the database."""

import copy

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from drf_spectacular.views import SCHEMA_KWARGS, SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation

from events_project.exceptions import DomainError

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
    restart (503); one with a body or query parameters may be invalid (400), a body too large
    (413); any write may carry a body in a media type the endpoint does not read (415); one with path
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
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            locations = {parameter.get("in") for parameter in operation.get("parameters", [])}
            wanted = dict(COMMON_ERRORS)
            if "requestBody" in operation or "query" in locations:
                wanted[400] = "Invalid input"
            if "requestBody" in operation:
                wanted[413] = "Request body larger than DATA_UPLOAD_MAX_MEMORY_SIZE"
            if method in ("post", "put", "patch", "delete"):
                # any body in a media type the endpoint does not read (events_project.negotiation)
                wanted[415] = "Unsupported media type: a body the endpoint does not read"
            names = {parameter.get("name") for parameter in operation.get("parameters", [])}
            if "path" in locations or "page" in names:
                wanted[404] = "Not found (or a page past the end)"
            for status, description in wanted.items():
                responses.setdefault(str(status), {**error, "description": description})
    return result


# --- blank and null values ----------------------------------------------------------------------
# DRF drops ``allow_blank`` from the fields a ModelSerializer builds read-only, so a column that
# may be blank ("" sector, website, public email) would be documented as an enum value, a
# "uri" or an "email" that "" is not; a relation declared read-only does not know that its
# column may be null. These extensions document "" and null wherever the column allows them.


def _column(field):
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or field.source == "*" or "." in field.source:
        return None
    try:
        return model._meta.get_field(field.source)
    except FieldDoesNotExist:
        return None


def may_be_blank(field) -> bool:
    column = _column(field)
    return bool(getattr(field, "allow_blank", False) or (column is not None and getattr(column, "blank", False)))


class BlankableFormattedText(OpenApiSerializerFieldExtension):
    """A URL or an email address, or "" where the column may be blank."""

    target_class = "rest_framework.fields.URLField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if not may_be_blank(self.target):
            return schema
        formatted = {key: value for key, value in schema.items() if key in ("type", "format", "maxLength", "pattern")}
        rest = {key: value for key, value in schema.items() if key not in formatted}
        return {"anyOf": [formatted, {"type": "string", "maxLength": 0}], **rest}


class BlankableEmail(BlankableFormattedText):
    target_class = "rest_framework.fields.EmailField"


class BlankableChoice(OpenApiSerializerFieldExtension):
    """One of the choices, or "" where the column may be blank (DRF's BlankEnum)."""

    target_class = "rest_framework.fields.ChoiceField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        if may_be_blank(field) and not field.allow_blank:
            field = copy.copy(field)
            field.allow_blank = True
        return auto_schema._map_serializer_field(field, direction, bypass_extensions=True)


class NullableRelation(OpenApiSerializerFieldExtension):
    """An id, or null where the foreign key may be empty (a declared read-only relation field
    does not know its column allows null)."""

    target_class = "rest_framework.relations.PrimaryKeyRelatedField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        column = _column(field)
        if column is not None and getattr(column, "null", False) and not field.allow_null:
            field = copy.copy(field)
            field.allow_null = True
        return auto_schema._map_serializer_field(field, direction, bypass_extensions=True)


class FormatParameterNegotiation(DefaultContentNegotiation):
    """``?format=json`` / ``?format=yaml`` choose the renderer. The API as a whole does not read
    ``format`` (URL_FORMAT_OVERRIDE is off: it is the events' filter online / in person /
    hybrid), but for the schema it can only mean the file format."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return super().select_renderer(request, renderers, format_suffix or request.query_params.get("format"))


# the generated schema per site language: it is made from the code alone (the same for every
# reader, signed in or not), and making it took 1-3 s of a worker at each request; and its
# rendered body per language and format (rendering the YAML took about half a second)
_schemas: dict[str, dict] = {}
_bodies: dict[tuple[str, str], tuple[bytes, str]] = {}


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema: YAML by default, JSON with ``?format=json`` or an Accept header of
    ``application/json`` / ``application/vnd.oai.openapi+json``; an unknown format is a 404.

    The document is the same for every reader (``SERVE_PUBLIC``) but for the language of its
    choices' labels, and changes only with the code: it is made and rendered once per process,
    site language and format (:data:`_schemas`, :data:`_bodies`). Made for each request, it held a
    worker for about a second, for anyone, signed in or not (600 anonymous requests a minute pass
    the throttle). So nothing in the query makes another one: ``?lang=`` names a site language
    (``az-AZ`` is ``az``) or is a 400 ``unknown_language``, and ``?version=`` is not read (the API
    has one version; each value made a schema of its own, kept for ever)."""

    content_negotiation_class = FormatParameterNegotiation

    @extend_schema(**SCHEMA_KWARGS)
    def get(self, request, *args, **kwargs):
        asked = request.GET.get("lang")
        if not asked:
            return self._get_schema_response(request)
        try:
            language = translation.get_supported_language_variant(asked)
        except LookupError:
            raise DomainError(
                _("The schema comes in these languages: %(languages)s.")
                % {"languages": ", ".join(dict(settings.LANGUAGES))},
                "unknown_language",
            ) from None
        with translation.override(language):
            return self._get_schema_response(request)

    def _get_schema_response(self, request):
        language = translation.get_language()
        if language not in dict(settings.LANGUAGES):
            language = translation.get_supported_language_variant(language)
        if language not in _schemas:
            with translation.override(language):
                generator = self.generator_class(urlconf=self.urlconf, api_version=None, patterns=self.patterns)
                _schemas[language] = generator.get_schema(request=request, public=self.serve_public)
        # the type the renderer answers with, not the Accept header's text: its parameters
        # (``indent=…``) are anyone's to vary, and each would be a body of its own
        renderer = request.accepted_renderer
        media_type = renderer.media_type if "*" in request.accepted_media_type else request.accepted_media_type
        media_type = media_type.split(";")[0].strip()
        key = (language, media_type)
        if key not in _bodies:
            body = renderer.render(_schemas[language], media_type, self.get_renderer_context())
            content_type = f"{media_type}; charset={renderer.charset}" if renderer.charset else media_type
            _bodies[key] = (body, content_type)
        body, content_type = _bodies[key]
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'inline; filename="{self._get_filename(request, None)}"'
        return response


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI: a page, read with GET or HEAD only. DRF answers OPTIONS with the view's
    metadata through the view's renderer, and the page's HTML renderer has no template for it
    (a 500)."""

    http_method_names = ["get", "head"]


class RedocView(SpectacularRedocView):
    """ReDoc: a page, read with GET or HEAD only (see :class:`DocsView`)."""

    http_method_names = ["get", "head"]
