"""django-q2 entry points for programmes: fetch by id, call a service. Safe to run twice."""

import logging

from events.models import Event
from events_project.periodic import process_each
from programmes import certificates, enrolment_lists, journeys, services
from programmes.models import EnrolmentList

logger = logging.getLogger(__name__)


def register_cohorts_for_event(event_id: int) -> int:

    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        logger.info("Event %s is gone; no cohort to register", event_id)
        return 0
    return len(services.register_cohorts_for_event(event=event))


def register_cohorts_for_events(event_ids: list[int]) -> int:
    """register_cohorts_for_event for each of a series' sessions published together; one that
    fails is logged and the others still go (events_project.periodic.process_each)."""
    return sum(process_each(event_ids, register_cohorts_for_event, job="register cohorts for sessions"))


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


def enrol_from_list(enrolment_list_id: int) -> int:
    """Enrol the next people of a pasted list (programmes.enrolment_lists); queues the rest."""
    listed = EnrolmentList.objects.filter(pk=enrolment_list_id).first()
    if listed is None:
        logger.info("Enrolment list %s is gone; nobody to enrol", enrolment_list_id)
        return 0
    return enrolment_lists.enrol_next(enrolment_list=listed).handled


def tidy_enrolment_lists() -> dict:
    """Queue again the pasted lists whose job was lost; delete those finished long ago."""
    return enrolment_lists.tidy_enrolment_lists()
