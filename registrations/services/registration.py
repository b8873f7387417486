"""Registering for an event, and every later change of a registration's status.

Where things are decided:
- seats: :mod:`registrations.services.seats` (conditional UPDATE on Event.seats_taken);
- who may register and how (window, mode, consent, answers, party): :func:`register`;
- the waiting list: :func:`promote_waiting_list` (strict order, see below), :func:`accept_offer`,
  :func:`expire_offers`.

Waiting-list rule (pretix's, not Indico's): the list is served strictly in order of
``waiting_since``. When the first person waiting needs more seats than are free (a family of
four, two seats free), nobody behind them skips ahead; the seats wait until enough are free.
While anyone is waiting, new online registrations join the end of the list rather than take a
seat someone waiting is owed. Organisers can still move a chosen person off the list by hand
(:func:`promote_registration`).

Every transition queues a message through ``notifications.services.queue_message`` inside the
transaction; the notifications app sends it after commit.
"""

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from events.models import Event, EventStatus, RegistrationMode
from notifications import kinds
from notifications.services import queue_message
from registrations.exceptions import (
    EventFull,
    InvalidAnswer,
    InvalidInvitation,
    InvalidRegistrationTransition,
    NotFound,
    RegistrationClosed,
    RegistrationError,
)
from registrations.models import ACTIVE_STATUSES, Answer, Invitation, Question, Registration, RegistrationStatus
from registrations.services.seats import release_seats, take_seats

logger = logging.getLogger(__name__)

Status = RegistrationStatus
Source = Registration.Source

# A parent with their children or a teacher with a class; larger groups are arranged by hand.
MAX_PARTY_SIZE = 30
TRUE_WORDS = {"true", "yes", "1", "on"}
FALSE_WORDS = {"false", "no", "0", "off"}
STAFF_SOURCES = (Source.ORGANISER, Source.WALK_IN, Source.COHORT)
# how many waiting entries one promotion pass reads at a time
PROMOTION_BATCH = 50


def normalise_email(email: str | None) -> str:
    return (email or "").strip().lower()


def _tell(registration: Registration, kind: str, **context) -> None:
    """Queue one message about ``registration`` to its registrant (sent after commit)."""
    if not registration.email:
        return
    queue_message(
        kind=kind,
        recipient_email=registration.email,
        recipient_name=registration.name,
        about=registration,
        event=registration.event,
        context=context or None,
    )


def _clean_party(party_size, party_names) -> tuple[int, list[str]]:
    try:
        party_size = int(party_size)
    except (TypeError, ValueError):
        raise RegistrationError("Party size must be a whole number.", "invalid_party_size") from None
    if not 1 <= party_size <= MAX_PARTY_SIZE:
        raise RegistrationError(f"Party size must be between 1 and {MAX_PARTY_SIZE}.", "invalid_party_size")
    names = [str(name).strip() for name in (party_names or []) if str(name).strip()]
    if len(names) > party_size - 1:
        raise RegistrationError(
            "List the names of the people you bring: at most party size minus one.", "too_many_party_names"
        )
    return party_size, names


def _answer_error(question: Question, message: str, code: str) -> InvalidAnswer:
    return InvalidAnswer(message, code, extra={"question": question.pk})


def _clean_answers(*, event: Event, answers: dict | None, enforce_required: bool) -> list[tuple[Question, str]]:
    """Check answers against the event's questions; return (question, stored value) pairs."""
    answers = {str(key): value for key, value in (answers or {}).items()}
    questions = {str(question.pk): question for question in event.questions.all()}
    unknown = sorted(set(answers) - set(questions))
    if unknown:
        raise InvalidAnswer(
            f"Unknown question: {', '.join(unknown)}.", "unknown_question", extra={"questions": unknown}
        )
    cleaned = []
    for key, question in questions.items():
        raw = answers.get(key)
        value = "" if raw is None else (str(raw).strip() if not isinstance(raw, bool) else ("yes" if raw else "no"))
        if value == "":
            if question.required and enforce_required:
                raise _answer_error(question, f"“{question.label}” needs an answer.", "answer_required")
            continue
        if question.kind == Question.Kind.CHOICE and value not in [str(choice) for choice in question.choices]:
            raise _answer_error(question, f"“{question.label}”: choose one of the options.", "invalid_choice")
        if question.kind == Question.Kind.BOOLEAN:
            if value.lower() not in TRUE_WORDS | FALSE_WORDS:
                raise _answer_error(question, f"“{question.label}”: answer yes or no.", "invalid_boolean")
            value = "yes" if value.lower() in TRUE_WORDS else "no"
        if question.kind == Question.Kind.NUMBER:
            try:
                number = float(value)
            except ValueError:
                number = None
            if number is None or number != number or number in (float("inf"), float("-inf")):
                raise _answer_error(question, f"“{question.label}”: give a number.", "invalid_number")
        cleaned.append((question, value[:2000]))
    return cleaned


