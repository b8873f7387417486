"""Settings for the events service.

Everything that differs between a laptop and production comes from the environment
(twelve-factor); the defaults give a working single-machine service on SQLite with
django-q2's ORM broker and email written to files. docs/reference/configuration.md lists every variable.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    """A whole number from the environment; unset or empty (``NUM_PROXIES=`` in a compose file)
    means the default, anything else that is not a number stops the start with its name."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / "data"))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_bool("TESTING"):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see docs/reference/configuration.md).")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Absolute links in emails and calendar feeds (ticket pages, management links).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "events_project.admin_site.AdminConfig",  # Django's admin, initial values checked
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_q",
    "events",
    "registrations",
    "speakers",
    "notifications",
    "attendance",
    "programmes",
    "feeds",
    "teams",
    "axes",  # sign-in lockout (AXES_* below); after the apps so its checks see the backends
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # every answer of a route with a token in its address is private (before SecurityMiddleware's
    # own Referrer-Policy is added on the way out)
    "events_project.middleware.PrivateLinkMiddleware",
    # Content-Security-Policy (CONTENT_SECURITY_POLICY below): django-csp's, the site's policy built once
    "events_project.middleware.ContentSecurityPolicyMiddleware",
    "events_project.middleware.RejectControlCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "notifications.middleware.RememberLanguageMiddleware",  # the switcher's choice is the mail's language
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "events_project.middleware.DatabaseUnavailableMiddleware",
    "events_project.middleware.MethodNotAllowedPageMiddleware",  # the site's page for a wrong method
    # last: turns a refused sign-in of a locked-out account into the lockout answer
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "events_project.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "events_project" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # events_project is no app: its template libraries are named here
            "libraries": {
                "error_summary": "events_project.error_summary",
                "people": "events_project.people",
                "programme": "events_project.programme",
            },
        },
    },
]

WSGI_APPLICATION = "events_project.wsgi.application"
ASGI_APPLICATION = "events_project.asgi.application"

# --- Database -------------------------------------------------------------------------
_DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        _DATABASE_URL,
        # PostgreSQL's connections kept a minute (a new one per request costs more than most
        # requests); SQLite's opened per request, which costs little and suits runserver's thread
        # per request
        conn_max_age=env_int("CONN_MAX_AGE", 0 if _DATABASE_URL.startswith("sqlite") else 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's, with the per-request health check answered without a round trip when it can be
    DATABASES["default"]["ENGINE"] = "events_project.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while the worker writes; IMMEDIATE takes the write lock at
    # BEGIN, so two writers queue on busy_timeout instead of failing with "database is locked"
    # half-way through a transaction (a deferred transaction cannot be retried by SQLite).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"

# --- Content-Security-Policy (django-csp) ------------------------------------------------
# Pages load scripts and styles from this site only, with no inline script or style (the
# check-in page's data travels in JSON blocks, its code in static files). The camera scanner's
# decoder runs in a worker made from a blob:, the door's service worker is /checkin/sw.js;
# speakers' photos may be any https: address. The API docs pages add what their bundles need
# (events_project/urls.py). CSP_REPORT_ONLY=1 sends the same policy as report-only.
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "https:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "media-src": ["'self'", "blob:"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# one of the two is the policy, the other None (django-csp sends no header for it)
CONTENT_SECURITY_POLICY = None if env_bool("CSP_REPORT_ONLY") else _CSP
CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP if env_bool("CSP_REPORT_ONLY") else None

# --- Sign-in lockout (django-axes) ------------------------------------------------------
# Every sign-in path (the site's /accounts/login/, the admin's /admin/login/, the API's
# /api/auth/token/) goes through Django's authenticate(), which axes watches: after
# AXES_FAILURE_LIMIT failed attempts for one username from one address, that pair is locked out
# for AXES_COOLOFF_MINUTES, even with the right password (429). A success resets the count.
# Attempts are kept in the database (axes' own tables), so every worker shares them; unlock
# early with `manage.py axes_reset_username <name>` or `axes_reset`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# the client's address as the rate limits tell it (NUM_PROXIES), not the proxy's
AXES_CLIENT_IP_CALLABLE = "events_project.auth.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "events_project.auth.lockout_response"
AXES_VERBOSE = False
# signing in without a page to return to leads to the person's own area (events.areas.home_of)
LOGIN_REDIRECT_URL = "signed-in-home"
LOGOUT_REDIRECT_URL = "/"
# error pages in the site's style (403, 404, 500 are templates; see events_project/site_pages.py)
CSRF_FAILURE_VIEW = "events_project.site_pages.csrf_failure"

# Request bodies: Django refuses larger form bodies, the API's JSON parser larger JSON (413).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("az", "Azərbaycanca")]
# mail to someone whose language is unknown, about no event (an event's mail takes the event's language)
DEFAULT_MAIL_LANGUAGE = os.environ.get("DEFAULT_MAIL_LANGUAGE", "") or LANGUAGE_CODE
LOCALE_PATHS = [BASE_DIR / "locale"]
# dates as each language writes them ("15 dekabr 2026"): events_project/formats/<lang>/formats.py
FORMAT_MODULE_PATH = ["events_project.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Baku")
USE_I18N = True
USE_TZ = True
# URL form fields take "zoom.us/j/1" as https://zoom.us/j/1, Django 6's default (remove then).
FORMS_URLFIELD_ASSUME_HTTPS = True

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "events_project" / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# private files are never served by a URL of their own: a view reads them after its own checks
# (the organisers' background CSV exports, attendance.exports)
PRIVATE_FILES_ROOT = DATA_DIR / "private"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_FILES_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "events_project.staticfiles.StaticFilesStorage"
            if not DEBUG and not env_bool("TESTING")
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Email ----------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "STEM Mentorship <events@example.org>")
# the programme's name: calendar files' ORGANIZER (CN), never an organiser's, and every email's footer
PROGRAMME_NAME = os.environ.get("PROGRAMME_NAME", "STEM Mentorship")
# its Azerbaijani (events_project.programme); empty: the default's own translation, "STEM Mentorluq"
PROGRAMME_NAME_AZ = os.environ.get("PROGRAMME_NAME_AZ", "")

