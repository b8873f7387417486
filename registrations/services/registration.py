"""Registering for an event, and every later change of a registration's status.

Where things are decided:
- who may register and how (window, mode, consent, answers, party, duplicates): :func:`register`;
- seats: :mod:`registrations.services.seats` (conditional UPDATE on Event.seats_taken);
- the waiting list, seat offers and their expiry: :mod:`registrations.services.waiting_list`
  (its functions are re-exported here, so callers need one module);
- approval, rejection, cancellation, substitution: below.

Every transition queues a message through ``notifications.services.queue_message`` inside the
transaction (:mod:`registrations.services.messages`); the notifications app sends it after commit.
"""

import collections
import contextlib
import datetime as dt
import functools
import hashlib
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events.models import MAX_PARTY_SIZE, Event, EventStatus, RegistrationMode, WhenFull
from events.selectors import events_visible_to
from events.services import log_action
from events_project import prepared
from events_project.limits import validate_email
from events_project.people import account_name, tidy_name
from events_project.prepared import PreparedGet, insert, insert_select
from events_project.typed_text import tidy_email, tidy_line, tidy_text
from notifications import kinds
from notifications.language import supported
from notifications.services import MessageSpec, message_about_new, queue_messages, queued_about_new
from registrations.exceptions import (
    EventFull,
    InvalidAnswer,
    InvalidInvitation,
    InvalidRegistrationTransition,
    NotFound,
    RegistrationClosed,
    RegistrationError,
)
from registrations.models import (
    ACTIVE_STATUSES,
    ANSWER_MAX_LENGTH,
    NUMBER_ANSWER_MAX,
    Answer,
    Invitation,
    Question,
    Registration,
    RegistrationStatus,
    Sector,
)
from registrations.services.messages import is_over, tell_registrant
from registrations.services.recovery import send_link_to_holder
from registrations.services.seats import (
    MOVED,
    NO_SEATS,
    end_registration,
    left_waiting_lists,
    release_seats_of_events,
    seat_registration,
    seats_taken_sql,
    take_seats,
)
from registrations.services.waiting_list import (  # noqa: F401 -- part of this module's interface
    accept_offer,
    expire_offers,
    join_waiting_list,
    promote_registration,
    promote_waiting_list,
    waiting_position,
)

logger = logging.getLogger(__name__)

Status = RegistrationStatus
Source = Registration.Source

TRUE_WORDS = {"true", "yes", "1", "on"}
FALSE_WORDS = {"false", "no", "0", "off"}
STAFF_SOURCES = (Source.ORGANISER, Source.WALK_IN, Source.COHORT)


def normalise_email(email: str | None) -> str:
    return tidy_email(email)


def _clean_party(party_size, party_names) -> tuple[int, list[str]]:
    try:
        party_size = int(party_size)
    except (TypeError, ValueError):
        raise RegistrationError(_("Party size must be a whole number."), "invalid_party_size") from None
    if not 1 <= party_size <= MAX_PARTY_SIZE:
        raise RegistrationError(
            _("Party size must be between 1 and %(max)s.") % {"max": MAX_PARTY_SIZE}, "invalid_party_size"
        )
    names = [tidy_name(name) for name in (party_names or []) if tidy_name(name)]
    if len(names) > party_size - 1:
        raise RegistrationError(
            _("List the names of the people you bring: at most party size minus one."), "too_many_party_names"
        )
    return party_size, names


def _answer_error(question: Question, message: str, code: str) -> InvalidAnswer:
    return InvalidAnswer(message, code, extra={"question": question.pk})


UNKNOWN_QUESTIONS_NAMED = 5
UNKNOWN_KEY_CHARS = 40


