import functools
import logging
import re

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError

from events_project.api_root import JSON_PATHS
from events_project.exceptions import RETRY_AFTER_SECONDS
from events_project.parsers import refuse_control_characters
from events_project.private_links import PRIVATE_HEADERS, is_private_route

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


class RejectControlCharactersMiddleware:
    """A NUL character in the path, the query string or a form body, or another control
    character in a form body, is a 400, here, for every view.

    No text a person types contains one. PostgreSQL refuses NUL in any query ("text fields
    cannot contain NUL"), which would be a 500 wherever the value is looked up; the other
    control characters (all of C0 but tab, line feed and carriage return, and DEL) would be
    stored and served as they are, in calendar files that RFC 5545 then makes invalid for every
    subscriber of a feed. The text fields of a page's multipart body are checked here too; the
    API's bodies (under JSON_PATHS: JSON, form and multipart) are checked by its parsers
    (events_project.parsers), only where the endpoint reads that type: a body it cannot read is
    a 415; serializer and form fields refuse NUL in multipart bodies.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = self._control_character_in(request)
        if found:
            # this runs before LocaleMiddleware: the answer takes the request's language itself
            with translation.override(translation.get_language_from_request(request)):
                if found == "nul_character":
                    detail = _("The request contains a NUL character.")
                else:
                    detail = _("The request contains a control character.")
                if request.path_info.startswith(JSON_PATHS):
                    return JsonResponse({"detail": detail, "code": found}, status=400)
                # the site's page saying what was refused and what to do, in the reader's
                # language (Django's own 400 was a bare English "Bad Request (400)")
                return render(request, "400.html", {"refused": detail}, status=400)
        return self.get_response(request)

    @staticmethod
    def _control_character_in(request) -> str:
        """The error code for the control character the request carries, or ""."""
        if "\x00" in request.path_info or "%00" in request.META.get("QUERY_STRING", ""):
            return "nul_character"
        if (
            request.content_type == "application/x-www-form-urlencoded"
            and request.method in ("POST", "PUT", "PATCH")
            # the API's form parser checks its own: an endpoint that reads no form (the door's
            # JSON scan) answers 415 for the body it cannot read, after 401 and 403, not 400 for
            # a character inside it
            and not request.path_info.startswith(JSON_PATHS)
        ):
            if b"%00" in request.body or b"\x00" in request.body:
                return "nul_character"
            if _FORM_CONTROL_CHARACTER.search(request.body):
                return "control_character"
        if (
            request.content_type == "multipart/form-data"
            and request.method == "POST"
            and not request.path_info.startswith(JSON_PATHS)  # the API's parsers check their own
        ):
            # a broken body raises MultiPartParserError here, Django's 400 as before this check
            # (swallowed, the view and the CSRF check would read an empty form instead)
            try:
                refuse_control_characters(request.POST)  # text fields only; files are files
            except ParseError as error:
                return error.get_codes()
        return ""


# a control character other than NUL, tab, LF and CR, percent-encoded or raw, in a form body
_FORM_CONTROL_CHARACTER = re.compile(rb"%(?:0[1-8bBcCeEfF]|1[0-9a-fA-F]|7[fF])|[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")


# An HTML form sends GET or POST, a link GET (HEAD is GET without the body): a page has no
# use for any other method.
PAGE_METHODS = ("GET", "HEAD", "POST")


class PrivateLinkMiddleware:
    """Every answer of a route with a secret in its address is private
    (``private_links.PRIVATE_HEADERS``), errors, refusals and wrong methods included: the pages
    say so themselves (``private_links.private_link``), the API's routes did not (a
    registration's management link answered its name, address and join link with no
    Cache-Control at all). What a view set itself stays: the private calendar
    feed's short private caching, a ticket image's stricter ``no-referrer``. An answer given
    before any view was chosen (a page opened with DELETE) is looked up here.

    An API answer to someone signed in (a token, or the pages' own calls with the session) is
    theirs alone as well, as the workspace pages are (``events.workspace.no_store``): the door's
    list of names, a programme's report, registrants and messages were sent with no
    Cache-Control, so a browser on a shared door device kept them on disk. Anonymous answers
    (the public events) stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is None:
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
        if is_private_route(match):
            for header, value in PRIVATE_HEADERS:
                response.headers.setdefault(header, value)
        elif request.path_info.startswith(API_PATH) and _signed_in(request):
            response.headers.setdefault("Cache-Control", "private, no-store")
        return response


API_PATH = "/api/"


def _signed_in(request) -> bool:
    # the API's own authentication sets request.user (a token's account) on the way through
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class MethodNotAllowedPageMiddleware:
    """A page address opened with the wrong method (a POST-only action such as "publish" typed
    into the address bar) answers the site's 405 page, not Django's empty body. The ``Allow``
    header stays; the API keeps its JSON answer.

    A method no page has a use for (PUT, PATCH, DELETE, OPTIONS, ...) gets that page before
    any view runs: many page views render for anything that is not POST, so a DELETE used to
    answer 200 with the page. Checked here, before the CSRF check, it is one rule for every
    page, the admin included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in PAGE_METHODS and not request.path_info.startswith(JSON_PATHS):
            page = render(request, "405.html", {"page_method": request.method}, status=405)
            page["Allow"] = ", ".join(PAGE_METHODS)
            return page
        response = self.get_response(request)
        if response.status_code != 405 or request.path_info.startswith(JSON_PATHS) or response.content:
            return response
        # a POST to a page that only shows something is no button pressed: say what it is
        context = {"page_method": request.method} if request.method not in ("GET", "HEAD") else {}
        page = render(request, "405.html", context, status=405)
        page["Allow"] = response.get("Allow", "")
        return page


# what a view's decorator (csp_update, csp_replace, csp, csp_exempt) leaves on its response
_POLICY_CHANGES = tuple(
    f"_csp_{change}{mode}" for change in ("config", "update", "replace", "exempt") for mode in ("", "_ro")
)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the site's own policy built once per process.

    django-csp builds the header from the settings for every response, twice (the enforced
    policy and the report-only one): a tenth of a bare page's CPU. Almost every response
    carries the site's policy as the settings say it, unchanged; those get the header built
    the first time. A response whose view changes the policy (``csp_update`` on the API docs,
    ``csp_exempt``), a request that asked for a nonce, a response that set the header itself,
    excluded prefixes and Django's debug pages go through django-csp as they are.
    """

    def process_response(self, request, response):
        headers = _site_policy_headers()
        if (
            headers is None
            or getattr(request, "_csp_nonce", None) is not None
            or HEADER in response
            or HEADER_REPORT_ONLY in response
            or any(hasattr(response, name) for name in _POLICY_CHANGES)
        ):
            return super().process_response(request, response)
        for header, value in headers:
            response[header] = value
        # as django-csp does: a nonce asked for after the header is written is an error
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


@functools.cache
def _site_policy_headers() -> tuple[tuple[str, str], ...] | None:
    """The headers of the settings' policies, or None where django-csp decides per request
    (excluded URL prefixes, or DEBUG, whose error pages it leaves without a policy)."""
    policies = (settings.CONTENT_SECURITY_POLICY or {}, settings.CONTENT_SECURITY_POLICY_REPORT_ONLY or {})
    if settings.DEBUG or any(policy.get("EXCLUDE_URL_PREFIXES") for policy in policies):
        return None
    built = ((HEADER, build_policy()), (HEADER_REPORT_ONLY, build_policy(report_only=True)))
    return tuple((header, value) for header, value in built if value)


@receiver(setting_changed)
def _forget_site_policy(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY") or setting == "DEBUG":
        _site_policy_headers.cache_clear()
