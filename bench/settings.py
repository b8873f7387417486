"""The production settings, plus what the benchmark alone needs: its own URLconf (with the
floor view), a per-request SQL statement count in a response header, and no throttling."""

from events_project.settings import *  # noqa: F403
from events_project.settings import MIDDLEWARE, REST_FRAMEWORK

ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.middleware.count_queries", *MIDDLEWARE]
# Registrations keep the production limit and are counted per person: each registrant of the
# bench writes from an address of their own (X-Forwarded-For, one trusted proxy, as deployed),
# so the limiter costs what it costs in production. The door's limits are lifted: one staff
# token scans thousands of tickets a minute, which the bench is there to measure.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "NUM_PROXIES": 1,
    "DEFAULT_THROTTLE_RATES": {
        **{scope: "1000000/minute" for scope in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]},
        "register": REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["register"],
    },
}
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
