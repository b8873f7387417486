import pytest

from tests import factories
from tests.pages.conftest import signed_in


@pytest.fixture
def organiser_web(client, organiser):
    return signed_in(client, organiser)


@pytest.fixture
def own_event(organiser):
    return factories.EventFactory(organisers=[organiser], title="Robotics workshop")


@pytest.fixture
def other_event(db):
    return factories.EventFactory(organisers=[factories.OrganiserFactory()], title="Someone else's event")
