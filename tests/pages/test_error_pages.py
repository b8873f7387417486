"""Error pages in the site's look, translated, with a way back; the favicon."""

import pytest
from django.template.loader import render_to_string
from django.test import Client

from tests import factories
from tests.pages.conftest import signed_in
from tests.pages.every_page import PAGES, build_world, ensure_regions

pytestmark = pytest.mark.django_db


def test_not_found_page_is_the_sites_with_a_way_back(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    page = response.text
    assert 'href="/static/css/site.css"' in page
    assert "This page does not exist" in page
    assert 'class="button" href="/"' in page


def test_forbidden_page_says_who_is_signed_in(client):
    event = factories.EventFactory()
    signed_in(client, factories.UserFactory(username="leyla"))

    response = client.get(f"/checkin/{event.pk}/")

    assert response.status_code == 403
    assert "You are signed in as leyla" in response.text
    assert 'href="/"' in response.text


def test_forbidden_page_offers_the_way_to_what_the_user_may_open(client):
    """A speaker or door staff who opens the workspace is refused, and the page offers their own
    area (the header's roles: events.areas.roles_of), in English and Azerbaijani."""
    speaker = factories.SpeakerFactory(user=factories.UserFactory()).user
    door_staff = factories.UserFactory()
    factories.EventFactory().checkin_staff.add(door_staff)

    as_speaker = signed_in(client, speaker).get("/manage/")
    in_azerbaijani = client.get("/manage/", headers={"accept-language": "az"})
    as_door_staff = signed_in(Client(), door_staff).get("/manage/")

    assert as_speaker.status_code == as_door_staff.status_code == 403
    assert '<a class="button" href="/speaker/">Go to your speaker area</a>' in as_speaker.text
    assert "Go to your doors" not in as_speaker.text
    assert '<a class="button" href="/checkin/">Go to your doors</a>' in as_door_staff.text
    assert "Go to your speaker area" not in as_door_staff.text
    assert "Məruzəçi bölmənizə keçin" in in_azerbaijani.text


@pytest.mark.urls("tests.pages.error_urls")
def test_server_error_page_is_the_sites():
    client = Client(raise_request_exception=False)

    response = client.get("/test-errors/500/")

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert 'href="/static/css/site.css"' in response.text


def test_server_error_page_renders_without_a_request():
    # Django's handler gives the 500 template no request (and no context processors)
    page = render_to_string("500.html")

    assert "Something went wrong on our side" in page and 'href="/"' in page


def test_csrf_failure_page_explains_and_offers_the_page_again():
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"username": "x", "password": "y"})

    assert response.status_code == 403
    assert "This form could not be sent" in response.text
    assert 'href="/accounts/login/"' in response.text


def test_error_pages_in_azerbaijani(client):
    page = client.get("/no-such-page/", headers={"accept-language": "az"}).text

    assert 'lang="az"' in page
    assert "Belə səhifə yoxdur" in page


def test_favicon_is_served_at_the_root_and_linked_from_every_page(client):
    icon = client.get("/favicon.ico")
    page = client.get("/").text

    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page


def test_a_button_address_opened_as_a_page_is_the_sites_405_page(client):
    organiser = factories.OrganiserFactory()
    event = factories.EventFactory(organisers=[organiser], status="draft")
    signed_in(client, organiser)

    response = client.get(f"/manage/events/{event.pk}/publish/")
    in_azerbaijani = client.get(f"/manage/events/{event.pk}/publish/", HTTP_ACCEPT_LANGUAGE="az")

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "This address is a button, not a page" in response.text
    assert 'href="/static/css/site.css"' in response.text
    assert "Bu ünvan səhifə deyil, düymədir" in in_azerbaijani.text


def test_the_api_keeps_its_json_405(client):
    response = client.delete("/api/")

    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")


# What a browser never sends to a page (an HTML form knows GET and POST) but a script can.
NOT_PAGE_METHODS = ["put", "patch", "delete", "options", "trace", "propfind"]


def test_every_page_refuses_the_methods_a_page_has_no_use_for():
    ensure_regions()
    world = build_world()
    extra = {"manage/dashboard/registrations.csv": ("organiser", lambda w: "/manage/dashboard/registrations.csv"),
             "checkin/sw.js": ("staff", lambda w: "/checkin/sw.js")}  # fmt: skip
    answers = {}
    for route, (who, url) in {**PAGES, **extra}.items():
        client = Client(enforce_csrf_checks=True)
        if who != "anonymous":
            client.force_login(world.users[who])
        for method in NOT_PAGE_METHODS:
            response = client.generic(method.upper(), url(world))
            answers[(route, method)] = (response.status_code, response.get("Allow"))

    wrong = {key: answer for key, answer in answers.items() if answer != (405, "GET, HEAD, POST")}
    assert wrong == {}


def test_a_wrong_method_on_a_page_is_the_sites_405_page_in_azerbaijani(client):
    signed_in(client, factories.OrganiserFactory())

    response = client.delete("/manage/", HTTP_ACCEPT_LANGUAGE="az")

    assert response.status_code == 405
    assert 'lang="az"' in response.text
    assert "Səhifə belə sorğu qəbul etmir" in response.text
    assert 'href="/static/css/site.css"' in response.text


def test_a_post_to_a_page_that_only_shows_something_is_405(client):
    organiser = factories.OrganiserFactory()
    event = factories.EventFactory(organisers=[organiser])
    signed_in(client, organiser)

    urls = ["/", f"/events/{event.pk}/", "/manage/", f"/manage/events/{event.pk}/",
            "/manage/dashboard/registrations.csv", "/speakers/", "/my/tickets/"]  # fmt: skip
    answers = {url: client.post(url) for url in urls}

    assert {url: (r.status_code, r["Allow"]) for url, r in answers.items()} == {
        url: (405, "GET, HEAD") for url in answers
    }
    assert "A page takes no such request" in answers["/"].text
