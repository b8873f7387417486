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


def _from_header(language, callbacks):
    from email import message_from_bytes, policy  # noqa: PLC0415

    from django.core import mail  # noqa: PLC0415

    mail.outbox = []
    event = factories.EventFactory(title="Robototexnika")
    registration = make_registration(event, name="Aysel", email=f"aysel.{language}@example.org", language=language)
    raw = confirmation_sent(registration, event, callbacks).message().as_bytes()
    header = raw.split(b"\nFrom: ", 1)[1].split(b"\n", 1)[0]
    (address,) = message_from_bytes(raw, policy=policy.default)["From"].addresses
    return header, address


@pytest.mark.parametrize(("language", "name"), [("az", "STEM Mentorluq"), ("en", "STEM Mentorship")])
def test_the_sender_is_named_as_the_programme_in_the_readers_language(
    language, name, db, django_capture_on_commit_callbacks
):
    _header, address = _from_header(language, django_capture_on_commit_callbacks)

    assert (address.display_name, address.addr_spec) == (name, "events@example.org")


def test_a_sender_name_that_is_not_ascii_is_encoded_and_reads_back(settings, db, django_capture_on_commit_callbacks):
    settings.PROGRAMME_NAME = "Girls in STEM"
    settings.PROGRAMME_NAME_AZ = "STEM-də qızlar"
    settings.DEFAULT_FROM_EMAIL = "Girls in STEM <events@example.org>"

    header, address = _from_header("az", django_capture_on_commit_callbacks)
    _english_header, english = _from_header("en", django_capture_on_commit_callbacks)

    assert header.isascii() and b"=?utf-8?" in header.lower()
    assert (address.display_name, address.addr_spec) == ("STEM-də qızlar", "events@example.org")
    assert english.display_name == "Girls in STEM"


def test_a_sender_named_otherwise_is_kept_as_set(settings, db, django_capture_on_commit_callbacks):
    settings.DEFAULT_FROM_EMAIL = "Events team <events@example.org>"

    _header, address = _from_header("az", django_capture_on_commit_callbacks)

    assert address.display_name == "Events team"
