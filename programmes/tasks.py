"""django-q2 entry points for programmes: fetch by id, call a service. Safe to run twice."""

import logging

from events.models import Event
from programmes import certificates, journeys, services

logger = logging.getLogger(__name__)


def register_cohorts_for_event(event_id: int) -> int:

    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        logger.info("Event %s is gone; no cohort to register", event_id)
        return 0
    return len(services.register_cohorts_for_event(event=event))


def review_missed_sessions_for_event(event_id: int) -> int:

    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        logger.info("Event %s is gone; no attendance to review", event_id)
        return 0
    return len(journeys.review_missed_sessions_for_event(event=event))


def review_all_missed_sessions() -> int:

    return journeys.review_all_missed_sessions()


def issue_due_certificates() -> int:

    return certificates.issue_due_certificates()
