"""Offline devices: a batch of scans uploaded later, idempotent, with conflicts reported."""

import datetime as dt

import pytest
from django.utils import timezone

from registrations.models import CheckIn, RegistrationStatus
from registrations.services import tickets
from tests import factories
from tests.checkin.conftest import client_for, make_registration, scan_url

pytestmark = pytest.mark.django_db


def batch_url(event) -> str:
    return f"/api/events/{event.pk}/checkin/batch/"


def offline_scan(scan_id, *, minutes_ago=10, secret=None, ticket_hash=None, registration=None):
    scan = {"client_scan_id": scan_id, "scanned_at": (timezone.now() - dt.timedelta(minutes=minutes_ago)).isoformat()}
    if secret is not None:
        scan["secret"] = secret
    if ticket_hash is not None:
        scan["ticket_hash"] = ticket_hash
    if registration is not None:
        scan["registration"] = registration
    return scan


@pytest.fixture
def door_state(event, organiser):
    """Tickets in every state a village-school door meets, and a check-in made online meanwhile."""
    fresh = make_registration(event, name="Fresh")
    by_hash = make_registration(event, name="Found In List")
    online = make_registration(event, name="Already In")
    cancelled = make_registration(event, status=RegistrationStatus.CANCELLED)
    waiting = make_registration(event, status=RegistrationStatus.WAITLISTED)
    foreign = make_registration(factories.EventFactory())
    client_for(organiser).post(scan_url(event), {"secret": tickets.ticket_payload(online), "device": "online-door"})
    scans = [
        offline_scan("s1", minutes_ago=30, secret=tickets.ticket_payload(fresh)),
        offline_scan("s2", minutes_ago=29, secret=tickets.ticket_payload(fresh)),  # the same ticket twice
        offline_scan("s3", minutes_ago=28, ticket_hash=tickets.ticket_hash(by_hash.ticket_secret)),
        offline_scan("s4", minutes_ago=27, secret=tickets.ticket_payload(online)),
        offline_scan("s5", minutes_ago=26, secret=tickets.ticket_payload(cancelled)),
        offline_scan("s6", minutes_ago=25, secret=tickets.ticket_payload(waiting)),
        offline_scan("s7", minutes_ago=24, secret=tickets.ticket_payload(foreign)),
        offline_scan("s8", minutes_ago=23, secret="EVT1:" + "A" * 26),
        offline_scan("s9", minutes_ago=22, ticket_hash="0" * 64),
    ]
    return {"fresh": fresh, "by_hash": by_hash, "scans": scans}


EXPECTED_CODES = {
    "s1": "checked_in",
    "s2": "already_checked_in",
    "s3": "checked_in",
    "s4": "already_checked_in",
    "s5": "cancelled",
    "s6": "not_confirmed",
    "s7": "wrong_event",
    "s8": "invalid",
    "s9": "invalid",
}


def test_batch_reports_each_scan_and_keeps_device_time(event, staff, staff_client, door_state):
    response = staff_client.post(batch_url(event), {"device": "tablet-3", "scans": door_state["scans"]})

    codes = {result["client_scan_id"]: result["code"] for result in response.data["results"]}
    offline = CheckIn.objects.filter(source=CheckIn.Source.OFFLINE).order_by("checked_in_at")
    assert response.status_code == 200
    assert codes == EXPECTED_CODES
    assert response.data["summary"]["checked_in"] == 2
    assert [checkin.registration for checkin in offline] == [door_state["fresh"], door_state["by_hash"]]
    assert {checkin.device for checkin in offline} == {"tablet-3"}
    assert {checkin.by for checkin in offline} == {staff}
    assert offline[0].checked_in_at.isoformat()[:19] == door_state["scans"][0]["scanned_at"][:19]


