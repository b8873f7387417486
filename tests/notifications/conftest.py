import pytest
from django.utils import timezone

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


@pytest.fixture
def event(db):
    return factories.EventFactory(title="CV clinic", venue_name="Innovation Centre", venue_address="5 Nizami St")


@pytest.fixture
def webinar(db):
    return factories.WebinarFactory(title="Careers in data science")


@pytest.fixture
def registration(event):
    return make_registration(event, name="Aysel Mammadova", email="aysel@example.org")
