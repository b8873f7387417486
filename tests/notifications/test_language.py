"""Messages in the language the person used: recorded on the registration, used for subject,
body, calendar text and headers."""

import pytest
from django.core import mail

from notifications import kinds
from notifications.services import queue_message
from registrations.models import Registration
from tests import factories
from tests.notifications.conftest import make_registration


@pytest.fixture
def event(db):
    return factories.EventFactory(title="Robototexnika", venue_name="Gənclər Mərkəzi")


def test_the_api_records_the_accept_language_and_the_message_uses_it(api_client, event):
    response = api_client.post(
        f"/api/events/{event.pk}/registrations/",
        {"name": "Aysel Məmmədova", "email": "aysel@example.org", "consent_data_processing": True},
        format="json",
        HTTP_ACCEPT_LANGUAGE="az-AZ,az;q=0.9,en;q=0.5",
    )

    assert response.status_code == 201, response.content
    assert Registration.objects.get().language == "az"


@pytest.mark.parametrize(("language", "subject", "hello", "weekday"), [
    ("az", "Robototexnika tədbirində yeriniz təsdiqləndi", "Salam, Aysel Məmmədova,", "(UTC+04:00)"),
    ("en", "Your place at Robototexnika is confirmed", "Hello Aysel Məmmədova,", "(UTC+04:00)"),
])  # fmt: skip
def test_message_is_written_in_the_recorded_language(
    language, subject, hello, weekday, event, django_capture_on_commit_callbacks
):
    registration = make_registration(event, name="Aysel Məmmədova", email="aysel@example.org", language=language)

    with django_capture_on_commit_callbacks(execute=True):
        queue_message(
            kind=kinds.REGISTRATION_CONFIRMED,
            recipient_email=registration.email,
            recipient_name=registration.name,
            about=registration,
            event=event,
        )

    (email,) = mail.outbox
    html = email.alternatives[0][0]
    assert email.subject == subject
    assert email.body.startswith(hello)
    assert weekday in email.body
    assert email.extra_headers["Content-Language"] == language
    assert f'<html lang="{language}"' in html
