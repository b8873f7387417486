import os

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests import factories
from tests.live_requests import connections_of

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_queue(monkeypatch):
    """django-q2's Redis broker (``notifications.jobs.broker()``), not in sync mode, on a queue of
    this test's own that no worker takes; its keys (the queue, wake-up flags) deleted before and
    after. Skipped where no Redis answers at ``TEST_REDIS_URL``."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    from django_q.conf import Conf  # noqa: PLC0415 -- only for the tests that use the queue

    from notifications import jobs  # noqa: PLC0415

    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", REDIS_URL)
    monkeypatch.setattr(jobs, "_brokers", {})
    queue = jobs.broker()
    queue.list_key = f"django_q:test-{os.getpid()}:q"

    def clean():
        queue.connection.delete(queue.list_key, *queue.connection.keys(f"{queue.list_key}:*"))

    clean()
    yield queue
    clean()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def organiser(db):
    return factories.OrganiserFactory()


@pytest.fixture
def organiser_client(organiser):
    client = APIClient()
    client.force_authenticate(organiser)
    return client


@pytest.fixture
def subprocess_env():
    """Environment for a process a test starts (qcluster, gunicorn) to use the test database."""
    settings_dict = connection.settings_dict
    env = {**os.environ, "TESTING": "1", "DEBUG": "0", "Q_SYNC": "0"}
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{settings_dict['NAME']}"
    else:
        user = settings_dict.get("USER") or "postgres"
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = settings_dict.get("PORT") or 5432
        password = settings_dict.get("PASSWORD") or ""
        auth = f"{user}:{password}@" if password else f"{user}@"
        env["DATABASE_URL"] = f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"
    env.pop("TEST_DATABASE_NAME", None)
    return env


def pytest_collection_modifyitems(config, items):
    skip_postgres = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL")
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_postgres)


@pytest.fixture(autouse=True)
def live_server_quiet_before_flush(request):
    """A live-server test ends with no page open and no request still served, before the
    database is flushed: a request still running (the door's counts asked every 20 s, a scan)
    deadlocked with the flush's TRUNCATE on PostgreSQL (see tests/live_requests.py).

    Set up after pytest-django's database fixtures and before the test's own (the page), so it
    is torn down after the page was closed and before the flush."""
    if "live_server" not in request.fixturenames:
        yield None
        return
    connections = connections_of(request.getfixturevalue("live_server"))
    browser = request.getfixturevalue("browser") if "browser" in request.fixturenames else None
    yield connections
    connections.release_all()
    # pages a test opened beside its `page` fixture (a second volunteer's phone) close too: their
    # timers would go on asking
    for context in browser.contexts if browser else ():
        context.close()
    connections.wait_until_quiet()