def _clean_answers(*, event: Event, answers: dict | None, enforce_required: bool) -> list[tuple[Question, str]]:
    """Check answers against the event's questions; return (question, stored value) pairs."""
    answers = {str(key): value for key, value in (answers or {}).items()}
    # an event read by event_to_register_for knows whether it asks anything: no query when not
    asks = getattr(event, "has_questions", True)
    questions = {str(question.pk): question for question in event.questions.all()} if asks else {}
    unknown = sorted(set(answers) - set(questions))
    if unknown:
        # a few named (each cut short) and the count: 50,000 unknown ids were all echoed back
        named = [key if len(key) <= UNKNOWN_KEY_CHARS else key[: UNKNOWN_KEY_CHARS - 1] + "…" for key in unknown]
        named = named[:UNKNOWN_QUESTIONS_NAMED]
        more = len(unknown) - len(named)
        if more:
            message = ngettext(
                "Unknown questions: %(questions)s and %(more)s more.",
                "Unknown questions: %(questions)s and %(more)s more.",
                more,
            ) % {"questions": ", ".join(named), "more": more}
        else:
            message = _("Unknown question: %(questions)s.") % {"questions": ", ".join(named)}
        raise InvalidAnswer(message, "unknown_question", extra={"questions": named, "unknown_count": len(unknown)})
    cleaned = []
    for key, question in questions.items():
        raw = answers.get(key)
        # an answer of only invisible characters (zero-width, bidi marks) is no answer
        value = ("yes" if raw else "no") if isinstance(raw, bool) else tidy_text(raw)
        if value == "":
            if question.required and enforce_required:
                raise _answer_error(
                    question, _("“%(label)s” needs an answer.") % {"label": question.label}, "answer_required"
                )
            continue
        if question.kind == Question.Kind.CHOICE and value not in [str(choice) for choice in question.choices]:
            raise _answer_error(
                question, _("“%(label)s”: choose one of the options.") % {"label": question.label}, "invalid_choice"
            )
        if question.kind == Question.Kind.BOOLEAN:
            if value.lower() not in TRUE_WORDS | FALSE_WORDS:
                raise _answer_error(
                    question, _("“%(label)s”: answer yes or no.") % {"label": question.label}, "invalid_boolean"
                )
            value = "yes" if value.lower() in TRUE_WORDS else "no"
        if question.kind == Question.Kind.NUMBER:
            # a whole number from 0 to NUMBER_ANSWER_MAX, as the page asks; stored as the page
            # stores it ("007" is "7"); "1e+308", "1_000", other scripts' digits are no answer
            if not (value.isascii() and value.isdigit() and int(value) <= NUMBER_ANSWER_MAX):
                raise _answer_error(
                    question,
                    _("“%(label)s”: give a whole number from 0 to %(max)s.")
                    % {"label": question.label, "max": NUMBER_ANSWER_MAX},
                    "invalid_number",
                )
            value = str(int(value))
        if len(value) > ANSWER_MAX_LENGTH:
            # refused, not cut: the person would never know what was kept
            raise _answer_error(
                question,
                _("“%(label)s”: at most %(max)s characters.") % {"label": question.label, "max": ANSWER_MAX_LENGTH},
                "answer_too_long",
            )
        cleaned.append((question, value))
    return cleaned


def active_registration(*, event: Event, email: str, user=None) -> Registration | None:
    match = Q(email=email) if email else Q(pk__in=[])
    if user is not None and getattr(user, "is_authenticated", False):
        match |= Q(user=user)
    return Registration.objects.filter(match, event=event, status__in=ACTIVE_STATUSES).first()


def _use_invitation(*, event: Event, code: str, now: dt.datetime) -> Invitation:
    invitation = Invitation.objects.filter(code=code, event=event).first()
    if invitation is None or invitation.revoked_at is not None:
        raise InvalidInvitation(_("This invitation code is not valid for this event."), "invalid_invitation")
    if event.rsvp_deadline and now >= event.rsvp_deadline:
        raise RegistrationClosed(_("The deadline to answer this invitation has passed."), "rsvp_deadline_passed")
    # single use even when two people try the same code at once
    if not Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(used_at=now):
        raise InvalidInvitation(_("This invitation code has already been used."), "invitation_used")
    return invitation


@dataclass(frozen=True)
class Registered:
    """What registering did: the registration, and whether the person held it already (a
    repeated or second request: that registration, unchanged, and nothing sent)."""

    registration: Registration
    already: bool


