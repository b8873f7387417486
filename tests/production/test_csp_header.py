"""The site's Content-Security-Policy header, built once, is exactly django-csp's own."""

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from events_project.middleware import ContentSecurityPolicyMiddleware

pytestmark = pytest.mark.django_db


def _headers(middleware_class, response, path="/"):
    request = RequestFactory().get(path)
    middleware = middleware_class(lambda request: response)
    middleware.process_request(request)
    answered = middleware.process_response(request, response)
    return answered.get(HEADER), answered.get(HEADER_REPORT_ONLY), request


def _both(make_response, path="/"):
    return _headers(ContentSecurityPolicyMiddleware, make_response(), path)[:2], _headers(
        CSPMiddleware, make_response(), path
    )[:2]


def test_the_site_policy_is_django_csps_and_carries_every_directive():
    ours, theirs = _both(HttpResponse)
    assert ours == theirs
    enforced, report_only = ours
    assert report_only is None
    assert "default-src 'self'" in enforced and "frame-ancestors 'none'" in enforced


def test_a_views_own_change_of_the_policy_still_applies():
    def updated():
        response = HttpResponse()
        response._csp_update = {"style-src": ["'unsafe-inline'"]}
        return response

    def exempt():
        response = HttpResponse()
        response._csp_exempt = True
        return response

    ours, theirs = _both(updated)
    assert ours == theirs and "style-src 'self' 'unsafe-inline'" in ours[0]
    ours, theirs = _both(exempt)
    assert ours == theirs == (None, None)


def test_a_header_the_view_set_itself_is_kept():
    def own():
        response = HttpResponse()
        response[HEADER] = "default-src 'none'"
        return response

    assert _both(own)[0] == ("default-src 'none'", None)


def test_a_nonce_asked_for_goes_through_django_csp_and_is_refused_after_the_answer():
    def with_nonce(middleware_class):
        response = HttpResponse()
        request = RequestFactory().get("/")
        middleware = middleware_class(lambda request: response)
        middleware.process_request(request)
        str(request.csp_nonce)
        return middleware.process_response(request, response)[HEADER]

    directives = {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "script-src": [NONCE]}
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": directives}):
        ours = with_nonce(ContentSecurityPolicyMiddleware)
        assert "'nonce-" in ours
        assert ours.split("'nonce-")[0] == with_nonce(CSPMiddleware).split("'nonce-")[0]

    _enforced, _report_only, request = _headers(ContentSecurityPolicyMiddleware, HttpResponse())
    with pytest.raises(Exception, match="not available after the CSP header"):
        str(request.csp_nonce)


def test_report_only_mode_and_a_change_of_settings_are_followed():
    policy = settings.CONTENT_SECURITY_POLICY
    with override_settings(CONTENT_SECURITY_POLICY=None, CONTENT_SECURITY_POLICY_REPORT_ONLY=policy):
        ours, theirs = _both(HttpResponse)
        assert ours == theirs and ours[0] is None and "default-src 'self'" in ours[1]
    with override_settings(
        CONTENT_SECURITY_POLICY={**policy, "EXCLUDE_URL_PREFIXES": ["/excluded/"]},
    ):
        assert _both(HttpResponse, "/excluded/page")[0] == (None, None)
        assert _both(HttpResponse, "/other")[0][0] is not None
    assert _both(HttpResponse)[0] == _both(HttpResponse)[1]


def test_every_response_of_the_site_carries_it(client, api_client):
    expected = _headers(CSPMiddleware, HttpResponse())[0]
    assert client.get("/").headers[HEADER] == expected
    assert api_client.get("/api/events/").headers[HEADER] == expected
    docs = client.get("/api/docs/").headers[HEADER]
    assert "'unsafe-inline'" in docs and docs != expected
