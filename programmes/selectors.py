"""Reads of programmes used by services, journeys, reports and the API."""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from events.models import ActionLogEntry, Event, EventKind, EventStatus
from events.selectors import (
    ACTION_LOG_LIMIT,
    ActionLogExcerpt,
    events_managed_by,
    events_visible_to,
    newest_actions,
    series_managed_by,
    subjects_of,
)
from events_project.people import person_name
from programmes.models import Certificate, Cohort, Enrolment, Programme
from speakers.models import Speaker
from speakers.selectors import speakers_visible_to, speakers_with_role

# the speaker role that may be paired with mentees (services._check_mentor)
MENTOR_ROLE = "mentor"


def _run_by(programme_id: int) -> Q:
    """The events some organiser of the programme still organises:
    organisers are tenants, so a programme never registers its cohorts for an event that has
    since passed to other organisers. An occurrence of a series carries the organisers the
    series had when it was made (``events.services``), so each event is judged by its own
    organisers, as ``events.selectors.events_managed_by`` judges it. An active superuser among
    the programme's organisers manages every event, as there."""
    members = Programme.organisers.through.objects.filter(programme_id=programme_id)
    organisers = members.values("user_id")
    superuser = members.filter(user__is_superuser=True, user__is_active=True)
    organised = Event.organisers.through.objects.filter(event_id=OuterRef("pk"), user_id__in=organisers)
    return Exists(organised) | Exists(superuser)


def programme_events(programme: Programme) -> QuerySet[Event]:
    """Every event of the programme that one of its organisers still organises (``_run_by``):
    the occurrences of its series and its one-off events."""
    series_ids = Programme.series.through.objects.filter(programme_id=programme.pk).values("series_id")
    event_ids = Programme.events.through.objects.filter(programme_id=programme.pk).values("event_id")
    chosen = Q(series_id__in=series_ids) | Q(pk__in=event_ids)
    return Event.objects.filter(chosen, _run_by(programme.pk))


def cohort_events(cohort: Cohort) -> QuerySet[Event]:
    """The events a cohort is registered for: its series' occurrences, else the whole programme;
    only those one of the programme's organisers still organises (``_run_by``)."""
    if cohort.series_id:
        run_by = _run_by(cohort.programme_id)
        return Event.objects.filter(run_by, series_id=cohort.series_id)
    return programme_events(cohort.programme)


def cohort_has_held_a_session(cohort: Cohort, *, now) -> bool:
    """Whether one of the cohort's sessions (not called off) is over: before, a member has attended
    nothing and a certificate is refused to every one of them (``Journey.completed``)."""
    return cohort_events(cohort).exclude(status=EventStatus.CANCELLED).filter(end__lte=now).exists()


def one_off_events_of(programme: Programme) -> QuerySet[Event]:
    """The one-off events the programme holds (whoever runs them), newest first: its workspace
    page lists them a page at a time."""
    held = Programme.events.through.objects.filter(programme_id=programme.pk).values("event_id")
    return Event.objects.filter(pk__in=held).order_by("-start", "-id")


def within_dates(programme: Programme) -> Q:
    """The events that start on one of ``programme``'s days (``starts_on`` to ``ends_on``, in the
    site's zone, as ``Programme.has_ended``): the only ones it may take in
    (``services.add_programme_event``)."""
    return Q(start__date__gte=programme.starts_on, start__date__lte=programme.ends_on)


def events_to_add(programme: Programme, *, user) -> QuerySet[Event]:
    """The one-off events ``user`` may add to ``programme`` on its workspace page: those they
    organise (``events_managed_by``), outside a series (a series comes in whole), starting within
    the programme's dates (``within_dates``), not cancelled and not in the programme yet; newest
    first."""
    held = Programme.events.through.objects.filter(programme_id=programme.pk).values("event_id")
    return (
        events_managed_by(user)
        .filter(within_dates(programme), series__isnull=True)
        .exclude(status=EventStatus.CANCELLED)
        .exclude(pk__in=held)
        .select_related(None)
        .prefetch_related(None)
        .order_by("-start", "-id")
    )