def register_once(
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
    language: str = "",
) -> Registered:
    """Register a person (and the party they bring) for an event.

    Returns ``Registered``: the new registration, confirmed / pending / waitlisted; or, when the
    person already holds an active registration for the event, that one with ``already=True``.
    A signed-in ``user`` registering themself registers with their account's email address (a
    typed ``email`` is ignored). Online registrations respect the registration window, the
    event's mode, consent and required questions and the event's party limit
    (``max_party_size``); organisers adding someone by hand (``source="organiser"``) skip window,
    mode, party limit and required questions, and walk-ins never join the waiting list. A new
    waiting-list entry carries ``position_told``. ``language``: the one the person asked for
    (``notifications.language.request_language``), kept for their mail; "" when none.

    One transaction: the seat is a conditional UPDATE, the row an INSERT, the message one outbox
    row; a repeated request finds the first registration through the unique constraint.
    Side effects: queues registration_confirmed (not for cohort enrolments, which book whole
    series), registration_pending or waiting_list_joined; when the address held a registration
    already and the asker is not its signed-in owner (``owns``), an online registration queues
    ticket_links with its private link to that address instead (``recovery.send_link_to_holder``:
    once per registration and window), so callers may answer the asker without telling them
    anything of it.
    """
    return _register(
        event=lambda: event,
        event_id=event.pk,
        name=name,
        email=email,
        user=user,
        answers=answers,
        party_size=party_size,
        party_names=party_names,
        consent_data_processing=consent_data_processing,
        consent_recording=consent_recording,
        sector=sector,
        organisation=organisation,
        invitation_code=invitation_code,
        source=source,
        language=language,
    )


def _asks_questions() -> RawSQL:
    # as Exists(Question.objects.filter(event=OuterRef("pk"))), without resolving a subquery
    # for every registration (a third of the event read's CPU)
    quote = connection.ops.quote_name
    event = f"{quote(Event._meta.db_table)}.{quote(Event._meta.pk.column)}"
    question_event = quote(Question._meta.get_field("event").column)
    sql = f"EXISTS (SELECT 1 FROM {quote(Question._meta.db_table)} WHERE {question_event} = {event})"
    return RawSQL(sql, [], output_field=BooleanField())


def _readable(events: QuerySet[Event]) -> QuerySet[Event]:
    # the event's own row, and whether it asks questions in the same query (``has_questions``).
    # No joined or prefetched relations: the registration needs none of them (a message that
    # mentions the region loads it when rendered), and building their SELECT costs more CPU
    # than the rest of the registration's own work.
    return events.select_related(None).prefetch_related(None).annotate(has_questions=_asks_questions())


# what anyone may register for: the public events' selector, its SQL compiled once per process
_PUBLIC_EVENT = PreparedGet("register_public_event", lambda: _readable(events_visible_to(None)))


def event_to_register_for(*, event_id: int, user=None) -> Event:
    """The event ``user`` (None: an anonymous visitor) may see, read for a registration."""
    try:
        if user is None:
            return _PUBLIC_EVENT.get(event_id)
        # get(), not first(): no ORDER BY to build and run for a primary key
        return _readable(events_visible_to(user)).get(pk=event_id)
    except Event.DoesNotExist:
        raise NotFound(_("No such event."), "not_found") from None


def register(*, event: Event, **details) -> Registration:
    """:func:`register_once`, for a caller that needs only the registration (new or held already)."""
    return register_once(event=event, **details).registration


def register_for_event(*, event_id: int, user=None, **details) -> Registered:
    """:func:`register_once` for a caller that has the event's id only (the registration API).

    The event is read as ``user`` may see it (404 otherwise: ``events_visible_to``) inside the
    registration's own transaction, together with whether it asks questions, so a rush
    registration is one transaction: read, seat, row, message, commit.
    """
    user = user if getattr(user, "is_authenticated", False) else None
    return _register(
        event=lambda: event_to_register_for(event_id=event_id, user=user), event_id=event_id, user=user, **details
    )


# a repeated request may fail on these only because the first one went through
_REPEAT_ERRORS = (IntegrityError, EventFull, InvalidInvitation)


def _register(
    *,
    event,
    event_id: int,
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
    language: str = "",
) -> Registered:
    user = user if getattr(user, "is_authenticated", False) else None
    staff = source in STAFF_SOURCES
    if user is not None and user.email and not staff:
        # someone signed in registers with their account's address, whatever a form says: it is
        # where their ticket goes, and anyone can type someone else's address
        email = user.email
    email = normalise_email(email or (user.email if user else ""))
    name = tidy_name(name) or (account_name(user) if user else "")
    if not name:
        raise RegistrationError(_("Give the name of the person registering."), "name_required")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise RegistrationError(_("Give a valid email address."), "invalid_email") from None
    elif source != Source.WALK_IN:
        raise RegistrationError(_("Give an email address."), "email_required")
    party_size, party_names = _clean_party(party_size, party_names)
    if sector and sector not in Sector.values:
        raise RegistrationError(_("Unknown sector."), "invalid_sector")

    details = {
        "name": name[:200],
        "email": email,
        "user": user,
        "answers": answers,
        "party_size": party_size,
        "party_names": party_names,
        "consent_data_processing": bool(consent_data_processing),
        "consent_recording": consent_recording,
        "sector": sector,
        "organisation": tidy_line(organisation)[:200],
        "invitation_code": tidy_text(invitation_code),
        "source": source,
        # the language the person asked for (``notifications.language.request_language``: the
        # page's or the API's cookie / Accept-Language); messages use it. None asked records "",
        # as does a place booked by staff (an organiser, the door, a cohort enrolment): the
        # organiser's language is not the person's. Their own choice (MessagePreference) or the
        # event's / site's default (``default_language``) then applies to every message.
        "language": "" if staff else supported(language),
    }
    registered = _register_or_find(event=event, event_id=event_id, details=details)
    if registered.already and source == Source.ONLINE and not owns(user, registered.registration):
        # whoever typed the address learns nothing of its registration (the callers answer
        # alike whatever its status); its owner gets the link, in their inbox
        send_link_to_holder(registration=registered.registration)
    return registered