def active_registration(*, event: Event, email: str, user=None) -> Registration | None:
    match = Q(email=email) if email else Q(pk__in=[])
    if user is not None and getattr(user, "is_authenticated", False):
        match |= Q(user=user)
    return Registration.objects.filter(match, event=event, status__in=ACTIVE_STATUSES).first()


def _someone_waiting(event: Event) -> bool:
    return Registration.objects.filter(event=event, status=Status.WAITLISTED).exists()


def _use_invitation(*, event: Event, code: str, now: dt.datetime) -> Invitation:
    invitation = Invitation.objects.filter(code=code, event=event).first()
    if invitation is None or invitation.revoked_at is not None:
        raise InvalidInvitation("This invitation code is not valid for this event.", "invalid_invitation")
    if event.rsvp_deadline and now >= event.rsvp_deadline:
        raise RegistrationClosed("The deadline to answer this invitation has passed.", "rsvp_deadline_passed")
    # single use even when two people try the same code at once
    if not Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(used_at=now):
        raise InvalidInvitation("This invitation code has already been used.", "invitation_used")
    return invitation


def register(
    *,
    event: Event,
    name: str,
    email: str,
    user=None,
    answers: dict | None = None,
    party_size: int = 1,
    party_names: list | None = None,
    consent_data_processing: bool,
    consent_recording: bool | None = None,
    sector: str = "",
    organisation: str = "",
    invitation_code: str | None = None,
    source: str = Source.ONLINE,
) -> Registration:
    """Register a person (and the party they bring) for an event.

    Returns the new registration, confirmed / pending / waitlisted; or, when the person already
    holds an active registration for the event, that one, with ``already_registered = True``.
    Online registrations respect the registration window, the event's mode, consent and required
    questions; organisers adding someone by hand (``source="organiser"``) skip window, mode and
    required questions, and walk-ins never join the waiting list.

    Side effects: queues registration_confirmed, registration_pending or waiting_list_joined.
    """
    user = user if getattr(user, "is_authenticated", False) else None
    email = normalise_email(email or (user.email if user else ""))
    name = (name or "").strip() or (user.get_full_name() or user.username if user else "")
    staff = source in STAFF_SOURCES
    if not name:
        raise RegistrationError("Give the name of the person registering.", "name_required")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise RegistrationError("Give a valid email address.", "invalid_email") from None
    elif source != Source.WALK_IN:
        raise RegistrationError("Give an email address.", "email_required")
    party_size, party_names = _clean_party(party_size, party_names)

    if event.status == EventStatus.DRAFT and not staff:
        raise NotFound("No such event.", "not_found")
    if event.status != EventStatus.PUBLISHED:
        raise RegistrationClosed(f"The event is {event.get_status_display().lower()}.", "registration_closed")
    if not staff and not event.registration_is_open():
        raise RegistrationClosed("Registration for this event is not open.", "registration_closed")
    if not staff and not consent_data_processing:
        raise RegistrationError("Consent to the processing of your data is required.", "consent_required")
    if not staff and event.asks_recording_consent and consent_recording is None:
        raise RegistrationError("Say whether you agree to being recorded.", "recording_consent_required")
    if event.capacity is not None and party_size > event.capacity:
        raise RegistrationError("The party is larger than the event's capacity.", "party_too_large")
    needs_invitation = event.registration_mode == RegistrationMode.INVITATION and not staff
    if needs_invitation and not invitation_code:
        raise InvalidInvitation("This event is by invitation only.", "invitation_required")
    cleaned_answers = _clean_answers(event=event, answers=answers, enforce_required=not staff)

    try:
        return _create_registration(
            event=event,
            name=name[:200],
            email=email,
            user=user,
            answers=cleaned_answers,
            party_size=party_size,
            party_names=party_names,
            consent_data_processing=bool(consent_data_processing),
            consent_recording=consent_recording if event.asks_recording_consent else None,
            sector=sector,
            organisation=organisation[:200],
            invitation_code=invitation_code if needs_invitation else None,
            source=source,
        )
    except IntegrityError:
        # A simultaneous request for the same email won the partial unique constraint;
        # everything this one did (seats, invitation) was rolled back with the savepoint.
        existing = active_registration(event=event, email=email, user=user)
        if existing is None:
            raise
        existing.already_registered = True
        return existing


