"""The one way registrations speak to registrants: a message queued in the notifications outbox."""

from notifications.services import queue_message
from registrations.models import Registration


def tell_registrant(registration: Registration, kind: str, *, new_registration: bool = False, **context) -> None:
    """Queue one message about ``registration`` to its registrant (sent after commit).

    ``new_registration``: it was created in this transaction, so no message about it can be
    queued yet (the outbox skips its duplicate check).
    """
    if not registration.email:
        return
    queue_message(
        kind=kind,
        recipient_email=registration.email,
        recipient_name=registration.name,
        about=registration,
        event=registration.event,
        context=context or None,
        about_is_new=new_registration,
    )
