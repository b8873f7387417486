"""Who may see and who may change events and series, and the reads other callers share.

Each model has one selector of what a user may see (``*_visible_to``) and one of what they
may change (``*_managed_by``). API viewsets, pages, CSV exports, feeds and the admin all use
them; nothing else decides visibility.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from events.models import VENUE_FORMATS, ActionLogEntry, Event, EventStatus, Series

# Never published means never public, whatever the status became (a draft that was cancelled).
PUBLIC = ~Q(status=EventStatus.DRAFT) & Q(published_at__isnull=False)


def _with_relations(queryset: QuerySet) -> QuerySet:
    user_model = get_user_model()
    return queryset.select_related("region", "series").prefetch_related(
        Prefetch("organisers", queryset=user_model.objects.only("id", "username", "first_name", "last_name"))
    )


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def organised_event_ids(user) -> QuerySet:
    """Ids of the events the user organises, as a subquery (no join, no duplicate rows)."""
    return Event.organisers.through.objects.filter(user_id=user.pk).values("event_id")


def organised_series_ids(user) -> QuerySet:
    return Series.organisers.through.objects.filter(user_id=user.pk).values("series_id")


def public_events() -> QuerySet[Event]:
    return _with_relations(Event.objects.filter(PUBLIC))


def _visible(user) -> Q:
    """The condition of ``events_visible_to``: public, or organised by the user (every event for
    superusers)."""
    if _signed_in(user) and user.is_superuser:
        return Q()
    if _signed_in(user):
        return PUBLIC | Q(pk__in=organised_event_ids(user))
    return PUBLIC


def events_visible_to(user) -> QuerySet[Event]:
    """Every public event, plus the events the user organises (all of them for superusers)."""
    return _with_relations(Event.objects.filter(_visible(user)))


def events_managed_by(user) -> QuerySet[Event]:
    """The events the user may change: the ones they organise (every event for superusers)."""
    if not _signed_in(user):
        return Event.objects.none()
    events = Event.objects.all() if user.is_superuser else Event.objects.filter(pk__in=organised_event_ids(user))
    return _with_relations(events)


def events_only_organised_by(user) -> QuerySet[Event]:
    """The events still to come (drafts and published) that ``user`` alone organises: closing the
    account would leave nobody who may run them, answer their registrants or open their door."""
    if not _signed_in(user):
        return Event.objects.none()
    shared = Event.organisers.through.objects.exclude(user_id=user.pk).filter(user__is_active=True).values("event_id")
    return Event.objects.filter(
        pk__in=organised_event_ids(user),
        status__in=[EventStatus.DRAFT, EventStatus.PUBLISHED],
        end__gt=timezone.now(),
    ).exclude(pk__in=shared)


def _door_staff(user) -> Q:
    """The events ``user`` is check-in staff of: of the event itself, or of its series while the
    series reaches it (``series_occurrences``' rule). Derived here, never copied onto each
    occurrence, so that leaving the series' door closes all of them and an occurrence made later
    opens by itself."""
    staffed = Event.checkin_staff.through.objects.filter(user_id=user.pk).values("event_id")
    staffed_series = Series.checkin_staff.through.objects.filter(user_id=user.pk).values("series_id")
    return Q(pk__in=staffed) | (Q(series_id__in=staffed_series) & reached_by_its_series())


def events_checked_in_by(user) -> QuerySet[Event]:
    """The events whose door the user may work: organisers of each event, and its check-in staff
    (of the event or of its series) once it was published (every event for superusers). The one
    home of the door rule: ``permissions.can_check_in`` asks this for one event, My doors, the
    door page and its APIs (scan, search, offline list, log) read it, and the scan's SQL
    (``registrations.checkin``) writes the same, tested against this.

    A draft is the organisers' unpublished plan: door staff do not see it (its title, its time,
    its door) until it is published. It takes no registrations, so its door holds nothing they
    would need; the organisers keep theirs, to try the door out."""
    if not _signed_in(user):
        return Event.objects.none()
    if user.is_superuser:
        return _with_relations(Event.objects.all())
    return _with_relations(Event.objects.filter(Q(pk__in=organised_event_ids(user)) | (PUBLIC & _door_staff(user))))


def door_teams_of(user) -> QuerySet[Event]:
    """The events whose door team ``user`` is on, drafts included: organisers, and check-in staff
    of the event or of its series (while it reaches it). What the team pages tell organisers of a
    person they invite or remove (they will work a draft's door once it is published); what the
    person may open now is ``events_checked_in_by``."""
    if not _signed_in(user):
        return Event.objects.none()
    if user.is_superuser:
        return Event.objects.all()
    return Event.objects.filter(Q(pk__in=organised_event_ids(user)) | _door_staff(user))


def doors_of(user) -> QuerySet[Event]:
    """The doors the user works: ``events_checked_in_by`` less the online-only events, which have
    no door (``Event.has_venue``). What "My doors" lists and the menu offers."""
    return events_checked_in_by(user).filter(format__in=VENUE_FORMATS)


def _series_with_counts(queryset: QuerySet[Series], user) -> QuerySet[Series]:
    """``occurrence_count``: the sessions the series still reaches (never one handed over to other
    organisers) that the user may see (``events_visible_to``), not all of them: a session that
    stayed a draft when its series was published (edited on its own before) is counted only by
    whoever may see it, and a handed-over one is someone else's event."""
    sessions = (
        Event.objects.filter(_visible(user), reached_by_its_series(), series_id=OuterRef("pk"))
        .order_by()
        .values("series_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        queryset.select_related("region")
        .prefetch_related("organisers")
        .annotate(occurrence_count=Coalesce(Subquery(sessions, output_field=IntegerField()), 0))
        .order_by("first_start", "id")
    )


def series_visible_to(user) -> QuerySet[Series]:
    """Published series, plus the series the user organises (all of them for superusers)."""
    series = Series.objects.all()
    if not (_signed_in(user) and user.is_superuser):
        visible = Q(published=True)
        if _signed_in(user):
            visible |= Q(pk__in=organised_series_ids(user))
        series = series.filter(visible)
    return _series_with_counts(series, user)


def series_managed_by(user) -> QuerySet[Series]:
    if not _signed_in(user):
        return Series.objects.none()
    series = Series.objects.all() if user.is_superuser else Series.objects.filter(pk__in=organised_series_ids(user))
    return _series_with_counts(series, user)


def series_occurrences(series: Series) -> QuerySet[Event]:
    """The occurrences ``series`` still reaches: those not handed over to other organisers.

    Organisers are tenants, and an occurrence is an event with its own organisers (it gets the
    series' when it is made). Once none of them organises the series any more (a co-organiser
    invited to that one session, the series' organisers then leaving it; a series passed to others
    by a superuser), the occurrence is someone else's event: editing the series does not change
    or cancel it, and the series' attendance figures and certificates do not count it. An
    occurrence with no organiser at all (a series made in the admin without any) is still the
    series'; an active superuser among the series' organisers reaches every occurrence, as
    ``events_managed_by`` lets them manage every event. The rule of ``programmes.selectors._run_by``,
    seen from the series."""
    return Event.objects.filter(series=series).filter(reached_by_its_series())


def reached_by_its_series() -> Q:
    """``series_occurrences``' rule as a condition on events: an occurrence its series still
    reaches (no organiser of its own, or one of them organises the series, or an active superuser
    organises the series). The one home of the rule: door rights through a series
    (``events_checked_in_by``) ask it too, and the door's scan (``registrations.checkin``) writes
    the same in SQL, tested against this."""
    event_organisers = Event.organisers.through.objects.filter(event_id=OuterRef("pk"))
    shared = event_organisers.filter(user__organised_series=OuterRef("series_id"))
    superuser = Series.organisers.through.objects.filter(
        series_id=OuterRef("series_id"), user__is_superuser=True, user__is_active=True
    )
    return Q(series__isnull=False) & (Q(~Exists(event_organisers)) | Q(Exists(shared)) | Q(Exists(superuser)))


ACTION_LOG_LIMIT = 50


@dataclass(frozen=True)
class ActionLogExcerpt:
    """The newest entries of a log, and how many it holds in all: a page that shows fewer says so."""

    entries: list[ActionLogEntry]
    total: int

    @property
    def is_partial(self) -> bool:
        return self.total > len(self.entries)


def newest_actions(
    entries: QuerySet[ActionLogEntry],
    *,
    limit: int = ACTION_LOG_LIMIT,
    name_subjects: Callable[[list[ActionLogEntry]], dict[tuple[str, int], str]] | None = None,
) -> ActionLogExcerpt:
    """The newest ``limit`` of ``entries``, each with ``subject_label``: what ``name_subjects``
    calls its subject in words (a participant's name, a cohort's), read from the subject now, so
    an erased name is gone here too; None where it has none (the page shows the id). Counts
    all the entries only when there may be more than it shows (one query more)."""
    newest = list(entries.select_related("actor").order_by("-created_at", "-pk")[:limit])
    total = len(newest) if len(newest) < limit else entries.count()
    labels = name_subjects(newest) if name_subjects is not None and newest else {}
    for entry in newest:
        entry.subject_label = labels.get((entry.subject_type, entry.subject_id))
    return ActionLogExcerpt(entries=newest, total=total)


def subjects_of(entries: list[ActionLogEntry]) -> dict[str, set[int]]:
    """The ids of the subjects ``entries`` are about, by subject_type (for naming them in bulk)."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        wanted.setdefault(entry.subject_type, set()).add(entry.subject_id)
    return wanted


def action_log_of_series(series: Series, *, limit: int = ACTION_LOG_LIMIT) -> ActionLogExcerpt:
    """The newest actions on ``series`` itself (its sessions have their own log); the caller has
    checked that the user manages the series."""
    entries = ActionLogEntry.objects.filter(event__isnull=True, subject_type="series", subject_id=series.pk)
    return newest_actions(entries, limit=limit)


# namers of an event's log subjects that the apps above events own, registered in their
# AppConfig.ready (teams: a team invitation by its address), as programmes registers its outbox scope
_SUBJECT_NAMERS: list[Callable[[list[ActionLogEntry]], dict[tuple[str, int], str]]] = []


def add_subject_namer(namer: Callable[[list[ActionLogEntry]], dict[tuple[str, int], str]]) -> None:
    """``namer(entries)`` names the subjects of an event's action log it knows (``(subject_type,
    subject_id)`` → words); every event's log asks it (``action_log_of``)."""
    if namer not in _SUBJECT_NAMERS:
        _SUBJECT_NAMERS.append(namer)


def action_log_of(
    event: Event,
    *,
    limit: int = ACTION_LOG_LIMIT,
    name_subjects: Callable[[list[ActionLogEntry]], dict[tuple[str, int], str]] | None = None,
) -> ActionLogExcerpt:
    """The newest actions on ``event`` and its registrations, speakers and team, for its organisers
    (the caller has checked that the user manages the event); ``name_subjects`` as in
    ``newest_actions`` (the apps that own the subjects name them: events sits below them), together
    with the namers registered through ``add_subject_namer``."""
    namers = [*_SUBJECT_NAMERS, *([name_subjects] if name_subjects is not None else [])]

    def name_all(entries: list[ActionLogEntry]) -> dict[tuple[str, int], str]:
        labels: dict[tuple[str, int], str] = {}
        for namer in namers:
            labels.update(namer(entries))
        return labels

    return newest_actions(ActionLogEntry.objects.filter(event=event), limit=limit, name_subjects=name_all)