@transaction.atomic
def _create_registration(*, event, name, email, user, answers, invitation_code, source, **fields) -> Registration:
    now = timezone.now()
    existing = active_registration(event=event, email=email, user=user)
    if existing is not None:
        existing.already_registered = True
        return existing
    invitation = None
    if invitation_code:
        invitation = _use_invitation(event=event, code=invitation_code, now=now)
        fields["sector"] = fields["sector"] or invitation.sector
        fields["organisation"] = fields["organisation"] or invitation.organisation

    party_size = fields["party_size"]
    status, seats_held, waiting_since = Status.CONFIRMED, party_size, None
    if event.registration_mode == RegistrationMode.APPROVAL and source == Source.ONLINE:
        status, seats_held = Status.PENDING, 0
    elif (source == Source.ONLINE and _someone_waiting(event)) or not take_seats(event_id=event.pk, seats=party_size):
        if not event.waiting_list_enabled or source == Source.WALK_IN:
            raise EventFull("The event is full.", "event_full")
        status, seats_held, waiting_since = Status.WAITLISTED, 0, now

    registration = Registration.objects.create(
        event=event,
        user=user,
        name=name,
        email=email,
        status=status,
        source=source,
        seats_held=seats_held,
        waiting_since=waiting_since,
        invitation=invitation,
        consented_at=now if fields["consent_data_processing"] else None,
        confirmed_at=now if status == Status.CONFIRMED else None,
        **fields,
    )
    Answer.objects.bulk_create(
        [Answer(registration=registration, question=question, value=value) for question, value in answers]
    )
    registration.already_registered = False
    if status == Status.CONFIRMED:
        _tell(registration, kinds.REGISTRATION_CONFIRMED)
    elif status == Status.PENDING:
        _tell(registration, kinds.REGISTRATION_PENDING)
    else:
        _tell(registration, kinds.WAITING_LIST_JOINED, position=waiting_position(registration))
    return registration


def register_walk_in(*, event: Event, name: str, email: str = "", party_size: int = 1, by=None) -> Registration:
    """Register someone who arrived at the door: confirmed at once if a seat is left.

    Check-in is the caller's business (the check-in service). Raises EventFull when no seat is
    left; never joins the waiting list. Side effects: registration_confirmed when an email is given.
    """
    return register(
        event=event,
        name=name,
        email=email,
        party_size=party_size,
        consent_data_processing=True,
        source=Source.WALK_IN,
    )


def add_registration(*, event: Event, by, name: str, email: str, party_size: int = 1, **extra) -> Registration:
    """An organiser adds a person by hand: no window, mode or required questions; seats still count."""
    extra.setdefault("consent_data_processing", False)
    return register(event=event, name=name, email=email, party_size=party_size, source=Source.ORGANISER, **extra)


def waiting_position(registration: Registration) -> int | None:
    """1 for the first person waiting. None unless the registration is on the waiting list."""
    if registration.status != Status.WAITLISTED or registration.waiting_since is None:
        return None
    ahead = Registration.objects.filter(event_id=registration.event_id, status=Status.WAITLISTED).filter(
        Q(waiting_since__lt=registration.waiting_since)
        | Q(waiting_since=registration.waiting_since, pk__lt=registration.pk)
    )
    return ahead.count() + 1


# --- leaving ----------------------------------------------------------------------------


