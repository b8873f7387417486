"""The workspace's registrations search folds names as the door's does (events_project.search_folding)."""

import pytest

from registrations.selectors import search_registrations
from registrations.services.registration import register
from tests import factories
from tests.search_folding_cases import STORED_NAMES, TYPED

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("typed", "found"), TYPED)
def test_workspace_search_folds_azerbaijani_letters_and_accents(typed, found):
    event = factories.EventFactory()
    for number, name in enumerate(STORED_NAMES):
        email = f"person{number}@example.org"
        register(event=event, name=name, email=email, consent_data_processing=True, source="organiser")

    listed = search_registrations(event, text=typed)

    assert sorted(registration.name for registration in listed) == sorted(found)