def test_batch_replayed_twice_changes_nothing_and_answers_the_same(event, staff_client, door_state):
    payload = {"device": "tablet-3", "scans": door_state["scans"]}
    first = staff_client.post(batch_url(event), payload)
    rows_after_first = list(CheckIn.objects.order_by("pk").values())

    second = staff_client.post(batch_url(event), payload)
    third = staff_client.post(batch_url(event), payload)

    def codes(response):
        return [(result["client_scan_id"], result["code"]) for result in response.data["results"]]

    assert codes(second) == codes(first) == codes(third)
    assert list(CheckIn.objects.order_by("pk").values()) == rows_after_first
    replayed = {result["client_scan_id"] for result in second.data["results"] if result["replayed"]}
    assert replayed == {"s1", "s3"}
    assert [r.get("checkin_id") for r in second.data["results"]] == [r.get("checkin_id") for r in first.data["results"]]


def test_summary_counts_a_replayed_scan_as_replayed_not_as_one_more_person_let_in(event, staff_client, door_state):
    payload = {"device": "tablet-3", "scans": door_state["scans"]}
    first = staff_client.post(batch_url(event), payload)
    again = staff_client.post(batch_url(event), payload)

    assert first.data["summary"] == {
        "checked_in": 2,
        "already_checked_in": 2,
        "cancelled": 1,
        "not_confirmed": 1,
        "wrong_event": 1,
        "invalid": 2,
    }
    assert again.data["summary"]["replayed"] == 2
    assert "checked_in" not in again.data["summary"]
    assert sum(again.data["summary"].values()) == len(door_state["scans"])


def test_one_scan_sent_twice_in_a_batch_lets_one_person_in_once(event, staff_client, ticket):
    scan = offline_scan("twice", secret=tickets.ticket_payload(ticket))

    response = staff_client.post(batch_url(event), {"device": "tablet-3", "scans": [scan, scan]})

    assert [result["code"] for result in response.data["results"]] == ["checked_in", "checked_in"]
    assert response.data["summary"] == {"checked_in": 1, "replayed": 1}
    assert CheckIn.objects.filter(registration=ticket).count() == 1


def test_batch_from_two_devices_for_one_ticket_makes_one_check_in(event, staff_client, organiser, ticket):
    payload = tickets.ticket_payload(ticket)

    first = staff_client.post(batch_url(event), {"device": "a", "scans": [offline_scan("a-1", secret=payload)]})
    second = client_for(organiser).post(
        batch_url(event), {"device": "b", "scans": [offline_scan("b-1", secret=payload)]}
    )

    assert first.data["results"][0]["code"] == "checked_in"
    assert second.data["results"][0]["code"] == "already_checked_in"
    assert second.data["results"][0]["device"] == "a"
    assert CheckIn.objects.count() == 1


def test_batch_scan_a_few_minutes_ahead_is_dated_now(event, staff_client, ticket):
    before = timezone.now()

    response = staff_client.post(
        batch_url(event), {"scans": [offline_scan("late-clock", minutes_ago=-3, secret=ticket.ticket_secret)]}
    )

    assert response.data["results"][0]["code"] == "checked_in"
    assert before <= CheckIn.objects.get().checked_in_at <= timezone.now()


@pytest.mark.parametrize(
    "scanned_at",
    [
        "0001-01-01T00:00:00",
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:00:00+04:00",
        "9999-12-31T23:59:59-04:00",
        "two days before the start",
        "two hours ahead of the server",
    ],
)
def test_batch_scan_dated_outside_the_event_is_refused_per_scan(event, staff_client, ticket, scanned_at):
    if scanned_at == "two days before the start":
        scanned_at = (event.start - dt.timedelta(days=2)).isoformat()
    elif scanned_at == "two hours ahead of the server":
        scanned_at = (timezone.now() + dt.timedelta(hours=2)).isoformat()
    good = make_registration(event, name="On Time")
    scans = [
        {"client_scan_id": "odd-clock", "scanned_at": scanned_at, "secret": ticket.ticket_secret},
        offline_scan("good-clock", secret=good.ticket_secret),
    ]

    response = staff_client.post(batch_url(event), {"device": "tablet", "scans": scans})

    codes = {result["client_scan_id"]: result["code"] for result in response.data["results"]}
    assert response.status_code == 200
    assert codes == {"odd-clock": "bad_scan_time", "good-clock": "checked_in"}
    assert list(CheckIn.objects.values_list("registration", flat=True)) == [good.pk]


