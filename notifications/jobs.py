"""The one door to the job queue, so that django-q2 could be swapped for another queue."""

import gc
import os

from django_q.brokers import Broker, get_broker
from django_q.brokers.redis_broker import Redis
from django_q.conf import Conf
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


def wake_once(func: str, *args, flag: str, seconds: int) -> None:
    """Run ``func`` in a worker unless a run asked for the same way is still waiting in the queue.

    On Redis, a flag (``flag``, under the queue's own key) says that a run was asked for and has
    not started yet: the first caller sets it and queues the job, everyone after it until the
    job starts only sets nothing (one ``SET NX``, no pickled and signed task each). The job must
    :func:`woken` first thing, before it looks for work: whatever was written before the flag was
    deleted is then in its view, and whoever writes after it finds the flag gone and queues a
    run of its own, so no wake-up is lost. A flag whose job was lost (a killed cluster) runs out
    after ``seconds``. Any other queue (django-q2's ORM broker, sync mode in tests) gets a job
    every time.
    """
    queue = broker()
    if Conf.SYNC or not isinstance(queue, Redis):
        enqueue(func, *args, keep_result=False)
        return
    if queue.connection.set(_flag_key(queue, flag), 1, nx=True, ex=seconds):
        enqueue(func, *args, keep_result=False)


def woken(flag: str) -> None:
    """The run asked for by :func:`wake_once` starts: whoever writes from now on wakes another."""
    queue = broker()
    if isinstance(queue, Redis):
        queue.connection.delete(_flag_key(queue, flag))


def _flag_key(queue: Redis, flag: str) -> str:
    return f"{queue.list_key}:wake:{flag}"
