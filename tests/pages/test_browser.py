"""End to end in headless Chromium (Debian's, driven by Playwright) against a live server.

Skipped, with the reason, only where no browser can be installed: scripts/setup_browser.py
(run by `scripts/dev.py test`) installs it where it can.
"""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone

from registrations.models import CheckIn, Registration, RegistrationStatus
from registrations.services.registration import register
from registrations.services.tickets import ticket_payload
from speakers.models import AssignmentStatus
from tests import factories

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    # serialized_rollback: the flush after a live-server test would otherwise drop the seeded regions
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason=f"no browser at {CHROMIUM}: run scripts/setup_browser.py as root (apt-get install chromium)",
    ),
]


@pytest.fixture(scope="module")
def playwright_driver():
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are safe (the live server serves from its own thread).
    sync_api = pytest.importorskip("playwright.sync_api")
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as driver:
            yield driver
    finally:
        # only these tests: the rest of the suite keeps Django's async-safety check
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="module")
def browser(playwright_driver):
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield browser
    browser.close()


# Playwright evaluates string predicates (wait_for_function) with eval, which the site's
# Content-Security-Policy refuses: these tests let the browser skip the policy, and
# tests/pages/test_csp_browser.py checks the pages under it.
BYPASS_CSP = {"bypass_csp": True}

# Badges (a status, a tag) wider than their words: "Draft" stretched across a picker's whole row
# at 390 px (``.picker li > span`` took the badge for the row's name). Each badge that shows is
# at most its contents, padding and border wide.
STRETCHED_BADGES = """() => [...document.querySelectorAll(".status, .tag")]
  .filter((el) => el.getClientRects().length)
  .map((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const style = getComputedStyle(el);
    const sides = ["paddingLeft", "paddingRight", "borderLeftWidth", "borderRightWidth"];
    const room = range.getBoundingClientRect().width + sides.reduce((sum, side) => sum + parseFloat(style[side]), 0);
    const width = el.getBoundingClientRect().width;
    return width > room + 2 ? `${el.textContent.trim()}: ${Math.round(width)} px for ${Math.round(room)}` : null;
  })
  .filter(Boolean)"""


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB", **BYPASS_CSP)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def account(factory=factories.UserFactory, **fields):
    user = factory(**fields)
    user.set_password("correct-horse")
    user.save()
    return user


def sign_in(page, live_server, user, next_url="/"):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "correct-horse")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}{next_url}")


def test_browse_register_open_ticket_and_cancel(page, live_server):
    event = factories.EventFactory(title="Robotics workshop", capacity=20)
    factories.QuestionFactory(event=event, label="Your school", required=True)

    page.goto(live_server.url + "/")
    page.fill("input[name=q]", "Robotics")
    page.click("form[role=search] button[type=submit]")
    page.click("text=Robotics workshop")
    page.click("a.button:has-text('Register')")
    page.click("form button[type=submit]")  # empty: the page explains what is missing
    page.wait_for_selector("#errors")  # waits until the summary is shown, or fails
    page.fill("#id_name", "Aysel Aliyeva")
    page.fill("#id_email", "aysel@example.org")
    page.fill("label:has-text('Your school') + input", "School No. 12")
    page.check("#id_consent_data_processing")
    page.click("form button[type=submit]")
    page.wait_for_selector("h1:has-text('You are registered')")
    page.click("text=Open my ticket")
    page.wait_for_selector("[data-testid=ticket-code]")  # the click only starts the navigation

    registration = Registration.objects.get()
    assert page.locator(".qr svg").count() == 1
    assert page.locator("[data-testid=ticket-code]").inner_text() == ticket_payload(registration)
    page.click("text=Cancel my registration")
    page.check("#id_confirm")
    page.click("button.danger")
    page.wait_for_selector("text=Your registration is cancelled.")
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED


def test_speaker_accepts_an_invitation(page, live_server):
    user = account(username="leyla")
    speaker = factories.SpeakerFactory(name="Leyla Hasanova", user=user)
    assignment = factories.SpeakerAssignmentFactory(speaker=speaker, event=factories.WebinarFactory(title="AI careers"))

    sign_in(page, live_server, user, "/speaker/")
    page.click("#invitations button:has-text('Accept')")
    page.wait_for_selector("text=you are confirmed for AI careers")

    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ACCEPTED
    # listed once (its controls name it too, in visually hidden words)
    assert page.locator("#upcoming h3").all_inner_texts() == ["AI careers"]


