"""Reads of programmes used by services, journeys, reports and the API."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet

from events.models import Event, EventStatus
from programmes.models import Cohort, Enrolment, Programme


def programme_events(programme: Programme) -> QuerySet[Event]:
    """Every event of the programme: the occurrences of its series and its one-off events."""
    series_ids = Programme.series.through.objects.filter(programme_id=programme.pk).values("series_id")
    event_ids = Programme.events.through.objects.filter(programme_id=programme.pk).values("event_id")
    return Event.objects.filter(Q(series_id__in=series_ids) | Q(pk__in=event_ids))


def cohort_events(cohort: Cohort) -> QuerySet[Event]:
    """The events a cohort is registered for: its series' occurrences, else the whole programme."""
    if cohort.series_id:
        return Event.objects.filter(series_id=cohort.series_id)
    return programme_events(cohort.programme)


def cohorts_following(event: Event) -> QuerySet[Cohort]:
    """Cohorts whose members should be registered for this event."""
    in_programme = Q(programme__events=event)
    if event.series_id:
        in_programme |= Q(programme__series=event.series_id)
    by_series = Q(series_id=event.series_id) if event.series_id else Q(pk__in=[])
    whole_programme = Q(series__isnull=True) & in_programme
    return Cohort.objects.filter(by_series | whole_programme).distinct().select_related("programme")


def programmes_for(user) -> QuerySet[Programme]:
    """Programmes a user organises (all for superusers), with organisers and counts loaded."""
    programmes = Programme.objects.all()
    if not (user and user.is_authenticated and user.is_superuser):
        organised = Programme.organisers.through.objects.filter(user_id=getattr(user, "pk", None))
        programmes = programmes.filter(pk__in=organised.values("programme_id"))
    user_model = get_user_model()
    return programmes.prefetch_related(
        Prefetch("organisers", queryset=user_model.objects.only("id", "username", "first_name", "last_name")),
        "series",
        "events",
    ).annotate(cohort_count=Count("cohorts", distinct=True))


def enrolments_with_relations(queryset: QuerySet[Enrolment] | None = None) -> QuerySet[Enrolment]:
    queryset = Enrolment.objects.all() if queryset is None else queryset
    return queryset.select_related("cohort__programme", "cohort__series", "mentor", "region")


def held_events(events: QuerySet[Event], *, now) -> QuerySet[Event]:
    """Events that took place: ended, neither draft nor cancelled."""
    return events.filter(end__lte=now, status__in=[EventStatus.PUBLISHED, EventStatus.COMPLETED])