def draft_sessions_seen_by(cohort: Cohort, *, user, now) -> QuerySet[Event]:
    """The cohort's sessions still to come that are drafts, of those ``user`` may see
    (``events.selectors.events_visible_to``: their own drafts, every one for a superuser). A fellow
    organiser's draft is their unpublished plan: the cohort page does not even count it."""
    visible = events_visible_to(user).order_by().values("pk")
    return cohort_events(cohort).filter(status=EventStatus.DRAFT, start__gt=now, pk__in=visible)


def events_run_by_programmes(programme_ids, event_ids) -> dict[int, set[int] | None]:
    """Which of ``event_ids`` each programme still runs, by the rule of ``_run_by``: the events
    one of its organisers organises; ``None`` for a programme an active superuser organises (every
    event). One query, for reads that load many programmes' events at once (journeys)."""
    run: dict[int, set[int] | None] = {programme_id: set() for programme_id in programme_ids}
    rows = (
        Programme.organisers.through.objects.filter(programme_id__in=list(programme_ids))
        .filter(Q(user__organised_events__in=list(event_ids)) | Q(user__is_superuser=True, user__is_active=True))
        .values_list("programme_id", "user__organised_events", "user__is_superuser", "user__is_active")
    )
    for programme_id, event_id, is_superuser, is_active in rows:
        if is_superuser and is_active:
            run[programme_id] = None
        elif run[programme_id] is not None and event_id is not None:
            run[programme_id].add(event_id)
    return run


def cohorts_following(event: Event) -> QuerySet[Cohort]:
    """Cohorts whose members should be registered for this event: none of a programme whose
    organisers no longer organise it (the rule of ``_run_by``, seen from the event)."""
    in_programme = Q(programme__events=event)
    if event.series_id:
        in_programme |= Q(programme__series=event.series_id)
    by_series = Q(series_id=event.series_id) if event.series_id else Q(pk__in=[])
    whole_programme = Q(series__isnull=True) & in_programme
    organisers = Event.organisers.through.objects.filter(event_id=event.pk).values("user_id")
    running = Programme.organisers.through.objects.filter(
        Q(user_id__in=organisers) | Q(user__is_superuser=True, user__is_active=True)
    ).values("programme_id")
    return (
        Cohort.objects.filter(by_series | whole_programme, programme__in=running).distinct().select_related("programme")
    )


def events_followed_by_cohorts(events: list[Event]) -> set[int]:
    """The ids of ``events`` that a cohort follows: ``cohorts_following(event).exists()`` for each,
    by the same rule, in one query when no cohort could follow any of them (most series) and six
    otherwise, whatever their number (a series publishes up to 400 sessions at once)."""
    ids = [event.pk for event in events]
    series_ids = {event.series_id for event in events if event.series_id}
    whole = Q(series__isnull=True) & (Q(programme__events__in=ids) | Q(programme__series__in=series_ids))
    cohorts = set(Cohort.objects.filter(Q(series_id__in=series_ids) | whole).values_list("programme_id", "series_id"))
    if not cohorts:
        return set()
    programme_ids = {programme_id for programme_id, _series_id in cohorts}
    held_events = set(
        Programme.events.through.objects.filter(programme_id__in=programme_ids, event_id__in=ids).values_list(
            "programme_id", "event_id"
        )
    )
    held_series = set(
        Programme.series.through.objects.filter(programme_id__in=programme_ids, series_id__in=series_ids).values_list(
            "programme_id", "series_id"
        )
    )
    run_by = defaultdict(set)
    for programme_id, user_id in Programme.organisers.through.objects.filter(
        programme_id__in=programme_ids
    ).values_list("programme_id", "user_id"):
        run_by[programme_id].add(user_id)
    # a programme an active superuser organises is run whoever organises the event
    run_by_superuser = set(
        Programme.organisers.through.objects.filter(
            programme_id__in=programme_ids, user__is_superuser=True, user__is_active=True
        ).values_list("programme_id", flat=True)
    )
    organised_by = defaultdict(set)
    for event_id, user_id in Event.organisers.through.objects.filter(event_id__in=ids).values_list(
        "event_id", "user_id"
    ):
        organised_by[event_id].add(user_id)
    followed = set()
    for event in events:
        for programme_id, series_id in cohorts:
            if programme_id not in run_by_superuser and not run_by[programme_id] & organised_by[event.pk]:
                continue
            if series_id is not None:
                follows = series_id == event.series_id
            else:
                follows = (programme_id, event.pk) in held_events or (programme_id, event.series_id) in held_series
            if follows:
                followed.add(event.pk)
                break
    return followed


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _managed_programme_ids(user) -> QuerySet:
    if not _signed_in(user):
        return Programme.objects.none().values("pk")
    if user.is_superuser:
        return Programme.objects.order_by().values("pk")
    return Programme.organisers.through.objects.filter(user_id=user.pk).values("programme_id")


