"""Rate limits for page forms, with the API's own limiter (DRF's, so NUM_PROXIES and the
rates in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] apply to pages too)."""

import functools

from rest_framework.throttling import SimpleRateThrottle

from events_project.site_pages import too_many_requests


class PageFormThrottle(SimpleRateThrottle):
    """Counts one scope's form submissions per client address."""

    def __init__(self, scope: str):
        self.scope = scope
        super().__init__()

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def seconds_to_wait(request, scope: str) -> int | None:
    """None when this submission is within the scope's rate; else how long to wait."""
    throttle = PageFormThrottle(scope)
    if throttle.allow_request(request, None):
        return None
    return max(1, int(throttle.wait() or 60))


def throttled(scope: str):
    """A page behind a secret in its URL (a management token, a signed link) is limited like
    the API's routes of the same kind: every request counts against ``scope`` per client
    address, so tokens cannot be guessed through the pages either. Over the rate: the 429 page."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            wait = seconds_to_wait(request, scope)
            if wait is not None:
                return too_many_requests(request, retry_after=wait)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
