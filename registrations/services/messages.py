"""The one way registrations speak to registrants: a message queued in the notifications outbox."""

from notifications.services import queue_message
from registrations.models import Registration


def tell_registrant(registration: Registration, kind: str, **context) -> None:
    """Queue one message about ``registration`` to its registrant (sent after commit)."""
    if not registration.email:
        return
    queue_message(
        kind=kind,
        recipient_email=registration.email,
        recipient_name=registration.name,
        about=registration,
        event=registration.event,
        context=context or None,
    )
