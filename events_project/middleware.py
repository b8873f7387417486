import logging

from django.core.exceptions import BadRequest
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from events_project.api_root import JSON_PATHS
from events_project.exceptions import RETRY_AFTER_SECONDS

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """Answer 503 with Retry-After, not a 500 traceback, while the database is away.

    The API's exception handler does the same for DRF views; this covers pages and the
    health check, so a database restart never shows people a server error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.warning("Database unavailable while serving %s: %s", request.path, exception)
        response = JsonResponse(
            {"detail": _("The service is briefly unavailable; please retry."), "code": "service_unavailable"},
            status=503,
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


class RejectNulMiddleware:
    """A NUL character in the path, the query string or a form body is a 400, here, for every view.

    No text a person types contains one, and PostgreSQL refuses it in any query ("text fields
    cannot contain NUL"), which would be a 500 wherever the value is looked up. JSON bodies are
    checked by the API's JSON parser (events_project.parsers); serializer and form fields refuse
    NUL in multipart bodies.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._carries_nul(request):
            # this runs before LocaleMiddleware: the answer takes the request's language itself
            with translation.override(translation.get_language_from_request(request)):
                detail = _("The request contains a NUL character.")
            if request.path_info.startswith(JSON_PATHS):
                return JsonResponse({"detail": detail, "code": "nul_character"}, status=400)
            raise BadRequest(detail)
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request) -> bool:
        if "\x00" in request.path_info or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        if request.content_type == "application/x-www-form-urlencoded" and request.method in ("POST", "PUT", "PATCH"):
            return b"%00" in request.body or b"\x00" in request.body
        return False


class MethodNotAllowedPageMiddleware:
    """A page address opened with the wrong method (a POST-only action such as "publish" typed
    into the address bar) answers the site's 405 page, not Django's empty body. The ``Allow``
    header stays; the API keeps its JSON answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or request.path_info.startswith(JSON_PATHS) or response.content:
            return response
        page = render(request, "405.html", status=405)
        page["Allow"] = response.get("Allow", "")
        return page
