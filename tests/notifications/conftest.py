import pytest
from django.core import mail
from django.utils import timezone

from notifications import kinds
from notifications.services import queue_message
from registrations.models import Registration, RegistrationStatus
from tests import factories


def make_registration(event, *, name="Aysel Mammadova", email=None, status=RegistrationStatus.CONFIRMED, **fields):
    email = email or f"{name.split()[0].lower()}.{Registration.objects.count()}@example.org"
    return Registration.objects.create(
        event=event,
        name=name,
        email=email.lower(),
        status=status,
        seats_held=1 if status == RegistrationStatus.CONFIRMED else 0,
        confirmed_at=timezone.now() - timezone.timedelta(days=3) if status == RegistrationStatus.CONFIRMED else None,
        consent_data_processing=True,
        **fields,
    )


def confirmation_sent(registration, event, callbacks):
    """The one email confirming ``registration``, as the outbox sent it (``callbacks``: pytest-django's
    ``django_capture_on_commit_callbacks``)."""
    with callbacks(execute=True):
        queue_message(
            kind=kinds.REGISTRATION_CONFIRMED,
            recipient_email=registration.email,
            recipient_name=registration.name,
            about=registration,
            event=event,
        )
    (email,) = mail.outbox
    return email


@pytest.fixture
def event(db):
    return factories.EventFactory(title="CV clinic", venue_name="Innovation Centre", venue_address="5 Nizami St")


@pytest.fixture
def webinar(db):
    return factories.WebinarFactory(title="Careers in data science")


@pytest.fixture
def registration(event):
    return make_registration(event, name="Aysel Mammadova", email="aysel@example.org")
