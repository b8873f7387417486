"""The door's two hot statements (the device's token, the scan), prepared once per
PostgreSQL session.

Django sends parameters inline (client-side binding), so PostgreSQL parses and plans every
statement anew. The scan's statement takes longer to plan (about 0.7 ms of the server's CPU)
than to run (0.25 ms), once per person at the door. Here each statement is sent once per
session as ``PREPARE door_… (types) AS …`` and then run as ``EXECUTE door_…(values)``: the same
SQL, planned once per connection (connections are kept: CONN_MAX_AGE). Both go through
Django's cursor, so query counting and logging see them.

Prepared statements belong to one server session: this is not for a transaction-pooling
PgBouncer. A session that lost them anyway (``DISCARD ALL``) prepares them again. On SQLite,
and with CONN_MAX_AGE=0 (a connection per request: preparing would only add a statement), the
statement is simply executed.
"""

import threading

from django.db import ProgrammingError, connection

# the statements this thread's connection holds, as (its backend pid, names): Django keeps a
# connection per thread, and a reconnect is a new session with a new pid
_session = threading.local()
# "invalid SQL statement name": EXECUTE of a statement this session does not hold
_NOT_PREPARED = "26000"


def _held() -> set[str]:
    pid = connection.connection.info.backend_pid
    if getattr(_session, "pid", None) != pid:
        _session.pid, _session.names = pid, set()
    return _session.names


def execute(cursor, *, name: str, sql: str, types: list[str], params: list) -> None:
    """Run ``sql`` (``%s`` placeholders, one per item of ``types``) with ``params`` on ``cursor``."""
    if connection.vendor != "postgresql" or not connection.settings_dict["CONN_MAX_AGE"]:
        cursor.execute(sql, params)
        return
    held = _held()
    if name not in held:
        _prepare(cursor, name=name, sql=sql, types=types)
        held.add(name)
    run = f"EXECUTE {name}({', '.join(['%s'] * len(params))})"
    try:
        cursor.execute(run, params)
    except ProgrammingError as error:
        # a failed statement inside a transaction has spoilt it: only autocommit can retry
        if getattr(error.__cause__, "sqlstate", None) != _NOT_PREPARED or connection.in_atomic_block:
            raise
        _prepare(cursor, name=name, sql=sql, types=types)
        cursor.execute(run, params)


def _prepare(cursor, *, name: str, sql: str, types: list[str]) -> None:
    numbered = sql % tuple(f"${number}" for number in range(1, len(types) + 1))
    cursor.execute(f"PREPARE {name} ({', '.join(types)}) AS {numbered}")
