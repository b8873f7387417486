"""Erased people on the organisers' pages: the stored placeholder in the reader's language, and an
erased account that acted named as such, never by its internal username (events_project.people)."""

import pytest

from registrations.services.privacy import erase_personal_data
from registrations.services.registration import cancel_registration, register
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def erased(own_event):
    """An attendee who cancelled their own registration while signed in, then had their data erased."""
    attendee = factories.UserFactory(username="aysel", first_name="Aysel", last_name="Aliyeva")
    registration = register(
        event=own_event, name="Aysel Aliyeva", email="aysel@example.org", user=attendee, consent_data_processing=True
    )
    cancel_registration(registration=registration, by=attendee)
    erase_personal_data(user=attendee)
    return attendee


@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("en", "an erased account cancelled a registration (Erased attendee)"),
        ("az", "silinmiş hesab qeydiyyatı ləğv etdi (Silinmiş iştirakçı)"),
    ],
)
def test_the_workspace_log_names_an_erased_attendee_and_account_in_the_readers_language(
    organiser_web, own_event, erased, language, line
):
    page = organiser_web.get(f"/manage/events/{own_event.pk}/", headers={"accept-language": language}).text

    assert line in page
    assert f"erased-{erased.pk}" not in page
    assert "Aysel" not in page


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [("en", "Erased attendee", "Silinmiş"), ("az", "Silinmiş iştirakçı", "Erased attendee")],
)
def test_the_registrations_list_shows_an_erased_name_in_the_readers_language(
    organiser_web, own_event, erased, language, shown, not_shown
):
    page = organiser_web.get(
        f"/manage/events/{own_event.pk}/registrations/?status=cancelled", headers={"accept-language": language}
    ).text

    assert shown in page
    assert not_shown not in page


@pytest.mark.parametrize(("language", "shown"), [("en", "Erased attendee"), ("az", "Silinmiş iştirakçı")])
def test_the_registrations_csv_shows_an_erased_name_in_the_readers_language(
    organiser_web, own_event, erased, language, shown
):
    response = organiser_web.get(
        f"/manage/dashboard/registrations.csv?event={own_event.pk}", headers={"accept-language": language}
    )
    rows = b"".join(response.streaming_content).decode().splitlines()

    assert rows[1].split(",")[4] == shown
