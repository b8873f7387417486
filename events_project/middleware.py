import logging

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse

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
            {"detail": "The service is briefly unavailable; please retry.", "code": "service_unavailable"},
            status=503,
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