def test_batch_scan_id_used_by_another_device_is_a_scan_of_its_own(event, staff_client, ticket):
    other = make_registration(event, name="Second Ticket")
    first = {"device": "a", "scans": [offline_scan("same-id", secret=ticket.ticket_secret)]}
    staff_client.post(batch_url(event), first)

    response = staff_client.post(
        batch_url(event), {"device": "b", "scans": [offline_scan("same-id", secret=other.ticket_secret)]}
    )

    result = response.data["results"][0]
    assert (result["code"], result["replayed"]) == ("checked_in", False)
    assert result["registration"]["id"] == other.pk
    assert CheckIn.objects.get(registration=other).device == "b"


def test_batch_same_device_reusing_an_id_for_another_ticket_admits_it(event, staff_client, ticket):
    other = make_registration(event, name="Second Ticket")
    first = {"device": "a", "scans": [offline_scan("same-id", secret=ticket.ticket_secret)]}
    staff_client.post(batch_url(event), first)

    response = staff_client.post(
        batch_url(event), {"device": "a", "scans": [offline_scan("same-id", secret=other.ticket_secret)]}
    )
    replay = staff_client.post(batch_url(event), first)

    assert response.data["results"][0]["code"] == "checked_in"
    assert replay.data["results"][0]["replayed"] is True
    assert CheckIn.objects.count() == 2


def test_batch_entry_found_by_name_checks_in_by_registration_id(event, staff_client, organiser):
    family = make_registration(event, name="Family Of Three", party_size=3)
    cancelled = make_registration(event, status=RegistrationStatus.CANCELLED)
    foreign = make_registration(factories.EventFactory(organisers=[organiser]))
    online = make_registration(event, name="Checked In Online")
    client_for(organiser).post(scan_url(event), {"secret": tickets.ticket_payload(online), "device": "front-door"})
    scans = [
        offline_scan("n1", minutes_ago=9, registration=family.pk),
        offline_scan("n2", minutes_ago=8, registration=family.pk),
        offline_scan("n3", minutes_ago=7, registration=cancelled.pk),
        offline_scan("n4", minutes_ago=6, registration=foreign.pk),
        offline_scan("n5", minutes_ago=5, registration=online.pk),
        offline_scan("n6", minutes_ago=4, registration=2**63 - 1),
    ]

    first = staff_client.post(batch_url(event), {"device": "tablet", "scans": scans})
    again = staff_client.post(batch_url(event), {"device": "tablet", "scans": scans})

    codes = {result["client_scan_id"]: result["code"] for result in first.data["results"]}
    assert codes == {
        "n1": "checked_in",
        "n2": "already_checked_in",
        "n3": "cancelled",
        "n4": "unknown_registration",
        "n5": "already_checked_in",
        "n6": "unknown_registration",
    }
    conflict = first.data["results"][4]
    assert (conflict["device"], conflict["checked_in_by"]) == ("front-door", organiser.get_full_name())
    assert conflict["checked_in_at"]
    assert [(r["code"], r["replayed"]) for r in again.data["results"]][0] == ("checked_in", True)
    checkin = CheckIn.objects.get(registration=family)
    assert (checkin.source, checkin.device, checkin.client_scan_id) == (CheckIn.Source.OFFLINE, "tablet", "n1")
    assert not CheckIn.objects.filter(registration=foreign).exists()


def test_batch_entry_naming_two_tickets_is_a_validation_error(event, staff_client, ticket):
    scan = offline_scan("x", secret=ticket.ticket_secret)
    scan["registration"] = ticket.pk

    response = staff_client.post(batch_url(event), {"scans": [scan]})

    assert response.status_code == 400
    assert not CheckIn.objects.exists()


