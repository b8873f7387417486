"""What a person on a 390×844 phone sees first, in Chromium: the primary action within the
first screen, folded filters, the names box only for a party, focus on the error summary, the
calendar link's copy button."""

import datetime as dt

import pytest
from django.utils import timezone

from events.models import EventKind
from tests import factories
from tests.pages import test_browser as shared
from tests.pages.every_page import ensure_regions
from tests.pages.test_browser import CHROMIUM, account, sign_in

# the browser fixtures of the other browser tests
playwright_driver = shared.playwright_driver
browser = shared.browser
page = shared.page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason=f"no browser at {CHROMIUM}"),
]
SCREEN_HEIGHT = 844


@pytest.fixture(autouse=True)
def regions():
    ensure_regions()


def bottom_of(locator) -> float:
    box = locator.bounding_box()
    return box["y"] + box["height"]


def test_register_button_is_on_the_first_screen(page, live_server):
    event = factories.EventFactory(
        title="Role models visit Shaki: engineers, doctors and data scientists meet pupils and parents",
        kind=EventKind.OUTREACH_VISIT,
        region=factories.region("shaki"),
        venue_name="Shaki Youth House",
        venue_address="Mirza Fatali Akhundzade avenue 25, second floor",
        description="A long description. " * 80,
    )
    factories.SpeakerAssignmentFactory(event=event, status="accepted")

    page.goto(f"{live_server.url}/events/{event.pk}/")

    assert bottom_of(page.locator("a.button:has-text('Register')")) < SCREEN_HEIGHT


def test_event_list_folds_filters_on_a_phone_and_opens_them_on_a_desktop(page, live_server, browser):
    series = factories.SeriesFactory(title="Mentoring circle", published=True)
    first = timezone.now() + dt.timedelta(days=2)
    for week in range(12):
        start = first + dt.timedelta(days=7 * week)
        factories.EventFactory(
            title="Mentoring circle", series=series, series_original_start=start, start=start,
            end=start + dt.timedelta(hours=1),
        )  # fmt: skip

    page.goto(f"{live_server.url}/?q=")

    assert not page.locator("#id_kind").is_visible()
    assert page.locator("text=Mentoring circle").count() == 1
    assert bottom_of(page.locator("ul.cards li").first) < SCREEN_HEIGHT  # the first event shows at once
    page.click("summary:has-text('Filters')")
    assert page.locator("#id_kind").is_visible()
    desktop = browser.new_page(viewport={"width": 1280, "height": 900})
    desktop.goto(f"{live_server.url}/?q=")
    assert desktop.locator("#id_kind").is_visible()
    desktop.close()


def test_names_box_appears_only_for_a_party(page, live_server):
    visit = factories.EventFactory(kind=EventKind.OUTREACH_VISIT, region=factories.region("ganja"), max_party_size=5)

    page.goto(f"{live_server.url}/events/{visit.pk}/register/")
    hidden_at_first = not page.locator("#id_party_names").is_visible()
    page.fill("#id_party_size", "3")
    shown_for_three = page.locator("#id_party_names").is_visible()
    page.fill("#id_party_size", "1")

    assert hidden_at_first and shown_for_three
    assert not page.locator("#id_party_names").is_visible()


def test_names_box_is_there_without_javascript(browser, live_server):
    visit = factories.EventFactory(kind=EventKind.OUTREACH_VISIT, region=factories.region("ganja"), max_party_size=5)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()

    page.goto(f"{live_server.url}/events/{visit.pk}/register/")

    assert page.locator("#id_party_names").is_visible()
    context.close()


def test_failed_submit_moves_focus_to_the_error_summary(page, live_server):
    event = factories.WebinarFactory()

    page.goto(f"{live_server.url}/events/{event.pk}/register/")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#errors")

    assert page.evaluate("document.activeElement.id") == "errors"
    page.click("#errors a[href='#id_email']")
    assert page.evaluate("document.activeElement.id") == "id_email"


def test_speaker_copies_and_subscribes_to_the_private_calendar(page, live_server):
    from feeds.models import CalendarFeed

    user = account(username="speaker-leyla")
    factories.SpeakerFactory(name="Leyla Hasanova", user=user)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)

    sign_in(page, live_server, user, "/speaker/")
    page.click("text=Subscribe to my schedule")  # one click from the speaker area makes the link
    section = page.locator("#speaker")
    section.locator("button:has-text('Copy link')").wait_for()
    feed = CalendarFeed.objects.get(user=user, scope="speaker", revoked_at__isnull=True)
    # the copy script is deferred: a click before it ran selected nothing and said nothing (a busy machine)
    page.wait_for_load_state("load")
    section.locator("button:has-text('Copy link')").click()
    section.locator("button:has-text('Copied')").wait_for()

    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{live_server.url}/calendar/private/{feed.token}.ics"
    webcal = section.locator("a:has-text('Subscribe')").get_attribute("href")
    assert webcal == copied.replace("http://", "webcal://")
    assert section.locator("a:has-text('Add to Google Calendar')").count() == 1
    assert section.locator("a:has-text('Add to Outlook')").count() == 1


def test_a_webinar_ticket_leads_with_join_and_a_long_link_keeps_to_the_screen(page, live_server):
    webinar = factories.WebinarFactory(
        join_url="https://zoom.example.org/j/81234567890?pwd=" + "Ab3dEfGh1jKlMn0pQrStUvWxYz" * 4
    )
    registration = factories.RegistrationFactory(event=webinar, status="confirmed")

    page.goto(f"{live_server.url}/registrations/manage/{registration.manage_token}/")

    assert bottom_of(page.locator("a.button:has-text('Join the event')")) < SCREEN_HEIGHT
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
