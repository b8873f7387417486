"""The per-request health check of a kept PostgreSQL connection: no round trip while the
connection is quiet, Django's SELECT 1 (and a new connection) once the server has ended it."""

import time

import pytest
from django.db import connection, connections
from django.db.backends.postgresql import base as django_postgresql

from events_project.postgresql import base

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend"),
]


def backend_pid(wrapper) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def next_request(wrapper) -> None:
    """What Django does when a request reuses the connection: check it once."""
    wrapper.health_check_done = False
    wrapper.close_if_health_check_failed()


def test_the_project_runs_on_this_backend():
    assert isinstance(connections["default"], base.DatabaseWrapper)


def test_a_quiet_connection_is_kept_without_asking_and_an_ended_one_is_replaced(monkeypatch):
    asked = []
    monkeypatch.setattr(
        django_postgresql.DatabaseWrapper,
        "is_usable",
        lambda self: asked.append(self) or self.connection.closed is False,
    )
    wrapper = connections.create_connection("default")
    try:
        wrapper.ensure_connection()
        assert wrapper.health_check_enabled
        first = backend_pid(wrapper)

        next_request(wrapper)
        assert asked == [] and backend_pid(wrapper) == first

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [first])
        deadline = time.monotonic() + 5
        while base.quiet(wrapper.connection) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not base.quiet(wrapper.connection)  # the server said goodbye on the socket

        monkeypatch.undo()  # Django's own check from here: SELECT 1 fails, the connection is closed
        next_request(wrapper)
        assert wrapper.connection is None
        assert backend_pid(wrapper) != first
    finally:
        wrapper.close()


def test_a_connection_inside_a_transaction_is_checked_by_django(monkeypatch):
    asked = []
    monkeypatch.setattr(django_postgresql.DatabaseWrapper, "is_usable", lambda self: asked.append(self) or True)
    wrapper = connections.create_connection("default")
    try:
        wrapper.ensure_connection()
        wrapper.connection.execute("BEGIN")
        next_request(wrapper)
        assert asked == [wrapper]
        wrapper.connection.execute("ROLLBACK")
    finally:
        wrapper.close()
