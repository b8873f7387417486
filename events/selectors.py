"""Reads of events used by more than one caller (API, pages, feeds, other apps)."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet

from events.models import Event, EventStatus, Series


def _with_relations(queryset: QuerySet) -> QuerySet:
    user_model = get_user_model()
    return queryset.select_related("region", "series").prefetch_related(
        Prefetch("organisers", queryset=user_model.objects.only("id", "username", "first_name", "last_name"))
    )


def events_visible_to(user) -> QuerySet[Event]:
    """Every public event, plus the drafts the user organises (all of them for superusers)."""
    events = Event.objects.all()
    if user and user.is_authenticated and user.is_superuser:
        return _with_relations(events)
    visible = ~Q(status=EventStatus.DRAFT)
    if user and user.is_authenticated:
        # a subquery rather than a join: no duplicate rows, no DISTINCT
        organised = Event.organisers.through.objects.filter(user_id=user.pk).values("event_id")
        visible |= Q(pk__in=organised)
    return _with_relations(events.filter(visible))


def public_events() -> QuerySet[Event]:
    return _with_relations(Event.objects.exclude(status=EventStatus.DRAFT))


def events_organised_by(user) -> QuerySet[Event]:
    events = Event.objects.all() if user.is_superuser else Event.objects.filter(organisers=user)
    return _with_relations(events)


def events_checked_in_by(user) -> QuerySet[Event]:
    """The events whose door the user may work: the rule of ``permissions.can_check_in``
    (organisers and check-in staff of each event; every event for superusers)."""
    if not user or not user.is_authenticated:
        return Event.objects.none()
    if user.is_superuser:
        return _with_relations(Event.objects.all())
    organised = Event.organisers.through.objects.filter(user_id=user.pk).values("event_id")
    staffed = Event.checkin_staff.through.objects.filter(user_id=user.pk).values("event_id")
    return _with_relations(Event.objects.filter(Q(pk__in=organised) | Q(pk__in=staffed)))


def series_list() -> QuerySet[Series]:
    return (
        Series.objects.select_related("region")
        .prefetch_related("organisers")
        .annotate(occurrence_count=Count("occurrences"))
        .order_by("first_start", "id")
    )
