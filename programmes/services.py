"""Programmes, cohorts and enrolment: the rules for who is registered for what.

A participant enrols in a cohort once and is registered (source ``cohort``) for every
future occurrence the cohort follows, through the registrations service, so capacity,
approval and waiting lists apply exactly as for anyone else. Occurrences published later
reach them through :mod:`programmes.receivers`.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from events import when
from events.exceptions import DomainError
from events.models import Event, EventKind, EventStatus, Series
from events.selectors import events_managed_by, series_managed_by
from events.services import log_action
from events_project.people import ERASED_DOMAIN, ERASED_NAME, tidy_name
from events_project.typed_text import tidy_email
from notifications import kinds
from notifications.language import FALLBACK_LANGUAGE, default_language
from notifications.selectors import calendar_invitation_sent
from notifications.services import queue_message
from programmes import selectors
from programmes.exceptions import Conflict, NotInCohort, ProgrammeError
from programmes.models import Cohort, Enrolment, Programme, SessionSkip
from registrations.models import ACTIVE_STATUSES, Registration, RegistrationStatus
from registrations.services.registration import cancel_registration, register

logger = logging.getLogger(__name__)

MENTOR_ROLE = selectors.MENTOR_ROLE


def _validated(instance, *, exclude=None, constraints: bool = True):
    """``constraints=False`` leaves a unique constraint to the database, which the caller's
    IntegrityError answers (a rival committing between the caller's own check and this one made
    Django's generic 'already exists' ValidationError instead of the caller's named refusal)."""
    instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=constraints)
    return instance


# --- programmes and cohorts ------------------------------------------------------------


@transaction.atomic
def create_programme(*, by, series=(), events=(), organisers=None, **fields) -> Programme:
    programme = _validated(Programme(**fields))
    programme.save()
    check_events_within_dates(programme, events)
    programme.organisers.set(organisers or ([by] if by else []))
    programme.series.set(series)
    programme.events.set(events)
    log_action(by=by, action="programme.created", subject=programme)
    return programme


@transaction.atomic
def update_programme(*, programme: Programme, by=None, series=None, events=None, organisers=None, **changes):
    """Edit a programme. Adding a series does not register existing whole-programme cohorts for
    its past occurrences; new occurrences reach them as they are published.

    ``series`` and ``events`` are the ones ``by`` chooses among those they organise
    (``series_managed_by``, ``events_managed_by``): what a co-organiser put in that ``by`` does
    not run stays, as ``by`` can neither name nor take it out (the API and the workspace's form)."""
    for name, value in changes.items():
        setattr(programme, name, value)
    _validated(programme)
    programme.save()
    if organisers is not None:
        programme.organisers.set(organisers)
    if series is not None:
        series = [*series, *_not_run_by(by, programme.series.all(), series_managed_by)]
        check_series_kept(programme, series)
        programme.series.set(series)
    if events is not None:
        held = set(programme.events.values_list("pk", flat=True))
        check_events_within_dates(programme, [event for event in events if event.pk not in held])
        programme.events.set([*events, *_not_run_by(by, programme.events.all(), events_managed_by)])
    log_action(by=by, action="programme.changed", subject=programme, data={"fields": sorted(changes)})
    return programme


@transaction.atomic
def add_programme_event(*, programme: Programme, event: Event, by) -> Programme:
    """Take one one-off event into the programme (the workspace's search-and-add list): one that
    ``by`` organises, outside a series (a series comes in whole, as ``series``). Adding it twice
    changes nothing. As with ``update_programme``, cohorts already enrolled are not registered
    for it here."""
    if event.series_id is not None:
        raise ProgrammeError(_("A session of a series comes with its series: add the series instead."), "in_series")
    if by is not None and not events_managed_by(by).filter(pk=event.pk).exists():
        raise ProgrammeError(_("You can add only events you organise."), "not_your_event")
    if not programme.events.filter(pk=event.pk).exists():
        check_events_within_dates(programme, [event])
        programme.events.add(event)
        log_action(by=by, action="programme.changed", subject=programme, data={"fields": ["events"]})
    return programme


@transaction.atomic
def remove_programme_event(*, programme: Programme, event: Event, by) -> Programme:
    """Take one one-off event out of the programme: one ``by`` organises (what a co-organiser put
    in stays, as in ``update_programme``). Registrations already made for it stay."""
    if by is not None and not events_managed_by(by).filter(pk=event.pk).exists():
        raise ProgrammeError(_("You can take out only events you organise."), "not_your_event")
    if programme.events.filter(pk=event.pk).exists():
        programme.events.remove(event)
        log_action(by=by, action="programme.changed", subject=programme, data={"fields": ["events"]})
    return programme


def check_events_within_dates(programme: Programme, events) -> None:
    """Refuse to take into ``programme`` an event that starts outside its dates
    (``selectors.within_dates``): a December event in a programme of January to June would count
    in its attendance and certificates. Events it already holds stay, even when its dates change."""
    pks = [getattr(event, "pk", event) for event in events]
    outside = Event.objects.filter(pk__in=pks).exclude(selectors.within_dates(programme)).order_by("start").first()
    if outside is not None:
        raise ProgrammeError(
            _("“%(title)s” does not start within the programme's dates (%(starts)s to %(ends)s).")
            % {
                "title": outside.title,
                "starts": date_format(programme.starts_on, "SHORT_DATE_FORMAT"),
                "ends": date_format(programme.ends_on, "SHORT_DATE_FORMAT"),
            },
            "outside_programme_dates",
        )


def _not_run_by(by, held, managed_by) -> list:
    """Those of ``held`` that ``by`` does not organise (none when the system edits: ``by`` None)."""
    if by is None:
        return []
    return list(held.exclude(pk__in=managed_by(by).order_by().values("pk")))


def _lock_programme(programme: Programme) -> None:
    """Hold the programme's row until the caller's transaction commits: a series taken out of the
    programme (``check_series_kept``) and a cohort set to follow it (``check_cohort_series``) at
    the same moment each read the other's state from before, and both went through (a cohort
    following a series its programme no longer has). Both callers run in a transaction (the
    services', the admin's change form)."""
    list(Programme.objects.select_for_update().filter(pk=programme.pk).values_list("pk", flat=True))


def check_series_kept(programme: Programme, series) -> None:
    """Refuse to take a series out of ``programme`` (``series``: what it is to hold, objects or
    primary keys) while one of its cohorts follows it: the cohort would go on registering its
    members for a series the programme no longer has."""
    if programme.pk is None:
        return
    _lock_programme(programme)
    kept = {getattr(each, "pk", each) for each in series}
    following = programme.cohorts.filter(series__isnull=False).exclude(series__in=kept).order_by("name").first()
    if following is not None:
        raise ProgrammeError(
            _(
                "A cohort (“%(cohort)s”) follows a series you took out of the programme: keep that series, "
                "or give the cohort another series first."
            )
            % {"cohort": following.name},
            "series_followed_by_cohort",
        )


def check_cohort_series(programme: Programme, series: Series | None) -> None:
    """A cohort follows the whole programme or one of the programme's series."""
    if series is None:
        return
    _lock_programme(programme)
    if not programme.series.filter(pk=series.pk).exists():
        raise ProgrammeError(_("The cohort's series must belong to the programme."), "series_not_in_programme")


@transaction.atomic
def create_cohort(*, programme: Programme, name: str, series: Series | None = None, by=None) -> Cohort:
    name = " ".join(name.split())  # as the model keeps it (Cohort.clean_fields), before the name is compared
    check_cohort_series(programme, series)
    taken = Conflict(_("The programme already has a cohort of this name."), "cohort_name_taken")
    if programme.cohorts.filter(name=name).exists():
        raise taken
    # the unique name is the database's (the IntegrityError below), as a rival may commit it any moment
    cohort = _validated(Cohort(programme=programme, name=name, series=series), constraints=False)
    try:
        with transaction.atomic():
            cohort.save()
    except IntegrityError:
        raise taken from None  # the same name created a moment ago by a parallel request (a double click)
    log_action(by=by, action="cohort.created", subject=cohort)
    return cohort


# --- enrolment -------------------------------------------------------------------------


def _active_registration(*, event: Event, email: str):

    return Registration.objects.filter(event=event, email=email, status__in=ACTIVE_STATUSES).first()


def _registrable(event: Event, *, now) -> bool:
    return event.status == EventStatus.PUBLISHED and event.start > now


def register_for_session(*, enrolment: Enrolment, event: Event, now=None):
    """Register an enrolled participant for one session, unless they skip it or are registered.

    Returns the registration, or None when the event takes no registration for them (closed,
    invitation only, full without a waiting list): a cohort still follows the rest.
    Side effects: those of ``registrations.services.registration.register`` (its confirmation mail).
    """

    now = now or timezone.now()
    if enrolment.status != Enrolment.Status.ACTIVE or not _registrable(event, now=now):
        return None
    if SessionSkip.objects.filter(enrolment=enrolment, event=event).exists():
        return None
    existing = _active_registration(event=event, email=enrolment.email)
    if existing is not None:
        return existing
    try:
        return register(
            event=event,
            name=enrolment.name,
            email=enrolment.email,
            user=enrolment.user,
            # the organiser records the participant's consent when enrolling them in the cohort
            consent_data_processing=True,
            source="cohort",
        )
    except DomainError as error:
        logger.info("Cohort enrolment %s not registered for event %s: %s", enrolment.pk, event.pk, error.code)
        return None


@transaction.atomic
def enrol(
    *,
    cohort: Cohort,
    name: str,
    email: str,
    user=None,
    sector: str = "",
    age_group: str = "",
    region=None,
    mentor=None,
    by=None,
    now=None,
) -> Enrolment:
    """Enrol a participant and register them for every future session of the cohort.

    Enrolling someone already active in the cohort returns their enrolment unchanged.
    Side effects: one registration per session (see ``register_for_session``) and one
    ``cohort_enrolled`` message listing the places and the waiting lists it booked.
    """
    now = now or timezone.now()
    email = tidy_email(email)
    existing = Enrolment.objects.filter(cohort=cohort, email=email, status=Enrolment.Status.ACTIVE).first()
    if existing is not None:
        return existing
    # the name each session's registration takes (register() tidies it the same way): a name of
    # only invisible characters would enrol someone every session then refuses, silently
    name = tidy_name(name)
    if not name:
        raise ProgrammeError(_("Give the participant's name."), "name_required")
    if user is None:
        # the participant's account, when they have exactly one under this email: they then see their journey
        accounts = list(get_user_model().objects.filter(email__iexact=email)[:2])
        user = accounts[0] if len(accounts) == 1 else None
    enrolment = Enrolment(
        cohort=cohort,
        name=name,
        email=email,
        user=user,
        sector=sector,
        age_group=age_group,
        region=region,
        joined_at=now,
    )
    if mentor is not None:
        _check_mentor(cohort=cohort, mentor=mentor)
        enrolment.mentor = mentor
    # one active enrolment per address is the database's (the IntegrityError below): a rival may commit it any moment
    _validated(enrolment, exclude=["mentor"], constraints=False)
    try:
        with transaction.atomic():
            enrolment.save()
    except IntegrityError:
        # enrolled at the same moment by another request (a double click, a pasted list's job):
        # the unique active enrolment per email decides, and this call returns that one
        existing = Enrolment.objects.filter(cohort=cohort, email=email, status=Enrolment.Status.ACTIVE).first()
        if existing is None:
            raise
        return existing
    sessions = selectors.cohort_events(cohort).filter(status=EventStatus.PUBLISHED, start__gt=now).order_by("start")
    booked_places, waiting_lists = [], []
    for event in sessions:
        registration = register_for_session(enrolment=enrolment, event=event, now=now)
        status = registration.status if registration is not None else None
        if status == RegistrationStatus.CONFIRMED:
            booked_places.append(_session_line(event))
        elif status == RegistrationStatus.WAITLISTED:
            waiting_lists.append(_session_line(event))
    log_action(by=by, action="enrolment.created", subject=enrolment)
    _tell_enrolled(enrolment, booked_places=booked_places, waiting_lists=waiting_lists, sessions=sessions)
    return enrolment


def _session_line(event: Event) -> dict:
    """A session as a cohort message lists it (``session|begins`` writes it in the reader's words)."""
    return {
        "title": event.title,
        "start": when.iso(event.start, event.zone),
        "zone": event.timezone,
        "all_day": event.all_day,
        "event": event.pk,
    }


def _tell_enrolled(enrolment: Enrolment, *, booked_places: list, waiting_lists: list, sessions) -> None:
    """One ``cohort_enrolled`` message for the enrolment, however many sessions it booked (each
    session's own confirmation would be ~16 emails a mentee): enrolled by someone else, the
    participant hears of it here first, not from their first reminder. Someone whose language is
    unknown reads it in the language of the sessions' mail to come (the first session's), not in
    the site's default."""
    if not enrolment.email:
        return
    first_session = sessions.first() or selectors.cohort_events(enrolment.cohort).order_by("-start").first()
    queue_message(
        kind=kinds.COHORT_ENROLLED,
        recipient_email=enrolment.email,
        recipient_name=enrolment.name,
        about=enrolment,
        about_is_new=True,
        context={
            "cohort_name": enrolment.cohort.name,
            "programme_title": enrolment.cohort.programme.title,
            "booked_places": booked_places,
            "waiting_lists": waiting_lists,
            "tickets_url": f"{settings.SITE_URL}{reverse('ticket-recovery')}",
            FALLBACK_LANGUAGE: default_language(first_session),
        },
    )


def register_cohorts_for_event(*, event: Event, now=None) -> list:
    """Register every active member of the cohorts following a (newly published) event.

    Safe to run twice: members already registered keep their registration.
    """
    now = now or timezone.now()
    if not _registrable(event, now=now):
        return []
    registrations = []
    cohorts = selectors.cohorts_following(event)
    members = Enrolment.objects.filter(cohort__in=cohorts, status=Enrolment.Status.ACTIVE).order_by("joined_at", "id")
    for enrolment in members:
        with transaction.atomic():
            registration = register_for_session(enrolment=enrolment, event=event, now=now)
        if registration is not None:
            registrations.append(registration)
    return registrations


def _cohort_event(enrolment: Enrolment, event_id) -> Event:
    event = selectors.cohort_events(enrolment.cohort).filter(pk=event_id).first()
    if event is None:
        raise NotInCohort(_("This event is not one of the cohort's sessions."))
    return event


def _locked(enrolment: Enrolment) -> Enrolment:
    """The enrolment read again under a row lock: a participant's changes (skip, undo, leave)
    come one at a time, so a double click finds the first one's result, not a unique-constraint
    error, and a skip never lands on a participant leaving at that moment."""
    return Enrolment.objects.select_for_update().get(pk=enrolment.pk)


@transaction.atomic
def skip_session(*, enrolment: Enrolment, event: Event, reason: str = "", by=None, now=None) -> SessionSkip:
    """The participant will not come to one session: their registration for it is cancelled.

    A skipped session counts neither as attended nor as missed. Skipping twice returns the first skip.
    Side effects: those of ``cancel_registration`` (a seat may go to the waiting list).
    """

    now = now or timezone.now()
    enrolment = _locked(enrolment)
    event = _cohort_event(enrolment, event.pk)
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise ProgrammeError(_("The participant has left the cohort."), "enrolment_left")
    skip = SessionSkip.objects.filter(enrolment=enrolment, event=event).first()
    if skip is not None:
        return skip
    if event.start <= now:
        raise ProgrammeError(_("A session that has started cannot be skipped."), "session_started")
    skip = SessionSkip.objects.create(enrolment=enrolment, event=event, reason=reason[:300])
    registration = _active_registration(event=event, email=enrolment.email)
    if registration is not None:
        cancel_registration(registration=registration, by=by)
    # the reason may be personal (an illness): the log keeps which session, not why
    log_action(by=by, action="enrolment.session_skipped", subject=enrolment, data={"event": event.pk})
    return skip


@transaction.atomic
def undo_skip(*, enrolment: Enrolment, event: Event, by=None, now=None) -> Registration | None:
    """The participant can come after all: their skip of a session still to come is withdrawn and
    they are registered for it again, as enrolment registers them (``register_for_session``).

    Returns the registration, or None when the session no longer takes them (closed, invitation
    only, full without a waiting list). Their old seat may have gone to the waiting list meanwhile:
    capacity decides again, so they may now be waitlisted. Undoing a skip that is not there returns
    their current registration and changes nothing. A session that has started keeps its skip: the
    journey would otherwise count it as missed.
    Side effects: those of ``registrations.services.registration.register`` (its confirmation mail).
    """

    now = now or timezone.now()
    enrolment = _locked(enrolment)
    event = _cohort_event(enrolment, event.pk)
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise ProgrammeError(_("The participant has left the cohort."), "enrolment_left")
    skip = SessionSkip.objects.filter(enrolment=enrolment, event=event).first()
    if skip is None:
        return _active_registration(event=event, email=enrolment.email)
    if event.start <= now:
        raise ProgrammeError(_("A session that has started cannot be taken back."), "session_started")
    skip.delete()
    registration = register_for_session(enrolment=enrolment, event=event, now=now)
    log_action(by=by, action="enrolment.skip_undone", subject=enrolment, data={"event": event.pk})
    return registration


def _still_needed(enrolment: Enrolment, *, now) -> set[int]:
    """The future events another active enrolment of the same address (another programme's cohort
    sharing the event) still books: a place there is theirs too, and leaving this cohort leaves it.
    A registration does not record which cohort booked it, so this is asked of the enrolments."""
    needed: set[int] = set()
    others = (
        Enrolment.objects.filter(email=enrolment.email, status=Enrolment.Status.ACTIVE)
        .exclude(pk=enrolment.pk)
        .select_related("cohort__programme")
    )
    for other in others:
        skipped = SessionSkip.objects.filter(enrolment=other).values("event_id")
        needed.update(
            selectors.cohort_events(other.cohort)
            .filter(start__gt=now)
            .exclude(pk__in=skipped)
            .values_list("pk", flat=True)
        )
    return needed


@transaction.atomic
def leave_cohort(*, enrolment: Enrolment, by=None, now=None) -> Enrolment:
    """The participant leaves: their cohort registrations for sessions still to come are cancelled.

    Registrations they made themselves, and past sessions, stay as they are; so does a place another
    of their active enrolments still books (two programmes' cohorts sharing a session). Leaving
    twice changes nothing.
    Side effects: seats freed as by ``cancel_registration``, and one ``cohort_left`` message listing
    the cancelled places and, apart, the waiting lists left (not one cancellation each). It carries
    a calendar cancellation (METHOD:CANCEL) for each session whose calendar invitation was sent to the participant (a
    promotion from the waiting list, an event change, a resent ticket): enrolling itself sends none.
    """

    now = now or timezone.now()
    enrolment = _locked(enrolment)
    if enrolment.status == Enrolment.Status.LEFT:
        return enrolment
    enrolment.status = Enrolment.Status.LEFT
    enrolment.left_at = now
    enrolment.save(update_fields=["status", "left_at"])
    log_action(by=by, action="enrolment.left", subject=enrolment)
    future = selectors.cohort_events(enrolment.cohort).filter(start__gt=now).values("pk")
    registrations = (
        Registration.objects.filter(
            event_id__in=future, email=enrolment.email, source="cohort", status__in=ACTIVE_STATUSES
        )
        .exclude(event_id__in=_still_needed(enrolment, now=now))
        .select_related("event")
    )
    registrations = list(registrations.order_by("event__start"))
    # what is in the participant's calendar is what the outbox sent them, not what the places
    # are: enrolling books every session without a message, so without an invitation
    in_calendar = calendar_invitation_sent(registrations)
    cancelled_places, left_waiting_lists = [], []
    for registration in registrations:
        # a place on the waiting list is not a place: the message says the two apart
        ended = left_waiting_lists if registration.status == RegistrationStatus.WAITLISTED else cancelled_places
        # one message for the one action, not one cancellation per session
        cancel_registration(registration=registration, by=by, tell=False)
        ended.append(_session_line(registration.event) | {"in_calendar": registration.pk in in_calendar})
    if (cancelled_places or left_waiting_lists) and enrolment.email:
        queue_message(
            kind=kinds.COHORT_LEFT,
            recipient_email=enrolment.email,
            recipient_name=enrolment.name,
            about=enrolment,
            context={
                "cohort_name": enrolment.cohort.name,
                "programme_title": enrolment.cohort.programme.title,
                "cancelled_places": cancelled_places,
                "left_waiting_lists": left_waiting_lists,
            },
        )
    return enrolment


# --- mentoring ------------------------------------------------------------------------


def _check_mentor(*, cohort: Cohort, mentor) -> None:
    if cohort.series_id is None or cohort.series.kind != EventKind.MENTORING_SESSION:
        raise ProgrammeError(_("Mentors are paired within a cohort of a mentoring series."), "not_mentoring_cohort")
    if MENTOR_ROLE not in (mentor.roles or []):
        raise ProgrammeError(_("This speaker is not a mentor."), "not_a_mentor")


@transaction.atomic
def assign_mentor(*, enrolment: Enrolment, mentor, by=None) -> Enrolment:
    """Pair a mentee with a mentor (a speaker with the mentor role), or unpair with ``mentor=None``."""
    if mentor is not None:
        _check_mentor(cohort=enrolment.cohort, mentor=mentor)
    enrolment.mentor = mentor
    enrolment.save(update_fields=["mentor"])
    action = "enrolment.mentor_assigned" if mentor is not None else "enrolment.mentor_removed"
    log_action(by=by, action=action, subject=enrolment)
    return enrolment


def export_enrolments_of(*, user) -> list[dict]:
    """A person's programme enrolments, for their data export (``events_project.privacy``)."""

    def iso(value):
        # the site's zone with the offset, as the API writes times
        return when.iso(value) if value else None

    return [
        {
            "programme": enrolment.cohort.programme.title,
            "cohort": enrolment.cohort.name,
            "name": enrolment.name,
            "email": enrolment.email,
            "status": enrolment.status,
            "joined_at": iso(enrolment.joined_at),
            "left_at": iso(enrolment.left_at),
        }
        for enrolment in Enrolment.objects.filter(user=user).select_related("cohort__programme")
    ]


def erase_enrolments_of(*, user) -> int:
    """Erasure anonymises enrolments: the programme's figures keep them, the person's name goes."""
    erased = 0
    for pk in Enrolment.objects.filter(user=user).values_list("pk", flat=True):
        erased += Enrolment.objects.filter(pk=pk).update(
            name=ERASED_NAME, email=f"erased-enrolment-{pk}@{ERASED_DOMAIN}", user=None
        )
    return erased
