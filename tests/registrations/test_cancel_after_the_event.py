"""Once the event is over its attendees can no longer cancel (``event_over``, 409) on any path:
a place cancelled afterwards leaves the attendance figures, a no-show unmade. An organiser's
cancellation stays a correction of the record."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from registrations.models import RegistrationStatus
from tests import factories


@pytest.fixture
def past_registration(organiser):
    start = timezone.now() - dt.timedelta(days=2)
    event = factories.EventFactory(organisers=[organiser], start=start, end=start + dt.timedelta(hours=2))
    return factories.RegistrationFactory(event=event)


def test_the_api_refuses_an_attendees_cancellation_after_the_event(api_client, past_registration):
    response = api_client.post(f"/api/registrations/manage/{past_registration.manage_token}/cancel/")

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "event_over"
    past_registration.refresh_from_db()
    assert past_registration.status == RegistrationStatus.CONFIRMED


def test_the_private_links_page_refuses_it_too(past_registration):
    response = Client().post(f"/registrations/manage/{past_registration.manage_token}/cancel/", {"confirm": "on"})

    assert response.status_code == 200
    assert "The event is over." in response.text
    past_registration.refresh_from_db()
    assert past_registration.status == RegistrationStatus.CONFIRMED


def test_an_organiser_still_corrects_the_record(organiser_client, past_registration):
    event_id = past_registration.event_id
    response = organiser_client.post(f"/api/events/{event_id}/registrations/{past_registration.pk}/cancel/")

    assert response.status_code == 200, response.content
    past_registration.refresh_from_db()
    assert past_registration.status == RegistrationStatus.CANCELLED


def test_cancelling_again_after_the_event_stays_harmless(api_client, past_registration):
    past_registration.status = RegistrationStatus.CANCELLED
    past_registration.save()

    response = api_client.post(f"/api/registrations/manage/{past_registration.manage_token}/cancel/")

    assert response.status_code == 200, response.content
