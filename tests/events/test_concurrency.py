"""An edit arriving while another organiser cancels the event, on PostgreSQL, through a live server.

The test cancels the event in a transaction it keeps open: the cancel's UPDATE holds the event's
row. The edit (a PATCH moving the event) reads the event, still published to everyone else, then
enters update_event, which locks the row and so waits for the cancel. The test waits until it
waits, and commits. update_event then finds the event cancelled and refuses (409 event_closed);
judged by the copy it read before, it moved the cancelled event after the cancel committed.
"""

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from events import services
from events.models import Event, EventStatus
from tests import factories
from tests.races import waiting_for_a_lock

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_an_edit_waiting_on_a_cancel_in_flight_is_refused_once_it_commits(live_server):
    organiser = factories.OrganiserFactory()
    event = factories.EventFactory(organisers=[organiser])
    start = event.start
    new_start = timezone.now() + dt.timedelta(days=60)
    headers = {"Authorization": f"Token {Token.objects.create(user=organiser).key}"}

    def move() -> requests.Response:
        return requests.patch(
            f"{live_server.url}/api/events/{event.pk}/",
            json={"start": new_start.isoformat(), "end": (new_start + dt.timedelta(hours=2)).isoformat()},
            headers=headers,
            timeout=30,
        )

    with ThreadPoolExecutor(max_workers=1) as pool:
        with transaction.atomic():
            services.cancel_event(event=event, by=organiser)
            moving = pool.submit(move)
            deadline = time.monotonic() + 20
            while waiting_for_a_lock() < 1 and time.monotonic() < deadline:
                time.sleep(0.05)
            edit_waited = waiting_for_a_lock() == 1
        response = moving.result()

    assert edit_waited, f"the edit did not wait for the cancel: {response.status_code} {response.text}"
    assert (response.status_code, response.json().get("code")) == (409, "event_closed")
    event = Event.objects.get(pk=event.pk)
    assert (event.status, event.start) == (EventStatus.CANCELLED, start)
