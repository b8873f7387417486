"""The one way registrations speak to registrants: a message queued in the notifications outbox."""

from events.models import Event, EventStatus
from notifications import kinds
from notifications.services import queue_message
from notifications.services.outbox import MessageSpec, queue_messages
from registrations.models import Registration, RegistrationStatus

# what a registrant must know about; a new title or description is not worth an email
NOTIFIED_FIELDS = {
    "start": "time",
    "end": "time",
    "all_day": "time",
    "timezone": "time",
    "venue_name": "place",
    "venue_address": "place",
    "city": "place",
    "region": "place",
    "format": "format",
    "join_url": "join details",
}


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


def tell_registrants_of_change(*, event: Event, changed_fields=frozenset()) -> int:
    """Tell everyone holding a place (confirmed or offered) that the event's time, place or join
    details changed: one message per registrant and event version (the key carries the event's
    SEQUENCE). Returns how many messages were queued.

    Side effects: ``event_changed`` outbox rows, sent after commit.
    """
    what = sorted({NOTIFIED_FIELDS[name] for name in changed_fields if name in NOTIFIED_FIELDS})
    if not what or event.status != EventStatus.PUBLISHED:
        return 0
    holders = Registration.objects.filter(
        event=event, status__in=(RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED)
    ).order_by("pk")
    queued = queue_messages(
        MessageSpec(
            kind=kinds.EVENT_CHANGED,
            recipient_email=registration.email,
            recipient_name=registration.name,
            about=registration,
            event=event,
            context={"changed": ", ".join(what)},
        )
        for registration in holders
    )
    return len(queued)
