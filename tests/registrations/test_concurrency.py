"""A rush for the last seats, with real simultaneous connections.

Each thread has its own database connection (Django keeps one per thread), so these are real
concurrent transactions: on PostgreSQL READ COMMITTED, on SQLite WAL with BEGIN IMMEDIATE.
The control test shows that "count, then insert" overbooks under the same rush on PostgreSQL,
so the real test could fail if the guard were removed.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection, connections, transaction

from events.models import Event
from registrations.models import Registration, RegistrationStatus
from registrations.services.registration import approve_registration, cancel_registration, register
from registrations.services.waiting_list import promote_registration
from tests import factories

Status = RegistrationStatus
RUSH = 16
CAPACITY = 5
ALREADY_TAKEN = 2


def rush(action, count=RUSH) -> list:
    """Run ``action(i)`` in ``count`` threads released at the same instant; return results or errors."""
    barrier = threading.Barrier(count)

    def run(i):
        try:
            barrier.wait(timeout=30)
            return action(i)
        except Exception as error:  # noqa: BLE001 -- returned to the test, which asserts there are none
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def register_one(event_id):
    def action(i):
        event = Event.objects.get(pk=event_id)
        return register(
            event=event, name=f"Rusher {i}", email=f"rusher{i}@example.org", consent_data_processing=True
        ).status

    return action


def count_then_insert(event_id):
    """The naive way: count confirmed seats, then insert. No conditional update, no counter."""

    def action(i):
        with transaction.atomic():
            event = Event.objects.get(pk=event_id)
            taken = Registration.objects.filter(event_id=event_id, status=Status.CONFIRMED).count()
            time.sleep(0.05)  # the time a real request spends between the two statements, made visible
            status = Status.CONFIRMED if taken < event.capacity else Status.WAITLISTED
            Registration.objects.create(event=event, name=f"Naive {i}", email=f"naive{i}@example.org", status=status)
            return status

    return action


def event_with_seats_left():
    event = factories.EventFactory(capacity=CAPACITY)
    for i in range(ALREADY_TAKEN):
        register(event=event, name=f"Early {i}", email=f"early{i}@example.org", consent_data_processing=True)
    return event


def assert_exactly_full(event, results):
    errors = [result for result in results if isinstance(result, Exception)]
    assert errors == []
    assert results.count(Status.CONFIRMED) == CAPACITY - ALREADY_TAKEN
    assert results.count(Status.WAITLISTED) == RUSH - (CAPACITY - ALREADY_TAKEN)
    assert Registration.objects.filter(event=event, status=Status.CONFIRMED).count() == CAPACITY
    assert Event.objects.get(pk=event.pk).seats_taken == CAPACITY


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_rush_for_the_last_seats_fills_exactly_to_capacity_on_postgres():
    event = event_with_seats_left()

    results = rush(register_one(event.pk))

    assert_exactly_full(event, results)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_control_count_then_insert_overbooks_on_postgres():
    event = factories.EventFactory(capacity=CAPACITY)

    results = rush(count_then_insert(event.pk))

    assert results.count(Status.CONFIRMED) > CAPACITY


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_rush_of_http_requests_against_a_live_server_on_postgres(live_server):
    event = event_with_seats_left()
    url = f"{live_server.url}/api/events/{event.pk}/registrations/"

    def post(i):
        body = {"name": f"Rusher {i}", "email": f"rusher{i}@example.org", "consent_data_processing": True}
        response = requests.post(url, json=body, timeout=30)
        return response.json()["status"] if response.status_code == 201 else response.status_code

    results = rush(post)

    assert_exactly_full(event, results)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_same_person_twice_at_once_makes_one_registration_on_postgres():
    event = factories.EventFactory(capacity=CAPACITY)

    def action(i):
        fresh = Event.objects.get(pk=event.pk)
        return register(event=fresh, name="Twin", email="twin@example.org", consent_data_processing=True).pk

    results = rush(action, count=8)

    assert [r for r in results if isinstance(r, Exception)] == []
    assert len(set(results)) == 1
    assert Event.objects.get(pk=event.pk).seats_taken == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_cancellations_promote_each_waiting_person_once_on_postgres():
    event = factories.EventFactory(capacity=4)
    confirmed = [
        register(event=event, name=f"C{i}", email=f"c{i}@example.org", consent_data_processing=True) for i in range(4)
    ]
    waiting = [
        register(event=event, name=f"W{i}", email=f"w{i}@example.org", consent_data_processing=True) for i in range(6)
    ]

    results = rush(lambda i: cancel_registration(registration=Registration.objects.get(pk=confirmed[i].pk)), count=4)

    assert [r for r in results if isinstance(r, Exception)] == []
    promoted = Registration.objects.filter(pk__in=[w.pk for w in waiting], status=Status.CONFIRMED)
    assert sorted(promoted.values_list("pk", flat=True)) == [w.pk for w in waiting[:4]]
    assert Event.objects.get(pk=event.pk).seats_taken == 4


@pytest.mark.django_db(transaction=True)
def test_rush_for_the_last_seats_fills_exactly_to_capacity_on_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite variant")
    event = event_with_seats_left()

    results = rush(register_one(event.pk))

    assert_exactly_full(event, results)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_invitation_code_used_at_once_by_many_admits_one_on_postgres():
    event = factories.EventFactory(capacity=CAPACITY, registration_mode="invitation")
    code = factories.InvitationFactory(event=event).code

    def action(i):
        fresh = Event.objects.get(pk=event.pk)
        return register(
            event=fresh, name=f"Guest {i}", email=f"guest{i}@example.org", consent_data_processing=True,
            invitation_code=code,
        ).status  # fmt: skip

    results = rush(action, count=8)

    assert results.count(Status.CONFIRMED) == 1
    assert sorted(getattr(r, "code", r) for r in results if r != Status.CONFIRMED) == ["invitation_used"] * 7
    assert Event.objects.get(pk=event.pk).seats_taken == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("status", [Status.WAITLISTED, Status.PENDING])
def test_two_organisers_moving_one_person_in_at_once_both_see_them_in_on_postgres(status):
    """A double click on "move in" / "approve" (or two organisers at once): the second waits for
    the first and finds the person confirmed, as a repeated request does, not 'not enough seats'."""
    event = factories.EventFactory(capacity=CAPACITY)
    person = factories.RegistrationFactory(event=event, status=status)
    organiser = factories.UserFactory()
    move_in = promote_registration if status == Status.WAITLISTED else approve_registration

    results = rush(lambda i: move_in(registration=Registration.objects.get(pk=person.pk), by=organiser).status, count=4)

    assert results == [Status.CONFIRMED] * 4
    assert Event.objects.get(pk=event.pk).seats_taken == 1
