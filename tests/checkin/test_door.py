"""Manual check-in, undo, live counts, walk-ins and the offline list."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Event
from registrations.checkin import services as door_services
from registrations.models import CheckIn, Registration, RegistrationStatus
from registrations.selectors import checkins_visible_to, registrations_at_doors_of
from registrations.services import tickets
from registrations.services.registration import register
from tests import factories
from tests.checkin.conftest import client_for, happening_now, make_registration, scan_url
from tests.search_folding_cases import STORED_NAMES, TYPED

pytestmark = pytest.mark.django_db


def door(event, path=""):
    return f"/api/events/{event.pk}/checkin/{path}"


def test_search_finds_by_name_or_email_with_check_in_state(event, staff_client, ticket):
    make_registration(event, name="Rashad Huseynov", email="rashad@example.org")
    staff_client.post(scan_url(event), {"secret": tickets.ticket_payload(ticket)})

    by_name = staff_client.get(door(event, "search/"), {"q": "leyla"})
    by_email = staff_client.get(door(event, "search/"), {"q": "RASHAD@"})

    assert [row["name"] for row in by_name.data["results"]] == ["Leyla Aliyeva"]
    assert by_name.data["results"][0]["checked_in_by"] == "Aysel Mammadova"
    assert by_name.data["results"][0]["checked_in_at"] is not None
    assert [row["name"] for row in by_email.data["results"]] == ["Rashad Huseynov"]
    assert by_email.data["results"][0]["checked_in_at"] is None


@pytest.fixture
def folding_names(event):
    """The table's names, registered by the registration service (on PostgreSQL its one-statement
    insert, which the database's folded ``search_name`` is computed in)."""
    for number, name in enumerate(STORED_NAMES):
        register(
            event=event,
            name=name,
            email=f"person{number}@example.org",
            consent_data_processing=True,
            source="organiser",
        )


@pytest.mark.parametrize(("typed", "found"), TYPED)
def test_search_folds_azerbaijani_letters_and_accents(event, staff_client, folding_names, typed, found):
    """ "ilahe" for "İlahə", "seker" for "Şəkər", "gunel" for "Günel": each letter is its Latin base
    letter to the door's search, on SQLite and PostgreSQL as on the offline page (the same table)."""
    response = staff_client.get(door(event, "search/"), {"q": typed})

    assert sorted(row["name"] for row in response.data["results"]) == sorted(found)


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("ilahə", ["ILAHƏ BABAYEVA"]),  # SQLite's LOWER left "Ə" capital: the phone offline found her, the server not
        ("şahin", ["ŞAHİN ÇƏLƏBİ"]),
        ("çələbi", ["ŞAHİN ÇƏLƏBİ"]),
        ("göyüş", ["GÖYÜŞ AĞAYEVA"]),
        ("ağa", ["GÖYÜŞ AĞAYEVA"]),
    ],
)
def test_search_finds_a_name_typed_in_capitals_by_its_small_letters(event, staff_client, typed, found):
    for name in ("ILAHƏ BABAYEVA", "ŞAHİN ÇƏLƏBİ", "GÖYÜŞ AĞAYEVA", "Leyla Aliyeva"):
        make_registration(event, name=name)

    response = staff_client.get(door(event, "search/"), {"q": typed})

    assert [row["name"] for row in response.data["results"]] == found


def test_search_stays_inside_the_event(event, staff_client):
    make_registration(factories.EventFactory(), name="Leyla Elsewhere")

    response = staff_client.get(door(event, "search/"), {"q": "leyla"})

    assert response.data["count"] == 0


@pytest.mark.parametrize("size", [1, 5])
def test_search_query_count_does_not_grow_with_results(event, staff_client, size, django_assert_num_queries):
    for number in range(size):
        registration = make_registration(event, name=f"Pupil {number}")
        staff_client.post(scan_url(event), {"secret": tickets.ticket_payload(registration)})

    # rights (the event among those the user may check in at, with its organisers), then count and page
    with django_assert_num_queries(4):
        response = staff_client.get(door(event, "search/"), {"q": "pupil"})

    assert response.data["count"] == size


