"""django-q2 entry points. Thin: they call a service and are safe to run twice."""

import logging

from django.utils import timezone

from speakers import services

logger = logging.getLogger(__name__)


def remind_unanswered_invitations() -> dict:
    """Run hourly by the schedule ``speakers: remind unanswered invitations`` (setup_schedules)."""
    result = services.send_invitation_reminders(now=timezone.now())
    if result["reminded"] or result["alerted"]:
        logger.info("Speaker invitations: %(reminded)s reminded, %(alerted)s alerted", result)
    return result
