"""Races on PostgreSQL: the test's transaction holds what it wrote while another connection runs
into it, the way two requests meet in production.

    with transaction.atomic():
        first = services.accept_team_invitation(...)       # holds the invitation's row
        second = Racer(lambda: services.revoke_team_invitation(...))
    assert second.waited and second.outcome() == "invitation_used"

``Racer`` starts the action in a thread of its own (its own connection) and returns once that
connection waits on a lock, or after ``timeout`` seconds; leaving the block commits, the action
goes on, and ``outcome()`` is what it came to: the ``code`` of what it raised, or what it returned.
"""

import threading
import time

from django.db import connection, connections


def waiting_for_a_lock() -> int:
    """How many connections of this database wait for a lock (the caller's holds them, waits for none)."""
    with connection.cursor() as cursor:
        # inside a transaction pg_stat_activity keeps its first answer unless told otherwise
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


class Racer:
    def __init__(self, action, *, timeout: float = 20):
        self._answer = None
        self._thread = threading.Thread(target=self._run, args=(action,))
        self._thread.start()
        deadline = time.monotonic() + timeout
        while waiting_for_a_lock() < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        # it waited on what the caller's transaction holds (and had not answered before it)
        self.waited = waiting_for_a_lock() == 1

    def _run(self, action):
        try:
            self._answer = action()
        except Exception as error:  # noqa: BLE001 - the answer is what the test judges
            self._answer = getattr(error, "code", repr(error))
        finally:
            connections.close_all()

    def outcome(self, timeout: float = 30):
        """What the action came to, once it ran after the caller's transaction ended."""
        self._thread.join(timeout)
        return self._answer