def test_manual_check_in_by_registration_id(event, staff_client, ticket):
    response = staff_client.post(door(event, "manual/"), {"registration": ticket.pk, "device": "desk"})
    again = staff_client.post(door(event, "manual/"), {"registration": ticket.pk, "device": "desk"})

    assert response.status_code == 200
    assert response.data["code"] == "checked_in"
    assert CheckIn.objects.get().source == CheckIn.Source.MANUAL
    assert again.data["code"] == "already_checked_in"


def test_manual_check_in_of_another_events_registration_is_not_found(event, staff_client):
    foreign = make_registration(factories.EventFactory())

    response = staff_client.post(door(event, "manual/"), {"registration": foreign.pk})

    assert response.status_code == 404
    assert not CheckIn.objects.exists()


def test_undo_sets_undone_and_is_harmless_twice(event, staff, staff_client, ticket):
    checkin_id = staff_client.post(scan_url(event), {"secret": tickets.ticket_payload(ticket)}).data["checkin"]["id"]

    first = staff_client.post(door(event, f"{checkin_id}/undo/"))
    second = staff_client.post(door(event, f"{checkin_id}/undo/"))

    checkin = CheckIn.objects.get()
    assert first.status_code == 200
    assert first.data["undone_by"] == "Aysel Mammadova"
    assert second.data["undone_at"] == first.data["undone_at"]
    assert checkin.undone_by == staff
    assert checkin.undone_at is not None


def test_undo_after_the_door_closed_is_refused_as_a_check_in_would_be(event, staff_client, ticket):
    """The door page hides its actions once the door has closed, yet the API still undid
    check-ins days later, after attendance was recorded from them: undo follows the door."""
    checkin_id = staff_client.post(scan_url(event), {"secret": tickets.ticket_payload(ticket)}).data["checkin"]["id"]
    days_ago = dt.timedelta(days=5)  # the door closed a day after the event
    Event.objects.filter(pk=event.pk).update(start=event.start - days_ago, end=event.end - days_ago)

    response = staff_client.post(door(event, f"{checkin_id}/undo/"))

    assert (response.status_code, response.data["code"]) == (409, "door_closed")
    assert CheckIn.objects.get().undone_at is None


def test_undo_by_staff_of_another_event_is_forbidden(event, staff_client, ticket):
    checkin_id = staff_client.post(scan_url(event), {"secret": tickets.ticket_payload(ticket)}).data["checkin"]["id"]
    outsider = factories.UserFactory()
    factories.EventFactory().checkin_staff.add(outsider)

    response = client_for(outsider).post(door(event, f"{checkin_id}/undo/"))

    assert response.status_code == 403
    assert CheckIn.objects.get().undone_at is None


def test_counts_registered_checked_in_and_waiting(event, staff_client, ticket):
    make_registration(event, party_size=3)
    make_registration(event, status=RegistrationStatus.WAITLISTED, party_size=2)
    make_registration(event, status=RegistrationStatus.CANCELLED)
    make_registration(event, status=RegistrationStatus.PENDING)
    staff_client.post(scan_url(event), {"secret": tickets.ticket_payload(ticket)})

    response = staff_client.get(door(event, "counts/"))

    assert response.data == {
        "registered": 2,
        "registered_people": 4,
        "checked_in": 1,
        "checked_in_people": 1,
        "waiting": 1,
        "waiting_people": 2,
        "pending": 1,
    }


def test_counts_by_attendee_is_forbidden(event):
    response = client_for(factories.UserFactory()).get(door(event, "counts/"))

    assert response.status_code == 403


def test_walk_in_registers_and_checks_in_in_one_step(event, staff, staff_client):
    response = staff_client.post(
        door(event, "walk-in/"), {"name": "Nigar Safarova", "party_size": 3, "device": "tablet"}
    )

    registration = Registration.objects.get()
    checkin = CheckIn.objects.get()
    assert response.status_code == 201, response.data
    assert response.data["code"] == "checked_in"
    assert (registration.status, registration.source, registration.party_size) == ("confirmed", "walk_in", 3)
    assert (checkin.registration, checkin.source, checkin.by) == (registration, CheckIn.Source.WALK_IN, staff)


