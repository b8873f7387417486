"""One name for the programme per language, the same in the site's header and in the mail."""

import pytest

from tests import factories
from tests.notifications.conftest import confirmation_sent, make_registration


def _footer_of_confirmation(language, callbacks):
    event = factories.EventFactory(title="Robototexnika")
    registration = make_registration(event, name="Aysel", email="aysel@example.org", language=language)
    email = confirmation_sent(registration, event, callbacks)
    return email.body, email.alternatives[0][0]


@pytest.mark.parametrize(("language", "name"), [("az", "STEM Mentorluq"), ("en", "STEM Mentorship")])
def test_the_mail_and_the_header_name_the_programme_alike(
    language, name, client, db, django_capture_on_commit_callbacks
):
    body, html = _footer_of_confirmation(language, django_capture_on_commit_callbacks)
    page = client.get("/events/", HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert f"{name} · " in body
    assert f"<strong>{name}</strong>" in html
    assert f"{name}</a>" in page
    if language == "az":
        assert "STEM Mentorship" not in body


def test_a_programme_of_its_own_name_gives_its_azerbaijani(settings, client, db, django_capture_on_commit_callbacks):
    settings.PROGRAMME_NAME = "Girls in STEM"
    settings.PROGRAMME_NAME_AZ = "STEM-də qızlar"

    body, _html = _footer_of_confirmation("az", django_capture_on_commit_callbacks)
    page = client.get("/events/", HTTP_ACCEPT_LANGUAGE="az").content.decode()
    english = client.get("/events/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "STEM-də qızlar · " in body
    assert "STEM-də qızlar</a>" in page
    assert "Girls in STEM</a>" in english
