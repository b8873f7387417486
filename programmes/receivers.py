"""Keep cohorts in step with the calendar (imported by ``ProgrammesConfig.ready``).

An event published later (``event_published``, sent by ``events.services.publish_event``; the sessions
a series publishes or creates published, together: ``occurrences_published``) registers the cohorts
that follow it, after the commit,
in the queue, so the publishing request stays quick. When an event's attendance becomes final,
``attendance.services.finalisation`` queues the review of its cohort members' streaks itself.
"""

from functools import partial

from django.db import transaction
from django.dispatch import receiver

from events.signals import event_published, occurrences_published
from notifications.jobs import enqueue
from programmes.selectors import cohorts_following, events_followed_by_cohorts


def _followed(event) -> bool:
    """Whether any cohort follows the event: most events need no queued work at all."""

    return cohorts_following(event).exists()


def _enqueue(func: str, event_id: int) -> None:

    transaction.on_commit(partial(enqueue, func, event_id))


@receiver(event_published, dispatch_uid="programmes_register_cohorts_on_publish")
def register_cohorts_on_publish(sender, event, **kwargs):
    if _followed(event):
        _enqueue("programmes.tasks.register_cohorts_for_event", event.pk)


@receiver(occurrences_published, dispatch_uid="programmes_register_cohorts_on_publish_of_occurrences")
def register_cohorts_on_publish_of_occurrences(sender, events, **kwargs):
    """A series published many sessions at once: which of them cohorts follow is asked in a few
    queries, and one job registers the cohorts for all of those (not a job each)."""
    followed = sorted(events_followed_by_cohorts(events))
    if followed:
        transaction.on_commit(partial(enqueue, "programmes.tasks.register_cohorts_for_events", followed))
