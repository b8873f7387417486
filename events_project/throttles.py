"""Rate limits: the API's throttles and the page forms' limits, counted one way.

Every limit is DRF's (its rates in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], its
client identity with NUM_PROXIES), counted by :class:`CountingRateThrottle`. Views use
:class:`ScopedRateThrottle` from here, never DRF's own.
"""

import functools

from redis.commands.core import Script
from rest_framework import throttling

from events_project.site_pages import too_many_requests


class CountingRateThrottle(throttling.SimpleRateThrottle):
    """DRF's rates, counted with one atomic increment a request.

    DRF's own throttle keeps the time of each request of the period in a list that it reads and
    writes back: two cache round trips a request, a list as long as the rate (pickled both
    ways), and a read-modify-write that two workers race on (both read 59 and write 60, so the
    61st request passes). Here a client's period is one counter: the first request starts it
    (``add``, expiring after the rate's period), every other one is a single ``incr``, atomic
    on Redis and in the embedded default's local cache. The period starts at the client's first
    request, so at most the rate passes in any one period of the counter.
    """

    # keys of their own: DRF's keys (throttle_<scope>_<ident>) may still hold its lists of times
    cache_format = "throttle:count:%(scope)s:%(ident)s"

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        return self.count(1) <= self.num_requests

    def count(self, number: int) -> int:
        """Add ``number`` requests to the client's current period; the period's count so far."""
        redis = _redis_of(self.cache)
        if redis is not None:
            # one command, whether the period runs or starts here (most registrants are new)
            return _COUNT_IN_PERIOD(keys=[self.cache.make_key(self.key)], args=[number, self.duration], client=redis)
        try:
            return self.cache.incr(self.key, number)
        except ValueError:  # no period running: this request starts one
            if self.cache.add(self.key, number, self.duration):
                self.cache.set(f"{self.key}:since", self.now, self.duration)
                return number
            return self.cache.incr(self.key, number)  # another worker started it a moment ago

    def used(self) -> int:
        """Requests counted in the client's current period (``key`` set by the caller)."""
        return int(self.cache.get(self.key, 0))

    def wait(self):
        """Seconds until the client's period ends (Retry-After)."""
        redis = _redis_of(self.cache)
        if redis is not None:
            return float(max(redis.ttl(self.cache.make_key(self.key)), 1))
        since = self.cache.get(f"{self.key}:since", self.now)
        return max(since + self.duration - self.now, 1.0)


# Atomic on the server: add to the counter, and start its period if this made it. One script for
# every client, sent to a server once and then called by its digest (EVALSHA).
_COUNT_IN_PERIOD = Script(
    None,
    b"""
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return count
""",
)


def _redis_of(cache):
    """The Redis client behind a django-redis cache (None for any other cache)."""
    client = getattr(cache, "client", None)
    return client.get_client(write=True) if hasattr(client, "get_client") else None


class ScopedRateThrottle(throttling.ScopedRateThrottle, CountingRateThrottle):
    """DRF's ScopedRateThrottle (the view's ``throttle_scope``), counted as above."""


class PageFormThrottle(CountingRateThrottle):
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
