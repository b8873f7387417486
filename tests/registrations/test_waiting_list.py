"""The waiting list's counter (``Event.waiting_count``): a newcomer's position without counting
everyone ahead, kept exact by every move onto and off the list, also under a rush."""

import datetime as dt

import pytest
from django.utils import timezone

from events.models import Event
from events.services import cancel_event
from registrations.models import Registration, RegistrationStatus
from registrations.services import registration as services
from tests import factories
from tests.registrations.conftest import sign_up
from tests.registrations.test_concurrency import rush

Status = RegistrationStatus


def counted(event) -> tuple[int, int]:
    """(the counter, the registrations really waiting)."""
    real = Registration.objects.filter(event=event, status=Status.WAITLISTED).count()
    return Event.objects.get(pk=event.pk).waiting_count, real


def full_event_with_list(*, capacity=2, waiting=3, **extra):
    event = factories.EventFactory(capacity=capacity, **extra)
    seated = [sign_up(event) for _ in range(capacity)]
    queued = [sign_up(event) for _ in range(waiting)]
    return event, seated, queued


def test_joining_tells_each_the_next_position(db):
    event, _seated, queued = full_event_with_list(waiting=3)

    assert [registration.position_told for registration in queued] == [1, 2, 3]
    assert [services.waiting_position(registration) for registration in queued] == [1, 2, 3]
    assert counted(event) == (3, 3)


def test_counter_follows_promotion_and_cancellation(db):
    event, seated, queued = full_event_with_list(waiting=3)

    services.cancel_registration(registration=seated[0])  # the first waiting moves in
    services.cancel_registration(registration=queued[2])  # the last waiting leaves
    newcomer = sign_up(event)

    assert counted(event) == (2, 2)
    assert newcomer.position_told == 2 == services.waiting_position(newcomer)


def test_counter_follows_organisers_promotion_and_rejection(db, organiser):
    event, _seated, queued = full_event_with_list(capacity=1, waiting=3)
    Event.objects.filter(pk=event.pk).update(capacity=2)

    services.promote_registration(registration=queued[1], by=organiser)
    services.reject_registration(registration=queued[0], by=organiser, reason="")

    assert counted(event) == (1, 1)


@pytest.mark.parametrize("waiting", [2, 6])
@pytest.mark.parametrize("offer_hold_hours", [0, 24])
def test_more_seats_serve_the_list_in_order_in_the_same_queries_whatever_its_length(
    db, organiser, waiting, offer_hold_hours
):
    """1,500 people waiting took 9,000 queries and 23 s of the request that raised the capacity,
    seated and told one by one. Those who fit are seated (or offered a seat) in order and told;
    the next, who does not fit, keeps waiting."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from events.services import update_event
    from notifications.models import OutboxMessage

    event, _seated, queued = full_event_with_list(
        capacity=1, waiting=waiting, offer_hold_hours=offer_hold_hours, organisers=[organiser]
    )
    kind = "seat_offered" if offer_hold_hours else "waiting_list_promoted"
    event.refresh_from_db()

    with CaptureQueriesContext(connection) as queries:
        update_event(event=event, by=organiser, capacity=waiting)  # one seat short of everyone

    moved = Status.OFFERED if offer_hold_hours else Status.CONFIRMED
    assert [Registration.objects.get(pk=person.pk).status for person in queued] == [moved] * (waiting - 1) + [
        Status.WAITLISTED
    ]
    assert counted(event) == (1, 1)
    assert Event.objects.get(pk=event.pk).seats_taken == waiting
    told = OutboxMessage.objects.filter(kind=kind, event=event).values_list("recipient_email", flat=True)
    assert sorted(told) == sorted(person.email for person in queued[:-1])
    assert len(queries) == QUERIES_TO_SERVE_THE_LIST, "\n".join(q["sql"][:100] for q in queries.captured_queries)


# the event checked, saved and logged; read again and its list read; the run locked, the free seats
# read and taken, the run moved, the waiting count, the run read again, the messages queued (keys
# looked up, written); savepoints around each
QUERIES_TO_SERVE_THE_LIST = 32


def test_counter_follows_offers_and_their_expiry(db):
    event, seated, queued = full_event_with_list(capacity=1, waiting=2, offer_hold_hours=24)

    services.cancel_registration(registration=seated[0])  # the first waiting is offered the seat
    assert counted(event) == (1, 1)
    services.expire_offers(now=timezone.now() + dt.timedelta(days=2))  # passed on to the second

    assert Registration.objects.get(pk=queued[1].pk).status == Status.OFFERED
    assert counted(event) == (0, 0)


def test_counter_follows_a_transfer_and_the_event_cancelled(db):
    event = factories.EventFactory(capacity=1, registration_mode="invitation")
    invited = [factories.InvitationFactory(event=event) for _ in range(3)]
    _seated, *queued = [sign_up(event, email=i.email, invitation_code=i.code) for i in invited]

    services.transfer_registration(registration=queued[0], name="Colleague", email="colleague@example.org")
    assert counted(event) == (2, 2)
    cancel_event(event=Event.objects.get(pk=event.pk), reason="Storm")

    assert counted(event) == (0, 0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_rush_onto_the_waiting_list_tells_exact_positions_on_postgres():
    event, _seated, queued = full_event_with_list(capacity=2, waiting=2)

    def join(i):
        fresh = Event.objects.get(pk=event.pk)
        registration = services.register(
            event=fresh, name=f"Late {i}", email=f"late{i}@example.org", consent_data_processing=True
        )
        return registration.pk, registration.position_told

    results = rush(join)

    assert [r for r in results if isinstance(r, Exception)] == []
    told = dict(results)
    assert sorted(told.values()) == list(range(3, 3 + len(results)))
    # the position told is the place in the list's order
    for registration in Registration.objects.filter(pk__in=told):
        assert services.waiting_position(registration) == told[registration.pk]
    assert counted(event) == (2 + len(results), 2 + len(results))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_joining_while_others_leave_keeps_the_counter_exact_on_postgres():
    event, _seated, queued = full_event_with_list(capacity=2, waiting=8)

    def act(i):
        if i % 2:
            return services.cancel_registration(registration=Registration.objects.get(pk=queued[i // 2].pk)).status
        fresh = Event.objects.get(pk=event.pk)
        return services.register(
            event=fresh, name=f"Late {i}", email=f"late{i}@example.org", consent_data_processing=True
        ).status

    results = rush(act)

    assert [r for r in results if isinstance(r, Exception)] == []
    assert counted(event) == (8, 8)


def test_registering_again_while_waiting_counts_nobody_twice(db):
    event, _seated, queued = full_event_with_list(waiting=2)

    again = services.register_once(event=event, name="Again", email=queued[0].email, consent_data_processing=True)

    assert (again.registration.pk, again.already) == (queued[0].pk, True)
    assert counted(event) == (2, 2)
