"""The waiting list: who is next, promotion when seats free up, seat offers and their expiry.

The rule (pretix's, not Indico's): the list is served strictly in order of ``waiting_since``.
When the first person waiting needs more seats than are free (a family of four, two seats
free), nobody behind them skips ahead; the seats wait until enough are free. While anyone is
waiting, new online registrations join the end of the list (see ``register``) rather than take
a seat someone waiting is owed. Organisers can still move a chosen person in out of order
(:func:`promote_registration`).

With ``event.offer_hold_hours`` a freed seat is first *offered* (status ``offered``, seats held
until ``offer_expires_at``, never past the start); :func:`accept_offer` takes it and
:func:`expire_offers` (a django-q2 schedule) withdraws lapsed offers and moves on, so no stale
offer stays behind.

Positions: ``Event.waiting_count`` is the length of the list (see :mod:`seats`), so joining
costs one UPDATE ... RETURNING whatever the length; the row lock it takes queues simultaneous
joiners, so each is told its true place.
"""

import datetime as dt

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events import when
from events.models import MAX_OFFER_HOLD_HOURS, Event, EventStatus
from events.services import log_action
from events_project.periodic import process_each
from notifications import kinds
from registrations.exceptions import EventFull, InvalidRegistrationTransition
from registrations.models import Registration, RegistrationStatus
from registrations.services.messages import is_over, tell_registrant, tell_registrants
from registrations.services.seats import (
    MOVED,
    NO_SEATS,
    end_registration,
    left_waiting_list,
    seat_registration,
    take_seats,
)

Status = RegistrationStatus
# how many waiting entries one promotion pass reads at a time
PROMOTION_BATCH = 50


def join_waiting_list(*, event_id: int) -> int:
    """Count one more person on the event's waiting list; return their position (the new length).

    Inside the joining registration's transaction. The UPDATE holds the event row until commit,
    so joiners queue in commit order and the time taken after it is each one's true place.
    """
    table = connection.ops.quote_name(Event._meta.db_table)
    with connection.cursor() as cursor:
        # one statement (PostgreSQL and SQLite >= 3.35 both have RETURNING); the ORM's update() has none
        cursor.execute(
            f"UPDATE {table} SET waiting_count = waiting_count + 1 WHERE id = %s RETURNING waiting_count", [event_id]
        )
        return cursor.fetchone()[0]


def waiting_position(registration: Registration) -> int | None:
    """1 for the first person waiting. None unless the registration is on the waiting list."""
    if registration.status != Status.WAITLISTED or registration.waiting_since is None:
        return None
    ahead = Registration.objects.filter(event_id=registration.event_id, status=Status.WAITLISTED).filter(
        Q(waiting_since__lt=registration.waiting_since)
        | Q(waiting_since=registration.waiting_since, pk__lt=registration.pk)
    )
    return ahead.count() + 1


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
            _("Only waiting or pending registrations can be moved in."), "invalid_transition"
        )
    was = registration.status
    now = timezone.now()
    if was == Status.OFFERED:
        # the seats are already held: confirm in place
        Registration.objects.filter(pk=registration.pk, status=Status.OFFERED).update(
            status=Status.CONFIRMED, confirmed_at=now, offer_expires_at=None, updated_at=now
        )
        registration.refresh_from_db()
    else:
        outcome = seat_registration(registration, from_status=was, to=Status.CONFIRMED, now=now, confirmed_at=now)
        if outcome == MOVED and registration.status == Status.CONFIRMED:
            return registration  # moved in by a parallel request (a double click): the same outcome
        if outcome == MOVED:
            raise InvalidRegistrationTransition(_("The registration changed meanwhile."), "invalid_transition")
        if outcome == NO_SEATS:
            raise EventFull(_("Not enough seats left; raise the capacity first."), "event_full")
    tell_registrant(registration, kinds.REGISTRATION_APPROVED if was == Status.PENDING else kinds.WAITING_LIST_PROMOTED)
    log_action(by=by, action="registration.promoted", event=registration.event, subject=registration)
    return registration


@transaction.atomic
def promote_waiting_list(*, event: Event) -> list[Registration]:
    """Give free seats to the people waiting, strictly in order (see the module docstring).

    With ``event.offer_hold_hours`` the seat is offered (status offered, held until
    ``offer_expires_at``, never past the start); otherwise, or once the event has started and
    there is no time left to hold a seat, the person is confirmed at once.
    Side effects: seat_offered or waiting_list_promoted for each person moved.
    """
    event = Event.objects.get(pk=event.pk)
    now = timezone.now()
    if event.status != EventStatus.PUBLISHED or event.end <= now:
        return []
    # bounded again here: a row saved before Event.clean bounded it would overflow the timedelta
    hours = min(event.offer_hold_hours or 0, MAX_OFFER_HOLD_HOURS)
    offer_until = min(now + dt.timedelta(hours=hours), event.start) if hours else None
    if offer_until is not None and offer_until <= now:
        offer_until = None  # an offer that expires before it is read would be a stale one
    promoted: list[Registration] = []
    while True:
        batch = list(
            Registration.objects.filter(event=event, status=Status.WAITLISTED)
            .select_related("event")
            .order_by("waiting_since", "pk")[:PROMOTION_BATCH]
        )
        if not batch:
            return promoted
        seated = _seat_in_order(event, batch, offer_until=offer_until, now=now)
        if seated is not None:
            promoted += seated
            if len(seated) < len(batch):
                return promoted  # the next in line does not fit: nobody skips ahead
            continue
        for candidate in batch:
            if offer_until:
                changes = {"offer_expires_at": offer_until}
                to = Status.OFFERED
            else:
                changes = {"confirmed_at": now}
                to = Status.CONFIRMED
            outcome = seat_registration(candidate, from_status=Status.WAITLISTED, to=to, now=now, **changes)
            if outcome == MOVED:
                continue
            if outcome == NO_SEATS:
                return promoted  # the first in line does not fit: nobody skips ahead
            if to == Status.OFFERED:
                # in the event's zone with its offset, as the API writes a registration's times
                tell_registrant(
                    candidate, kinds.SEAT_OFFERED, offer_expires_at=when.iso(candidate.offer_expires_at, event.zone)
                )
            else:
                tell_registrant(candidate, kinds.WAITING_LIST_PROMOTED)
            promoted.append(candidate)


