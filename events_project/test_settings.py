"""Settings for the test suite: the real settings, with background jobs run in-process."""

import os

os.environ.setdefault("TESTING", "1")

from events_project.settings import *  # noqa: E402,F403
from events_project.settings import DATA_DIR, DATABASES, Q_CLUSTER, REST_FRAMEWORK  # noqa: E402

# Each test run gets a database of its own, so that two runs on one machine (or a worker
# process a test starts) never share one; TEST_DATABASE_NAME overrides it.
_test_name = os.environ.get("TEST_DATABASE_NAME")
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # a file, not :memory:, so that a real qcluster process can open the same database
    DATABASES["default"]["TEST"] = {"NAME": _test_name or str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": _test_name or f"test_events_{os.getpid()}"}

# A connection per test request: which test first prepares a statement on a kept PostgreSQL
# session must not change another test's statement count. The tests of kept connections and
# prepared statements turn it on themselves (as production does: CONN_MAX_AGE 60).
DATABASES["default"]["CONN_MAX_AGE"] = 0
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# throttling has tests of its own, which lower these rates
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {key: "100000/minute" for key in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]},
}
