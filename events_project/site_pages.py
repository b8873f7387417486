"""Pages of the whole site rather than of one app: the error pages and the favicon.

403, 404 and 500 are Django's own handlers with this project's templates (``403.html``,
``404.html``, ``500.html`` at the top of events_project/templates; ``500.html`` renders without
a request, as Django's handler gives it none). The CSRF failure page is ``CSRF_FAILURE_VIEW``;
``too_many_requests`` answers a page form that a throttle refused.
"""

from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

FAVICON_MAX_AGE = 7 * 24 * 3600


def csrf_failure(request, reason: str = ""):
    """A form came back without a valid CSRF token: usually a page left open too long."""
    return render(request, "403_csrf.html", {"retry_url": request.path}, status=403)


def too_many_requests(request, *, retry_after: int):
    """A throttled page form: the same page for every throttle, with Retry-After."""
    minutes = max(1, -(-retry_after // 60))
    response = render(request, "429.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


@cache
def favicon_bytes() -> bytes:
    path = finders.find("favicon.ico")
    if not path:
        raise Http404
    return Path(path).read_bytes()


@require_GET
def favicon(request):
    """/favicon.ico: browsers ask for it on every site whatever the page's <link rel=icon> says."""
    response = HttpResponse(favicon_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = f"public, max-age={FAVICON_MAX_AGE}"
    return response
