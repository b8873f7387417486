"""What notifications do when an event changes (connected in NotificationsConfig.ready).

Registrants hear of changes to time, place and join details here; speakers hear of them
from the speakers app, and cancellations from the registrations app (which cancels the
registrations). Reminders need nothing: they are computed from the event's current time.
"""

from events.models import Event, EventStatus
from notifications import kinds

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


def on_event_changed(sender, *, event: Event, changed_fields=frozenset(), **kwargs) -> None:
    from notifications.services.outbox import MessageSpec, queue_messages
    from registrations.models import Registration, RegistrationStatus

    what = sorted({NOTIFIED_FIELDS[name] for name in changed_fields if name in NOTIFIED_FIELDS})
    if not what or event.status != EventStatus.PUBLISHED:
        return
    holders = Registration.objects.filter(
        event=event, status__in=(RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED)
    ).order_by("pk")
    # one message per registrant and event version (the key carries the event's SEQUENCE)
    queue_messages(
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
