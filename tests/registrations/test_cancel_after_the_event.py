"""Once the event is over its attendees can no longer cancel (``event_over``, 409) on any path:
a place cancelled afterwards leaves the attendance figures, a no-show unmade. An organiser's
cancellation stays a correction of the record."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from notifications import kinds
from notifications.models import OutboxMessage
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

    assert response.status_code == 409  # the page refuses what the service refuses
    assert "The event is over: this registration can no longer be cancelled." in response.text
    past_registration.refresh_from_db()
    assert past_registration.status == RegistrationStatus.CONFIRMED


def test_an_organiser_still_corrects_the_record_without_telling_the_attendee(
    organiser_client, past_registration, django_capture_on_commit_callbacks
):
    event_id = past_registration.event_id
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(f"/api/events/{event_id}/registrations/{past_registration.pk}/cancel/")

    assert response.status_code == 200, response.content
    past_registration.refresh_from_db()
    assert past_registration.status == RegistrationStatus.CANCELLED
    # "your registration was cancelled" for an event that has happened would be news of nothing
    assert not OutboxMessage.objects.filter(kind=kinds.REGISTRATION_CANCELLED).exists()
    assert mail.outbox == []


def test_before_the_event_an_organisers_cancellation_is_told(
    organiser, organiser_client, django_capture_on_commit_callbacks
):
    registration = factories.RegistrationFactory(event=factories.EventFactory(organisers=[organiser]))
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(f"/api/events/{registration.event_id}/registrations/{registration.pk}/cancel/")

    assert response.status_code == 200, response.content
    assert OutboxMessage.objects.filter(kind=kinds.REGISTRATION_CANCELLED, recipient_email=registration.email).exists()


def test_cancelling_again_after_the_event_stays_harmless(api_client, past_registration):
    past_registration.status = RegistrationStatus.CANCELLED
    past_registration.save()

    response = api_client.post(f"/api/registrations/manage/{past_registration.manage_token}/cancel/")

    assert response.status_code == 200, response.content


def test_the_ticket_and_confirmation_pages_of_a_past_event_offer_nothing_for_it(past_registration):
    """An old email's link opened after the event: no code "to show at the door" (it is closed), no
    meeting to join, nothing to add to a calendar, no "your ticket is on its way"; the record stays."""
    token = past_registration.manage_token
    ticket = Client().get(f"/registrations/manage/{token}/")
    confirmation = Client().get(f"/registrations/manage/{token}/confirmation/")

    assert ticket.status_code == 200
    assert "Show this at the door" not in ticket.text and 'class="qr"' not in ticket.text
    assert "Add to calendar" not in ticket.text and 'data-testid="join"' not in ticket.text
    assert "The event is over: this registration can no longer be cancelled." in ticket.text
    assert past_registration.name in ticket.text
    assert "The event is over." in confirmation.text
    assert "Your ticket is on its way" not in confirmation.text
