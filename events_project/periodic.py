"""Periodic jobs go through many rows; one bad row must never stop the others.

Every scheduled scan (reminders, the outbox sweep, attendance finalisation, offer expiry,
speaker reminders, the programmes' reviews and certificates; see
``notifications/management/commands/setup_schedules.py``) hands each row to
:func:`process_each`. A row that raises is logged with the job's name, the row's id and the
traceback, and skipped; the next run tries it again. A row's writes are undone where its
service makes them atomic (each service owns its transaction).
"""

import logging
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from typing import TypeVar

from django.db import InterfaceError, OperationalError, transaction

logger = logging.getLogger(__name__)

Row = TypeVar("Row")
Result = TypeVar("Result")


def process_each(
    rows: Iterable[Row],
    handle: Callable[[Row], Result],
    *,
    job: str,
    row_id: Callable[[Row], object] = lambda row: getattr(row, "pk", row),
) -> list[Result]:
    """``handle(row)`` for every row; returns the results of the rows that went through.
    A database that is away is not a bad row: that error ends the job
    (every other row would fail the same way), and the next run starts over."""
    results = []
    for row in rows:
        # A savepoint when the caller holds a transaction, so that a failed row does not spoil
        # it (PostgreSQL). Otherwise no transaction: each service takes its own where it writes,
        # and a row that only reads takes no write lock (SQLite's is one for the whole database).
        guard = transaction.atomic() if transaction.get_connection().in_atomic_block else nullcontext()
        try:
            with guard:
                results.append(handle(row))
        except (OperationalError, InterfaceError):
            raise
        except Exception:  # noqa: BLE001 - whatever one row does wrong, the others still get their turn
            logger.exception("%s: row %s failed and was skipped; the next run tries it again", job, row_id(row))
    return results
