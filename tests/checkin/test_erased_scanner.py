"""An erased account that worked the door is "an erased account" wherever the door names who
checked someone in or undid it (``events_project.people.account_name``), in the reader's
language, never its internal username ``erased-<id>``."""

import datetime as dt

import pytest
from django.utils import timezone

from registrations.models import CheckIn
from registrations.services import tickets
from registrations.services.privacy import erase_personal_data
from tests.checkin.conftest import client_for, scan_url

pytestmark = pytest.mark.django_db

NAMES = [("en", "an erased account"), ("az", "silinmiş hesab")]


def door(event, path=""):
    return f"/api/events/{event.pk}/checkin/{path}"


@pytest.fixture
def erased_scanner(event, staff, staff_client, ticket):
    """Aysel checked Leyla in, later undid and redid it, then had her account erased."""
    staff_client.post(scan_url(event), {"secret": tickets.ticket_payload(ticket), "device": "door-1"})
    staff_client.post(door(event, f"{CheckIn.objects.get().pk}/undo/"))
    staff_client.post(scan_url(event), {"secret": tickets.ticket_payload(ticket), "device": "door-1"})
    erase_personal_data(user=staff)
    staff.refresh_from_db()
    assert staff.username == f"erased-{staff.pk}"
    return staff


@pytest.mark.parametrize(("language", "name"), NAMES)
def test_scan_of_a_ticket_an_erased_account_checked_in_names_it_so(
    event, ticket, organiser, erased_scanner, language, name
):
    response = client_for(organiser).post(
        scan_url(event), {"secret": tickets.ticket_payload(ticket)}, headers={"accept-language": language}
    )

    assert (response.status_code, response.data["code"]) == (409, "already_checked_in")
    assert response.data["checked_in_by"] == name


@pytest.mark.parametrize(("language", "name"), NAMES)
def test_check_in_log_names_an_erased_account_that_checked_in_and_undid(
    event, organiser, erased_scanner, language, name
):
    response = client_for(organiser).get(door(event, "log/"), headers={"accept-language": language})

    rows = sorted(response.data["results"], key=lambda row: row["id"])
    assert [(row["checked_in_by"], row["undone_by"]) for row in rows] == [(name, name), (name, "")]


@pytest.mark.parametrize(("language", "name"), NAMES)
def test_offline_list_and_search_name_an_erased_scanner(event, organiser, erased_scanner, language, name):
    client = client_for(organiser)

    listed = client.get(door(event, "list/"), headers={"accept-language": language})
    found = client.get(door(event, "search/"), {"q": "leyla"}, headers={"accept-language": language})

    assert [row["checked_in_by"] for row in listed.data["results"]] == [name]
    assert [row["checked_in_by"] for row in found.data["results"]] == [name]


def test_offline_batch_conflict_names_an_erased_scanner(event, ticket, organiser, erased_scanner):
    scanned_at = (timezone.now() - dt.timedelta(minutes=5)).isoformat()
    scan = {"client_scan_id": "s1", "scanned_at": scanned_at, "secret": tickets.ticket_payload(ticket)}

    response = client_for(organiser).post(door(event, "batch/"), {"device": "phone", "scans": [scan]}, format="json")

    [result] = response.data["results"]
    assert (result["code"], result["checked_in_by"]) == ("already_checked_in", "an erased account")


def test_a_check_in_whose_account_was_deleted_names_nobody(event, ticket, organiser, staff, staff_client):
    """No account recorded: "" (the door's clients say "someone"), not the rule's "the system"."""
    staff_client.post(scan_url(event), {"secret": tickets.ticket_payload(ticket)})
    staff.delete()

    response = client_for(organiser).post(scan_url(event), {"secret": tickets.ticket_payload(ticket)})

    assert (response.data["code"], response.data["checked_in_by"]) == ("already_checked_in", "")
