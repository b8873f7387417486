"""Many devices scanning one ticket at the same moment, on PostgreSQL, through a live server.

To make the race certain rather than lucky, a gate holds every scan after its read and before
its commit: the test locks the ticket's row ``FOR UPDATE``; each scan reads (no live check-in)
and inserts, and its INSERT then waits, uncommitted, on the foreign key's ``FOR KEY SHARE``
lock of that row (or, with the guard in place, on the first INSERT's uncommitted entry in the
unique index). The test waits until every scan waits, and opens the gate. This holds whether a
scan reads and writes in two statements (SQLite's way) or in one (PostgreSQL's
lookup-and-INSERT). The control removes the guard (the partial unique constraint) and shows
that the same scans then make one check-in each.
"""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection, transaction
from rest_framework.authtoken.models import Token

from registrations.models import CheckIn
from registrations.services import tickets
from tests import factories
from tests.checkin.conftest import happening_now, make_registration
from tests.races import waiting_for_a_lock

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DEVICES = 8


def scan_at_once(live_server, *, devices: int) -> list[dict]:
    """Every device scans the same ticket; all reads happen before any write."""
    staff = factories.UserFactory()
    event = happening_now()
    event.checkin_staff.add(staff)
    ticket = make_registration(event)
    headers = {"Authorization": f"Token {Token.objects.create(user=staff).key}"}
    url = f"{live_server.url}/api/events/{event.pk}/checkin/"
    payload = tickets.ticket_payload(ticket)

    def scan(device: int) -> dict:
        response = requests.post(url, json={"secret": payload, "device": f"door-{device}"}, headers=headers, timeout=30)
        return {"status": response.status_code, **response.json()}

    with ThreadPoolExecutor(max_workers=devices) as pool:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT id FROM registrations_registration WHERE id = %s FOR UPDATE", [ticket.pk])
            futures = [pool.submit(scan, device) for device in range(devices)]
            deadline = time.monotonic() + 20
            while waiting_for_a_lock() < devices and time.monotonic() < deadline:
                time.sleep(0.05)
            all_parked = waiting_for_a_lock() == devices
        results = [future.result() for future in futures]
    assert all_parked, f"the scans did not all reach their INSERT together: {results}"
    return results


def test_simultaneous_scans_of_one_ticket_make_exactly_one_check_in(live_server):
    results = scan_at_once(live_server, devices=DEVICES)

    codes = sorted(result["code"] for result in results)
    assert codes == ["already_checked_in"] * (DEVICES - 1) + ["checked_in"]
    assert CheckIn.objects.count() == 1
    winner = CheckIn.objects.get()
    losers = [result for result in results if result["code"] == "already_checked_in"]
    assert {loser["status"] for loser in losers} == {409}
    assert {loser["checkin_id"] for loser in losers} == {winner.pk}


def test_control_without_the_unique_constraint_the_race_double_checks_in(live_server):
    guard = next(c for c in CheckIn._meta.constraints if c.name == "checkin_one_live_per_registration")
    with connection.schema_editor() as editor:
        editor.remove_constraint(CheckIn, guard)
    try:
        results = scan_at_once(live_server, devices=DEVICES)
        live = CheckIn.objects.filter(undone_at__isnull=True).count()
    finally:
        CheckIn.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(CheckIn, guard)

    assert [result["code"] for result in results] == ["checked_in"] * DEVICES
    assert live == DEVICES
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, CheckIn._meta.db_table)
    assert constraints[guard.name]["unique"]  # the guard is back for the tests that follow
