"""Signing in without a page to return to leads to the person's own area (events.areas.home_of)."""

import pytest

from tests import factories


def sign_in(client, user, **extra):
    return client.post("/accounts/login/", {"username": user.username, "password": "password", **extra})


def test_an_organiser_lands_in_the_workspace(client, organiser):
    assert sign_in(client, organiser)["Location"] == "/home/"
    assert client.get("/home/")["Location"] == "/manage/"


def test_a_speaker_lands_in_the_speaker_area(client, db):
    speaker = factories.SpeakerFactory(user=factories.UserFactory(username="leyla"))
    sign_in(client, speaker.user)
    assert client.get("/home/")["Location"] == "/speaker/"


def test_door_staff_land_at_their_doors(client, db):
    event = factories.EventFactory()
    staff = factories.UserFactory(username="door")
    event.checkin_staff.add(staff)
    sign_in(client, staff)
    assert client.get("/home/")["Location"] == "/checkin/"


def test_anyone_else_lands_on_the_events(client, db):
    sign_in(client, factories.UserFactory(username="aysel"))
    assert client.get("/home/")["Location"] == "/"


def test_a_page_asked_for_still_wins(client, organiser):
    assert sign_in(client, organiser, next="/my/tickets/")["Location"] == "/my/tickets/"


def test_home_asks_a_visitor_to_sign_in(client, db):
    assert client.get("/home/")["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("path", "link"), [("/", 'href="/accounts/login/"'), ("/speakers/", "?next=/speakers/")])
def test_the_header_sign_in_link_returns_to_the_page_except_from_the_front_page(client, db, path, link):
    assert link in client.get(path).text


@pytest.mark.parametrize(
    "page",
    [
        "/accounts/login/",
        "/accounts/login",
        "/accounts/login/?next=/manage/",
        "/accounts/logout/",
        "/accounts/password_reset/done/",
        "/",
    ],
)
def test_signing_in_never_returns_to_a_page_for_the_signed_out(client, organiser, page):
    # the header's Sign in on the sign-in page asked to come back to it: signed in, one saw the
    # sign-in form again (and a sign-out page refuses a GET, 405)
    assert sign_in(client, organiser, next=page)["Location"] == "/home/"


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/login/?next=/manage/", "/accounts/password_reset/"])
def test_the_header_sign_in_link_on_a_page_for_the_signed_out_asks_for_no_return(client, db, path):
    header = client.get(path).text.split("</header>")[0]
    assert 'href="/accounts/login/"' in header
    assert "next=" not in header


def test_a_page_that_needs_signing_in_is_still_returned_to(client, organiser):
    assert client.get("/accounts/password_change/")["Location"] == "/accounts/login/?next=/accounts/password_change/"
    assert sign_in(client, organiser, next="/accounts/password_change/")["Location"] == "/accounts/password_change/"
