"""The one door to the job queue, so that django-q2 could be swapped for another queue."""

import gc
import os

from django_q.brokers import Broker, get_broker
from django_q.tasks import async_task

# one broker per process: django-q2 builds a new one (a new Redis connection pool, so a new TCP
# connection) for every async_task that is not given one. Keyed by process id, because gunicorn
# and the cluster fork: a child must not share its parent's socket.
_brokers: dict[int, Broker] = {}


def broker() -> Broker:
    """This process's broker, made on first use and kept (its connections are reused)."""
    pid = os.getpid()
    if pid not in _brokers:
        _brokers.clear()
        _brokers[pid] = get_broker()
    return _brokers[pid]


def enqueue(func: str, *args, keep_result: bool = True) -> None:
    """Run ``func`` (a dotted path) in a worker with positional primary-key arguments.

    Positional only: keyword names like ``hook``, ``group`` or ``timeout`` would be taken
    by django-q2 as its own options. ``keep_result`` False: a success is not saved as a django-q2
    task record (a failure still is), for jobs whose outcome is recorded elsewhere (the outbox's
    send batches: saving each one's success made the cluster read back up to ``save_limit`` task
    records to prune them, several milliseconds a batch).
    """
    if keep_result:
        async_task(func, *args, broker=broker())
    else:
        async_task(func, *args, broker=broker(), save=False)


def freeze_start_up_objects(**_signal) -> None:
    """A worker process's start (django-q2's ``post_spawn``): what exists now (Django, the apps,
    their modules and settings, tens of thousands of objects that live as long as the process)
    is left out of the garbage collector's passes from here on (``gc.freeze``). A fan-out makes
    objects by the million, and each collection of the oldest generation went through all of
    those again: about 5 % of a fan-out's CPU, one collection a tenth of what it was (issue 17)."""
    gc.freeze()
