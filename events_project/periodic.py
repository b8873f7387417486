"""Periodic jobs go through many rows; one bad row must never stop the others.

Every scheduled scan (reminders, the outbox sweep, attendance finalisation, offer expiry,
speaker reminders, the programmes' reviews and certificates; see
``notifications/management/commands/setup_schedules.py``) hands each row to
:func:`process_each`. A row that raises is rolled back to its own savepoint, logged with the
job's name and the row's id (and the traceback), and skipped; the next run tries it again.
"""

import logging
from collections.abc import Callable, Iterable
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
    """``handle(row)`` for every row, each in a savepoint; returns the results of the rows
    that went through. A database that is away is not a bad row: that error ends the job
    (every other row would fail the same way), and the next run starts over."""
    results = []
    for row in rows:
        try:
            with transaction.atomic():
                results.append(handle(row))
        except (OperationalError, InterfaceError):
            raise
        except Exception:  # noqa: BLE001 - whatever one row does wrong, the others still get their turn
            logger.exception("%s: row %s failed and was skipped; the next run tries it again", job, row_id(row))
    return results
