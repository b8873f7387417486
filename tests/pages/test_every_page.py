"""Every page of the site on a 390 px phone, in Chromium: no sideways scrolling, no badge wider
than its words, no axe-core violations, no request to another site, under 200 KB. The pages are every route of the URL
resolver (tests/pages/every_page.py; test_route_coverage.py fails on a route with no row),
plus the error pages: 403, 404, 500, a CSRF failure and a throttled form (429).
"""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from rest_framework.throttling import SimpleRateThrottle

from tests.pages import test_browser as shared
from tests.pages.every_page import PAGES, build_world, ensure_regions, site_routes
from tests.pages.test_browser import ARGS, CHROMIUM, STRETCHED_BADGES

playwright_driver = shared.playwright_driver  # the browser tests' fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason=f"no browser at {CHROMIUM}"),
]

PHONE = {"width": 390, "height": 844}
PAGE_BUDGET = 200 * 1024

# Which elements stick out, to say where the sideways scroll comes from.
OVERFLOW = """() => {
  const width = window.innerWidth;
  const scrollWidth = document.scrollingElement.scrollWidth;
  if (scrollWidth <= width) { return null; }
  // an element inside a box that scrolls or clips by itself does not widen the page, unless it
  // is positioned out of that box (an absolutely positioned, visually hidden label)
  const clipped = (el) => {
    if (getComputedStyle(el).position === "absolute") { return false; }
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== "visible") { return true; }
    }
    return false;
  };
  const culprits = Array.from(document.querySelectorAll("body *"))
    .filter((el) => el.getBoundingClientRect().right > width + 1 && !clipped(el))
    .slice(-4)
    .map((el) => {
      const classes = (el.getAttribute("class") || "").split(" ").filter(Boolean).map((name) => "." + name);
      return `${el.tagName.toLowerCase()}${classes.join("")} right=${Math.round(el.getBoundingClientRect().right)}`;
    });
  return {scrollWidth, culprits};
}"""
# axe-core looks only at what is shown: a form folded in a closed <details> ("Add someone by
# hand") escaped it. Ids must be unique and every field labelled, folded or not.
FOLDED = """() => {
  const seen = {};
  document.querySelectorAll("[id]").forEach((el) => { seen[el.id] = (seen[el.id] || 0) + 1; });
  const duplicated = Object.keys(seen).filter((id) => seen[id] > 1);
  const unlabelled = Array.from(document.querySelectorAll("input:not([type=hidden]), select, textarea"))
    .filter((el) => !(el.labels && el.labels.length))
    .filter((el) => !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"))
    .map((el) => el.name || el.id);
  return duplicated.length || unlabelled.length ? {duplicated, unlabelled} : null;
}"""
WEIGHT = """() => {
  const entries = [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")];
  return entries.reduce((total, entry) => total + (entry.decodedBodySize || 0), 0);
}"""


def session_cookie(user, live_server) -> dict:
    client = Client()
    client.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": live_server.url}  # fmt: skip


class Inspector:
    """Opens pages in one browser context and notes everything wrong with each."""

    def __init__(self, browser, live_server, user=None):
        self.live_server = live_server
        # the policy is tested in test_csp_browser.py; Playwright's string predicates need eval
        self.context = browser.new_context(viewport=PHONE, locale="en-GB", bypass_csp=True)
        if user is not None:
            self.context.add_cookies([session_cookie(user, live_server)])
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.outside = []
        self.page.on("request", self._note_request)

    def _note_request(self, request):
        if not request.url.startswith((self.live_server.url, "data:", "about:")):
            self.outside.append(request.url)

    def open(self, url: str):
        return self.page.goto(self.live_server.url + url)

    def problems(self, name: str, *, status: int | None = 200) -> list[str]:
        from axe_playwright_python.sync_playwright import Axe

        found = []
        page = self.page
        page.wait_for_load_state("load")
        overflow = page.evaluate(OVERFLOW)
        if overflow:
            found.append(f"{name}: {overflow['scrollWidth']} px wide at 390: {overflow['culprits']}")
        folded = page.evaluate(FOLDED)
        if folded:
            found.append(
                f"{name}: duplicated ids {folded['duplicated']}, fields without a label {folded['unlabelled']}"
            )
        stretched = page.evaluate(STRETCHED_BADGES)
        if stretched:
            found.append(f"{name}: badges wider than their words at 390 px {stretched}")
        weight = page.evaluate(WEIGHT)
        if weight > PAGE_BUDGET:
            found.append(f"{name}: {weight} bytes")
        if self.outside:
            found.append(f"{name}: requests to other sites {self.outside}")
            self.outside = []
        results = Axe().run(page)
        if results.violations_count:
            found.append(f"{name}: axe-core\n{results.generate_report()}")
        return found

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def browser(playwright_driver):
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield browser
    browser.close()


@pytest.fixture
def world():
    ensure_regions()
    return build_world()


@pytest.fixture(scope="module", autouse=True)
def regions_kept(django_db_blocker):
    """The flush after a live-server test empties the seeded regions, and inside Playwright's
    event loop Django may not find its serialized copy to restore them: put them back, for
    these tests and the ones that run after them."""
    yield
    with django_db_blocker.unblock():
        ensure_regions()


def test_every_page_fits_a_phone_and_passes_axe(browser, live_server, world):
    routes = site_routes()
    problems = []
    by_role = {}
    for route in routes:
        if route in PAGES:
            role, url = PAGES[route]
            by_role.setdefault(role, []).append((route, url(world)))
    for role, pages in by_role.items():
        inspector = Inspector(browser, live_server, world.users.get(role))
        for route, url in pages:
            response = inspector.open(url)
            if response is None or response.status >= 400:
                problems.append(f"{route or '/'} ({url}) as {role}: HTTP {response and response.status}")
                continue
            problems += inspector.problems(f"{route or '/'} as {role}")
        inspector.close()

    assert problems == [], "\n".join(problems)


@pytest.mark.urls("tests.pages.error_urls")
def test_every_error_page_fits_a_phone_and_passes_axe(browser, live_server, world, monkeypatch):
    problems = []
    anonymous = Inspector(browser, live_server)
    assert anonymous.open("/no-such-page/").status == 404
    problems += anonymous.problems("404")
    assert anonymous.open("/test-errors/500/").status == 500
    problems += anonymous.problems("500")

    # a form left open until its CSRF cookie is gone
    anonymous.open("/accounts/login/")
    anonymous.context.clear_cookies()
    anonymous.page.fill("#id_username", "someone")
    anonymous.page.fill("#id_password", "something")
    with anonymous.page.expect_navigation():
        anonymous.page.click("main button[type=submit]")
    assert anonymous.page.locator("h1").inner_text() == "This form could not be sent"
    problems += anonymous.problems("CSRF failure")

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"recovery": "1/hour"})
    cache.clear()
    for _ in range(2):
        anonymous.open("/tickets/recover/")
        anonymous.page.fill("#id_email", "someone@example.org")
        with anonymous.page.expect_navigation():
            anonymous.page.click("main button[type=submit]")
    assert anonymous.page.locator("h1").inner_text() == "Too many requests"
    problems += anonymous.problems("429")
    cache.clear()
    anonymous.close()

    attendee = Inspector(browser, live_server, world.attendee)
    assert attendee.open(f"/checkin/{world.visit.pk}/").status == 403
    problems += attendee.problems("403")
    attendee.close()

    assert problems == [], "\n".join(problems)
