"""The site works under its Content-Security-Policy: no violation on the key pages, the camera
scanner with its decoder worker and service worker, and the API docs (Chromium)."""

import datetime as dt
import time
from pathlib import Path

import pytest
from django.utils import timezone

from registrations.models import CheckIn
from registrations.services.registration import register
from tests import factories
from tests.pages import test_browser as shared
from tests.pages.test_browser import CHROMIUM, account, sign_in
from tests.pages.test_door_browser import camera  # noqa: F401 - the fake-camera browser fixture

playwright_driver = shared.playwright_driver
browser = shared.browser


@pytest.fixture
def page(browser):
    """A page under the site's policy (the other browser tests bypass it)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(20000)
    yield page
    context.close()


def wait_until(page, expression: str, timeout: float = 20.0) -> None:
    """Poll ``expression`` through the debugger protocol (Playwright's wait_for_function would
    evaluate it with eval, which the policy rightly refuses)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout}s: {expression}"
        page.wait_for_timeout(100)


pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no browser at {CHROMIUM}"),
]

# runs before any script of the page: every violation the browser reports is kept
WATCH = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  const where = e.sourceFile + ':' + e.lineNumber;
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + where);
});
"""


def watch(page) -> list[str]:
    """Violations seen through the console (Chromium logs every refused load or inline)."""
    seen = []
    page.add_init_script(WATCH)
    page.on("console", lambda message: "Content Security Policy" in message.text and seen.append(message.text))
    return seen


def violations(page, console: list[str]) -> list[str]:
    return [*console, *page.evaluate("window.__cspViolations || []")]


def test_public_pages_and_the_ticket_have_no_csp_violation(page, live_server):
    event = factories.EventFactory(title="Robotics workshop", capacity=20)
    speaker = factories.SpeakerFactory(name="Nigar Guliyeva", photo_url="https://example.org/nigar.jpg")
    factories.SpeakerAssignmentFactory(speaker=speaker, event=event, status="accepted")
    ticket = register(event=event, name="Aysel", email="aysel@example.org", consent_data_processing=True)
    console = watch(page)
    found = {}
    for path in [
        "/",
        f"/events/{event.pk}/",
        f"/events/{event.pk}/register/",
        f"/registrations/manage/{ticket.manage_token}/",
        "/speakers/",
        "/accounts/login/",
    ]:
        response = page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert "script-src 'self'" in response.headers.get("content-security-policy", ""), path
        if found_here := violations(page, console):
            found[path] = list(found_here)
        console.clear()

    assert found == {}


def test_registering_in_the_browser_has_no_csp_violation(page, live_server):
    event = factories.EventFactory(title="Robotics workshop", capacity=20)
    console = watch(page)

    page.goto(f"{live_server.url}/events/{event.pk}/register/")
    page.click("form button[type=submit]")  # empty: the page's script moves focus to the errors
    page.fill("#id_name", "Aysel Aliyeva")
    page.fill("#id_email", "aysel@example.org")
    page.check("#id_consent_data_processing")
    page.click("form button[type=submit]")
    page.wait_for_selector("h1:has-text('You are registered')")

    assert violations(page, console) == []


def test_camera_scanner_and_service_worker_work_under_the_policy(camera, live_server):  # noqa: F811
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    event = factories.EventFactory(title="Door", start=start, end=start + dt.timedelta(hours=3), capacity=40)
    staff = account(username="door-csp")
    event.checkin_staff.add(staff)
    leyla = register(event=event, name="Leyla M", email="leyla@example.org", consent_data_processing=True)
    page = camera(leyla, bypass_csp=False)
    console = watch(page)

    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    wait_until(page, "!!(window.checkinPage && window.checkinPage.state().offlineReady)")
    page.click("#camera-start")
    page.wait_for_selector("#verdict .verdict[data-code=checked_in]")

    assert CheckIn.objects.filter(registration=leyla).exists()
    assert violations(page, console) == []


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_api_docs_render_under_the_policy(page, live_server, path):
    console = watch(page)

    page.goto(live_server.url + path)
    if path == "/api/docs/":
        page.wait_for_selector(".swagger-ui .opblock")
    else:
        page.wait_for_selector(".menu-content", state="attached")
        page.wait_for_selector("h1", state="attached")

    assert violations(page, console) == []
