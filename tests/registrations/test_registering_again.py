"""Registering again with an address that holds a registration tells the asker nothing of it.

Anyone can type someone else's address. The answer (API and page) is the same whatever that
registration's status; the address's owner gets its private link by email, in their language,
once per window; the signed-in owner is still told plainly; seats and the waiting list do not move.
"""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.cache import cache
from rest_framework.throttling import ScopedRateThrottle

from events.models import Event, RegistrationMode
from notifications import kinds
from notifications.models import OutboxMessage
from registrations.models import Registration, RegistrationStatus
from registrations.services import recovery
from tests import factories
from tests.registrations.conftest import client_for, sign_up

pytestmark = pytest.mark.django_db

ADDRESS = "aysel@example.org"
TOKEN = re.compile(r"/registrations/manage/([\w-]+)/")


def register_url(event) -> str:
    return f"/api/events/{event.pk}/registrations/"


def payload(**overrides) -> dict:
    return {"name": "Someone Else", "email": ADDRESS, "consent_data_processing": True, **overrides}


def held_as(state: str, organiser) -> Registration:
    """A registration of ADDRESS in ``state``, for an event whose mode gives it."""
    if state == "pending":
        event = factories.EventFactory(organisers=[organiser], registration_mode=RegistrationMode.APPROVAL)
        return sign_up(event, email=ADDRESS, language="az")
    event = factories.EventFactory(organisers=[organiser], capacity=1)
    if state == "waitlisted":
        sign_up(event)
    registration = sign_up(event, email=ADDRESS, language="az")
    assert registration.status == state
    return registration


def ask_again(client, event, **headers):
    return client.post(register_url(event), payload(), format="json", headers=headers)


def test_the_answer_is_the_same_whatever_the_registration_is(api_client, organiser, django_capture_on_commit_callbacks):
    answers = {}
    for state in ("confirmed", "waitlisted", "pending"):
        held = held_as(state, organiser)
        with django_capture_on_commit_callbacks(execute=True):
            response = ask_again(api_client, held.event)
        answers[state] = (response.status_code, response.json())

    assert answers["confirmed"] == answers["waitlisted"] == answers["pending"]
    assert set(answers["confirmed"][1]) == {"code", "detail"}
    assert answers["confirmed"][1]["code"] == "already_registered"


def test_the_address_gets_its_link_once_per_window_in_its_own_language(
    api_client, organiser, django_capture_on_commit_callbacks
):
    held = held_as("waitlisted", organiser)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        first = ask_again(api_client, held.event, **{"Accept-Language": "en"})
    with django_capture_on_commit_callbacks(execute=True):
        ask_again(api_client, held.event)

    (message,) = mail.outbox
    assert message.to == [f"{held.name} <{ADDRESS}>"]
    assert TOKEN.search(message.body).group(1) == held.manage_token
    assert held.manage_token not in first.content.decode()
    # the registrant's language (az), not the asker's (en)
    assert message.extra_headers.get("Content-Language") == "az"
    assert "Kimsə, bəlkə də siz, bu ünvanla" in message.body
    assert OutboxMessage.objects.filter(kind=kinds.TICKET_LINKS, recipient_email=ADDRESS).count() == 1
    # what happened, not "your tickets" someone asked for on the recovery form
    assert message.subject == f"Siz artıq qeydiyyatdasınız: {held.event.title}"
    assert "yenidən qeydiyyatdan keçirdiyi üçün alırsınız" in message.body


def test_a_new_window_sends_again(organiser, django_capture_on_commit_callbacks):
    held = held_as("confirmed", organiser)
    later = held.created_at.replace(microsecond=0)

    with django_capture_on_commit_callbacks(execute=True):
        recovery.send_link_to_holder(registration=held, now=later)
        recovery.send_link_to_holder(registration=held, now=later)
        recovery.send_link_to_holder(
            registration=held, now=later + dt.timedelta(seconds=recovery.RESEND_WINDOW_SECONDS)
        )

    assert OutboxMessage.objects.filter(kind=kinds.TICKET_LINKS, recipient_email=ADDRESS).count() == 2


def test_registering_again_moves_no_seat_and_no_place_in_line(api_client, organiser):
    held = held_as("waitlisted", organiser)
    before = Event.objects.values_list("seats_taken", "waiting_count").get(pk=held.event_id)

    ask_again(api_client, held.event)

    assert Event.objects.values_list("seats_taken", "waiting_count").get(pk=held.event_id) == before
    assert Registration.objects.filter(event=held.event).count() == 2
    held.refresh_from_db()
    assert held.status == RegistrationStatus.WAITLISTED


def test_the_signed_in_owner_is_told_plainly_and_gets_no_email(organiser, django_capture_on_commit_callbacks):
    user = factories.UserFactory(email=ADDRESS)
    event = factories.EventFactory(organisers=[organiser], capacity=1)
    sign_up(event)
    client = client_for(user)
    client.post(register_url(event), payload(), format="json")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(register_url(event), payload(), format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "waitlisted"
    assert response.json()["registration"]["manage_token"] == Registration.objects.get(user=user).manage_token
    assert mail.outbox == []


def test_the_rate_limit_still_counts_repeated_attempts(api_client, organiser, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"register": "2/minute"})
    cache.clear()
    held = held_as("confirmed", organiser)

    codes = [ask_again(api_client, held.event).status_code for _ in range(3)]

    cache.clear()
    assert codes == [200, 200, 429]


def test_the_page_says_nothing_of_the_registration_and_emails_its_link(
    client, organiser, django_capture_on_commit_callbacks
):
    waiting = held_as("waitlisted", organiser)
    mail.outbox.clear()
    form = {"name": "Someone Else", "email": ADDRESS, "party_size": "1", "consent_data_processing": "on"}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/events/{waiting.event.pk}/register/", form)

    page = response.content.decode()
    assert response.status_code == 200
    assert "We have emailed its private link to this address again" in page
    assert "waiting" not in page.lower() and waiting.manage_token not in page
    (message,) = mail.outbox
    assert TOKEN.search(message.body).group(1) == waiting.manage_token
