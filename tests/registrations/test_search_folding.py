"""The organisers' name searches fold names as the door's does (events_project.search_folding):
the workspace's list, the registrations API's ``q`` and the registrants a report's row may be
matched to. The same table as the door's (tests/search_folding_cases.py)."""

import pytest
from rest_framework.test import APIClient

from attendance.selectors import registrants_to_match
from registrations.selectors import search_registrations
from registrations.services.registration import register
from tests import factories
from tests.search_folding_cases import STORED_NAMES, TYPED

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(organiser):
    event = factories.EventFactory(organisers=[organiser])
    for number, name in enumerate(STORED_NAMES):
        email = f"person{number}@example.org"
        register(event=event, name=name, email=email, consent_data_processing=True, source="organiser")
    return event


@pytest.mark.parametrize(("typed", "found"), TYPED)
def test_workspace_search_folds_azerbaijani_letters_and_accents(event, typed, found):
    listed = search_registrations(event, text=typed)

    assert sorted(registration.name for registration in listed) == sorted(found)


@pytest.mark.parametrize(("typed", "found"), TYPED)
def test_registrations_api_text_filter_folds_names(event, organiser, typed, found):
    client = APIClient()
    client.force_authenticate(organiser)

    response = client.get(f"/api/events/{event.pk}/registrations/", {"q": typed, "page_size": 50})

    assert sorted(row["name"] for row in response.json()["results"]) == sorted(found)


@pytest.mark.parametrize(("typed", "found"), TYPED)
def test_registrants_a_report_row_may_be_matched_to_are_found_folded(event, typed, found):
    listed = registrants_to_match(event=event, query=typed)

    assert sorted(registration.name for registration in listed) == sorted(found)
