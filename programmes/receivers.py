"""Keep cohorts in step with the calendar. Connected by ``events.apps.EventsConfig.ready``.

- an occurrence published later (``event_published``, or created already published by a
  published series) registers the cohorts that follow it;
- an event whose attendance becomes final has its cohort members' streaks reviewed.
Both run after the commit, in the queue, so the publishing request stays quick.
"""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from events.models import Event, EventStatus
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


@receiver(post_save, sender=Event, dispatch_uid="programmes_follow_event_saves")
def follow_event_saves(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw:
        return
    # a published series creates its new occurrences already published, without the signal
    if created and instance.status == EventStatus.PUBLISHED and instance.series_id and _followed(instance):
        _enqueue("programmes.tasks.register_cohorts_for_event", instance.pk)
    finalised = update_fields is None or "attendance_finalised_at" in update_fields
    if not created and finalised and instance.attendance_finalised_at is not None and _followed(instance):
        _enqueue("programmes.tasks.review_missed_sessions_for_event", instance.pk)