def _end(registration: Registration, *, to: str, now: dt.datetime) -> Registration | None:
    """Move an active registration to cancelled/rejected and give back its seats.

    Conditional on the status and seats we read, so two simultaneous cancels free the seats once.
    Returns the fresh registration, or None when it was no longer active.
    """
    for _attempt in range(3):
        current = Registration.objects.filter(pk=registration.pk).values("status", "seats_held").first()
        if current is None or current["status"] not in ACTIVE_STATUSES:
            return None
        changed = Registration.objects.filter(pk=registration.pk, **current).update(
            status=to, seats_held=0, cancelled_at=now, offer_expires_at=None, updated_at=now
        )
        if changed:
            release_seats(event_id=registration.event_id, seats=current["seats_held"])
            registration.refresh_from_db()
            registration.freed_seats = current["seats_held"]
            return registration
    raise InvalidRegistrationTransition("The registration is changing; try again.", "busy")


@transaction.atomic
def cancel_registration(*, registration: Registration, by=None, reason: str = "") -> Registration:
    """Cancel a registration (by the attendee, ``by=None``, or by an organiser). Repeating is harmless.

    Side effects: registration_cancelled; freed seats go to the waiting list.
    """
    ended = _end(registration, to=Status.CANCELLED, now=timezone.now())
    if ended is None:
        registration.refresh_from_db()
        if registration.status == Status.REJECTED:
            raise InvalidRegistrationTransition("A rejected registration cannot be cancelled.", "invalid_transition")
        return registration
    _tell(ended, kinds.REGISTRATION_CANCELLED, by_organiser=by is not None, reason=reason)
    if ended.freed_seats:
        promote_waiting_list(event=ended.event)
    return ended


@transaction.atomic
def reject_registration(*, registration: Registration, by, reason: str = "") -> Registration:
    """An organiser turns a registration down. Side effects: registration_rejected; seats freed."""
    ended = _end(registration, to=Status.REJECTED, now=timezone.now())
    if ended is None:
        registration.refresh_from_db()
        if registration.status == Status.REJECTED:
            return registration
        raise InvalidRegistrationTransition("A cancelled registration cannot be rejected.", "invalid_transition")
    _tell(ended, kinds.REGISTRATION_REJECTED, reason=reason)
    if ended.freed_seats:
        promote_waiting_list(event=ended.event)
    return ended


# --- taking a seat ----------------------------------------------------------------------


SEATED, NO_SEATS, MOVED = "seated", "no_seats", "moved"


def _seat(registration: Registration, *, from_statuses, to: str, now: dt.datetime, **changes) -> str:
    """Take the party's seats and move the registration to ``to``.

    Returns SEATED, NO_SEATS (not enough free) or MOVED (someone else changed it first).
    """
    if not take_seats(event_id=registration.event_id, seats=registration.party_size):
        return NO_SEATS
    moved = Registration.objects.filter(pk=registration.pk, status__in=from_statuses).update(
        status=to, seats_held=registration.party_size, updated_at=now, **changes
    )
    if not moved:
        # a parallel promotion or cancel got there first: give the seats back
        release_seats(event_id=registration.event_id, seats=registration.party_size)
        return MOVED
    registration.refresh_from_db()
    return SEATED


@transaction.atomic
def approve_registration(*, registration: Registration, by) -> Registration:
    """Approve a pending registration. Raises EventFull when its seats are not free.

    Side effects: registration_approved (which carries the ticket).
    """
    registration.refresh_from_db()
    if registration.status == Status.CONFIRMED:
        return registration
    if registration.status != Status.PENDING:
        raise InvalidRegistrationTransition(
            f"Only pending registrations can be approved; this one is {registration.status}.", "invalid_transition"
        )
    now = timezone.now()
    outcome = _seat(registration, from_statuses=[Status.PENDING], to=Status.CONFIRMED, now=now, confirmed_at=now)
    if outcome == MOVED:
        raise InvalidRegistrationTransition("The registration changed meanwhile.", "invalid_transition")
    if outcome == NO_SEATS:
        raise EventFull("Not enough seats left to approve this registration.", "event_full")
    _tell(registration, kinds.REGISTRATION_APPROVED)
    return registration