def test_staff_check_in_typed_code_then_offline_and_sync(page, live_server):
    # under way: offline scans are dated around the event
    start = timezone.now() - dt.timedelta(hours=1)
    event = factories.EventFactory(title="Role models visit Shaki", capacity=50, start=start)
    staff = account(username="door")
    event.checkin_staff.add(staff)
    first, second = (
        register(event=event, name=name, email=f"{name.split()[0].lower()}@example.org", consent_data_processing=True)
        for name in ("Nigar Hasanova", "Samira Valiyeva")
    )

    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    page.wait_for_function("window.checkinPage && window.checkinPage.state().offlineReady")
    page.fill("#code", ticket_payload(first))
    page.click("#code-form button")
    verdict = page.locator("#verdict .verdict")
    verdict.wait_for()
    assert verdict.get_attribute("class") == "verdict ok"
    assert "Nigar Hasanova" in verdict.inner_text()
    assert page.locator("[data-count=checked_in_people]").inner_text() == "1"

    page.fill("#code", ticket_payload(first))
    page.click("#code-form button")
    page.wait_for_selector("#verdict .verdict[data-code=already_checked_in]")

    # the connection drops: the page checks against its downloaded list and queues the scan
    page.context.set_offline(True)
    page.wait_for_selector("#connection.offline")
    page.fill("#code", ticket_payload(second).lower())
    page.click("#code-form button")
    page.wait_for_selector("#verdict .verdict[data-code=checked_in]")
    assert "Samira Valiyeva" in page.locator("#verdict").inner_text()
    assert page.locator("#queue").get_attribute("data-waiting") == "1"
    assert CheckIn.objects.filter(registration=second).count() == 0

    page.context.set_offline(False)
    page.wait_for_selector("#queue[data-waiting='0']")
    checkin = CheckIn.objects.get(registration=second)
    assert checkin.source == CheckIn.Source.OFFLINE
    assert page.locator("#connection").inner_text() == "Connected"


def test_organiser_sees_dashboard_numbers_change(page, live_server, browser):
    organiser = account(factories.OrganiserFactory, username="planner")
    event = factories.EventFactory(title="CV workshop", capacity=30, organisers=[organiser])
    row = f"tr[data-event='{event.pk}'] [data-figure=confirmed]"

    sign_in(page, live_server, organiser, "/manage/dashboard/")
    assert page.locator(row).inner_text() == "0"

    attendee = browser.new_page()
    attendee.goto(f"{live_server.url}/events/{event.pk}/register/")
    attendee.fill("#id_name", "Fidan Karimova")
    attendee.fill("#id_email", "fidan@example.org")
    attendee.check("#id_consent_data_processing")
    attendee.click("form button[type=submit]")
    attendee.wait_for_url(re.compile(r".*/confirmation/$"))
    attendee.close()

    page.reload()
    assert page.locator(row).inner_text() == "1"


def fake_camera_video(image_png: bytes, path: Path) -> Path:
    """A Y4M video of the ticket's QR code, for Chromium's fake camera."""
    from io import BytesIO

    from PIL import Image

    width, height = 640, 480
    code = Image.open(BytesIO(image_png)).convert("L")
    code.thumbnail((420, 420))
    frame = Image.new("L", (width, height), 255)
    frame.paste(code, ((width - code.width) // 2, (height - code.height) // 2))
    chroma = bytes([128]) * (width // 2 * height // 2)
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F5:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(5):
            video.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)
    return path


def test_check_in_page_works_without_javascript(browser, live_server):
    start = timezone.now() - dt.timedelta(hours=1)  # under way: the door is open
    event = factories.EventFactory(title="Workshop in Lankaran", start=start)
    staff = account(username="nojs")
    event.checkin_staff.add(staff)
    registration = register(event=event, name="Aynur Rzayeva", email="aynur@example.org", consent_data_processing=True)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()

    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    page.fill("#code", ticket_payload(registration))
    page.click("#code-form button")
    page.wait_for_selector("#verdict .verdict[data-code=checked_in]")
    context.close()

    assert CheckIn.objects.get(registration=registration).source == CheckIn.Source.MANUAL


def test_check_in_after_the_session_ended_says_sign_in_again(page, live_server):
    start = timezone.now() - dt.timedelta(hours=1)  # under way: the door is open
    event = factories.EventFactory(title="Robotics club", start=start)
    staff = account(username="door3")
    event.checkin_staff.add(staff)
    registration = register(event=event, name="Gunel Guliyeva", email="gunel@example.org", consent_data_processing=True)

    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    page.wait_for_function("window.checkinPage && window.checkinPage.state().list.fetched_at")
    page.context.clear_cookies()
    # the counts asked once signed out are refused: the server answered, the page is not offline
    # (it was: the scan below was then kept offline, never said to need a new sign-in)
    page.evaluate("window.checkinPage.refreshCounts()")
    assert page.evaluate("window.checkinPage.state().online") is True
    page.fill("#code", ticket_payload(registration))
    page.click("#code-form button")

    page.wait_for_selector("#verdict .verdict[data-code=error]")
    assert "sign in again" in page.locator("#verdict").inner_text()
    assert page.locator("#connection").inner_text() == "Connected"
    assert not CheckIn.objects.exists()
