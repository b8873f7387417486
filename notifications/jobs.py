"""The one door to the job queue, so that django-q2 could be swapped for another queue."""

from django_q.tasks import async_task


def enqueue(func: str, *args) -> None:
    """Run ``func`` (a dotted path) in a worker with positional primary-key arguments.

    Positional only: keyword names like ``hook``, ``group`` or ``timeout`` would be taken
    by django-q2 as its own options.
    """
    async_task(func, *args)