# --- Background jobs (django-q2) ------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
Q_CLUSTER = {
    "name": "events",
    "workers": env_int("Q_WORKERS", 2),
    # A task that runs longer than `timeout` is killed; the broker hands an unacknowledged
    # task out again after `retry` seconds. timeout < retry, or a slow task runs twice.
    "timeout": 60,
    "retry": 90,
    "max_attempts": 3,
    # django-q2's catch_up replays every missed schedule run after downtime; our due-time
    # scans catch up by themselves, so replays would only repeat work.
    "catch_up": False,
    "save_limit": 1000,
    "ack_failures": True,
    "sync": env_bool("Q_SYNC"),
    "poll": 0.5,
    "label": "Background jobs",
    # "Enqueued …" / "Processed …" for every task drowns what matters at INFO
    "log_level": os.environ.get("Q_LOG_LEVEL", "WARNING"),
}
if REDIS_URL:
    # the broker shares the cache's connection pool (django-redis) instead of opening its own
    Q_CLUSTER["django_redis"] = "default"
else:
    Q_CLUSTER["orm"] = "default"

# --- The programme's own rules ----------------------------------------------------------
# Declared once, here, with their defaults; the services read them when they run (never at
# import), so a test changes one with pytest-django's `settings` fixture.
SPEAKER_REMINDER_INTERVAL_DAYS = 3  # an unanswered speaker invitation is recalled this often
SPEAKER_RESPONSE_DAYS = 10  # default time to answer (never later than a day before the event)
SPEAKER_INVITATION_LINK_DAYS = 60  # how long an invitation's answer link works
OUTBOX_MAX_ATTEMPTS = 5  # sending attempts before a message is marked failed
OUTBOX_BATCH_SIZE = 200  # messages handed to one send task
# a registrations export of more rows is written by a background job, not in the request
# (attendance.services.exports): 2,000 rows take about 0.3 s, 65,000 took 9 s
REGISTRATIONS_CSV_IN_REQUEST = 2000
# an organiser hears by email that a background export is ready (unless its page is still open)
EXPORT_READY_MAIL = env_bool("EXPORT_READY_MAIL", True)
OUTBOX_SEND_BUDGET_SECONDS = Q_CLUSTER["timeout"] / 2  # time one batch may spend with the mail server
OUTBOX_LOST_AFTER_MINUTES = 5  # a pending row whose task has not run for this long is re-queued
OUTBOX_LEASE_SECONDS = 20  # a send task's claim holds this long unless renewed (renewed every quarter)
# the footer of every message: where to write (PROGRAMME_NAME, above, says who sends it)
PROGRAMME_CONTACT_EMAIL = os.environ.get("PROGRAMME_CONTACT_EMAIL", "")  # empty: the sender's address
ATTENDANCE_GRACE_MINUTES = 30  # late check-ins after an in-person event's end still count
SERIES_COMPLETION_THRESHOLD = 0.75  # share of a series' sessions attended that earns its certificate
ICAL_UID_DOMAIN = os.environ.get("ICAL_UID_DOMAIN", "")  # the domain in iCalendar UIDs (default: SITE_URL's host)