def programmes_visible_to(user) -> QuerySet[Programme]:
    """Programmes are their organisers' (participants see their enrolments, not the programme)."""
    return programmes_managed_by(user)


def programmes_managed_by(user) -> QuerySet[Programme]:
    """Programmes a user organises (all for superusers), with organisers and counts loaded."""
    programmes = Programme.objects.filter(pk__in=_managed_programme_ids(user))
    user_model = get_user_model()
    return programmes.prefetch_related(
        Prefetch("organisers", queryset=user_model.objects.only("id", "username", "first_name", "last_name")),
        "series",
        "events",
    ).annotate(cohort_count=Count("cohorts", distinct=True))


def cohorts_visible_to(user) -> QuerySet[Cohort]:
    return cohorts_managed_by(user)


def cohorts_managed_by(user) -> QuerySet[Cohort]:
    return Cohort.objects.filter(programme__in=_managed_programme_ids(user)).select_related("programme", "series")


def cohorts_of(programme: Programme) -> QuerySet[Cohort]:
    """The programme's cohorts for its workspace page, each with ``active_members`` counted."""
    active = Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ACTIVE))
    return (
        Cohort.objects.filter(programme_id=programme.pk)
        .select_related("series")
        .annotate(active_members=active)
        .order_by("name", "id")
    )


def search_enrolments(cohort: Cohort, *, text: str = "", status: str = "") -> QuerySet[Enrolment]:
    """The workspace's list of a cohort's enrolments: ``text`` looks in name and email; active
    members first, then those who left, each by name."""
    enrolments = Enrolment.objects.filter(cohort_id=cohort.pk).select_related("mentor")
    text = (text or "").strip()
    if text:
        enrolments = enrolments.filter(Q(name__icontains=text) | Q(email__icontains=text))
    if status:
        enrolments = enrolments.filter(status=status)
    return enrolments.order_by("status", "name", "id")


def mentors_for(cohort: Cohort, *, user) -> list:
    """The speakers ``user`` may pair with the cohort's members: those with the mentor role,
    within a cohort of a mentoring series (``services._check_mentor`` holds the same rule);
    none for any other cohort."""
    if cohort.series_id is None or cohort.series.kind != EventKind.MENTORING_SESSION:
        return []
    # the roster is every organiser's and grows with the site: only its mentors are read (it was
    # read whole, and each speaker's roles looked at in Python, at every opening of the page)
    speakers = speakers_with_role(user, MENTOR_ROLE).prefetch_related(None).order_by("name", "id")
    return [speaker for speaker in speakers if MENTOR_ROLE in (speaker.roles or [])]


def enrolments_visible_to(user) -> QuerySet[Enrolment]:
    """Enrolments of the programmes one organises, one's own (by account) and one's mentees'."""
    if not _signed_in(user):
        return Enrolment.objects.none()
    return enrolments_with_relations(
        Enrolment.objects.filter(
            Q(cohort__programme__in=_managed_programme_ids(user)) | Q(user_id=user.pk) | Q(mentor__user_id=user.pk)
        )
    )