@transaction.atomic
def promote_registration(*, registration: Registration, by) -> Registration:
    """An organiser moves a chosen person off the waiting list (or a pending one in), out of order.

    Side effects: waiting_list_promoted (or registration_approved for a pending registration).
    """
    registration.refresh_from_db()
    if registration.status == Status.CONFIRMED:
        return registration
    if registration.status not in (Status.WAITLISTED, Status.OFFERED, Status.PENDING):
        raise InvalidRegistrationTransition(
            "Only waiting or pending registrations can be moved in.", "invalid_transition"
        )
    was = registration.status
    now = timezone.now()
    if was == Status.OFFERED:
        # the seats are already held: confirm in place
        Registration.objects.filter(pk=registration.pk, status=Status.OFFERED).update(
            status=Status.CONFIRMED, confirmed_at=now, offer_expires_at=None, updated_at=now
        )
        registration.refresh_from_db()
    elif _seat(registration, from_statuses=[was], to=Status.CONFIRMED, now=now, confirmed_at=now) != SEATED:
        raise EventFull("Not enough seats left; raise the capacity first.", "event_full")
    _tell(registration, kinds.REGISTRATION_APPROVED if was == Status.PENDING else kinds.WAITING_LIST_PROMOTED)
    return registration


@transaction.atomic
def promote_waiting_list(*, event: Event) -> list[Registration]:
    """Give free seats to the people waiting, strictly in order (see the module docstring).

    With ``event.offer_hold_hours`` the seat is offered (status offered, held until
    ``offer_expires_at``); otherwise the person is confirmed at once.
    Side effects: seat_offered or waiting_list_promoted for each person moved.
    """
    event = Event.objects.get(pk=event.pk)
    now = timezone.now()
    if event.status != EventStatus.PUBLISHED or event.end <= now:
        return []
    hold = dt.timedelta(hours=event.offer_hold_hours) if event.offer_hold_hours else None
    promoted: list[Registration] = []
    while True:
        batch = list(
            Registration.objects.filter(event=event, status=Status.WAITLISTED)
            .select_related("event")
            .order_by("waiting_since", "pk")[:PROMOTION_BATCH]
        )
        if not batch:
            return promoted
        for candidate in batch:
            if hold:
                changes = {"offer_expires_at": min(now + hold, event.start)}
                to = Status.OFFERED
            else:
                changes = {"confirmed_at": now}
                to = Status.CONFIRMED
            outcome = _seat(candidate, from_statuses=[Status.WAITLISTED], to=to, now=now, **changes)
            if outcome == MOVED:
                continue
            if outcome == NO_SEATS:
                return promoted  # the first in line does not fit: nobody skips ahead
            if to == Status.OFFERED:
                _tell(candidate, kinds.SEAT_OFFERED, offer_expires_at=candidate.offer_expires_at.isoformat())
            else:
                _tell(candidate, kinds.WAITING_LIST_PROMOTED)
            promoted.append(candidate)


def accept_offer(*, registration: Registration) -> Registration:
    """The person offered a seat takes it. An expired offer is withdrawn at once and refused
    (code ``offer_expired``), so no stale offer survives until the next sweep.

    Side effects: registration_confirmed.
    """
    with transaction.atomic():
        registration.refresh_from_db()
        if registration.status == Status.CONFIRMED:
            return registration
        if registration.status != Status.OFFERED:
            raise InvalidRegistrationTransition("There is no seat on offer for this registration.", "no_offer")
        now = timezone.now()
        if registration.offer_expires_at is None or registration.offer_expires_at > now:
            Registration.objects.filter(pk=registration.pk, status=Status.OFFERED).update(
                status=Status.CONFIRMED, confirmed_at=now, offer_expires_at=None, updated_at=now
            )
            registration.refresh_from_db()
            if registration.status == Status.CONFIRMED:
                _tell(registration, kinds.REGISTRATION_CONFIRMED)
                return registration
    expire_offers(now=now)
    raise InvalidRegistrationTransition("The offer has expired.", "offer_expired")


