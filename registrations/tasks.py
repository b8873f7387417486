"""django-q2 entry points of registrations: thin, safe to run twice."""

import logging

from registrations.services import registration as registration_services
from registrations.services import reminders

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
