"""One error vocabulary for the whole service.

Every app raises subclasses of :class:`DomainError`; one DRF exception handler turns them
(and DRF's, Django's and the database's own errors) into a 4xx/503 JSON body
``{"detail": "...", "code": "..."}`` so that clients rely on ``code``, never on the text.
The text is in the request's language (``Accept-Language``), this module's own fallbacks too.
"""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


class DomainError(Exception):
    """A business rule said no. ``code`` is stable and machine-readable."""

    http_status = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, message: str, code: str | None = None, *, extra: dict | None = None):
        # messages are marked with gettext_lazy at the raise site; rendering them here (inside the
        # request, in its language) leaves a plain str for JSON bodies, flash messages and stored rows
        message = str(message)
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.extra = extra or {}


class NotFound(DomainError):
    http_status = status.HTTP_404_NOT_FOUND
    default_code = "not_found"


class Forbidden(DomainError):
    http_status = status.HTTP_403_FORBIDDEN
    default_code = "forbidden"


class Conflict(DomainError):
    http_status = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _body(detail, code, **extra) -> dict:
    return {"detail": str(detail), "code": code, **extra}


def _validation_errors(detail):
    """Flatten DRF's ErrorDetail tree to plain strings, keeping its shape."""
    if isinstance(detail, dict):
        return {key: _validation_errors(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_validation_errors(value) for value in detail]
    return str(detail)


def _first_message(errors) -> str:
    if isinstance(errors, dict):
        for key, value in errors.items():
            message = _first_message(value)
            return message if key == "non_field_errors" else f"{key}: {message}"
    if isinstance(errors, list) and errors:
        return _first_message(errors[0])
    return str(errors)


def _django_validation_response(exc: DjangoValidationError) -> Response:
    """A model's full_clean() said no: same body as DRF's validation errors.

    When every error carries the same specific code (e.g. ``capacity_below_taken``) it
    becomes the body's ``code``, so clients can tell the rules apart.
    """
    if hasattr(exc, "error_dict"):
        errors = {
            ("non_field_errors" if field == "__all__" else field): [
                message for error in field_errors for message in error.messages
            ]
            for field, field_errors in exc.error_dict.items()
        }
        codes = {error.code for field_errors in exc.error_dict.values() for error in field_errors}
    else:
        errors = {"non_field_errors": exc.messages}
        codes = {error.code for error in exc.error_list}
    code = codes.pop() if len(codes) == 1 and None not in codes else "invalid"
    return Response(_body(_first_message(errors), code, errors=errors), status=status.HTTP_400_BAD_REQUEST)


def database_unavailable_response() -> Response:
    response = Response(
        _body(_("The service is briefly unavailable; please retry."), "service_unavailable"),
        status=status.HTTP_503_SERVICE_UNAVAILABLE,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def api_exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        # Django reads the body for DRF and applies DATA_UPLOAD_MAX_MEMORY_SIZE (events_project.parsers)
        return Response(_body(_("The request body is too large."), "request_too_large"), status=413)
    if isinstance(exc, TooManyFieldsSent):
        # Django's own limits of a form or multipart body (DATA_UPLOAD_MAX_NUMBER_FIELDS, ..._FILES),
        # raised inside the parser: past DRF, they were Django's HTML 400 page, not the API's JSON
        return Response(_body(_("The request has too many fields."), "too_many_fields"), status=400)
    if isinstance(exc, TooManyFilesSent):
        return Response(_body(_("The request has too many files."), "too_many_files"), status=400)
    if isinstance(exc, DomainError):
        return Response(_body(exc.message, exc.code, **exc.extra), status=exc.http_status)
    if isinstance(exc, DjangoValidationError):
        return _django_validation_response(exc)
    if isinstance(exc, IntegrityError):
        # A unique or check constraint caught a race that the service layer did not;
        # the request conflicts with the current state, nothing was written.
        logger.warning("Integrity error answered with 409: %s", exc)
        return Response(_body(_("The request conflicts with the current state."), "conflict"), status=409)
    if isinstance(exc, (OperationalError, InterfaceError)):
        logger.warning("Database unavailable: %s", exc)
        return database_unavailable_response()
    if isinstance(exc, DatabaseError):
        logger.warning("Database rejected the request: %s", exc)
        return Response(_body(_("The request could not be stored."), "invalid"), status=400)

    if isinstance(exc, exceptions.ValidationError):
        errors = _validation_errors(exc.detail)
        response = exception_handler(exc, context)
        response.data = _body(_first_message(errors) or _("Invalid input."), "invalid", errors=errors)
        return response

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        response.data = _body(exc.detail if isinstance(exc.detail, str) else response.data, code)
    elif isinstance(exc, Http404):
        response.data = _body(_("Not found."), "not_found")
    elif isinstance(exc, PermissionDenied):
        response.data = _body(_("You do not have permission to perform this action."), "permission_denied")
    return response
