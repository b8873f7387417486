"""The one place where seats are handed out and given back.

``Event.seats_taken`` counts the seats held by confirmed and offered registrations. A seat is
taken with a single conditional UPDATE whose WHERE clause re-reads the row: on PostgreSQL a
concurrent writer waits for the row lock and then re-checks the condition, on SQLite the
IMMEDIATE transaction holds the write lock. "Count, then insert" would overbook;
``select_for_update`` is a no-op on SQLite. The check constraint ``seats_taken <= capacity`` on
Event is the backstop. Giving seats back needs no lock: an F() decrement.

``Event.waiting_count`` counts the registrations on the waiting list, kept in the same way:
whoever moves a registration onto or off the list changes it in the same transaction
(:func:`registrations.services.waiting_list.join_waiting_list`, :func:`seat_registration`,
:func:`end_registration`), so a newcomer's position is the counter, not a count of everyone ahead.
"""

import datetime as dt
import functools

from django.db import connection
from django.db.models import Case, F, PositiveIntegerField, Value, When
from django.db.models.functions import Greatest
from django.utils.translation import gettext_lazy as _

from events.models import Event
from events_project import prepared
from registrations.exceptions import InvalidRegistrationTransition
from registrations.models import ACTIVE_STATUSES, Registration, RegistrationStatus


@functools.cache
def _take_seats_sql(vendor: str, *, behind_waiting_list: bool) -> str:
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(Event._meta.db_table)} SET seats_taken = seats_taken + %s"
        " WHERE id = %s AND (capacity IS NULL OR seats_taken <= capacity - %s)"
    )
    if behind_waiting_list:
        sql += (
            f" AND NOT EXISTS (SELECT 1 FROM {quote(Registration._meta.db_table)}"
            f" WHERE event_id = %s AND status = '{RegistrationStatus.WAITLISTED.value}')"
        )
    return sql


def take_seats(*, event_id: int, seats: int, behind_waiting_list: bool = False) -> bool:
    """Take ``seats`` seats if that many are left (always, for unlimited capacity).

    ``behind_waiting_list``: and only if nobody is waiting (a free seat is owed to the first
    person waiting), checked in the same statement on the list's index. Hand-written and
    cached: the ORM spends more CPU building this UPDATE than the database spends running it,
    and every registration runs it.
    """
    if seats <= 0:
        return True
    params = [seats, event_id, seats] + ([event_id] if behind_waiting_list else [])
    sql = _take_seats_sql(connection.vendor, behind_waiting_list=behind_waiting_list)
    with connection.cursor() as cursor:
        # prepared once per kept PostgreSQL session, like the rest of the registration's statements
        name = "take_seats_behind_waiting_list" if behind_waiting_list else "take_seats"
        prepared.execute(cursor, name=name, sql=sql, params=params)
        return cursor.rowcount == 1


def seats_taken_sql(*, event_id: int, seats: int, behind_waiting_list: bool) -> tuple[str, list]:
    """:func:`take_seats`' ``UPDATE`` as part of a larger statement (``WITH seat AS (...)``): it
    returns the event's ``id`` when it took the seats, no row when not. PostgreSQL."""
    params = [seats, event_id, seats] + ([event_id] if behind_waiting_list else [])
    sql = _take_seats_sql(connection.vendor, behind_waiting_list=behind_waiting_list)
    return f"{sql} RETURNING id", params


def left_waiting_list(*, event_id: int, count: int = 1) -> None:
    """``count`` registrations left the waiting list (promoted, offered, cancelled, rejected)."""
    if count > 0:
        Event.objects.filter(pk=event_id, waiting_count__gt=0).update(
            waiting_count=Greatest(F("waiting_count") - count, 0)
        )


def release_seats(*, event_id: int, seats: int) -> None:
    if seats > 0:
        Event.objects.filter(pk=event_id).update(seats_taken=F("seats_taken") - seats)


def _by_event(counts: dict[int, int]):
    """``counts`` (event id: number) as one expression, each event's row reading its own number."""
    whens = [When(pk=event_id, then=Value(count)) for event_id, count in counts.items()]
    return Case(*whens, default=Value(0), output_field=PositiveIntegerField())


def release_seats_of_events(seats: dict[int, int]) -> None:
    """release_seats for many events (event id: seats) in one UPDATE."""
    seats = {event_id: count for event_id, count in seats.items() if count > 0}
    if seats:
        Event.objects.filter(pk__in=seats).update(seats_taken=F("seats_taken") - _by_event(seats))


def left_waiting_lists(counts: dict[int, int]) -> None:
    """left_waiting_list for many events (event id: registrations that left) in one UPDATE."""
    counts = {event_id: count for event_id, count in counts.items() if count > 0}
    if counts:
        Event.objects.filter(pk__in=counts, waiting_count__gt=0).update(
            waiting_count=Greatest(F("waiting_count") - _by_event(counts), 0)
        )


SEATED, NO_SEATS, MOVED = "seated", "no_seats", "moved"


def seat_registration(registration: Registration, *, from_status: str, to: str, now: dt.datetime, **changes) -> str:
    """Take the party's seats and move the registration from ``from_status`` to ``to``.

    Returns SEATED, NO_SEATS (not enough free) or MOVED (someone else changed it first; then
    ``registration`` is read again, so the caller sees where it went: a parallel request doing the
    same thing, a double click, leaves it at ``to`` and is the same outcome to report).
    """
    if not take_seats(event_id=registration.event_id, seats=registration.party_size):
        return NO_SEATS
    moved = Registration.objects.filter(pk=registration.pk, status=from_status).update(
        status=to, seats_held=registration.party_size, updated_at=now, **changes
    )
    if not moved:
        # a parallel promotion or cancel got there first: give the seats back
        release_seats(event_id=registration.event_id, seats=registration.party_size)
        registration.refresh_from_db()
        return MOVED
    if from_status == RegistrationStatus.WAITLISTED:
        left_waiting_list(event_id=registration.event_id)
    registration.refresh_from_db()
    return SEATED


def end_registration(registration: Registration, *, to: str, now: dt.datetime) -> int | None:
    """Move an active registration to cancelled/rejected and give back its seats.

    Conditional on the status and seats we read, so two simultaneous cancels free the seats once.
    Returns how many seats it freed (0 for one that held none), with ``registration`` read
    again; or None when it was no longer active.
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
            if current["status"] == RegistrationStatus.WAITLISTED:
                left_waiting_list(event_id=registration.event_id)
            registration.refresh_from_db()
            return current["seats_held"]
    raise InvalidRegistrationTransition(_("The registration is changing; try again."), "busy")
