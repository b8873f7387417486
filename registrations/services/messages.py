"""The one way registrations speak to registrants: a message queued in the notifications outbox."""

from django.utils import timezone

from events.models import Event
from notifications import kinds
from notifications.services import queue_message
from registrations.models import Registration


def is_over(event: Event) -> bool:
    return event.end <= timezone.now()


def tell_registrant(registration: Registration, kind: str, **context) -> None:
    """Queue one message about ``registration`` to its registrant (sent after commit).

    Nothing about a place at an event that is over (a person added by hand afterwards gets
    no "your place is confirmed" with the join link of a past event).
    """
    if not registration.email:
        return
    if kind in kinds.ABOUT_A_COMING_EVENT and is_over(registration.event):
        return
    queue_message(
        kind=kind,
        recipient_email=registration.email,
        recipient_name=registration.name,
        about=registration,
        event=registration.event,
        context=context or None,
    )