def owns(user, registration: Registration) -> bool:
    """Whether ``user`` is signed in as the owner of ``registration`` (its account): the one
    asker who may be told about it plainly when registering again."""
    return user is not None and getattr(user, "is_authenticated", False) and registration.user_id == user.pk


def _register_or_find(*, event, event_id: int, details: dict) -> Registered:
    user, email = details["user"], details["email"]
    try:
        if _one_statement_possible(user=user, source=details["source"], invitation_code=details["invitation_code"]):
            read = event()
            registered = _register_in_one_statement(event=read, **details)
            if registered is not None:
                return registered
            # no seat (the waiting list), or more to write: the transaction below, as for anyone
            event = lambda: read  # noqa: E731
        with transaction.atomic():
            return _create_registration(event=event(), **details)
    except _REPEAT_ERRORS:
        # The person may be registered already (a repeated request, or a simultaneous one that
        # won the partial unique constraint): everything this attempt did (seats, invitation)
        # was rolled back with its transaction; answer with the first registration.
        existing = active_registration(event=event_id, email=email, user=user)
        if existing is None:
            raise
        return Registered(existing, already=True)


def _check_event(*, event: Event, staff: bool, party_size: int, consent_data_processing, consent_recording) -> None:
    if event.status == EventStatus.DRAFT and not staff:
        raise NotFound(_("No such event."), "not_found")
    if event.status != EventStatus.PUBLISHED:
        raise RegistrationClosed(
            _("The event is %(status)s.") % {"status": event.get_status_display().lower()}, "registration_closed"
        )
    if not staff and not event.registration_is_open():
        raise RegistrationClosed(_("Registration for this event is not open."), "registration_closed")
    if not staff and not consent_data_processing:
        raise RegistrationError(_("Consent to the processing of your data is required."), "consent_required")
    if not staff and event.asks_recording_consent and consent_recording is None:
        raise RegistrationError(_("Say whether you agree to being recorded."), "recording_consent_required")
    if event.capacity is not None and party_size > event.capacity:
        raise RegistrationError(_("The party is larger than the event's capacity."), "party_too_large")
    # organisers at the door or adding someone by hand may seat a group the form would refuse
    if not staff and party_size > event.max_party_size:
        if event.max_party_size == 1:
            raise RegistrationError(_("Everyone registers on their own for this event."), "party_not_allowed")
        raise RegistrationError(
            _("A registration for this event brings at most %(max_party_size)s people.")
            % {"max_party_size": event.max_party_size},
            "party_too_large",
        )


def _checked(*, event, answers, invitation_code, source, consent_recording, fields) -> tuple[bool, list]:
    """The event's and the person's checks; whether an invitation is needed, and the answers to
    write. Sets ``fields["consent_recording"]``."""
    staff = source in STAFF_SOURCES
    _check_event(
        event=event,
        staff=staff,
        party_size=fields["party_size"],
        consent_data_processing=fields["consent_data_processing"],
        consent_recording=consent_recording,
    )
    needs_invitation = event.registration_mode == RegistrationMode.INVITATION and not staff
    if needs_invitation and not invitation_code:
        raise InvalidInvitation(_("This event is by invitation only."), "invitation_required")
    answers = _clean_answers(event=event, answers=answers, enforce_required=not staff)
    fields["consent_recording"] = consent_recording if event.asks_recording_consent else None
    return needs_invitation, answers


def _new_registration(*, event, user, name, email, status, source, now, fields, **values) -> Registration:
    """The registration's row, not yet written."""
    return Registration(
        event=event,
        user=user,
        name=name,
        email=email,
        status=status,
        source=source,
        consented_at=now if fields["consent_data_processing"] else None,
        confirmed_at=now if status == Status.CONFIRMED else None,
        **values,
        **fields,
    )


def _one_statement_possible(*, user, source: str, invitation_code: str) -> bool:
    """Whether a registration may try :func:`_register_in_one_statement` first: an anonymous
    person registering online on PostgreSQL (SQLite has no data-modifying WITH)."""
    return (
        user is None
        and source == Source.ONLINE
        and not invitation_code
        and connection.vendor == "postgresql"
        # rows written by a statement send no save signals: with a listener, save() them
        and not prepared.listened(Registration)
    )


@functools.lru_cache(maxsize=64)
def _statement_name(sql: str) -> str:
    # the statement differs with which values are None (events_project.prepared.insert_select)
    return f"register_in_one_statement_{hashlib.sha256(sql.encode()).hexdigest()[:12]}"


def _register_in_one_statement(
    *, event, name, email, user, answers, invitation_code, source, consent_recording, **fields
) -> Registered | None:
    """A confirmed registration as one statement outside any transaction: the seat's conditional
    ``UPDATE`` (behind the waiting list), the registration's ``INSERT`` and its confirmation's
    outbox row, each written only if the one before it was, in a data-modifying ``WITH``. The
    statement is its own transaction (autocommit): no ``BEGIN`` and ``COMMIT`` round trips; a
    duplicate fails it whole (IntegrityError, seat given back with it) as the transaction would.

    None, having written nothing, when the registration is not that simple (answers, approval,
    an invitation, no email address, an event that is over) or no seat was free (the waiting
    list): the caller then registers in a transaction, as for everyone else. Raises what the
    transaction's checks raise. Side effect: registration_confirmed, sent at once.
    """
    needs_invitation, answers = _checked(
        event=event,
        answers=answers,
        invitation_code=invitation_code,
        source=source,
        consent_recording=consent_recording,
        fields=fields,
    )
    simple = not (needs_invitation or answers or not email or event.registration_mode == RegistrationMode.APPROVAL)
    if not simple or (kinds.REGISTRATION_CONFIRMED in kinds.ABOUT_A_COMING_EVENT and is_over(event)):
        return None
    party_size = fields["party_size"]
    registration = _new_registration(
        event=event,
        user=user,
        name=name,
        email=email,
        status=Status.CONFIRMED,
        source=source,
        now=timezone.now(),
        fields=fields,
        seats_held=party_size,
        waiting_since=None,
        invitation=None,
    )
    written = message_about_new(
        kind=kinds.REGISTRATION_CONFIRMED,
        recipient_email=registration.email,
        recipient_name=registration.name,
        about=registration,
        event=event,
    )
    if written is None:
        return None
    seat_sql, seat_params = seats_taken_sql(event_id=event.pk, seats=party_size, behind_waiting_list=True)
    row_sql, row_params = insert_select(registration, source="seat")
    message_sql, message_params = insert_select(
        written.message,
        source="registration",
        computed={
            "about_id": ("registration.id", []),
            "dedup_key": (
                "CAST(%s AS text) || registration.id || CAST(%s AS text)",
                [written.key_before, written.key_after],
            ),
        },
    )
    sql = (
        f"WITH seat AS ({seat_sql}), registration AS ({row_sql}), message AS ({message_sql})"
        " SELECT registration.id, message.id FROM registration, message"
    )
    # inside a caller's transaction (a test's), a savepoint keeps it usable after a duplicate
    in_transaction = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    with in_transaction, connection.cursor() as cursor:
        params = seat_params + row_params + message_params
        prepared.execute(cursor, name=_statement_name(sql), sql=sql, params=params)
        row = cursor.fetchone()
    if row is None:
        return None
    registration.pk = row[0]
    registration._state.adding = False
    registration._state.db = connection.alias
    # what the answer shows needs no further query: no answers, no position
    registration._prefetched_objects_cache = {"answers": []}
    registration.position_told = None
    queued_about_new(written, pk=row[1], about_id=registration.pk)
    return Registered(registration, already=False)


def _create_registration(
    *, event, name, email, user, answers, invitation_code, source, consent_recording, **fields
) -> Registered:
    """The registration's transaction (the caller opened it)."""
    party_size = fields["party_size"]
    needs_invitation, answers = _checked(
        event=event,
        answers=answers,
        invitation_code=invitation_code,
        source=source,
        consent_recording=consent_recording,
        fields=fields,
    )

    now = timezone.now()
    if user is not None:
        # an account may hold a registration under another address: the constraint is by email
        existing = active_registration(event=event, email=email, user=user)
        if existing is not None:
            return Registered(existing, already=True)
    invitation = None
    if needs_invitation:
        invitation = _use_invitation(event=event, code=invitation_code, now=now)
        fields["sector"] = fields["sector"] or invitation.sector
        fields["organisation"] = fields["organisation"] or invitation.organisation

    status, seats_held, waiting_since, position = Status.CONFIRMED, party_size, None, None
    if event.registration_mode == RegistrationMode.APPROVAL and source == Source.ONLINE:
        # a request takes no seat until approved, full or not (Event.when_full: the pages say
        # "send a request", never "join the waiting list"); with every seat taken and no waiting
        # list it could never be approved, and the event's pages say "This event is full."
        if event.when_full == WhenFull.REFUSED and event.seats_left is not None and event.seats_left < party_size:
            raise EventFull(_("The event is full."), "event_full")
        status, seats_held = Status.PENDING, 0
    # online registrations queue behind anyone waiting: the seat they would take is owed
    elif not take_seats(event_id=event.pk, seats=party_size, behind_waiting_list=source == Source.ONLINE):
        if event.when_full == WhenFull.REFUSED or source == Source.WALK_IN:
            raise EventFull(_("The event is full."), "event_full")
        position = join_waiting_list(event_id=event.pk)
        status, seats_held, waiting_since = Status.WAITLISTED, 0, timezone.now()

    # one INSERT ... RETURNING (Model.save()'s bookkeeping is a tenth of a registration's CPU)
    registration = insert(
        _new_registration(
            event=event,
            user=user,
            name=name,
            email=email,
            status=status,
            source=source,
            now=now,
            fields=fields,
            seats_held=seats_held,
            waiting_since=waiting_since,
            invitation=invitation,
        )
    )
    written = [Answer(registration=registration, question=question, value=value) for question, value in answers]
    Answer.objects.bulk_create(written)
    # what the answer shows needs no further query: the answers just written, the position told
    registration._prefetched_objects_cache = {"answers": written}
    registration.position_told = position
    if status == Status.CONFIRMED:
        # a cohort enrolment books every session of a nine-month series at once: one
        # confirmation each would be ~16 emails per mentee; their reminders carry the details
        if source != Registration.Source.COHORT:
            tell_registrant(registration, kinds.REGISTRATION_CONFIRMED, new_registration=True)
    elif status == Status.PENDING:
        tell_registrant(registration, kinds.REGISTRATION_PENDING, new_registration=True)
    else:
        tell_registrant(registration, kinds.WAITING_LIST_JOINED, new_registration=True, position=position)
    return Registered(registration, already=False)


def register_walk_in(*, event: Event, name: str, email: str = "", party_size: int = 1, by=None) -> Registration:
    """Register someone who arrived at the door: confirmed at once if a seat is left.

    Check-in is the caller's business (the check-in service). Raises EventFull when no seat is
    left; never joins the waiting list. No online consent is recorded: staff registered them.
    Side effects: registration_confirmed when an email is given.
    """
    registration = register(
        event=event,
        name=name,
        email=email,
        party_size=party_size,
        consent_data_processing=False,
        source=Source.WALK_IN,
    )
    log_action(by=by, action="registration.walk_in", event=event, subject=registration)
    return registration


def add_registration(*, event: Event, by, name: str, email: str, party_size: int = 1, **extra) -> Registered:
    """An organiser adds a person by hand: no window, mode or required questions; seats still count.
    ``already``: the person was registered (that registration, unchanged)."""
    extra.setdefault("consent_data_processing", False)
    result = register_once(event=event, name=name, email=email, party_size=party_size, source=Source.ORGANISER, **extra)
    if not result.already:
        log_action(by=by, action="registration.added", event=event, subject=result.registration)
    return result


# --- leaving ----------------------------------------------------------------------------


def may_cancel(registration: Registration) -> bool:
    """Whether the holder may still cancel ``registration`` themselves (:func:`cancel_registration`
    without ``by``): it holds or awaits a place and its event is not over. The ticket, cancel and
    confirmation pages offer Cancel only then (an old email's link opened after the event would
    otherwise lead to a form the service refuses with ``event_over``)."""
    return registration.status in ACTIVE_STATUSES and not is_over(registration.event)