def _seat_in_order(event: Event, batch: list[Registration], *, offer_until, now) -> list[Registration] | None:
    """Seat the longest run of ``batch`` (the first people waiting, in order) that fits the free
    seats, in a fixed number of queries: the run locked and read, its seats taken in one
    conditional UPDATE, the run moved in one, the waiting list's count in one, the messages queued
    together (one by one, 1,500 people waiting took 9,000 queries and 23 s of the organiser's
    request that raised the capacity). Returns the people seated (read again); None when someone
    else changed the batch or the seats meanwhile: the caller then goes one by one, as before."""
    with transaction.atomic():
        waiting = set(
            Registration.objects.select_for_update()
            .filter(pk__in=[candidate.pk for candidate in batch], status=Status.WAITLISTED)
            .values_list("pk", flat=True)
        )
        if len(waiting) < len(batch):
            return None
        capacity, taken = Event.objects.filter(pk=event.pk).values_list("capacity", "seats_taken").get()
        run, seats = [], 0
        for candidate in batch:
            if capacity is not None and taken + seats + candidate.party_size > capacity:
                break
            run.append(candidate)
            seats += candidate.party_size
        if not run or not take_seats(event_id=event.pk, seats=seats):
            return None
        changes = {"offer_expires_at": offer_until} if offer_until else {"confirmed_at": now}
        Registration.objects.filter(pk__in=[candidate.pk for candidate in run]).update(
            status=Status.OFFERED if offer_until else Status.CONFIRMED,
            seats_held=F("party_size"),
            updated_at=now,
            **changes,
        )
        left_waiting_list(event_id=event.pk, count=len(run))
        order = {candidate.pk: position for position, candidate in enumerate(run)}
        seated = sorted(
            Registration.objects.filter(pk__in=order).select_related("event"), key=lambda row: order[row.pk]
        )
        if offer_until:
            tell_registrants(
                seated,
                kinds.SEAT_OFFERED,
                event=event,
                context_of=lambda registration: {
                    "offer_expires_at": when.iso(registration.offer_expires_at, event.zone)
                },
            )
        else:
            tell_registrants(seated, kinds.WAITING_LIST_PROMOTED, event=event)
        return seated


def may_accept_offer(registration: Registration) -> bool:
    """Whether the ticket page offers *Take the seat* (:func:`accept_offer` takes it): a seat is on
    offer and its event is not over (an offer that never expires outlives the event)."""
    return registration.status == Status.OFFERED and not is_over(registration.event)


def accept_offer(*, registration: Registration) -> Registration:
    """The person offered a seat takes it. An expired offer is withdrawn at once and refused
    (code ``offer_expired``), so no stale offer survives until the next sweep; once the event is
    over a seat is no use and is refused (``event_over``): it would make a no-show of the record.

    Side effects: registration_confirmed.
    """
    with transaction.atomic():
        registration.refresh_from_db()
        if registration.status == Status.CONFIRMED:
            return registration
        if registration.status != Status.OFFERED:
            raise InvalidRegistrationTransition(_("There is no seat on offer for this registration."), "no_offer")
        if is_over(registration.event):
            raise InvalidRegistrationTransition(_("The event is over."), "event_over")
        now = timezone.now()
        if registration.offer_expires_at is None or registration.offer_expires_at > now:
            Registration.objects.filter(pk=registration.pk, status=Status.OFFERED).update(
                status=Status.CONFIRMED, confirmed_at=now, offer_expires_at=None, updated_at=now
            )
            registration.refresh_from_db()
            if registration.status == Status.CONFIRMED:
                tell_registrant(registration, kinds.REGISTRATION_CONFIRMED)
                return registration
    expire_offers(now=now)
    raise InvalidRegistrationTransition(_("The offer has expired."), "offer_expired")


def expire_offers(now: dt.datetime | None = None) -> int:
    """Withdraw every offer past its time and pass the seats on. Returns how many expired.

    Each offer in a transaction of its own, so one failure does not keep the others.
    Side effects: registration_cancelled to whoever missed the offer; seat_offered /
    waiting_list_promoted to whoever is next.
    """
    now = now or timezone.now()
    due = Registration.objects.filter(status=Status.OFFERED, offer_expires_at__lte=now).order_by("offer_expires_at")

    @transaction.atomic
    def expire(registration: Registration) -> bool:
        if not due.filter(pk=registration.pk).exists():
            return False
        if end_registration(registration, to=Status.CANCELLED, now=now) is None:
            return False
        tell_registrant(registration, kinds.REGISTRATION_CANCELLED, reason="offer_expired")
        promote_waiting_list(event=registration.event)
        return True

    return sum(process_each(due.select_related("event"), expire, job="offer expiry"))
