"""Django's PostgreSQL backend, with the per-request health check answered locally when it can be.

With kept connections (``CONN_MAX_AGE``) Django checks a connection at the start of every request
that reuses it (``CONN_HEALTH_CHECKS``) by running ``SELECT 1``: a round trip per request, a
third of a door scan's. A server that ends a session (a restart, ``pg_terminate_backend``, an
idle timeout) tells the client so and closes the socket, which then has something to read. So a
connection that is idle, not known to be broken and has nothing waiting on its socket is taken
as healthy without asking; anything else gets Django's own check. What neither check can see in
advance (a server that vanished without a word) fails the request's first statement, and the API
answers 503 "retry" as for any database outage.
"""

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self.pool
            and quiet(self.connection)
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()


def quiet(connection) -> bool:
    """Idle, not known to be broken, and nothing from the server waiting to be read."""
    if connection.closed or connection.broken:
        return False
    if connection.info.transaction_status != pq.TransactionStatus.IDLE:
        return False
    try:
        readable, _, _ = select.select([connection.fileno()], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable
