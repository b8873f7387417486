"""Check-in at the door: scanning a ticket, finding a name, walk-ins, offline batches, undo.

Every way in is judged by :func:`_refusal` (the one rule of the door) and writes one
:class:`CheckIn`. The answer is typed by a stable ``code``:

``checked_in``          admitted now (200)
``already_checked_in``  a live check-in exists; says when, by whom, on which device (409)
``wrong_event``         a real ticket, for another event (409); nothing about it is revealed
``door_closed``         the door is open from a day before the event starts to a day after it
                        ends (:func:`door_window`); says when it opens and closes (409)
``no_door``             the event is online only: it has no door, its tickets no code (409)
``cancelled``           the registration was cancelled (409)
``not_confirmed``       pending approval, waiting, offered or rejected: no ticket (409)
``invalid``             a ticket code no ticket holds: forged, altered or re-issued (400); the
                        only answer the ticket-guessing throttle counts
``not_a_ticket``        what was scanned or typed cannot be a ticket code at all (another QR code,
                        a link, a code mistyped to the wrong length or letters) (400)
``empty_code``          nothing was typed or scanned (400): not a wrong ticket, no guess
``malformed_scan``      the scan API's body is not a scan (not a JSON object, ``secret`` missing or
                        not text, ``device`` too long or not text): the client's bug (400, with
                        ``errors``), no guess

Undoing a check-in at the door (:func:`undo_door_check_in`) follows the same window:
``door_closed`` once it has closed, and ``attendance_final`` once the event's attendance was
recorded (finalised) while the door is still open; either way the check-in stands.

Offline batches answer per scan, and add ``bad_scan_time`` (dated outside the door's window
or ahead of the server's clock), ``throttled`` (too many unknown codes; send it later) and
``unknown_registration`` (a person found by name in the downloaded list whom the event no
longer has: download the list again).

Concurrency: a scan reads the registration and its live check-in and then inserts, without a
lock. Two devices scanning one ticket at once both pass the read; the partial unique
constraint ``checkin_one_live_per_registration`` lets exactly one INSERT in and the other
gets an IntegrityError, which becomes ``already_checked_in``. On PostgreSQL the read and the
INSERT are one statement (a CTE, :func:`_admit_sql`), so a scan is the token lookup of
authentication plus one statement; on SQLite it is the token, one SELECT and one INSERT.

Attendance is not written here while the event's attendance is open: finalising it after the
event ends (attendance.services.finalisation) reads the live check-ins, so a check-in costs no
extra UPDATE. The door stays open a day after the end, past finalisation (30 minutes after the
end for an in-person event): a check-in the door admits after that (a late sign-in sheet, a
device that was offline at the venue uploading its scans) is recorded as attended with it, in
the same statement, so attendance and the door's check-ins never disagree.
"""

import datetime as dt
import functools
import logging
from dataclasses import dataclass, field
from http import HTTPStatus

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events import when
from events.models import VENUE_FORMATS, Event, EventStatus, Series
from events.selectors import events_checked_in_by, events_visible_to
from events_project import prepared
from events_project.exceptions import DomainError, Forbidden, NotFound
from events_project.people import account_name
from events_project.search_folding import fold
from registrations.models import Attendance, CheckIn, Registration, RegistrationStatus
from registrations.selectors import checkins_visible_to, registrations_at_doors_of
from registrations.services.attendance import record_attendance
from registrations.services.registration import register_walk_in
from registrations.services.tickets import secret_from_payload, ticket_hash

logger = logging.getLogger(__name__)

CHECKED_IN = "checked_in"
ALREADY_CHECKED_IN = "already_checked_in"
WRONG_EVENT = "wrong_event"
CANCELLED = "cancelled"
NOT_CONFIRMED = "not_confirmed"
INVALID = "invalid"
NOT_A_TICKET = "not_a_ticket"
UNKNOWN_REGISTRATION = "unknown_registration"
DOOR_CLOSED = "door_closed"
NO_DOOR = "no_door"
EMPTY_CODE = "empty_code"
MALFORMED_SCAN = "malformed_scan"
ATTENDANCE_FINAL = "attendance_final"

MAX_BATCH_SCANS = 500


class CheckInRefused(DomainError):
    """The door says no. ``code`` is one of the module's answers; ``extra`` explains it."""

    _statuses = {
        ALREADY_CHECKED_IN: HTTPStatus.CONFLICT,
        WRONG_EVENT: HTTPStatus.CONFLICT,
        CANCELLED: HTTPStatus.CONFLICT,
        NOT_CONFIRMED: HTTPStatus.CONFLICT,
        INVALID: HTTPStatus.BAD_REQUEST,
        NOT_A_TICKET: HTTPStatus.BAD_REQUEST,
        UNKNOWN_REGISTRATION: HTTPStatus.BAD_REQUEST,
        DOOR_CLOSED: HTTPStatus.CONFLICT,
        NO_DOOR: HTTPStatus.CONFLICT,
        EMPTY_CODE: HTTPStatus.BAD_REQUEST,
        MALFORMED_SCAN: HTTPStatus.BAD_REQUEST,
        ATTENDANCE_FINAL: HTTPStatus.CONFLICT,
    }
    _messages = {
        ALREADY_CHECKED_IN: _("This ticket has already been checked in."),
        WRONG_EVENT: _("This ticket is for another event."),
        CANCELLED: _("This registration was cancelled."),
        NOT_CONFIRMED: _("This registration is not confirmed (awaiting approval or on the waiting list)."),
        INVALID: _("This is not a valid ticket."),
        NOT_A_TICKET: _("This is not a ticket code: scan the ticket's QR code, or type the 26 characters under it."),
        UNKNOWN_REGISTRATION: _("This registration is no longer in the event's list: download the list again."),
        DOOR_CLOSED: _("Check-in for this event is open from a day before it starts to a day after it ends."),
        NO_DOOR: _("This event is online only: it has no door to check people in at."),
        EMPTY_CODE: _("Type the code under the QR image, or scan the ticket."),
        MALFORMED_SCAN: _(
            'This request is not a scan: send a JSON object with the ticket code as text in "secret"'
            ' (and, if you like, the device\'s name as text in "device", up to 100 characters).'
        ),
        ATTENDANCE_FINAL: _(
            "The attendance of this event has been recorded: the check-in stands. An organiser can correct the "
            "attendance on the event's Registrations tab."
        ),
    }

    def __init__(self, code: str, *, extra: dict | None = None):
        super().__init__(self._messages[code], code, extra=extra)
        self.http_status = self._statuses[code]


@dataclass(frozen=True)
class LiveCheckIn:
    """The live check-in a lookup found, enough to say "already in, at 10:02, by Aysel"."""

    id: int
    checked_in_at: dt.datetime
    by_name: str
    device: str
    source: str

    def as_extra(self) -> dict:
        return {
            "checkin_id": self.id,
            "checked_in_at": when.iso(self.checked_in_at),
            "checked_in_by": self.by_name,
            "device": self.device,
            "source": self.source,
        }


def scanner_name(user) -> str:
    """Who made or undid a check-in, as the door says it: the site's one rule for naming an
    account (``account_name``: "an erased account" for one that erasure closed); "" when no
    account is recorded (it was deleted), which the door's clients show as "someone"."""
    return "" if user is None else account_name(user)


def registration_summary(registration: Registration) -> dict:
    return {
        "id": registration.pk,
        "name": registration.name,
        "party_size": registration.party_size,
        "party_names": registration.party_names,
        "status": registration.status,
    }


# what naming the scanner reads (``account_name``): read with the live check-in, no query more
_SCANNER_FIELDS = ("id", "first_name", "last_name", "username", "is_active")


def _with_live_checkin(registrations: QuerySet) -> QuerySet:
    """Join each registration's live check-in (at most one, by constraint) and its scanner's
    ``_SCANNER_FIELDS`` (``live_by_<field>``)."""
    return registrations.annotate(
        live=FilteredRelation("checkins", condition=Q(checkins__undone_at__isnull=True))
    ).annotate(
        live_id=F("live__id"),
        live_checked_in_at=F("live__checked_in_at"),
        live_device=F("live__device"),
        live_source=F("live__source"),
        **{f"live_by_{name}": F(f"live__by__{name}") for name in _SCANNER_FIELDS},
    )


def _live_scanner(registration: Registration):
    """The account that made the registration's live check-in, from the ``live_by_*`` fields
    (None when none is recorded)."""
    if registration.live_by_id is None:
        return None
    return _partial(get_user_model(), **{name: getattr(registration, f"live_by_{name}") for name in _SCANNER_FIELDS})


def live_check_in(registration: Registration) -> LiveCheckIn | None:
    """The live check-in of a registration read with ``_with_live_checkin`` (or the scan's
    lookup), None when it has none."""
    if getattr(registration, "live_id", None) is None:
        return None
    return LiveCheckIn(
        id=registration.live_id,
        checked_in_at=registration.live_checked_in_at,
        by_name=scanner_name(_live_scanner(registration)),
        device=registration.live_device,
        source=registration.live_source,
    )


def event_for_check_in(*, event_id: int, user) -> Event:
    """The event, if the user works its door (``events_checked_in_by``: its organisers and
    check-in staff); otherwise NotFound when they may not even see it (an unknown id and someone
    else's draft answer alike), Forbidden when they see it."""
    event = events_checked_in_by(user).filter(pk=event_id).first()
    if event is not None:
        return event
    if not events_visible_to(user).filter(pk=event_id).exists():
        raise NotFound(_("No such event."), "not_found")
    raise Forbidden(_("You are not check-in staff for this event."), "not_checkin_staff")


# --- when the door is open ---------------------------------------------------------------

# how far before the start and after the end of an event its door is open (online and offline)
SCAN_WINDOW_MARGIN = dt.timedelta(days=1)
# how far ahead of the server's clock a device's clock may run; later offline scans are refused
CLOCK_SKEW = dt.timedelta(minutes=5)


def _shifted(moment: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    try:
        return moment + delta
    except OverflowError:
        bound = dt.datetime.max if delta > dt.timedelta(0) else dt.datetime.min
        return bound.replace(tzinfo=dt.UTC)


def door_window(*, event: Event) -> tuple[dt.datetime, dt.datetime]:
    """When people may be checked in to ``event``: from a day before it starts to a day after
    it ends. The one rule for scans, name search, walk-ins and offline scans (by their time)."""
    return _shifted(event.start, -SCAN_WINDOW_MARGIN), _shifted(event.end, SCAN_WINDOW_MARGIN)


DOOR_OPEN = "open"
DOOR_NOT_YET_OPEN = "before"
DOOR_CLOSED_FOR_GOOD = "after"


def door_state(*, event: Event, at: dt.datetime) -> str:
    """Whether the door of ``event`` is open at ``at`` (:func:`door_window`): ``"open"``, or
    ``"before"`` it opens, or ``"after"`` it closed. The door page offers its actions by it."""
    opens, closes = door_window(event=event)
    if at < opens:
        return DOOR_NOT_YET_OPEN
    if at > closes:
        return DOOR_CLOSED_FOR_GOOD
    return DOOR_OPEN


def scan_window(*, event: Event, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """When an offline scan of ``event`` may be dated: :func:`door_window`, and never later
    than the server's clock plus a few minutes of skew."""
    opens, closes = door_window(event=event)
    return opens, min(closes, now + CLOCK_SKEW)


# --- writing the check-in ----------------------------------------------------------------


_INSERTED_FIELDS = [field for field in CheckIn._meta.concrete_fields if not field.primary_key]


def _statement(run):
    """``run()`` as one statement: in autocommit (a request) a statement is atomic on its own;
    inside a caller's transaction (batches, walk-ins, tests) a savepoint keeps a failed
    statement (a lost race, IntegrityError) from spoiling that transaction."""
    if connection.in_atomic_block:
        with transaction.atomic():
            return run()
    return run()


def _unless_taken(write):
    """``write()``, or None when the unique constraints say another check-in got there first."""
    try:
        return _statement(write)
    except IntegrityError:
        return None


def _current_live(registration: Registration) -> LiveCheckIn | None:
    found = _with_live_checkin(Registration.objects.filter(pk=registration.pk)).order_by().first()
    return live_check_in(found) if found is not None else None


def _door_closed(*, event: Event, at: dt.datetime) -> CheckInRefused | None:
    if not event.has_venue:
        # an online-only event has no door (Event.has_venue, the ticket's rule): its tickets carry no code
        return CheckInRefused(NO_DOOR)
    if door_state(event=event, at=at) == DOOR_OPEN:
        return None
    opens, closes = door_window(event=event)
    return CheckInRefused(
        DOOR_CLOSED, extra={"opens_at": when.iso(opens, event.zone), "closes_at": when.iso(closes, event.zone)}
    )


def _refusal(
    *, registration: Registration, live: LiveCheckIn | None, event: Event, at: dt.datetime
) -> CheckInRefused | None:
    """The one rule of the door: why ``registration`` may not come in to ``event`` at ``at``,
    or None when it may. The caller has checked the user's rights for ``event``.

    The scan's single statement on PostgreSQL (``_admit_sql``) asks the same in SQL and comes
    here to explain whatever it did not admit.
    """
    if registration.event_id != event.pk:
        return CheckInRefused(WRONG_EVENT)
    closed = _door_closed(event=event, at=at)
    if closed is not None:
        return closed
    summary = {"registration": registration_summary(registration)}
    if registration.status == RegistrationStatus.CANCELLED:
        return CheckInRefused(CANCELLED, extra=summary)
    if registration.status != RegistrationStatus.CONFIRMED:
        return CheckInRefused(NOT_CONFIRMED, extra=summary)
    if live is not None:
        return CheckInRefused(ALREADY_CHECKED_IN, extra={**summary, **live.as_extra()})
    return None


def _already_in(registration: Registration) -> CheckInRefused:
    """Another device won the race between our read and our write."""
    live = _current_live(registration)
    summary = {"registration": registration_summary(registration)}
    return CheckInRefused(ALREADY_CHECKED_IN, extra={**summary, **live.as_extra()} if live else summary)


def _admit(
    *,
    registration: Registration,
    live: LiveCheckIn | None,
    event: Event,
    by,
    device: str,
    source: str,
    scanned_at: dt.datetime | None = None,
    client_scan_id: str | None = None,
) -> CheckIn:
    """Apply the door's rule (:func:`_refusal`) and write the check-in.

    ``scanned_at``: when an offline device saw the ticket (the window is judged by it; the
    check-in keeps it, or the server's now when the device's clock ran ahead)."""
    now = timezone.now()
    at = scanned_at or now
    refusal = _refusal(registration=registration, live=live, event=event, at=at)
    if refusal is not None:
        raise refusal
    checkin = CheckIn(
        registration=registration,
        event_id=event.pk,
        checked_in_at=min(at, now),
        by=by if by is not None and by.is_authenticated else None,
        device=device[:100],
        source=source,
        client_scan_id=client_scan_id,
    )
    if event.attendance_finalised_at is None and not may_be_finalising(event=event, now=now):
        if _unless_taken(lambda: prepared.insert(checkin)) is None:
            raise _already_in(registration)
        return checkin
    with transaction.atomic():
        # what the event's row says once a finalisation under way has committed (it holds the row)
        finalised = (
            Event.objects.select_for_update(no_key=True)
            .filter(pk=event.pk)
            .values_list("attendance_finalised_at", flat=True)
            .get()
        )
        if _unless_taken(lambda: prepared.insert(checkin)) is None:
            raise _already_in(registration)
        if finalised is not None:
            record_late_attendance(registration=registration, at=now)
    return checkin


# Finalisation runs once the event's end has passed by its own clock; a check-in this close to
# the end, or after it, reads the event's row locked, in case another process's clock is ahead
FINALISATION_CLOCK_MARGIN = dt.timedelta(minutes=5)


def may_be_finalising(*, event: Event, now: dt.datetime) -> bool:
    """Whether ``event``'s attendance may be finalised at ``now`` (the end has passed, give or take
    the clocks): then a check-in waits for a finalisation under way, so that either it records
    the late attendance itself or finalisation sees the check-in, never neither."""
    return event.end - FINALISATION_CLOCK_MARGIN <= now


def record_late_attendance(*, registration: Registration, at: dt.datetime) -> None:
    """A check-in admitted after the event's attendance was finalised (the door is open a day
    after the end): the registration attended, as finalisation would have recorded it. Its
    follow-up is not sent again: one per person (attendance.services.finalisation). A decision
    made by hand stands (:mod:`registrations.services.attendance`)."""
    record_attendance(
        registrations=Registration.objects.filter(pk=registration.pk, status=RegistrationStatus.CONFIRMED),
        attendance=Attendance.ATTENDED,
        now=at,
    )


# --- the scan: one lookup (and on PostgreSQL the write with it) ------------------------------


@functools.cache
def _lookup_sql(vendor: str, *, superuser: bool) -> str:
    """The scan's SELECT: registration by secret, its event's dates, its live check-in and
    scanner, and the scanning user's rights for the door's event.

    Hand-written because it runs once per person at the door: building the same query with
    the ORM (FilteredRelation, two Exists) costs more CPU than the database spends on it.
    Plain SQL-92 joins and EXISTS, the same on SQLite and PostgreSQL.
    """
    quote = connection.ops.quote_name
    registration = quote(Registration._meta.db_table)
    checkin = quote(CheckIn._meta.db_table)
    event = quote(Event._meta.db_table)
    user = quote(CheckIn._meta.get_field("by").related_model._meta.db_table)
    if superuser:
        rights = f"EXISTS (SELECT 1 FROM {event} WHERE id = %s)"
    else:
        organisers = quote(Event.organisers.through._meta.db_table)
        staff = quote(Event.checkin_staff.through._meta.db_table)
        series_organisers = quote(Series.organisers.through._meta.db_table)
        series_staff = quote(Series.checkin_staff.through._meta.db_table)
        # door staff of the series, on an occurrence the series reaches: the rule of
        # events.selectors.reached_by_its_series, in SQL (tests/checkin/test_series_door.py
        # holds the two to the same answers)
        reached = (
            f"(NOT EXISTS (SELECT 1 FROM {organisers} eo WHERE eo.event_id = o.id)"
            f" OR EXISTS (SELECT 1 FROM {organisers} eo JOIN {series_organisers} so ON so.user_id = eo.user_id"
            f" WHERE eo.event_id = o.id AND so.series_id = o.series_id)"
            f" OR EXISTS (SELECT 1 FROM {series_organisers} so JOIN {user} su ON su.id = so.user_id"
            f" WHERE so.series_id = o.series_id AND su.is_superuser AND su.is_active))"
        )
        # door staff (of the event or of its series) work only doors of published events:
        # events.selectors.PUBLIC, in SQL; a draft's door is its organisers' alone
        published = f"o.{quote('status')} <> '{EventStatus.DRAFT.value}' AND o.published_at IS NOT NULL"
        rights = (
            f"(EXISTS (SELECT 1 FROM {organisers} WHERE event_id = %s AND user_id = %s)"
            f" OR EXISTS (SELECT 1 FROM {event} o JOIN {staff} s ON s.event_id = o.id"
            f" WHERE o.id = %s AND s.user_id = %s AND {published})"
            f" OR EXISTS (SELECT 1 FROM {event} o JOIN {series_staff} ss ON ss.series_id = o.series_id"
            f" WHERE o.id = %s AND ss.user_id = %s AND {published} AND {reached}))"
        )
    return (
        f"SELECT r.id AS registration_id, r.event_id, r.name, r.status, r.party_size, r.party_names,"
        f" c.id AS live_id, c.checked_in_at AS live_at, c.device AS live_device, c.source AS live_source,"
        f" u.id AS live_by_id, u.first_name, u.last_name, u.username, u.is_active, {rights} AS may_check_in,"
        f" e.{quote('start')} AS event_start, e.{quote('end')} AS event_end, e.{quote('format')} AS event_format,"
        f" e.attendance_finalised_at AS event_finalised_at"
        f" FROM {registration} r"
        f" JOIN {event} e ON e.id = r.event_id"
        f" LEFT JOIN {checkin} c ON c.registration_id = r.id AND c.undone_at IS NULL"
        f" LEFT JOIN {user} u ON u.id = c.by_id"
        f" WHERE r.ticket_secret = %s"
    )


def _lookup_params(*, secret: str, event_id: int, user) -> list:
    if user.is_superuser:
        return [event_id, secret]
    # its own organisers, its own door staff, the door staff of its series
    return [event_id, user.pk, event_id, user.pk, event_id, user.pk, secret]


@functools.cache
def _admit_sql(*, superuser: bool) -> str:
    """PostgreSQL: the scan in one statement, the lookup and the INSERT together, and for a
    check-in after the event's attendance was finalised the registration's attendance with them
    (``late``: :func:`record_late_attendance`).

    The INSERT's WHERE is :func:`_refusal`'s rule in SQL (the door's event, rights, the door
    open, an event with a door, confirmed, no live check-in); whatever it does not admit, :func:`check_in` explains
    with that function from the row the statement returns. Two devices scanning one ticket at
    once: the partial unique constraint lets one INSERT in and fails the other statement, which
    then reads again and answers ``already_checked_in``.
    """
    quote = connection.ops.quote_name
    columns = [field.column for field in _INSERTED_FIELDS]
    values = ["found.registration_id" if column == "registration_id" else "%s" for column in columns]
    # the formats with a door (Event.has_venue), written in: constants of the code, not input
    with_a_door = ", ".join(f"'{value}'" for value in VENUE_FORMATS)
    registration = quote(Registration._meta.db_table)
    event = quote(Event._meta.db_table)
    return (
        f"WITH found AS ({_lookup_sql('postgresql', superuser=superuser)}),"
        f" admitted AS (INSERT INTO {quote(CheckIn._meta.db_table)} ({', '.join(map(quote, columns))})"
        f" SELECT {', '.join(values)} FROM found"
        f" WHERE found.event_id = %s AND found.may_check_in AND found.status = %s AND found.live_id IS NULL"
        f" AND found.event_start - %s <= %s AND %s <= found.event_end + %s"
        f" AND found.event_format IN ({with_a_door})"
        f" RETURNING {quote(CheckIn._meta.pk.column)} AS id),"
        # the event's row, locked once its end is near or past (``may_be_finalising``): a finalisation
        # under way holds it, so this waits and reads what it committed (or finalisation waits for this)
        f" final AS (SELECT e.attendance_finalised_at FROM {event} e JOIN found ON e.id = found.event_id"
        f" WHERE e.{quote('end')} <= %s FOR SHARE OF e),"
        # registrations.services.attendance's rule (not_decided_by_hand), in SQL: a decision by hand stands
        f" late AS (UPDATE {registration} SET attendance = %s, updated_at = %s FROM admitted, found"
        f" WHERE {registration}.id = found.registration_id AND NOT {registration}.attendance_by_hand"
        f" AND (found.event_finalised_at IS NOT NULL"
        f" OR EXISTS (SELECT 1 FROM final WHERE final.attendance_finalised_at IS NOT NULL))"
        f" RETURNING {registration}.id)"
        f" SELECT found.*, admitted.id FROM found LEFT JOIN admitted ON true"
    )


_ADMIT_COLUMNS = [field.column for field in _INSERTED_FIELDS if field.column != "registration_id"]


def _lookup_types(*, superuser: bool) -> list[str]:
    event_id = Event._meta.pk.rel_db_type(connection)
    user_id = CheckIn._meta.get_field("by").db_type(connection)
    rights = [event_id] if superuser else [event_id, user_id, event_id, user_id, event_id, user_id]
    return [*rights, "varchar"]


@functools.cache
def _admit_types(*, superuser: bool) -> list[str]:
    """The PostgreSQL types of :func:`_admit_sql`'s parameters, for preparing it."""
    fields = {field.column: field for field in _INSERTED_FIELDS}
    inserted = [fields[column].db_type(connection) for column in _ADMIT_COLUMNS]
    window = [Event._meta.pk.rel_db_type(connection), "varchar", "interval", "timestamptz", "timestamptz", "interval"]
    late = ["timestamptz", "varchar", "timestamptz"]
    return [*_lookup_types(superuser=superuser), *inserted, *window, *late]


def _converted(model, name: str, value):
    """A raw column value as the ORM would return it (JSON parsed, datetimes aware)."""
    field = model._meta.get_field(name)
    column = field.get_col(model._meta.db_table)
    for converter in connection.ops.get_db_converters(column) + field.get_db_converters(connection):
        value = converter(value, column, connection)
    return value


def _partial(model, **values):
    """An instance with only ``values`` (attnames) loaded, as ``.only()`` would give it: the
    constructor with keywords would fill every other field with its default (new secrets,
    tokens and timestamps for a Registration), which costs more than the rest of a scan."""
    fields = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db(connection.alias, fields, [values[name] for name in fields])


def _found(row, *, secret: str, event_id: int) -> tuple[Registration, Event]:
    """From a row of :func:`_lookup_sql`: the registration and the door's event."""
    registration = _registration_of(row, secret=secret)
    return registration, _door_event(row, event_id=event_id, registration=registration)


def _registration_of(row, *, secret: str) -> Registration:
    """The registration of a row of :func:`_lookup_sql`, annotated like ``_with_live_checkin``,
    plus ``may_check_in``."""
    registration = _partial(
        Registration,
        id=row[0],
        event_id=row[1],
        name=row[2],
        status=row[3],
        party_size=row[4],
        party_names=_converted(Registration, "party_names", row[5]),
        ticket_secret=secret,
    )
    registration.live_id = row[6]
    registration.live_checked_in_at = _converted(CheckIn, "checked_in_at", row[7])
    registration.live_device, registration.live_source = row[8], row[9]
    (
        registration.live_by_id,
        registration.live_by_first_name,
        registration.live_by_last_name,
        registration.live_by_username,
        registration.live_by_is_active,
    ) = row[10:15]
    registration.may_check_in = bool(row[15])
    return registration


def _door_event(row, *, event_id: int, registration: Registration) -> Event:
    """The door's event, with its dates when the ticket is for it (for another event's ticket
    the answer is ``wrong_event``, dates unread)."""
    if registration.event_id != event_id:
        return _partial(Event, id=event_id)
    start, end = _converted(Event, "start", row[16]), _converted(Event, "end", row[17])
    finalised = _converted(Event, "attendance_finalised_at", row[19])
    return _partial(Event, id=event_id, start=start, end=end, format=row[18], attendance_finalised_at=finalised)


def _lookup_ticket(*, secret: str, event_id: int, user) -> tuple[Registration, Event] | None:
    """The registration holding ``secret`` and its event (see :func:`_found`)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _lookup_sql(connection.vendor, superuser=user.is_superuser),
            _lookup_params(secret=secret, event_id=event_id, user=user),
        )
        row = cursor.fetchone()
    return None if row is None else _found(row, secret=secret, event_id=event_id)


def _lookup_and_admit(*, secret: str, event_id: int, by, device: str, source: str):
    """PostgreSQL: run :func:`_admit_sql`. Returns ((registration, event) or None when no ticket
    holds ``secret``, the check-in or None; the event only when not admitted); IntegrityError
    when another device won."""
    now = timezone.now()
    fields = {
        "event_id": event_id,
        "checked_in_at": now,
        "by_id": by.pk,
        "device": device[:100],
        "source": source,
        "client_scan_id": None,
        "undone_at": None,
        "undone_by_id": None,
        "created_at": now,
    }
    params = [
        *_lookup_params(secret=secret, event_id=event_id, user=by),
        *(fields[column] for column in _ADMIT_COLUMNS),
        *(event_id, RegistrationStatus.CONFIRMED.value, SCAN_WINDOW_MARGIN, now, now, SCAN_WINDOW_MARGIN),
        *(now + FINALISATION_CLOCK_MARGIN, Attendance.ATTENDED.value, now),
    ]
    superuser = by.is_superuser
    with connection.cursor() as cursor:
        prepared.execute(
            cursor,
            name="door_scan_any_event" if superuser else "door_scan",
            sql=_admit_sql(superuser=superuser),
            types=_admit_types(superuser=superuser),
            params=params,
        )
        row = cursor.fetchone()
    if row is None:
        return None, None
    registration = _registration_of(row, secret=secret)
    if row[20] is None:
        # not admitted: check_in() explains why, by the rule, from the event's dates
        return (registration, _door_event(row, event_id=event_id, registration=registration)), None
    checkin = _partial(CheckIn, id=row[20], registration_id=registration.pk, **fields)
    checkin.registration, checkin.by = registration, by
    return (registration, None), checkin


def check_in(*, event_id: int, secret: str, by, device: str = "", source: str = CheckIn.Source.SCAN) -> CheckIn:
    """Check in the ticket whose code was scanned (or typed) at the door of ``event_id``.

    ``secret`` is the QR payload or the bare secret. Only the event's organisers and check-in
    staff may do this (NotFound / Forbidden otherwise), and only while the door is open
    (:func:`door_window`). Raises :class:`CheckInRefused` with a typed code for every ticket
    that may not come in. No side effects beyond the check-in row.
    """
    if not secret.strip():
        # the Check in button pressed with an empty box: say what to do, not "not a valid ticket"
        event_for_check_in(event_id=event_id, user=by)
        raise CheckInRefused(EMPTY_CODE)
    parsed = secret_from_payload(secret)
    found = checkin = None
    if parsed is not None and connection.vendor == "postgresql":
        try:
            found, checkin = _statement(
                lambda: _lookup_and_admit(secret=parsed, event_id=event_id, by=by, device=device, source=source)
            )
        except IntegrityError:
            # another device checked the ticket in between our read and our write
            found = _lookup_ticket(secret=parsed, event_id=event_id, user=by)
    elif parsed is not None:
        found = _lookup_ticket(secret=parsed, event_id=event_id, user=by)
    if found is None or not found[0].may_check_in:
        # unknown code, or a scanner without rights: say which only to someone with rights
        event_for_check_in(event_id=event_id, user=by)
        # something that cannot be a code (another QR code, a typo) is not a guess at one
        raise CheckInRefused(INVALID if parsed is not None else NOT_A_TICKET)
    if checkin is not None:
        return checkin
    registration, event = found
    return _admit(
        registration=registration,
        live=live_check_in(registration),
        event=event,
        by=by,
        device=device,
        source=source,
    )


def check_in_registration(
    *, event: Event, registration: Registration, by, device: str = "", source: str = CheckIn.Source.MANUAL
) -> CheckIn:
    """Check in a registration found by name or email (the caller checked ``by``'s rights)."""
    return _admit(
        registration=registration,
        live=_current_live(registration),
        event=event,
        by=by,
        device=device,
        source=source,
    )


def undo_check_in(*, checkin: CheckIn, by) -> CheckIn:
    """Take back a mistaken check-in; the registration can be checked in again afterwards.

    Undoing twice is harmless: the first undo's time and author stay. Once the event's attendance
    is final (only the admin's action undoes then), an in-person event's attendance, which is its
    door's check-ins, follows: "attended" becomes "no-show" (no message: one follow-up per person),
    unless an administrator decided it by hand (:mod:`registrations.services.attendance`). A hybrid
    event's stays, since its participant report may count them too.
    """
    now = timezone.now()
    with transaction.atomic():
        undone = CheckIn.objects.filter(pk=checkin.pk, undone_at__isnull=True).update(
            undone_at=now, undone_by=by if by is not None and by.is_authenticated else None
        )
        event = checkin.event
        if undone and event.attendance_finalised_at is not None and not event.is_online:
            # an "attended" decided by hand stands: the administrator said so, not the check-in
            record_attendance(
                registrations=Registration.objects.filter(pk=checkin.registration_id, attendance=Attendance.ATTENDED),
                attendance=Attendance.NO_SHOW,
                now=now,
            )
    checkin.refresh_from_db(fields=["undone_at", "undone_by"])
    return checkin


def undo_door_check_in(*, checkin: CheckIn, by) -> CheckIn:
    """Take back a mistaken check-in at the door (the page and the check-in API): only while the
    door is open, as a check-in (:func:`door_window`); closed, :class:`CheckInRefused`
    ``door_closed``. Attendance is recorded from the live check-ins when the event ends, so an
    undo days later would leave it saying "attended"; the record is corrected by an
    administrator (the admin's undo action, :func:`undo_check_in`) or the attendance report.
    Once the attendance was finalised (the door still open), ``attendance_final``: it was
    recorded, and followed up, from this check-in.
    """
    event = checkin.event
    refusal = _door_closed(event=event, at=timezone.now())
    if refusal is not None:
        raise refusal
    if event.attendance_finalised_at is not None:
        raise CheckInRefused(ATTENDANCE_FINAL)
    return undo_check_in(checkin=checkin, by=by)


def check_in_walk_in(*, event: Event, by, device: str = "", **details) -> CheckIn:
    """Register someone who arrived without registering, and check them in, in one step.

    ``details`` go to the registration service's ``register_walk_in`` (name, email, party
    size and names, consent); its side effects (a confirmation email when there is an
    address) happen after commit. Capacity rules are the registration service's.
    """
    closed = _door_closed(event=event, at=timezone.now())
    if closed is not None:
        raise closed
    with transaction.atomic():
        registration = register_walk_in(event=event, by=by, **details)
        return _admit(
            registration=registration,
            live=None,
            event=event,
            by=by,
            device=device,
            source=CheckIn.Source.WALK_IN,
        )


# --- reads for the door ----------------------------------------------------------------


def checkin_list(*, event: Event, user) -> QuerySet[Registration]:
    """What an offline device needs: every registration of the event with its live check-in,
    of those the door shows ``user`` (``registrations_at_doors_of``).

    Serialised with the SHA-256 of the secret, never the secret (see ``ticket_hash``).
    """
    registrations = registrations_at_doors_of(user).filter(event=event).exclude(status=RegistrationStatus.REJECTED)
    return _with_live_checkin(registrations).only(
        "id", "event_id", "name", "status", "party_size", "party_names", "ticket_secret"
    )


def checkin_log(*, event: Event, user) -> QuerySet[CheckIn]:
    """Every check-in of the event that ``user`` may see (``checkins_visible_to``), undone ones
    included, with who made and undid it."""
    return checkins_visible_to(user).filter(event=event)


def search_registrations(*, event: Event, query: str, user) -> QuerySet[Registration]:
    """Registrations of the event whose name or email contains ``query`` (manual check-in), of
    those the door shows ``user`` (``registrations_at_doors_of``). Names are compared folded
    (``events_project.search_folding``: "ilahe" finds "İlahə"), as the offline page does."""
    registrations = registrations_at_doors_of(user).filter(event=event)
    query = query.strip()
    if query:
        by_name = Q(name__icontains=query) | Q(search_name__contains=fold(query))
        registrations = registrations.filter(by_name | Q(email__icontains=query.lower()))
    return _with_live_checkin(registrations).order_by("name", "id")


def door_counts(*, event: Event) -> dict:
    """Live figures for the door: registrations and people registered, in, and waiting."""
    live = CheckIn.objects.filter(registration=OuterRef("pk"), undone_at__isnull=True)
    confirmed = Q(status=RegistrationStatus.CONFIRMED)
    waiting = Q(status__in=[RegistrationStatus.WAITLISTED, RegistrationStatus.OFFERED])
    totals = (
        Registration.objects.filter(event=event)
        .annotate(is_in=Exists(live))
        .aggregate(
            registered=Count("id", filter=confirmed),
            registered_people=Sum("party_size", filter=confirmed),
            checked_in=Count("id", filter=Q(is_in=True)),
            checked_in_people=Sum("party_size", filter=Q(is_in=True)),
            waiting=Count("id", filter=waiting),
            waiting_people=Sum("party_size", filter=waiting),
            pending=Count("id", filter=Q(status=RegistrationStatus.PENDING)),
        )
    )
    return {key: value or 0 for key, value in totals.items()}


# --- offline batches ---------------------------------------------------------------------

BAD_SCAN_TIME = "bad_scan_time"
THROTTLED = "throttled"


@dataclass
class ScanResult:
    client_scan_id: str
    code: str
    detail: str
    replayed: bool = False
    extra: dict = field(default_factory=dict)
    # an unknown secret or hash: the API counts these against the ticket-guessing throttle
    guessed: bool = False

    def as_dict(self) -> dict:
        return {
            "client_scan_id": self.client_scan_id,
            "code": self.code,
            "detail": self.detail,
            "replayed": self.replayed,
            **self.extra,
        }


def _checked_in_result(checkin: CheckIn, registration: Registration, *, client_scan_id: str, replayed: bool):
    return ScanResult(
        client_scan_id=client_scan_id,
        code=CHECKED_IN,
        detail="Checked in.",
        replayed=replayed,
        extra={
            "checkin_id": checkin.pk,
            "checked_in_at": when.iso(checkin.checked_in_at),
            "registration": registration_summary(registration),
        },
    )


class _Tickets:
    """Finds the registration an offline scan names: by secret (any event, so that a ticket for
    another event is told apart from a forgery), by ticket hash or by id (this event only)."""

    def __init__(self, event: Event):
        self.event = event
        self._by_hash = None

    def by_secret(self, secret: str) -> Registration | None:
        parsed = secret_from_payload(secret)
        if parsed is None:
            return None
        return _with_live_checkin(Registration.objects.filter(ticket_secret=parsed)).order_by().first()

    def by_hash(self, hashed: str) -> Registration | None:
        if self._by_hash is None:
            self._by_hash = {
                ticket_hash(secret): pk
                for pk, secret in Registration.objects.filter(event=self.event).values_list("pk", "ticket_secret")
            }
        pk = self._by_hash.get(hashed.lower())
        return self.by_id(pk) if pk is not None else None

    def by_id(self, pk: int) -> Registration | None:
        registrations = Registration.objects.filter(event=self.event, pk=pk)
        return _with_live_checkin(registrations).order_by().first()


def record_offline_scans(
    *, event: Event, by, device: str, scans: list[dict], guesses_left: int | None = None
) -> list[ScanResult]:
    """Apply the scans an offline device made, in the order they happened.

    Each scan is ``{"client_scan_id", "scanned_at"}`` plus what names the ticket: the scanned
    ``secret``; or, when staff found the person in the downloaded list rather than scanning
    (a lost QR code), that list's ``registration`` id or ``ticket_hash`` (this event's only).
    The caller has checked ``by``'s rights for ``event``.

    Idempotent: a scan is the same scan when the same device uploads the same
    ``client_scan_id`` for the same ticket; it answers ``checked_in`` again with ``replayed``
    true and writes nothing. Another device's scan with that id is a scan of its own. A scan
    that was refused is decided again, which gives the same answer while the door's state is
    unchanged. Conflicts (someone else checked the ticket in first: when, by whom, on which
    device; a cancelled registration; an unknown code) are reported per scan; the batch as a
    whole always succeeds.

    Check-ins keep the device's ``scanned_at`` (the server's now when the device clock runs a
    little ahead). A scan dated outside :func:`scan_window` is refused with ``bad_scan_time``.

    ``guesses_left`` bounds the unknown secrets and hashes this batch may try (the ticket-
    guessing throttle); once they are spent, the remaining scans that carry one are answered
    ``throttled``, undecided, for the device to send again later. No side effects.
    """
    device = device[:100]
    now = timezone.now()
    earliest, latest = scan_window(event=event, now=now)
    scans = sorted(scans, key=lambda scan: scan["scanned_at"])
    earlier = {
        (checkin.client_scan_id, checkin.registration_id): checkin
        for checkin in CheckIn.objects.filter(
            event=event, device=device, client_scan_id__in=[scan["client_scan_id"] for scan in scans]
        )
    }
    tickets = _Tickets(event)
    results = []
    for scan in scans:
        scan_id = scan["client_scan_id"]
        if not earliest <= scan["scanned_at"] <= latest:
            results.append(ScanResult(scan_id, BAD_SCAN_TIME, _BAD_SCAN_TIME_DETAIL))
            continue
        names_a_secret = not scan.get("registration")
        if names_a_secret and guesses_left is not None and guesses_left <= 0:
            results.append(ScanResult(scan_id, THROTTLED, "Too many unknown codes: send this scan again later."))
            continue
        if scan.get("registration"):
            registration = tickets.by_id(scan["registration"])
        elif scan.get("secret"):
            registration = tickets.by_secret(scan["secret"])
        else:
            registration = tickets.by_hash(scan["ticket_hash"])
        if registration is None:
            if scan.get("registration"):
                refusal = CheckInRefused(UNKNOWN_REGISTRATION)
            elif scan.get("secret") and secret_from_payload(scan["secret"]) is None:
                refusal = CheckInRefused(NOT_A_TICKET)
            else:
                refusal = CheckInRefused(INVALID)
            guessed = refusal.code == INVALID
            if guessed and guesses_left is not None:
                guesses_left -= 1
            results.append(ScanResult(scan_id, refusal.code, refusal.message, guessed=guessed))
            continue
        replay = earlier.get((scan_id, registration.pk))
        if replay is not None:
            results.append(_checked_in_result(replay, registration, client_scan_id=scan_id, replayed=True))
            continue
        try:
            checkin = _admit(
                registration=registration,
                live=live_check_in(registration),
                event=event,
                by=by,
                device=device,
                source=CheckIn.Source.OFFLINE,
                scanned_at=scan["scanned_at"],
                client_scan_id=scan_id,
            )
        except CheckInRefused as refusal:
            replay = None
            if refusal.code == ALREADY_CHECKED_IN:
                replay = CheckIn.objects.filter(
                    registration=registration, device=device, client_scan_id=scan_id
                ).first()
            if replay is not None:
                # the same batch, uploaded twice at once: the other upload wrote this scan
                results.append(_checked_in_result(replay, registration, client_scan_id=scan_id, replayed=True))
            else:
                results.append(ScanResult(scan_id, refusal.code, refusal.message, extra=refusal.extra))
            continue
        earlier[(scan_id, registration.pk)] = checkin
        results.append(_checked_in_result(checkin, registration, client_scan_id=scan_id, replayed=False))
    return results


REPLAYED = "replayed"


def batch_summary(results: list[ScanResult]) -> dict[str, int]:
    """How many of a batch's scans ended how: each scan counted once, by its code, except that a
    scan answered again from an earlier upload (or twice in one batch) counts as ``replayed``,
    not as one more ``checked_in``: ``checked_in`` is the people this upload let in."""
    summary: dict[str, int] = {}
    for result in results:
        outcome = REPLAYED if result.replayed else result.code
        summary[outcome] = summary.get(outcome, 0) + 1
    return summary


_BAD_SCAN_TIME_DETAIL = (
    "The scan's time is outside the event (from a day before it starts to a day after it ends)"
    " or ahead of the server's clock: check the device's date and time."
)
