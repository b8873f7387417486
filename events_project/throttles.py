"""Rate limits for page forms, with the API's own limiter (DRF's, so NUM_PROXIES and the
rates in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] apply to pages too)."""

from rest_framework.throttling import SimpleRateThrottle


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
