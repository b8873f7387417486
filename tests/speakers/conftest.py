import pytest
from rest_framework.test import APIClient

from tests import factories


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def event(organiser):
    return factories.EventFactory(organisers=[organiser])


@pytest.fixture
def speaker_a(db):
    return factories.SpeakerFactory(name="Aysel Mammadova", user=factories.UserFactory(username="aysel"))


@pytest.fixture
def speaker_b(db):
    return factories.SpeakerFactory(name="Leyla Hasanova", user=factories.UserFactory(username="leyla"))


@pytest.fixture
def attendee(db):
    return factories.UserFactory(username="attendee")


@pytest.fixture
def clients(organiser, speaker_a, speaker_b, attendee):
    """One API client per role of the permission matrix."""
    return {
        "anonymous": client_for(None),
        "attendee": client_for(attendee),
        "speaker_a": client_for(speaker_a.user),
        "speaker_b": client_for(speaker_b.user),
        "organiser": client_for(organiser),
    }
