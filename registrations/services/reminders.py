"""When a reminder is due, decided in one place.

A reminder is due for a confirmed registration once ``event.start - offset <= now`` and
the event has not started. The scan runs every minute and is the only catch-up mechanism:
after a worker was down it queues, per registration, the LATEST due reminder only (a
"tomorrow" reminder that is superseded by the "in one hour" one is skipped), never one
for an event that has started. The dedup key carries the event's start, so moving an
event makes its reminders due again for the new time; a reminder queued for the old time
is dropped at send time (see ``notifications.services.outbox._is_stale``).

Registrations decides whom to remind and when; the outbox (``queue_messages``) writes the rows and
sends them, as it does every other message.
"""

import datetime as dt

from django.utils import timezone

from events.models import REMINDER_OFFSET_MAX_MINUTES, Event, EventStatus
from events_project.periodic import process_each
from notifications import kinds
from notifications.selectors import count_queued
from notifications.services import MessageSpec, queue_messages
from registrations.models import Registration, RegistrationStatus

# Events further ahead than the largest offset an event may have need no reminder yet.
REMINDER_HORIZON = dt.timedelta(minutes=REMINDER_OFFSET_MAX_MINUTES)


def reminder_key(*, registration_id: int, offset: int, event_start: dt.datetime) -> str:
    return f"reminder:{registration_id}:{offset}:{event_start.isoformat()}"


def due_offset(*, event: Event, now: dt.datetime) -> int | None:
    """The smallest offset whose time has come, or None when no reminder is due yet."""
    if event.start <= now:
        return None
    due = [offset for offset in set(event.reminder_offsets or []) if event.start - dt.timedelta(minutes=offset) <= now]
    return min(due) if due else None


def _starts_in(minutes: int) -> str:
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return "tomorrow" if days == 1 else f"in {days} days"
    if minutes % 60 == 0:
        hours = minutes // 60
        return "in one hour" if hours == 1 else f"in {hours} hours"
    return f"in {minutes} minutes"


def queue_due_reminders(*, now: dt.datetime | None = None) -> int:
    """Queue every reminder that is due at ``now``; returns how many new ones were queued.
    An event whose reminders fail is logged and skipped; the others still get theirs.

    Side effects: outbox rows, and send jobs after commit.
    """
    now = now or timezone.now()
    events = Event.objects.filter(status=EventStatus.PUBLISHED, start__gt=now, start__lte=now + REMINDER_HORIZON)
    queued = process_each(
        events.only("pk", "start", "reminder_offsets").order_by("start", "pk"),
        lambda event: _queue_reminders_of(event, now=now),
        job="reminders",
    )
    return sum(queued)


def _queue_reminders_of(event: Event, *, now: dt.datetime) -> int:
    offset = due_offset(event=event, now=now)
    if offset is None:
        return 0
    due_at = event.start - dt.timedelta(minutes=offset)
    # a place booked without an address (a walk-in) has nobody to remind: left out, so the count
    # below matches the reminders queued once everyone has theirs
    holders = Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED).exclude(email="")
    registrations = holders.only(
        # what a reminder's row takes from its registration (outbox.MessageSpec, language_of)
        "pk",
        "event_id",
        "name",
        "email",
        "language",
        "confirmed_at",
    )
    suffix = f":{offset}:{event.start.isoformat()}"
    # the common case once a fan-out is done: everyone has theirs, so read no further
    done = count_queued(event=event, kind=kinds.REMINDER, key_ending=suffix)
    if done and done >= registrations.count():
        return 0
    event = Event.objects.get(pk=event.pk)
    candidates = {
        reminder_key(registration_id=registration.pk, offset=offset, event_start=event.start): registration
        for registration in registrations.order_by("pk")
        # someone confirmed after the reminder's time was just sent their confirmation
        if not (registration.confirmed_at and registration.confirmed_at > due_at)
    }
    if not candidates:
        return 0
    # queue_messages writes only the keys not yet in the outbox
    specs = [
        MessageSpec(
            kind=kinds.REMINDER,
            recipient_email=registration.email,
            recipient_name=registration.name,
            about=registration,
            event=event,
            dedup_key=key,
            context={"starts_in": _starts_in(offset), "offset_minutes": offset},
            event_start=event.start,
        )
        for key, registration in candidates.items()
    ]
    return len(queue_messages(specs))