# --- Caches (throttling counters) ------------------------------------------------------
if REDIS_URL:
    # django-redis keeps one client per process; Django's own backend builds a client for every
    # call, which doubled the CPU of each throttle check (issue 17)
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: DRF answers a missing or wrong credential with the first authenticator's
    # challenge, so callers get 401 + "WWW-Authenticate: Token" (session auth has none: 403).
    # Pages' JSON calls send no Authorization header and still sign in by session, with CSRF.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "events_project.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    # strict values: unknown booleans, ids past 2^63, unknown ordering fields are a 400
    "DEFAULT_FILTER_BACKENDS": ["events_project.filters.FilterBackend", "events_project.filters.OrderingFilter"],
    # bounded in size (DATA_UPLOAD_MAX_MEMORY_SIZE) and depth, no NUL (events_project.parsers)
    "DEFAULT_PARSER_CLASSES": [
        "events_project.parsers.JSONParser",
        "events_project.parsers.FormParser",
        "events_project.parsers.MultiPartParser",
    ],
    # JSON only in production. DRF's browsable pages are a developer's tool (DEBUG): served to
    # anyone, they render HTML forms with every choice of a related field, the raw answer of
    # any endpoint and a second template per response, and a client that asked for text/html
    # got a web page where the API's contract is JSON. Without them, Accept: text/html is a 406
    # {"code": "not_acceptable"}; browsers send */* too and get the JSON. The schema
    # (/api/schema/) and its pages (/api/docs/, /api/redoc/) have renderers of their own.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
    # a body no parser of the endpoint reads is a 415, also where the view reads no body; an
    # Accept header that refuses every renderer (q=0) is a 406
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "events_project.negotiation.ContentNegotiation",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "events_project.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON", "600/minute"),
        "user": os.environ.get("THROTTLE_USER", "3000/minute"),
        "register": os.environ.get("THROTTLE_REGISTER", "60/minute"),
        "token": os.environ.get("THROTTLE_TOKEN", "120/minute"),
        "login": os.environ.get("THROTTLE_LOGIN", "20/minute"),
        # page forms that send email to a typed address: "email me my tickets", password reset
        "recovery": os.environ.get("THROTTLE_RECOVERY", "10/hour"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # `format` is an event filter (online / in person / hybrid), not a renderer switch
    "URL_FORMAT_OVERRIDE": None,
    # Throttles count per client address. Only trust X-Forwarded-For from this many proxies
    # (0: none), or anyone could dodge a rate limit by sending a made-up header.
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "STEM Mentorship Events API",
    "DESCRIPTION": "Events, registrations, tickets, check-in, speakers and notifications.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # ids in paths: the <id:...> converter of events_project.routing
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "events_project.schema.document_common_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "EventKindEnum": "events.models.EventKind",
        "EventStatusEnum": "events.models.EventStatus",
        "RegistrationStatusEnum": "registrations.models.RegistrationStatus",
        # one name per choice set, so that check --deploy has no naming collisions to warn about
        "EventFormatEnum": "events.models.EventFormat",
        "LanguageEnum": "events.models.Language",
        "SectorEnum": "registrations.models.Sector",
        "ParticipantSectorEnum": "programmes.models.ParticipantSector",
        "EnrolmentStatusEnum": "programmes.models.Enrolment.Status",
        "AssignmentStatusEnum": "speakers.models.AssignmentStatus",
        "OutboxStatusEnum": "notifications.models.OutboxStatus",
        "MessageKindEnum": "notifications.kinds.CHOICES",
        "AttendanceImportFormatEnum": "attendance.models.AttendanceImport.Format",
        "AssignmentRoleEnum": "speakers.models.AssignmentRole",
        "TeamRoleEnum": "teams.models.TeamRole",
    },
}

# --- Security (production) ------------------------------------------------------------
TESTING = env_bool("TESTING")
if not DEBUG and not TESTING:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"},
    },
    "filters": {
        "redact": {"()": "events_project.log_redaction.RedactPersonalData"},
        # a 4xx is one line, a 5xx keeps its traceback
        "client_errors": {"()": "events_project.log_redaction.ClientErrorsWithoutTraceback"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["client_errors", "redact"]},
        # runserver's access log: its own format, and email addresses masked like everywhere else
        "server": {"class": "logging.StreamHandler", "formatter": "server", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's default handlers for "django" (console when DEBUG, mail_admins) would print
        # each django.request warning a second time besides the root handler: root only.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "django-q": {"level": os.environ.get("Q_LOG_LEVEL", "WARNING")},
    },
}
