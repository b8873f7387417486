"""django-q2 entry points of registrations: thin, safe to run twice."""

import logging

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


def send_change_notice(pending_id: int) -> int:
    """Tell the registrants of one event's change (queued by messages.queue_change_notices)."""
    return messages.send_change_notice(pending_id)


def send_change_notices(pending_ids: list[int]) -> int:
    """Tell the registrants of the sessions a series edit changed (messages.queue_change_notices_of_events)."""
    return messages.send_change_notices(pending_ids)


def send_lost_change_notices() -> int:
    """Changes whose job was lost (run every minute, setup_schedules)."""
    return messages.send_lost_change_notices()
