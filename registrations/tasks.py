"""django-q2 entry points of registrations: thin, safe to run twice."""

import logging

from events.models import Event
from registrations.services import messages, reminders
from registrations.services import registration as registration_services

logger = logging.getLogger(__name__)


def expire_offers() -> int:
    """Withdraw seat offers past their time and pass the seats on (run every 5 minutes, setup_schedules)."""
    expired = registration_services.expire_offers()
    if expired:
        logger.info("Expired %d seat offers", expired)
    return expired


def queue_due_reminders() -> int:
    """Queue the reminders that are due (run every minute, setup_schedules)."""
    return reminders.queue_due_reminders()


def tell_registrants_of_change(event_id: int, changed_fields: list[str], changed_at: str | None = None) -> int:
    """Queue the change notices of one event's change (queued by messages.queue_change_notices)."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        logger.info("Event %s is gone; no change notices", event_id)
        return 0
    return messages.tell_registrants_of_change(event=event, changed_fields=changed_fields, changed_at=changed_at)
