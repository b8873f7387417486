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


def offline_scan(scan_id, *, minutes_ago=10, secret=None, ticket_hash=None):
    scan = {"client_scan_id": scan_id, "scanned_at": (timezone.now() - dt.timedelta(minutes=minutes_ago)).isoformat()}
    if secret is not None:
        scan["secret"] = secret
    if ticket_hash is not None:
        scan["ticket_hash"] = ticket_hash
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


def test_batch_scan_from_the_future_is_dated_now(event, staff_client, ticket):
    before = timezone.now()

    staff_client.post(
        batch_url(event), {"scans": [offline_scan("late-clock", minutes_ago=-120, secret=ticket.ticket_secret)]}
    )

    assert before <= CheckIn.objects.get().checked_in_at <= timezone.now()


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
