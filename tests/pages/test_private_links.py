"""Every page behind a private link (a secret in its URL: a ticket, an invitation, a team or
speaker link, message preferences) is kept out of shared caches, search engines and other
sites' Referer headers. The routes come from the URL resolver: a new page with a token in its
address is checked without being listed here."""

import pytest
from django.test import Client

from tests.pages.every_page import PAGES, build_world, ensure_regions

pytestmark = pytest.mark.django_db

# a certificate's verification link is printed on the certificate to be shown to anyone
PUBLIC_BY_DESIGN = {"certificates/verify/<str:token>/"}
PRIVATE_LINKS = sorted(route for route in PAGES if "<str:token>" in route and route not in PUBLIC_BY_DESIGN)


def test_there_are_private_links_to_check():
    assert len(PRIVATE_LINKS) >= 6


def test_every_page_behind_a_private_link_is_private():
    ensure_regions()
    world = build_world()
    headers = {}
    for route in PRIVATE_LINKS:
        who, url = PAGES[route]
        client = Client()
        if who != "anonymous":
            client.force_login(world.users[who])
        response = client.get(url(world))
        headers[route] = (
            response.status_code,
            response.get("Cache-Control"),
            response.get("Referrer-Policy"),
            response.get("X-Robots-Tag"),
        )

    expected = (200, "private, no-store", "same-origin", "noindex")
    assert {route: answer for route, answer in headers.items() if answer != expected} == {}


def test_a_text_shown_to_others_keeps_no_private_link(settings):
    from events_project.private_links import mask_private_links

    settings.SITE_URL = "https://events.example.org"
    text = (
        "Your ticket: https://events.example.org/registrations/manage/Secret-1_x/.\n"
        'Join the team: <a href="https://events.example.org/team/accept/Secret2/">accept</a>\n'
        "Calendar: webcal://events.example.org/calendar/private/Secret3.ics\n"
        "Check it: https://events.example.org/certificates/verify/Public4/ and "
        "https://elsewhere.example.org/registrations/manage/Theirs5/ and https://events.example.org/events/7/"
    )

    masked = mask_private_links(text)

    assert masked == (
        "Your ticket: https://events.example.org/registrations/manage/…/.\n"
        'Join the team: <a href="https://events.example.org/team/accept/…/">accept</a>\n'
        "Calendar: webcal://events.example.org/calendar/private/….ics\n"
        "Check it: https://events.example.org/certificates/verify/Public4/ and "
        "https://elsewhere.example.org/registrations/manage/Theirs5/ and https://events.example.org/events/7/"
    )


def test_a_private_link_in_another_shape_is_masked_too(settings):
    """Whatever the site still opens: capitals in the scheme and host, a user part, no closing
    slash, words glued on after it, a query, the API's addresses."""
    from events_project.private_links import mask_private_links

    settings.SITE_URL = "https://events.example.org"
    text = (
        "HTTPS://Events.Example.ORG/registrations/manage/Secret1/ "
        "https://someone@events.example.org/team/accept/Secret2 "
        "https://events.example.org/registrations/manage/Secret3/now "
        "https://events.example.org/messages/preferences/Secret4/?lang=az "
        "https://events.example.org/api/registrations/manage/Secret5/qr.png "
        "http://events.example.org/speaker/invitation/Secret6/)."
    )

    assert mask_private_links(text) == (
        "HTTPS://Events.Example.ORG/registrations/manage/…/ "
        "https://someone@events.example.org/team/accept/… "
        "https://events.example.org/registrations/manage/…/now "
        "https://events.example.org/messages/preferences/…/?lang=az "
        "https://events.example.org/api/registrations/manage/…/qr.png "
        "http://events.example.org/speaker/invitation/…/)."
    )


def test_a_compressed_signed_link_is_masked_too(settings):
    """Django's signed tokens begin with a dot when their content compresses (the preferences and
    unsubscribe links of an address that repeats itself, a certificate link): the token was read
    as ending before it began, and the outbox showed organisers the whole link, with which anyone
    mutes or unsubscribes that person from every organiser's messages."""
    from django.core import signing

    from events_project.private_links import mask_private_links
    from notifications.services.preferences import SALT, email_of_token

    settings.SITE_URL = "https://events.example.org"
    address = "info.info.info.info@info.info.info.info.az"
    # as links were made before 2026-11-29 (compress=True): such links stay in the outbox's bodies
    token = signing.dumps(address, salt=SALT, compress=True)
    preferences = f"{settings.SITE_URL}/messages/preferences/{token}/"
    unsubscribe = f"{settings.SITE_URL}/messages/unsubscribe/{token}/"

    masked = mask_private_links(f"Your choice: {preferences}\nUnsubscribe: {unsubscribe}.")

    assert token.startswith(".") and email_of_token(token) == address
    assert masked == (
        "Your choice: https://events.example.org/messages/preferences/…/\n"
        "Unsubscribe: https://events.example.org/messages/unsubscribe/…/."
    )


def _routes_with_a_token(patterns, above=""):
    from django.urls import URLResolver

    for pattern in patterns:
        route = above + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes_with_a_token(pattern.url_patterns, route)
        elif "<str:token>" in route and pattern.name not in {"certificate-verify", "certificate-verification-api"}:
            yield route


def test_every_route_with_a_token_the_apis_too_answers_privately_even_unknown_or_refused():
    """The API's routes behind a secret (a registration's management link, its ticket images and
    personal data, a certificate's and a speaker invitation's links) and the private calendar
    feed, as the pages: an unknown token's 404, a 400 and a wrong method's 405 included."""
    from django.urls import get_resolver

    routes = sorted(set(_routes_with_a_token(get_resolver().url_patterns)))
    answers = {}
    for route in routes:
        url = "/" + route.replace("<str:token>", "no-such-token")
        for method in ("get", "delete"):
            response = getattr(Client(), method)(url)
            answers[(route, method)] = (response.get("Cache-Control") or "").split(",")[0]

    assert any(route.startswith("api/") for route in routes)
    assert {key: answer for key, answer in answers.items() if answer != "private"} == {}


def test_a_registrations_management_link_in_the_api_is_private():
    from tests import factories

    ensure_regions()
    registration = factories.RegistrationFactory(event=factories.EventFactory(status="published"))

    response = Client().get(f"/api/registrations/manage/{registration.manage_token}/")

    assert (response.status_code, response.json()["email"]) == (200, registration.email)
    assert (response["Cache-Control"], response["Referrer-Policy"], response["X-Robots-Tag"]) == (
        "private, no-store",
        "same-origin",
        "noindex",
    )
