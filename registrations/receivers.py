"""What registrations do when an event changes (connected in RegistrationsConfig.ready)."""

from events.models import Event
from registrations.services.registration import cancel_registrations_of_event, promote_waiting_list


def on_event_cancelled(sender, *, event: Event, reason: str = "", **kwargs) -> None:
    cancel_registrations_of_event(event=event, reason=reason)


def on_event_changed(sender, *, event: Event, changed_fields=frozenset(), **kwargs) -> None:
    """More seats (or unlimited): serve the waiting list.

    Runs inside the event's transaction, so the promotions commit or roll back with the change.
    """
    if "capacity" not in changed_fields:
        return
    promote_waiting_list(event=event)