@transaction.atomic
def cancel_registration(*, registration: Registration, by=None, reason: str = "", tell: bool = True) -> Registration:
    """Cancel a registration (by the attendee, ``by=None``, or by an organiser). Repeating is harmless.

    Once the event is over (its end passed) the attendee can no longer cancel (``event_over``,
    409), on every path (API, page, private link): the pages no longer offer it, and a place
    cancelled afterwards would leave the attendance figures, a no-show unmade. An organiser
    (``by``) still may: a correction of the record (someone who had said they would not come),
    which is what the workspace's Cancel on a past event's registrations is for.

    Side effects: registration_cancelled (unless ``tell=False``: the caller sends one message for
    a whole action, as leaving a cohort does; nor once the event is over: an organiser's correction
    of the record is not news to tell someone about an event that has happened); freed seats go to
    the waiting list (while the event is still to end).
    """
    over = is_over(registration.event)
    if by is None and registration.status in ACTIVE_STATUSES and over:
        raise InvalidRegistrationTransition(_("The event is over."), "event_over")
    freed = end_registration(registration, to=Status.CANCELLED, now=timezone.now())
    if freed is None:
        registration.refresh_from_db()
        if registration.status == Status.REJECTED:
            raise InvalidRegistrationTransition(_("A rejected registration cannot be cancelled."), "invalid_transition")
        return registration
    if tell and not over:
        tell_registrant(registration, kinds.REGISTRATION_CANCELLED, by_organiser=by is not None, reason=reason)
    log_action(by=by, action="registration.cancelled", event=registration.event, subject=registration)
    if freed:
        promote_waiting_list(event=registration.event)
    return registration


@transaction.atomic
def reject_registration(*, registration: Registration, by, reason: str = "") -> Registration:
    """An organiser turns a registration down. Side effects: registration_rejected; seats freed."""
    freed = end_registration(registration, to=Status.REJECTED, now=timezone.now())
    if freed is None:
        registration.refresh_from_db()
        if registration.status == Status.REJECTED:
            return registration
        raise InvalidRegistrationTransition(_("A cancelled registration cannot be rejected."), "invalid_transition")
    tell_registrant(registration, kinds.REGISTRATION_REJECTED, reason=reason)
    log_action(by=by, action="registration.rejected", event=registration.event, subject=registration)
    if freed:
        promote_waiting_list(event=registration.event)
    return registration


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
            _("Only pending registrations can be approved; this one is %(status)s.") % {"status": registration.status},
            "invalid_transition",
        )
    now = timezone.now()
    outcome = seat_registration(
        registration, from_status=Status.PENDING, to=Status.CONFIRMED, now=now, confirmed_at=now
    )
    if outcome == MOVED:
        if registration.status == Status.CONFIRMED:
            return registration  # approved by a parallel request (a double click): the same outcome
        raise InvalidRegistrationTransition(_("The registration changed meanwhile."), "invalid_transition")
    if outcome == NO_SEATS:
        raise EventFull(_("Not enough seats left to approve this registration."), "event_full")
    tell_registrant(registration, kinds.REGISTRATION_APPROVED)
    log_action(by=by, action="registration.approved", event=registration.event, subject=registration)
    return registration


# --- substitution -----------------------------------------------------------------------


TRANSFERABLE = (Status.CONFIRMED, Status.PENDING, Status.WAITLISTED)


def transfer_refusal(registration: Registration) -> InvalidRegistrationTransition | None:
    """Why the holder may not pass this place to a colleague (``transfer_registration`` raises it),
    or None: an invitation's place, still held, for an event neither cancelled nor over. The
    transfer page says it instead of offering the form.

    The true reason first: an event cancelled or over is why nothing can be passed on any more,
    whatever the place; only for an event still to come does it matter that the place is not an
    invitation's, or no longer held (a past event's page said "Only invitations can be passed")."""
    event = registration.event
    if event.status == EventStatus.CANCELLED:
        return InvalidRegistrationTransition(_("The event was cancelled."), "event_cancelled")
    if is_over(event):
        return InvalidRegistrationTransition(_("The event is over."), "event_over")
    if event.registration_mode != RegistrationMode.INVITATION:
        return InvalidRegistrationTransition(
            _("Only invitations can be passed to a colleague."), "transfer_not_allowed"
        )
    if registration.status not in TRANSFERABLE:
        return InvalidRegistrationTransition(_("This registration can no longer be transferred."), "invalid_transition")
    return None