def cohorts_listed_for(user) -> QuerySet[Cohort]:
    """The cohorts whose enrolments a user may list (``?cohort=``): of the programmes one
    organises, and those one or one's mentees are enrolled in; any other is a 404."""
    enrolled = enrolments_visible_to(user).order_by().values("cohort_id")
    return Cohort.objects.filter(Q(programme__in=_managed_programme_ids(user)) | Q(pk__in=enrolled))


def mentors_listed_for(user) -> QuerySet[Speaker]:
    """The mentors by whom a user may list enrolments (``?mentor=``): the speakers they may see
    (``speakers_visible_to``) and the mentors of the enrolments they may read (a participant's own
    mentor, a mentor themself, even when off the public roster); any other is a 404."""
    mentoring = enrolments_visible_to(user).order_by().exclude(mentor_id=None).values("mentor_id")
    visible = speakers_visible_to(user).prefetch_related(None).order_by().values("pk")
    return Speaker.objects.filter(Q(pk__in=visible) | Q(pk__in=mentoring))


def programmes_listed_for(user) -> QuerySet[Programme]:
    """The programmes whose enrolments and certificates a user may list (``?programme=``): the
    ones one organises, and those one or one's mentees are enrolled in; any other is a 404."""
    enrolled = enrolments_visible_to(user).order_by().values("cohort__programme_id")
    return Programme.objects.filter(Q(pk__in=_managed_programme_ids(user)) | Q(pk__in=enrolled))


def enrolment_profiles_visible_to(user) -> QuerySet[Enrolment]:
    """The enrolments whose profile (sector, age group, region: given for the programme's figures)
    the user may read: those of the programmes one organises and one's own. A mentor sees their
    mentees (``enrolments_visible_to``) and their attendance, not their profile; what may not be
    read may not be filtered or ordered by either (``programmes.filters``, ``apis``).
    ``permissions.can_read_enrolment_profile`` is this rule for one enrolment."""
    if not _signed_in(user):
        return Enrolment.objects.none()
    return Enrolment.objects.filter(Q(cohort__programme__in=_managed_programme_ids(user)) | Q(user_id=user.pk))


def enrolments_managed_by(user) -> QuerySet[Enrolment]:
    return enrolments_with_relations(Enrolment.objects.filter(cohort__programme__in=_managed_programme_ids(user)))


def programme_messages_managed_by(user) -> Q:
    """The outbox's messages about the enrolments (enrolled, left the cohort, missed sessions)
    and certificates of the programmes and series ``user`` organises: a ``Q`` on OutboxMessage
    (``notifications.selectors.add_outbox_scope``); they are about no event."""
    return _about(Enrolment, Enrolment.objects.filter(cohort__programme__in=_managed_programme_ids(user))) | _about(
        Certificate, certificates_managed_by(user)
    )


def _about(model, rows: QuerySet) -> Q:
    # by the content type's natural key, not its primary key: building the Q reads no table (a
    # schema generator builds the outbox's queryset on an empty database)
    return Q(
        about_type__app_label=model._meta.app_label,
        about_type__model=model._meta.model_name,
        about_id__in=rows.order_by().values("pk"),
    )


def certificates_visible_to(user) -> QuerySet[Certificate]:
    """Certificates of the programmes and series one organises, and one's own (the enrolment's account)."""
    if not _signed_in(user):
        return Certificate.objects.none()
    return Certificate.objects.filter(
        Q(enrolment__cohort__programme__in=_managed_programme_ids(user))
        | Q(series__in=series_managed_by(user).order_by().values("pk"))
        | Q(enrolment__user_id=user.pk)
    ).select_related("enrolment__cohort__programme")


def certificates_managed_by(user) -> QuerySet[Certificate]:
    return Certificate.objects.filter(
        Q(enrolment__cohort__programme__in=_managed_programme_ids(user))
        | Q(series__in=series_managed_by(user).order_by().values("pk"))
    ).select_related("enrolment__cohort__programme")