@pytest.fixture
def guessing_rate(monkeypatch):
    from django.core.cache import cache
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(
        ScopedRateThrottle, "THROTTLE_RATES", {**ScopedRateThrottle.THROTTLE_RATES, "token": "3/minute"}
    )
    cache.clear()
    yield
    cache.clear()


def test_batch_unknown_codes_count_against_the_guessing_throttle(event, staff_client, ticket, guessing_rate):
    found_by_name = make_registration(event, name="Found By Name")
    guesses = [offline_scan(f"g{n}", minutes_ago=20 - n, secret="EVT1:" + x * 26) for n, x in enumerate("ABCDE")]
    scans = [
        *guesses,
        offline_scan("good", minutes_ago=10, secret=ticket.ticket_secret),
        offline_scan("by-name", minutes_ago=9, registration=found_by_name.pk),
    ]

    response = staff_client.post(batch_url(event), {"device": "tablet", "scans": scans})
    live_guess = staff_client.post(scan_url(event), {"secret": "EVT1:" + "F" * 26})

    codes = [result["code"] for result in response.data["results"]]
    assert codes == ["invalid"] * 3 + ["throttled"] * 3 + ["checked_in"]
    assert live_guess.status_code == 429
    assert list(CheckIn.objects.values_list("registration", flat=True)) == [found_by_name.pk]


def test_batch_guesses_spend_the_budget_the_scan_endpoint_left(event, staff_client, ticket, guessing_rate):
    for letter in "AB":
        staff_client.post(scan_url(event), {"secret": "EVT1:" + letter * 26})
    scans = [
        offline_scan("g1", minutes_ago=12, ticket_hash="0" * 64),
        offline_scan("good", minutes_ago=10, secret=ticket.ticket_secret),
    ]

    response = staff_client.post(batch_url(event), {"device": "tablet", "scans": scans})

    assert [result["code"] for result in response.data["results"]] == ["invalid", "throttled"]
    assert not CheckIn.objects.exists()


def test_batch_scans_of_what_cannot_be_a_code_are_not_a_ticket_and_no_guess(event, staff_client, ticket, guessing_rate):
    """Another QR code scanned offline was ``invalid`` and spent the guessing budget: the
    genuine unknown codes after it were then left ``throttled``."""
    scans = [
        *(offline_scan(f"p{n}", minutes_ago=20 - n, secret="https://example.org/poster") for n in range(4)),
        offline_scan("guess", minutes_ago=10, secret="EVT1:" + "A" * 26),
        offline_scan("good", minutes_ago=9, secret=ticket.ticket_secret),
    ]

    response = staff_client.post(batch_url(event), {"device": "tablet", "scans": scans})

    codes = [result["code"] for result in response.data["results"]]
    assert codes == ["not_a_ticket"] * 4 + ["invalid", "checked_in"]
    assert response.data["summary"] == {"not_a_ticket": 4, "invalid": 1, "checked_in": 1}


def test_batch_scan_without_secret_or_hash_is_a_validation_error(event, staff_client):
    response = staff_client.post(batch_url(event), {"scans": [offline_scan("x")]})

    assert response.status_code == 400
    assert response.data["code"] == "invalid"


def test_batch_by_attendee_is_forbidden(event, ticket):
    response = client_for(factories.UserFactory()).post(
        batch_url(event), {"scans": [offline_scan("x", secret=ticket.ticket_secret)]}
    )

    assert response.status_code == 403
    assert not CheckIn.objects.exists()


def test_batch_entry_by_registration_id_needs_rights_for_the_event(event, ticket):
    staff_elsewhere = factories.UserFactory()
    factories.EventFactory().checkin_staff.add(staff_elsewhere)

    response = client_for(staff_elsewhere).post(
        batch_url(event), {"device": "x", "scans": [offline_scan("x", registration=ticket.pk)]}
    )

    assert response.status_code == 403
    assert not CheckIn.objects.exists()
