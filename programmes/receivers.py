"""Keep cohorts in step with the calendar (imported by ``ProgrammesConfig.ready``).

An event published later (``event_published``, sent by ``events.services.publish_event``, also for
the occurrences a published series creates) registers the cohorts that follow it, after the commit,
in the queue, so the publishing request stays quick. When an event's attendance becomes final,
``attendance.services.finalisation`` queues the review of its cohort members' streaks itself.
"""

from functools import partial

from django.db import transaction
from django.dispatch import receiver

from events.signals import event_published
from notifications.jobs import enqueue
from programmes.selectors import cohorts_following


def _followed(event) -> bool:
    """Whether any cohort follows the event: most events need no queued work at all."""

    return cohorts_following(event).exists()


def _enqueue(func: str, event_id: int) -> None:

    transaction.on_commit(partial(enqueue, func, event_id))


@receiver(event_published, dispatch_uid="programmes_register_cohorts_on_publish")
def register_cohorts_on_publish(sender, event, **kwargs):
    if _followed(event):
        _enqueue("programmes.tasks.register_cohorts_for_event", event.pk)