def test_walk_in_when_full_is_refused_and_writes_nothing(staff_client, organiser):
    event = happening_now(organisers=[organiser], capacity=1, seats_taken=1)

    response = client_for(organiser).post(door(event, "walk-in/"), {"name": "Late Comer"})

    assert response.status_code == 409
    assert response.data["code"] == "event_full"
    assert not Registration.objects.exists()
    assert not CheckIn.objects.exists()


def test_offline_list_sends_hashes_never_secrets(event, staff_client, ticket):
    cancelled = make_registration(event, status=RegistrationStatus.CANCELLED)

    response = staff_client.get(door(event, "list/"))

    rows = {row["id"]: row for row in response.data["results"]}
    assert rows[ticket.pk]["ticket_hash"] == tickets.ticket_hash(ticket.ticket_secret)
    assert rows[ticket.pk]["name"] == "Leyla Aliyeva"
    assert rows[cancelled.pk]["status"] == "cancelled"
    assert ticket.ticket_secret not in response.content.decode()
    assert cancelled.ticket_secret not in response.content.decode()


def test_offline_list_by_staff_of_another_event_is_forbidden(event, ticket):
    outsider = factories.UserFactory()
    factories.EventFactory().checkin_staff.add(outsider)

    response = client_for(outsider).get(door(event, "list/"))

    assert response.status_code == 403


@pytest.mark.parametrize("size", [1, 5])
def test_offline_list_query_count_does_not_grow(event, staff_client, size):
    for _ in range(size):
        registration = make_registration(event)
        staff_client.post(scan_url(event), {"secret": tickets.ticket_payload(registration)})

    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(door(event, "list/"), {"status": "confirmed"})

    assert response.data["count"] == size
    assert len(queries.captured_queries) == 4  # rights (the event, its organisers), then count and page


@pytest.mark.parametrize("size", [1, 5])
def test_log_lists_every_check_in_with_same_query_count(event, staff_client, size):
    for _ in range(size):
        registration = make_registration(event)
        staff_client.post(scan_url(event), {"secret": tickets.ticket_payload(registration), "device": "door-9"})
    first = CheckIn.objects.order_by("pk").first()
    staff_client.post(door(event, f"{first.pk}/undo/"))

    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(door(event, "log/"), {"device": "door-9"})

    assert response.data["count"] == size
    assert {row["checked_in_by"] for row in response.data["results"]} == {"Aysel Mammadova"}
    assert [row["undone_by"] for row in response.data["results"]].count("Aysel Mammadova") == 1
    assert len(queries.captured_queries) == 4


def test_log_by_attendee_is_forbidden(event):
    response = client_for(factories.UserFactory()).get(door(event, "log/"))

    assert response.status_code == 403


@pytest.mark.parametrize("path", ["log/", "list/", "search/"])
def test_staff_of_one_event_cannot_read_another_events_door(event, staff, staff_client, ticket, path):
    """Staff of event A asking for event B's log, offline list or search: refused, and the
    rows themselves come from the selectors, which hold none of B's for them."""
    other = happening_now()
    outsider_ticket = make_registration(other, name="Leyla Elsewhere")
    other_staff = factories.UserFactory()
    other.checkin_staff.add(other_staff)
    client_for(other_staff).post(scan_url(other), {"secret": tickets.ticket_payload(outsider_ticket)})

    response = staff_client.get(door(other, path), {"q": "leyla"})

    assert (response.status_code, response.data["code"]) == (403, "not_checkin_staff")
    assert list(door_services.checkin_log(event=other, user=staff)) == []
    assert list(door_services.checkin_list(event=other, user=staff)) == []
    assert list(door_services.search_registrations(event=other, query="leyla", user=staff)) == []
    assert [row.pk for row in door_services.checkin_list(event=other, user=other_staff)] == [outsider_ticket.pk]
    assert door_services.checkin_log(event=other, user=other_staff).count() == 1


def test_selectors_give_door_staff_their_events_rows_only(event, staff, ticket, staff_client):
    other = happening_now()
    elsewhere = make_registration(other)
    staff_client.post(scan_url(event), {"secret": tickets.ticket_payload(ticket)})

    assert set(registrations_at_doors_of(staff)) == {ticket}
    assert [checkin.registration for checkin in checkins_visible_to(staff)] == [ticket]
    assert elsewhere not in set(registrations_at_doors_of(staff))
    assert not registrations_at_doors_of(factories.UserFactory()).exists()
