"""What registrations do when an event changes (connected in RegistrationsConfig.ready)."""

from events.models import Event
from registrations.models import Registration, RegistrationStatus
from registrations.services.messages import queue_change_notices, queue_change_notices_of_events
from registrations.services.registration import (
    cancel_registrations_of_event,
    cancel_registrations_of_events,
    promote_waiting_list,
)


def on_event_cancelled(sender, *, event: Event, reason: str = "", **kwargs) -> None:
    cancel_registrations_of_event(event=event, reason=reason)


def on_occurrences_cancelled(sender, *, events: list[Event], reason: str = "", **kwargs) -> None:
    """A series dropped published sessions: their registrations end together (one read, one update)."""
    cancel_registrations_of_events(events=events, reason=reason)


def on_event_changed(sender, *, event: Event, changed_fields=frozenset(), **kwargs) -> None:
    """More seats (or unlimited) serve the waiting list; registrants (those just promoted too) hear
    of a new time, place or join details. Speakers are told by the speakers app.

    Runs inside the event's transaction: promotions commit or roll back with the change; the
    notices are written by a job queued after it commits (the request does not wait for thousands).
    """
    if "capacity" in changed_fields:
        promote_waiting_list(event=event)
    queue_change_notices(event=event, changed_fields=changed_fields)


def on_occurrences_changed(sender, *, changes, **kwargs) -> None:
    """on_event_changed for the sessions a series edit changed (``changes``: (event, changed
    fields) pairs): a session with a new capacity and people waiting serves its waiting list (one
    query finds them; each list is then served on its own, in order), and the registrants' notices
    are due in one statement and one job."""
    resized = [event for event, changed_fields in changes if "capacity" in changed_fields]
    waiting = set(
        Registration.objects.filter(event__in=resized, status=RegistrationStatus.WAITLISTED).values_list(
            "event_id", flat=True
        )
        if resized
        else ()
    )
    for event in resized:
        if event.pk in waiting:
            promote_waiting_list(event=event)
    queue_change_notices_of_events(changes=changes)
