"""The production settings, plus what the benchmark alone needs: its own URLconf (with the
floor view), a per-request SQL statement count in a response header, and no throttling."""

from events_project.settings import *  # noqa: F403
from events_project.settings import MIDDLEWARE, REST_FRAMEWORK

ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.middleware.count_queries", *MIDDLEWARE]
# the benchmark is the rush: throttling would measure the limiter, not the service
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {scope: "1000000/minute" for scope in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]},
}
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
