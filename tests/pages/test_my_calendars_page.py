"""My calendars offers the calendars a person has: no empty "My registrations" to a speaker or an
organiser who never registered, and a plain word to an attendee who has nothing in hers yet."""

import re

import pytest

from feeds.models import CalendarFeed
from tests import factories
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db
EMPTY = "You are not registered for any event yet."


def sections(html: str) -> list[str]:
    return re.findall(r'<section class="card" id="([a-z]+)"', html)


def test_a_speaker_with_no_registration_is_offered_only_her_talks(client):
    speaker = factories.SpeakerFactory(user=factories.UserFactory(username="leyla"))
    signed_in(client, speaker.user)

    page = client.get("/my/calendars/").text

    assert sections(page) == ["speaker"]
    assert "My registrations" not in page


def test_an_organiser_with_no_registration_is_offered_only_her_events(client, organiser):
    signed_in(client, organiser)

    page = client.get("/my/calendars/").text

    assert sections(page) == ["organiser"]


def test_a_speaker_who_registered_somewhere_gets_both_calendars(client):
    speaker = factories.SpeakerFactory(user=factories.UserFactory(username="leyla"))
    factories.RegistrationFactory(user=speaker.user, email=speaker.user.email)
    signed_in(client, speaker.user)

    page = client.get("/my/calendars/").text

    assert sections(page) == ["attendee", "speaker"]
    assert EMPTY not in page


def test_a_registrations_link_already_made_stays_listed_to_switch_off(client, organiser):
    CalendarFeed.objects.create(user=organiser, scope=CalendarFeed.Scope.ATTENDEE, token="t" * 43)
    signed_in(client, organiser)

    page = client.get("/my/calendars/").text

    assert sections(page) == ["attendee", "organiser"]


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", EMPTY), ("az", "Hələ heç bir tədbirə qeydiyyatdan keçməmisiniz.")],
)
def test_an_attendee_with_no_registration_is_told_so_plainly(client, language, said):
    signed_in(client, factories.UserFactory(username="nigar"))

    page = client.get("/my/calendars/", HTTP_ACCEPT_LANGUAGE=language).text

    assert sections(page) == ["attendee"]
    assert said in page


def test_an_attendee_with_a_registration_is_not_told_she_has_none(client):
    user = factories.UserFactory(username="nigar")
    factories.RegistrationFactory(user=user, email=user.email)
    signed_in(client, user)

    page = client.get("/my/calendars/").text

    assert sections(page) == ["attendee"] and EMPTY not in page