def action_log_of_programme(programme: Programme, *, limit: int = ACTION_LOG_LIMIT) -> ActionLogExcerpt:
    """The newest actions on ``programme`` itself, its cohorts, their enrolments and the
    enrolments' certificates (its events and series have logs of their own), each named as the
    programme's organisers know it (``name_programme_subjects``). The caller has checked that the
    user may see the programme (``programmes_visible_to``): its organisers see its enrolments."""
    cohorts = Cohort.objects.filter(programme_id=programme.pk).values("pk")
    enrolments = Enrolment.objects.filter(cohort__programme_id=programme.pk).values("pk")
    certificates = Certificate.objects.filter(enrolment__cohort__programme_id=programme.pk).values("pk")
    own = (
        Q(subject_type="programme", subject_id=programme.pk)
        | Q(subject_type="cohort", subject_id__in=cohorts)
        | Q(subject_type="enrolment", subject_id__in=enrolments)
        | Q(subject_type="certificate", subject_id__in=certificates)
    )
    entries = ActionLogEntry.objects.filter(own, event__isnull=True)
    excerpt = newest_actions(entries, limit=limit, name_subjects=name_programme_subjects)
    name_skipped_sessions(excerpt.entries)
    return excerpt


# the entries about one session of an enrolment: they hold the event's id
SESSION_ACTIONS = ("enrolment.session_skipped", "enrolment.skip_undone")


def name_skipped_sessions(entries: list[ActionLogEntry]) -> None:
    """Add the session to the name of each ``enrolment.session_skipped`` or ``skip_undone`` entry
    among ``entries`` (already named by ``name_programme_subjects``): its title and its date in the
    event's own zone, read from the event now. Never the reason (it may be personal; the log does not hold
    it). One query, when there is such an entry."""
    skips = [entry for entry in entries if entry.action in SESSION_ACTIONS and entry.subject_label]
    wanted = {entry.data.get("event") for entry in skips} - {None}
    if not wanted:
        return
    events = Event.objects.filter(pk__in=wanted).only("title", "start", "timezone")
    sessions = {event.pk: (event.title, event.local_start.date()) for event in events}
    for entry in skips:
        session = sessions.get(entry.data.get("event"))
        if session is not None:
            title, day = session
            entry.subject_label = _("%(enrolment)s; session: %(session)s, %(date)s") % {
                "enrolment": entry.subject_label,
                "session": title,
                "date": date_format(day, "j F Y"),
            }


def name_programme_subjects(entries) -> dict[tuple[str, int], str]:
    """What a person calls the cohorts, enrolments and certificates ``entries`` are about: the
    cohort's name, the participant's name and cohort, "certificate for" the participant. Names
    are read from the records now (the log stores none), so an erased participant shows as
    erased. One query per kind of subject present."""
    wanted = subjects_of(entries)
    labels: dict[tuple[str, int], str] = {}
    if "cohort" in wanted:
        for pk, name in Cohort.objects.filter(pk__in=wanted["cohort"]).values_list("pk", "name"):
            labels["cohort", pk] = name
    if "enrolment" in wanted:
        enrolments = Enrolment.objects.filter(pk__in=wanted["enrolment"]).values_list("pk", "name", "cohort__name")
        for pk, name, cohort in enrolments:
            labels["enrolment", pk] = _("%(name)s in %(cohort)s") % {"name": person_name(name), "cohort": cohort}
    if "certificate" in wanted:
        # the enrolment's name, not the one printed on the certificate: erasure changes the former
        certificates = Certificate.objects.filter(pk__in=wanted["certificate"], enrolment__isnull=False)
        for pk, name in certificates.values_list("pk", "enrolment__name"):
            labels["certificate", pk] = _("certificate for %(name)s") % {"name": person_name(name)}
    return labels


def enrolments_with_relations(queryset: QuerySet[Enrolment] | None = None) -> QuerySet[Enrolment]:
    queryset = Enrolment.objects.all() if queryset is None else queryset
    return queryset.select_related("cohort__programme", "cohort__series", "mentor", "region")


def held_events(events: QuerySet[Event], *, now) -> QuerySet[Event]:
    """Events that took place: ended, neither draft nor cancelled."""
    return events.filter(end__lte=now, status__in=[EventStatus.PUBLISHED, EventStatus.COMPLETED])