def can_transfer(registration: Registration) -> bool:
    """Whether the holder may still pass this place to a colleague (:func:`transfer_refusal`)."""
    return transfer_refusal(registration) is None


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
    refusal = transfer_refusal(registration)
    if refusal is not None:
        raise refusal
    if by is None and not consent_data_processing:
        raise RegistrationError(_("The colleague's consent to data processing is required."), "consent_required")
    email = normalise_email(email)
    name = tidy_name(name)
    if not name:
        raise RegistrationError(_("Give the colleague's name."), "name_required")
    try:
        validate_email(email)
    except ValidationError:
        raise RegistrationError(_("Give a valid email address."), "invalid_email") from None
    if email == registration.email:
        raise RegistrationError(_("The colleague must be someone else."), "same_person")
    if active_registration(event=event, email=email) is not None:
        raise InvalidRegistrationTransition(_("The colleague is already registered."), "already_registered")
    now = timezone.now()
    seats = registration.seats_held
    moved = Registration.objects.filter(pk=registration.pk, status=registration.status, seats_held=seats).update(
        status=Status.CANCELLED, seats_held=0, cancelled_at=now, updated_at=now
    )
    if not moved:
        raise InvalidRegistrationTransition(_("The registration changed meanwhile; try again."), "busy")
    try:
        # the colleague's one active registration is the database's rule: a place passed to her by
        # another delegate at the same moment commits between the check above and this row
        with transaction.atomic():
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
    except IntegrityError:
        raise InvalidRegistrationTransition(_("The colleague is already registered."), "already_registered") from None
    Answer.objects.bulk_create(
        [Answer(registration=substitute, question_id=a.question_id, value=a.value) for a in registration.answers.all()]
    )
    registration.refresh_from_db()
    tell_registrant(registration, kinds.REGISTRATION_CANCELLED, substituted_by=name)
    kind = {
        Status.CONFIRMED: kinds.REGISTRATION_CONFIRMED,
        Status.PENDING: kinds.REGISTRATION_PENDING,
        Status.WAITLISTED: kinds.WAITING_LIST_JOINED,
    }[substitute.status]
    tell_registrant(substitute, kind, substitute_for=registration.name)
    # named by the delegate's registration on the event's page; who the colleague is stays out
    log_action(by=by, action="registration.transferred", event=event, subject=registration)
    return substitute


# --- the event itself changes -----------------------------------------------------------


@transaction.atomic
def cancel_registrations_of_event(*, event: Event, reason: str = "") -> int:
    """The event is cancelled: every active registration ends. Returns how many.

    In bulk, whatever their number (:func:`cancel_registrations_of_events`): the active
    registrations are locked and read once, ended in one UPDATE, their seats and places in the
    waiting list given back in one, and the messages queued together (one by one, 2,000
    registrations took 9,000 queries and 45 s, all of it in the organiser's request with the
    event's row locked).

    Side effects: event_cancelled to each registrant and everyone waiting.
    """
    return cancel_registrations_of_events(events=[event], reason=reason)


def cancel_registrations_of_events(*, events: list[Event], reason: str = "") -> int:
    """cancel_registrations_of_event for many events at once (the sessions a series drops): the
    same outcome, in the same few queries whatever the number of events. Returns how many.

    Side effects: event_cancelled to each registrant and everyone waiting.
    """
    by_id = {event.pk: event for event in events}
    now = timezone.now()
    ending = list(
        Registration.objects.select_for_update()
        .filter(event_id__in=by_id, status__in=ACTIVE_STATUSES)
        .only("pk", "event", "status", "seats_held", "email", "name", "language")
        .order_by("pk")
    )
    if not ending:
        return 0
    Registration.objects.filter(pk__in=[registration.pk for registration in ending]).update(
        status=Status.CANCELLED, seats_held=0, cancelled_at=now, offer_expires_at=None, updated_at=now
    )
    seats, waiting = collections.Counter(), collections.Counter()
    for registration in ending:
        seats[registration.event_id] += registration.seats_held
        waiting[registration.event_id] += registration.status == Status.WAITLISTED
    release_seats_of_events(seats)
    left_waiting_lists(waiting)
    queue_messages(
        [
            MessageSpec(
                kind=kinds.EVENT_CANCELLED,
                recipient_email=registration.email.strip(),
                recipient_name=registration.name,
                about=registration,
                event=by_id[registration.event_id],
                context={"reason": reason},
            )
            for registration in ending
            if registration.email
        ]
    )
    return len(ending)
