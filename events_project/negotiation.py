"""Content negotiation of the API: a body an endpoint cannot read is a 415, always.

DRF chooses a parser only when a view reads ``request.data``, so a body in a media type the
endpoint has no parser for was refused only by the views that read theirs, and an action that
takes no body (``publish/``, ``leave/``) answered 200 to anything. DRF negotiates the renderer
once for every request, before the view runs: the one place to refuse such a body for every
endpoint alike, once authentication and permissions have had their say (401 and 403 come first,
as from a view that reads its body). The answer is the project's
``{"code": "unsupported_media_type", "detail": ...}`` (``events_project.exceptions``), the detail
naming the media types the endpoint reads.

The answer is chosen among the renderers the ``Accept`` header does not refuse: DRF reads no
quality values, so ``application/json;q=0`` ("anything but JSON") was answered with JSON, and
``text/html;q=0`` with the browsable page. A media range with ``q=0`` refuses the renderers it
is the most specific range for (RFC 9110, 12.5.1: ``*/*, application/json;q=0`` refuses JSON
alone); when it refuses every one, the answer is a 406 ``{"code": "not_acceptable"}`` in JSON.

The door's scan endpoint keeps its own, cheaper negotiation (``registrations.checkin.apis.JsonOnly``),
which asks :func:`is_json` only.
"""

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotAcceptable, UnsupportedMediaType
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.settings import api_settings

JSON = "application/json"
_JSON_WITH_PARAMETERS = JSON + ";"  # application/json; charset=utf-8
_UNKNOWN = object()
# methods whose body a view may read (a GET's body is never read: DRF ignores it, so do we)
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def is_json(content_type: str) -> bool:
    """Whether a Content-Type is JSON, with or without parameters: two string comparisons."""
    return content_type == JSON or content_type.startswith(_JSON_WITH_PARAMETERS)


def has_body(request) -> bool:
    """Whether the request carries a body, as DRF decides it before parsing (a Content-Length above 0)."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > 0
    except ValueError:
        return False


def unsupported(request, parsers) -> UnsupportedMediaType:
    content_type = request.content_type or ""
    return UnsupportedMediaType(
        content_type,
        detail=_("A body of type “%(type)s” cannot be read here: send %(accepted)s.")
        % {"type": content_type[:100], "accepted": ", ".join(parser.media_type for parser in parsers)},
    )


def usual_parser(request, parsers):
    """DRF's choice of parser for a JSON body when the endpoint's first parser reads JSON, without
    parsing the media types; None for anything else."""
    content_type = request.content_type or ""
    if parsers and parsers[0].media_type == JSON and is_json(content_type) and len(content_type) <= 256:
        return parsers[0]
    return None


def usual_renderer(request, renderers, format_suffix=None):
    """DRF's choice for the Accept headers nearly every client sends, without parsing them, or
    None for any other. No Accept or ``*/*``: the first renderer, with its own media type;
    ``application/json``: the first JSON renderer. DRF parses the header into media types and
    ranks them for every request (a tenth of a registration's view time)."""
    if format_suffix or (api_settings.URL_FORMAT_OVERRIDE and api_settings.URL_FORMAT_OVERRIDE in request.GET):
        return None
    accept = request.META.get("HTTP_ACCEPT", "*/*")
    if accept == "*/*":
        chosen = renderers[0] if renderers else None
    elif accept == JSON:
        chosen = next((renderer for renderer in renderers if renderer.media_type == JSON), None)
    else:
        return None
    if chosen is None or "*" in chosen.media_type or ";" in chosen.media_type:
        return None  # DRF's own rules for these
    return chosen, chosen.media_type


def _ranges(tokens) -> list[tuple[str, str, int, float]]:
    """(type, subtype, specificity, quality) of each well-formed media range among the Accept
    header's ``tokens`` (DRF's ``get_accept_list``: the header read up to its bounded length). A
    quality that is not a number counts as 1, as DRF takes it."""
    ranges = []
    for item in tokens:
        name, *parameters = item.split(";")
        kind, slash, subtype = name.strip().lower().partition("/")
        if not slash or not kind or not subtype or (kind == "*" and subtype != "*"):
            continue
        quality, specificity = 1.0, (kind != "*") + (subtype != "*")
        for parameter in parameters:
            key, _equals, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = 1.0
            elif key.strip():
                specificity += 1  # application/json; indent=4 is more specific than application/json
        ranges.append((kind, subtype, specificity, quality))
    return ranges


def refused(media_type: str, ranges) -> bool:
    """Whether the Accept header's ``ranges`` refuse ``media_type``: the most specific range that
    matches it has ``q=0`` (or no range matches it)."""
    kind, _slash, subtype = media_type.split(";")[0].strip().lower().partition("/")
    matching = [
        (specificity, quality)
        for range_kind, range_subtype, specificity, quality in ranges
        if range_kind in ("*", kind) and range_subtype in ("*", subtype)
    ]
    if not matching:
        return True
    most = max(specificity for specificity, _quality in matching)
    return max(quality for specificity, quality in matching if specificity == most) <= 0


def not_refused(request, renderers, tokens) -> list:
    """The renderers the request's Accept header (its ``tokens``) does not refuse with ``q=0``;
    all of them for a header that names no quality (nearly every client's: no parsing), or reads
    as no range. Raises NotAcceptable when it refuses every one."""
    if "q=" not in request.META.get("HTTP_ACCEPT", "").replace(" ", "").lower():
        return renderers
    ranges = _ranges(tokens())
    if not ranges:
        return renderers
    kept = [renderer for renderer in renderers if not refused(renderer.media_type, ranges)]
    if not kept:
        raise NotAcceptable(available_renderers=renderers)
    return kept


class ContentNegotiation(DefaultContentNegotiation):
    def select_parser(self, request, parsers):
        # chosen once, in select_renderer, for a request with a body
        parser = getattr(request, "_body_parser", _UNKNOWN)
        return super().select_parser(request, parsers) if parser is _UNKNOWN else parser

    def select_renderer(self, request, renderers, format_suffix=None):
        if request.method in WRITES and has_body(request):
            parser = usual_parser(request, request.parsers) or super().select_parser(request, request.parsers)
            if parser is None:
                view = (getattr(request, "parser_context", None) or {}).get("view")
                if view is not None:
                    # who may not call the endpoint hears that first (401, 403), as from a view
                    # that reads its body: this rare path alone runs the checks twice
                    view.perform_authentication(request)
                    view.check_permissions(request)
                raise unsupported(request, request.parsers)
            request._body_parser = parser
        renderers = not_refused(request, renderers, lambda: self.get_accept_list(request))
        return usual_renderer(request, renderers, format_suffix) or super().select_renderer(
            request, renderers, format_suffix
        )