def expire_offers(now: dt.datetime | None = None) -> int:
    """Withdraw every offer past its time and pass the seats on. Returns how many expired.

    Each offer in a transaction of its own, so one failure does not keep the others.
    Side effects: registration_cancelled to whoever missed the offer; seat_offered /
    waiting_list_promoted to whoever is next.
    """
    now = now or timezone.now()
    expired = 0
    due = Registration.objects.filter(status=Status.OFFERED, offer_expires_at__lte=now).order_by("offer_expires_at")
    for registration in due.select_related("event"):
        with transaction.atomic():
            still_due = due.filter(pk=registration.pk)
            if not still_due.exists():
                continue
            ended = _end(registration, to=Status.CANCELLED, now=now)
            if ended is None:
                continue
            _tell(ended, kinds.REGISTRATION_CANCELLED, reason="offer_expired")
            promote_waiting_list(event=ended.event)
            expired += 1
    return expired


# --- substitution -----------------------------------------------------------------------


@transaction.atomic
def transfer_registration(
    *, registration: Registration, name: str, email: str, by=None, consent_data_processing: bool = True
) -> Registration:
    """An invited delegate hands their place to a named colleague.

    The delegate's registration is cancelled (its ticket stops working) and the colleague gets
    a new one with the same status, seats, sector and invitation, ``substitute_for`` pointing back.
    Seats move with it: the event's count does not change.
    Side effects: registration_cancelled to the delegate; the colleague's confirmation.
    """
    registration.refresh_from_db()
    event = registration.event
    if event.registration_mode != RegistrationMode.INVITATION:
        raise InvalidRegistrationTransition("Only invitations can be passed to a colleague.", "transfer_not_allowed")
    if registration.status not in (Status.CONFIRMED, Status.PENDING, Status.WAITLISTED):
        raise InvalidRegistrationTransition("This registration can no longer be transferred.", "invalid_transition")
    if by is None and not consent_data_processing:
        raise RegistrationError("The colleague's consent to data processing is required.", "consent_required")
    email = normalise_email(email)
    name = (name or "").strip()
    if not name:
        raise RegistrationError("Give the colleague's name.", "name_required")
    try:
        validate_email(email)
    except ValidationError:
        raise RegistrationError("Give a valid email address.", "invalid_email") from None
    if email == registration.email:
        raise RegistrationError("The colleague must be someone else.", "same_person")
    if active_registration(event=event, email=email) is not None:
        raise InvalidRegistrationTransition("The colleague is already registered.", "already_registered")
    now = timezone.now()
    seats = registration.seats_held
    moved = Registration.objects.filter(pk=registration.pk, status=registration.status, seats_held=seats).update(
        status=Status.CANCELLED, seats_held=0, cancelled_at=now, updated_at=now
    )
    if not moved:
        raise InvalidRegistrationTransition("The registration changed meanwhile; try again.", "busy")
    substitute = Registration.objects.create(
        event=event,
        name=name[:200],
        email=email,
        status=registration.status,
        source=registration.source,
        party_size=registration.party_size,
        seats_held=seats,
        waiting_since=registration.waiting_since,
        sector=registration.sector,
        organisation=registration.organisation,
        invitation=registration.invitation,
        substitute_for=registration,
        consent_data_processing=bool(consent_data_processing),
        consented_at=now if consent_data_processing else None,
        confirmed_at=now if registration.status == Status.CONFIRMED else None,
    )
    Answer.objects.bulk_create(
        [Answer(registration=substitute, question_id=a.question_id, value=a.value) for a in registration.answers.all()]
    )
    registration.refresh_from_db()
    _tell(registration, kinds.REGISTRATION_CANCELLED, substituted_by=name)
    kind = {
        Status.CONFIRMED: kinds.REGISTRATION_CONFIRMED,
        Status.PENDING: kinds.REGISTRATION_PENDING,
        Status.WAITLISTED: kinds.WAITING_LIST_JOINED,
    }[substitute.status]
    _tell(substitute, kind, substitute_for=registration.name)
    return substitute


# --- the event itself changes -----------------------------------------------------------


@transaction.atomic
def cancel_registrations_of_event(*, event: Event, reason: str = "") -> int:
    """The event is cancelled: every active registration ends. Returns how many.

    Side effects: event_cancelled to each registrant and everyone waiting.
    """
    now = timezone.now()
    cancelled = 0
    for registration in Registration.objects.filter(event=event, status__in=ACTIVE_STATUSES).select_related("event"):
        if _end(registration, to=Status.CANCELLED, now=now) is not None:
            _tell(registration, kinds.EVENT_CANCELLED, reason=reason)
            cancelled += 1
    return cancelled
