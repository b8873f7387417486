"""The door in Chromium: a fake camera showing a real ticket's QR code, and the connection cut.

Each test waits for conditions (the page's own state, the DOM, the database), never for time.
"""

import datetime as dt
import json
import threading
import time
import zoneinfo
from pathlib import Path

import pytest
from django.utils import timezone

from registrations.checkin.services import check_in, door_counts
from registrations.models import CheckIn
from registrations.services.registration import register
from registrations.services.tickets import qr_png, ticket_payload
from tests import factories
from tests.pages import test_browser as shared
from tests.pages.test_browser import ARGS, CHROMIUM, account, fake_camera_video, sign_in
from tests.search_folding_cases import STORED_NAMES, TYPED

# the browser fixtures of the other browser tests
playwright_driver = shared.playwright_driver
browser = shared.browser
page = shared.page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no browser at {CHROMIUM}"),
]


def door_of(title: str, username: str):
    """An event under way (offline scans are dated around it) and a volunteer at its door."""
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    event = factories.EventFactory(title=title, start=start, end=start + dt.timedelta(hours=3), capacity=40)
    staff = account(username=username, first_name="Volunteer", last_name=username.title())
    event.checkin_staff.add(staff)
    return event, staff


def attendee(event, name: str, party_size: int = 1):
    email = f"{name.split()[0].lower()}@example.org"
    return register(
        event=event, name=name, email=email, party_size=party_size, consent_data_processing=True, source="organiser"
    )


def wait_until_kept_for_offline(page):
    """The list is downloaded and the service worker keeps the page. (Going offline while the
    worker was still installing left the page online in some runs.)"""
    page.wait_for_function("window.checkinPage && window.checkinPage.state().offlineReady")


def go_offline(page):
    """Once the page is kept for offline use: cut the connection and wait until the page says so."""
    wait_until_kept_for_offline(page)
    page.context.set_offline(True)
    page.wait_for_selector("#connection.offline")


def type_code(page, code: str):
    """What a scanner without a camera does: the code typed (or pasted) and Enter."""
    page.fill("#code", code)
    page.press("#code", "Enter")


def test_door_opens_offline_after_one_online_visit_and_checks_in_by_name(page, live_server):
    event, staff = door_of("Outreach in Guba", "guba")
    family = attendee(event, "Farid Mammadov", party_size=3)
    attendee(event, "Samira Valiyeva")

    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")  # the one online visit
    wait_until_kept_for_offline(page)
    page.context.set_offline(True)
    reloaded = page.reload()

    assert reloaded.from_service_worker
    assert page.locator("h1").inner_text().startswith("Check-in")
    page.wait_for_selector("#connection.offline")
    # the QR code is lost: found by name in the downloaded list
    page.fill("#q", "farid")
    page.press("#q", "Enter")
    # the status as every page draws it, colour and icon (it was a plain grey tag offline)
    assert page.locator("#results .status.ok.confirmed svg").count() == 1
    assert page.locator("#results .status.ok.confirmed").inner_text() == "Confirmed"
    page.click("#results button")
    # said on the person's row, where the button was pressed (the top is out of sight on a phone)
    page.wait_for_selector(f"#result-{family.pk} .row-verdict .verdict[data-code=checked_in]")
    assert "Farid Mammadov · 3 people" in page.locator(f"#result-{family.pk} .row-verdict").inner_text()
    assert page.evaluate("document.activeElement.id") == f"result-{family.pk}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll on a phone
    assert page.locator("#queue").inner_text() == "1 scan waiting to sync"
    assert page.locator("[data-count=checked_in_people]").inner_text() == "3"
    assert page.locator("[data-plural=checked_in]").inner_text() == "1 registration"
    assert page.locator("[data-count=registered_people]").inner_text() == "4"
    assert not CheckIn.objects.exists()

    page.context.set_offline(False)
    page.wait_for_selector("#queue[data-waiting='0']")
    checkin = CheckIn.objects.get()
    assert (checkin.registration, checkin.source, checkin.by) == (family, CheckIn.Source.OFFLINE, staff)
    page.wait_for_selector(".row-verdict .verdict", state="detached")  # "saved offline" is stale once synced
    assert page.locator("#queue").inner_text() == "All scans synced"
    assert page.locator("[data-count=checked_in_people]").inner_text() == "3"


def test_sync_conflict_says_who_checked_the_person_in_where_and_when(page, live_server):
    event, staff = door_of("Role models visit Shaki", "shaki")
    event.timezone = "America/Sao_Paulo"  # not the browser's: times follow the event
    event.save(update_fields=["timezone"])
    other_door = account(username="aysel", first_name="Aysel", last_name="Mammadova")
    event.checkin_staff.add(other_door)
    nigar = attendee(event, "Nigar Hasanova")

    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    go_offline(page)
    type_code(page, ticket_payload(nigar))
    page.wait_for_selector("#verdict .verdict[data-code=checked_in]")
    # meanwhile the other door, still online, let her in first
    first = check_in(event_id=event.pk, secret=ticket_payload(nigar), by=other_door, device="tablet-7")
    page.context.set_offline(False)

    conflict = page.locator("#conflicts li[data-code=already_checked_in]")
    conflict.wait_for()
    # in the event's time zone, whatever the device's own is
    browser_zone = page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
    assert zoneinfo.ZoneInfo(browser_zone).utcoffset(first.checked_in_at) != event.zone.utcoffset(first.checked_in_at)
    at = first.checked_in_at.astimezone(event.zone).strftime("%H:%M")
    assert conflict.inner_text() == (
        f"Nigar Hasanova: Already checked in — at {at} by Aysel Mammadova on device tablet-7"
    )
    page.wait_for_selector("#verdict .verdict", state="detached")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert CheckIn.objects.get().device == "tablet-7"
    page.click("#conflicts button")
    page.wait_for_selector("#conflicts", state="detached")


def test_a_refused_offline_check_in_names_the_person_and_is_undone_in_the_results(page, live_server):
    """Offline, the door admits from its list; the server may still refuse (here the organiser
    moved the event a week ahead while the door was offline, so the scan is dated a week before
    it). The conflict names the person, and the search results, drawn again from the fresh
    list, no longer say "In" for someone the server did not check in."""
    event, staff = door_of("Role models visit Quba", "quba")
    attendee(event, "Leyla Quliyeva")

    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    go_offline(page)
    page.fill("#q", "leyla")
    page.press("#q", "Enter")
    page.click("#results button")
    page.wait_for_selector("#results .row-verdict .verdict[data-code=checked_in]")  # on her row
    event.start += dt.timedelta(days=7)
    event.end += dt.timedelta(days=7)
    event.save(update_fields=["start", "end"])
    page.context.set_offline(False)

    conflict = page.locator("#conflicts li[data-code=bad_scan_time]")
    conflict.wait_for()
    assert conflict.inner_text().startswith("Leyla Quliyeva: ")
    page.wait_for_selector("#results button")  # offered again: she is not checked in
    assert not CheckIn.objects.exists()


class HeldRequests:
    """Requests to the door's API held by the test (``page.route``) and answered when it says:
    the handler only keeps the route, the test thread fulfils it later."""

    def __init__(self, page, path_end: str, method: str = "GET"):
        self.page, self.holding, self.routes = page, False, []
        page.route(lambda url: url.split("?")[0].endswith(path_end), self._handle)
        self.method = method

    def _handle(self, route):
        if self.holding and route.request.method == self.method:
            self.routes.append(route)
        else:
            route.continue_()

    def wait_for(self, count: int, timeout: float = 10) -> list:
        """The held requests, once the page has sent ``count`` of them (Playwright dispatches
        routes while the test waits in one of its calls); then nothing more is held."""
        deadline = time.monotonic() + timeout
        while len(self.routes) < count:
            assert time.monotonic() < deadline, f"the page sent {len(self.routes)} of {count} requests to hold"
            self.page.wait_for_timeout(20)
        self.holding = False
        held, self.routes = self.routes, []
        return held

    def wait_for_one(self, timeout: float = 10):
        return self.wait_for(1, timeout)[0]


REFRESH_COUNTS = """() => {
  window.countsAnswered = false;
  window.checkinPage.refreshCounts().then(() => { window.countsAnswered = true; });
}"""
CHECKED_IN_PEOPLE = "[data-count=checked_in_people]"


@pytest.mark.parametrize("scan_sent", ["after the counts were asked", "before the counts were asked"])
def test_counts_asked_before_a_scan_was_answered_do_not_take_it_back(page, live_server, scan_sent):
    """The door asks the server for its counts every 20 s. Asked before a scan's check-in (or
    while it was on its way) and answered after the scan's own answer, they said "0 people
    checked in" beside "Checked in" until the next refresh."""
    event, staff = door_of("Role models visit Sumgait", "sumgait")
    leyla = attendee(event, "Leyla Mammadova", party_size=2)
    counts = HeldRequests(page, "/checkin/counts/")
    scans = HeldRequests(page, f"/checkin/{event.pk}/", method="POST")
    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    wait_until_kept_for_offline(page)  # the first list and counts are in
    before_the_scan = json.dumps(door_counts(event=event))

    if scan_sent == "after the counts were asked":
        counts.holding = True
        page.evaluate(REFRESH_COUNTS)
        stale = counts.wait_for_one()
        type_code(page, ticket_payload(leyla))
    else:
        scans.holding = True
        type_code(page, ticket_payload(leyla))
        scan = scans.wait_for_one()
        counts.holding = True
        page.evaluate(REFRESH_COUNTS)
        stale = counts.wait_for_one()
        scan.continue_()
    page.wait_for_selector("#verdict .verdict[data-code=checked_in]")
    assert page.locator(CHECKED_IN_PEOPLE).inner_text() == "2"
    # the counts the server gave before the check-in arrive last
    stale.fulfill(status=200, content_type="application/json", body=before_the_scan)
    page.wait_for_function("window.countsAnswered")

    assert page.locator(CHECKED_IN_PEOPLE).inner_text() == "2"
    assert page.locator("[data-plural=checked_in]").inner_text() == "1 registration"
    assert CheckIn.objects.get().registration == leyla


def test_two_scans_at_once_end_with_the_counts_of_both(page, live_server):
    """Two tickets scanned at once: the first scan's answer (counted before the second check-in)
    arrived last and said one person was in. Neither answer is trusted; the counts are asked
    again once both are in."""
    event, staff = door_of("Role models visit Mingachevir", "mingachevir")
    first, second = attendee(event, "Leyla Mammadova"), attendee(event, "Farid Aliyev", party_size=2)
    scans = HeldRequests(page, f"/checkin/{event.pk}/", method="POST")
    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    wait_until_kept_for_offline(page)

    scans.holding = True
    type_code(page, ticket_payload(first))
    type_code(page, ticket_payload(second))
    held = scans.wait_for(2)
    answers = [route.fetch() for route in held]  # the server checks them in, in this order
    assert [answer.json()["counts"]["checked_in_people"] for answer in answers] == [1, 3]
    held[1].fulfill(response=answers[1])
    page.wait_for_selector(f"#verdict .verdict[data-code=checked_in]:has-text('{second.name}')")
    with page.expect_response(lambda response: "/checkin/counts/" in response.url, timeout=10000):
        held[0].fulfill(response=answers[0])  # the older answer, last

    page.wait_for_function("document.querySelector('[data-count=checked_in_people]').textContent === '3'")
    assert page.locator("[data-plural=checked_in]").inner_text() == "2 registrations"
    assert CheckIn.objects.count() == 2


def test_counts_asked_while_the_queue_uploads_do_not_take_its_scans_back(page, live_server):
    event, staff = door_of("Role models visit Shirvan", "shirvan")
    family = attendee(event, "Farid Mammadov", party_size=3)
    uploads = HeldRequests(page, "/checkin/batch/", method="POST")
    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    go_offline(page)
    type_code(page, ticket_payload(family))
    page.wait_for_selector("#verdict .verdict[data-code=checked_in]")
    assert page.locator(CHECKED_IN_PEOPLE).inner_text() == "3"

    uploads.holding = True
    page.context.set_offline(False)
    upload = uploads.wait_for_one()
    page.evaluate(REFRESH_COUNTS)  # the server has not seen the scan yet: nobody is in
    page.wait_for_function("window.countsAnswered")
    assert page.locator(CHECKED_IN_PEOPLE).inner_text() == "3"
    upload.continue_()

    page.wait_for_selector("#queue[data-waiting='0']")
    assert page.locator(CHECKED_IN_PEOPLE).inner_text() == "3"
    assert CheckIn.objects.get().registration == family


@pytest.fixture
def camera(playwright_driver, tmp_path):
    """Chromium whose camera films the ticket's QR code (a Y4M video made from its PNG)."""
    browsers = []

    def launch(registration, *, bypass_csp=True):
        video = fake_camera_video(qr_png(registration=registration), tmp_path / "ticket.y4m")
        fake_camera = [
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ]
        launched = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, *fake_camera])
        browsers.append(launched)
        context = launched.new_context(viewport={"width": 390, "height": 844}, locale="en-GB", bypass_csp=bypass_csp)
        context.grant_permissions(["camera"])
        page = context.new_page()
        page.set_default_timeout(20000)
        return page

    yield launch
    for launched in browsers:
        launched.close()


def test_camera_shows_its_preview_and_a_held_ticket_keeps_its_first_answer(camera, live_server):
    event, staff = door_of("Role models visit Ganja", "ganja")
    leyla = attendee(event, "Leyla Mammadova", party_size=2)
    page = camera(leyla)
    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    scans_sent = []
    page.on("request", lambda request: request.method == "POST" and scans_sent.append(request.url))
    page.clock.set_fixed_time(dt.datetime.now(dt.UTC))
    page.click("#camera-start")
    page.wait_for_selector("#verdict .verdict[data-code=checked_in]")

    video = page.locator("#scanner-video")
    page.wait_for_function("document.getElementById('scanner-video').videoWidth > 0")
    box = video.bounding_box()
    assert box["width"] > 100 and box["height"] > 50
    assert video.evaluate("v => getComputedStyle(v).opacity") == "1"
    assert "Leyla Mammadova · 2 people" in page.locator("#verdict").inner_text()
    assert page.locator("[data-count=checked_in_people]").inner_text() == "2"

    # the volunteer keeps the ticket in front of the camera for longer than the old 4 s
    sightings = page.evaluate("window.checkinPage.state().sightings")
    page.clock.set_fixed_time(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=6))
    page.wait_for_function(f"window.checkinPage.state().sightings > {sightings + 3}")

    assert page.locator("#verdict .verdict").get_attribute("data-code") == "checked_in"
    assert page.locator("#code").input_value() == ""
    assert len(scans_sent) == 1
    assert CheckIn.objects.get().source == CheckIn.Source.SCAN


SUBMIT_CODE = """code => {
  document.getElementById("code").value = code;
  document.getElementById("code-form").requestSubmit();
}"""


def test_a_closed_door_says_so_and_refuses_offline_scans_on_the_spot(page, live_server):
    start = timezone.now() + dt.timedelta(days=30)
    event = factories.EventFactory(title="Career day in Lankaran", start=start, end=start + dt.timedelta(hours=2))
    staff = account(username="lankaran", first_name="Volunteer", last_name="Lankaran")
    event.checkin_staff.add(staff)
    pupil = attendee(event, "Leyla Aliyeva")

    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    notice = page.locator("#door-closed").inner_text()
    go_offline(page)
    assert not page.locator("#code").is_visible()  # not offered while closed
    # a scan that reaches the page all the same (the clock passed the closing between two
    # draws of the page) is refused on the spot, not queued
    page.evaluate(SUBMIT_CODE, ticket_payload(pupil))
    page.wait_for_selector("#verdict .verdict[data-code=door_closed]")

    opens = (start - dt.timedelta(days=1)).astimezone(event.zone)
    assert notice.startswith("The door is closed: check-in opens on") and opens.strftime("%H:%M") in notice
    assert "Check-in opens a day before the event" in page.locator("#verdict").inner_text()
    assert page.evaluate("window.checkinPage.state().queue.length") == 0
    page.context.set_offline(False)
    assert not CheckIn.objects.exists()


def test_a_door_kept_while_closed_offers_no_check_in_until_it_opens_offline_too(page, live_server):
    """Closed, the page offered its "Check in" buttons (code, name, walk-in) for the server to
    answer door_closed. It offers none and says why once; the copy kept for offline use while
    the door was closed still opens the door on the day, by the device's clock."""
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=30)
    event = factories.EventFactory(title="Career day in Shamakhi", start=start, end=start + dt.timedelta(hours=2))
    staff = account(username="shamakhi", first_name="Volunteer", last_name="Shamakhi")
    event.checkin_staff.add(staff)
    pupil = attendee(event, "Leyla Aliyeva")
    offered = "#code:visible, #camera-start:visible, #walk-in-form:visible, summary:visible, #results button:visible"

    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    page.fill("#q", "leyla")
    page.press("#q", "Enter")  # online: the server's results
    page.wait_for_selector("#results li")
    assert page.locator("#door-closed").is_visible()
    assert page.locator(offered).count() == 0
    go_offline(page)
    page.fill("#q", "leyla")
    page.press("#q", "Enter")  # offline: the downloaded list's results
    page.wait_for_selector("#results li:has-text('Leyla Aliyeva')")
    assert page.locator(offered).count() == 0
    assert page.locator("#door-closed").inner_text().startswith("The door is closed: check-in opens on")

    # the day of the event, with no connection at the venue: the page opens from its copy
    page.clock.set_fixed_time(start - dt.timedelta(hours=1))
    assert page.reload().from_service_worker
    page.wait_for_selector("#code:visible")
    assert not page.locator("#door-closed").is_visible()
    assert page.locator("#walk-in-form summary:visible, details summary:visible").count() == 1
    type_code(page, ticket_payload(pupil))
    page.wait_for_selector("#verdict .verdict[data-code=checked_in]")
    assert page.evaluate("window.checkinPage.state().queue.length") == 1


@pytest.mark.parametrize(
    ("language", "said"), [("en", "at {at} by an erased account"), ("az", "{at}, silinmiş hesab tərəfindən")]
)
def test_offline_scan_of_someone_already_in_says_it_in_the_words_of_the_server(page, live_server, language, said):
    """Online the door said "06:57, silinmiş hesab" ("at 06:57 by an erased account") and offline
    "06:57 · silinmiş hesab": one wording, the server's, and one clock."""
    from registrations.services.privacy import erase_personal_data

    event, staff = door_of("Outreach in Gabala", "gabala")
    leaver = account(username="leaver", first_name="Aysel", last_name="Mammadova")
    event.checkin_staff.add(leaver)
    nigar = attendee(event, "Nigar Hasanova")
    first = check_in(event_id=event.pk, secret=ticket_payload(nigar), by=leaver, device="tablet-7")
    erase_personal_data(user=leaver)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    wait_until_kept_for_offline(page)
    online = page.locator("#verdict .verdict[data-code=already_checked_in]")

    type_code(page, ticket_payload(nigar))
    online.wait_for()
    said_online = online.inner_text()
    page.evaluate("document.getElementById('verdict').textContent = ''")
    go_offline(page)
    type_code(page, ticket_payload(nigar))

    offline = page.locator("#verdict .verdict[data-code=already_checked_in]")
    offline.wait_for()
    at = first.checked_in_at.astimezone(event.zone).strftime("%H:%M")
    assert said.format(at=at) in said_online.splitlines()
    assert offline.inner_text() == said_online


def test_a_ticket_checked_in_online_is_said_with_its_time_when_scanned_again_offline(page, live_server):
    """Checked in online, then scanned again with the connection gone: the door said "Already
    checked in" with no time, where online it said "15:07 · Volunteer Ganja": the list kept only
    that they were in."""
    event, staff = door_of("Outreach in Ganja", "ganja")
    farid = attendee(event, "Farid Aliyev")
    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    wait_until_kept_for_offline(page)

    type_code(page, ticket_payload(farid))
    page.wait_for_selector("#verdict .verdict[data-code=checked_in]")
    go_offline(page)
    type_code(page, ticket_payload(farid))

    verdict = page.locator("#verdict .verdict[data-code=already_checked_in]")
    verdict.wait_for()
    # the browser notes the time as the server answers: the same minute, or the next one
    at = CheckIn.objects.get().checked_in_at.astimezone(event.zone)
    said = verdict.inner_text().splitlines()
    assert any(f"at {moment:%H:%M} on this device" in said for moment in (at, at + dt.timedelta(minutes=1)))
    page.context.set_offline(False)


KEPT_FOR_DOOR = """async (path) => {
  const stored = Object.keys(localStorage).filter((key) => key.startsWith("checkin:" + path));
  let copies = 0;
  for (const name of await caches.keys()) {
    if (await (await caches.open(name)).match(path)) { copies += 1; }
  }
  return {stored, copies};
}"""


def test_signing_out_leaves_no_list_and_no_door_on_the_phone(page, live_server):
    """A phone passed on at the door: after signing out, nobody opens the page or reads the
    names, online or offline."""
    event, staff = door_of("Outreach in Ganja", "ganja")
    attendee(event, "Farid Mammadov")
    path = f"/checkin/{event.pk}/"
    sign_in(page, live_server, staff, path)
    wait_until_kept_for_offline(page)
    assert page.evaluate(KEPT_FOR_DOOR, path)["copies"] == 1

    page.click("form[action='/accounts/logout/'] button")
    page.wait_for_load_state()

    assert page.evaluate(KEPT_FOR_DOOR, path) == {"stored": [], "copies": 0}
    page.context.set_offline(True)
    with pytest.raises(Exception, match="ERR_INTERNET_DISCONNECTED|ERR_FAILED"):
        page.goto(live_server.url + path)


def test_a_door_closed_to_its_volunteer_is_no_longer_kept_for_offline(page, live_server):
    event, staff = door_of("Outreach in Lankaran", "lankaran")
    attendee(event, "Farid Mammadov")
    path = f"/checkin/{event.pk}/"
    sign_in(page, live_server, staff, path)
    wait_until_kept_for_offline(page)

    event.checkin_staff.remove(staff)
    refused = page.reload()

    assert refused.status == 403
    assert page.evaluate(KEPT_FOR_DOOR, path)["copies"] == 0
    page.context.set_offline(True)
    with pytest.raises(Exception, match="ERR_INTERNET_DISCONNECTED|ERR_FAILED"):
        page.goto(live_server.url + path)


def test_signing_out_with_scans_not_uploaded_asks_first(page, live_server):
    event, staff = door_of("Outreach in Quba", "quba")
    registration = attendee(event, "Farid Mammadov")
    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    go_offline(page)
    type_code(page, ticket_payload(registration))
    page.wait_for_selector("#queue[data-waiting='1']")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))

    page.click("form[action='/accounts/logout/'] button")

    assert asked == ["1 scan has not been uploaded yet: signing out now loses it. Sign out anyway?"]
    assert page.evaluate("window.checkinPage.state().queue.length") == 1


def test_a_refused_walk_in_comes_back_with_what_was_typed_on_a_phone(page, live_server):
    event, staff = door_of("Full workshop", "full")
    event.capacity = 1
    event.save(update_fields=["capacity"])
    attendee(event, "Samira Valiyeva")

    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    page.click("details summary")
    page.fill("#id_name", "Rauf Quliyev")
    page.fill("#id_email", "rauf@example.org")
    page.click("#walk-in-form button[type=submit]")
    page.wait_for_selector("#verdict .verdict[data-code=error]")

    assert "The event is full." in page.locator("#verdict").inner_text()
    assert page.locator("details").get_attribute("open") is not None
    assert (page.input_value("#id_name"), page.input_value("#id_email")) == ("Rauf Quliyev", "rauf@example.org")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_test_ends_once_the_server_answered_its_closed_page(page, live_server, live_server_quiet_before_flush):
    """The page's counts, asked every 20 s, were still being answered by the live server after
    the page closed, while the database was flushed (a deadlock with TRUNCATE on PostgreSQL).
    Here the server holds that request on purpose: the test's end waits for it."""
    connections = live_server_quiet_before_flush
    event, staff = door_of("Outreach in Zaqatala", "zaqatala")
    attendee(event, "Farid Aliyev")
    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    wait_until_kept_for_offline(page)
    release = connections.hold("/checkin/counts/")
    page.evaluate("() => { window.checkinPage.refreshCounts(); }")  # what the page's timer does, not awaited
    # held in the server (not one the page's own timer sent a moment before, answered at once)
    assert connections.wait_until(lambda: connections.holding, 10)

    page.context.close()
    ended = threading.Event()
    ending = threading.Thread(target=lambda: (connections.wait_until_quiet(timeout=10), ended.set()))
    ending.start()

    # the page is gone, its request is not: the flush would run beside it
    assert not ended.wait(0.3)
    assert connections.open >= 1
    release.set()
    ending.join(10)
    assert ended.is_set()
    assert connections.answering == [] and connections.holding == []


@pytest.mark.parametrize("connected", [True, False])
def test_check_in_with_an_empty_code_box_says_to_type_or_scan_a_code(page, live_server, connected):
    """Pressing Check in with nothing typed said "Not a valid ticket"; it says what to do and sends nothing."""
    event, staff = door_of("Outreach in Shamakhi", "shamakhi")
    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    if connected:
        wait_until_kept_for_offline(page)
    else:
        go_offline(page)
    scans_sent = []
    page.on("request", lambda request: request.method == "POST" and scans_sent.append(request.url))

    page.fill("#code", "  ")
    page.click("#code-form button[type=submit]")

    verdict = page.locator("#verdict .verdict[data-code=empty_code]")
    verdict.wait_for()
    assert verdict.inner_text() == "Type or scan a ticket code"
    assert page.evaluate("document.activeElement.id") == "code"
    assert scans_sent == [] and page.evaluate("window.checkinPage.state().queue.length") == 0


IN_VIEW = """id => {
  const box = document.getElementById(id).getBoundingClientRect();
  return box.top >= 0 && box.bottom <= window.innerHeight;
}"""


@pytest.mark.parametrize("connected", [True, False])
def test_a_name_search_keeps_its_results_in_view_and_focus(page, live_server, connected):
    """The search reloaded the page at its top, with the focus there too; offline the results did
    not say who comes with someone, which the downloaded list knows."""
    event, staff = door_of("Outreach in Ismayilli", "ismayilli")
    family = register(
        event=event, name="Farid Mammadov", email="farid@example.org", party_size=3,
        party_names=["Aysel", "Nigar"], consent_data_processing=True, source="organiser",
    )  # fmt: skip
    attendee(event, "Samira Valiyeva")
    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    if connected:
        wait_until_kept_for_offline(page)
    else:
        go_offline(page)

    page.fill("#q", "farid")
    page.press("#q", "Enter")

    page.wait_for_function("document.activeElement && document.activeElement.id === 'found-title'")
    assert page.evaluate(IN_VIEW, "found-title")
    assert page.locator("#found-title").inner_text() == "Search results"
    result = page.locator("#results li")
    assert result.count() == 1
    assert f"{family.name} · 3 people: Aysel, Nigar" in result.inner_text()
    page.keyboard.press("Tab")  # the keyboard goes on from the results: their Check in
    assert page.evaluate("document.activeElement.textContent") == "Check in"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("device_clock", [dt.timedelta(days=3), -dt.timedelta(days=3)], ids=["ahead", "behind"])
def test_a_device_clock_days_off_opens_the_door_and_dates_scans_by_the_servers_time(page, live_server, device_clock):
    """The door opened and closed, and dated offline scans, by the phone's clock: three days
    ahead it said the door had closed (behind, not yet open) on the day of the event, and a scan
    dated by it would be refused as bad_scan_time."""
    event, staff = door_of("Outreach in Agdash", "agdash")
    pupil = attendee(event, "Leyla Aliyeva")
    page.clock.set_fixed_time(dt.datetime.now(dt.UTC) + device_clock)
    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    wait_until_kept_for_offline(page)

    page.wait_for_selector("#code:visible")  # open by the server's time
    assert not page.locator("#door-closed").is_visible()
    go_offline(page)
    page.reload()  # opened again without a connection: the correction was kept
    page.wait_for_selector("#connection.offline")
    type_code(page, ticket_payload(pupil))
    page.wait_for_selector("#verdict .verdict[data-code=checked_in]")
    scanned_at = dt.datetime.fromisoformat(page.evaluate("window.checkinPage.state().queue[0].scanned_at"))
    assert abs(scanned_at - timezone.now()) < dt.timedelta(minutes=2)

    page.context.set_offline(False)
    page.wait_for_selector("#queue[data-waiting='0']")
    assert page.locator("#conflicts").count() == 0
    assert CheckIn.objects.get().source == CheckIn.Source.OFFLINE


def page_time(page) -> dt.datetime:
    """The page's clock (faked by page.clock), as a moment."""
    return dt.datetime.fromtimestamp(page.evaluate("Date.now()") / 1000, dt.UTC)


@pytest.mark.parametrize(
    ("moved", "measured"),
    [(dt.timedelta(seconds=11), False), (-dt.timedelta(seconds=11), False), (dt.timedelta(seconds=9.9), True)],
    ids=["trip over 10 s", "negative trip", "trip under 10 s"],
)
def test_an_answer_whose_trip_is_negative_or_over_10_s_does_not_set_the_clock(
    page, live_server, live_server_quiet_before_flush, moved, measured
):
    """checkin.js corrects the phone's clock by the Date of each answer, unless the trip it timed
    is negative or longer than 10 s (the clock moved while the request was out, or the answer
    was too slow to date). Here the server holds the counts while the page's clock, paused (no
    timer sends anything meanwhile), is moved: past 10 s, or back, the offset stays; 9.9 s is still
    a measurement, so the same steps do move it (the control: the test can see a change)."""
    connections = live_server_quiet_before_flush
    event, staff = door_of("Outreach in Gabala", "gabala")
    attendee(event, "Leyla Aliyeva")
    page.clock.install(time=dt.datetime.now(dt.UTC))
    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    wait_until_kept_for_offline(page)
    release = connections.hold("/checkin/counts/")
    sent_at = page_time(page) + dt.timedelta(milliseconds=100)
    page.clock.pause_at(sent_at)
    offset_before = page.evaluate("window.checkinPage.state().clockOffset")

    page.evaluate(REFRESH_COUNTS)
    assert connections.wait_until(lambda: any(path.endswith("/counts/") for path in connections.holding), 10)
    page.clock.set_fixed_time(sent_at + moved)
    release.set()
    page.wait_for_function("window.countsAnswered")

    offset = page.evaluate("window.checkinPage.state().clockOffset")
    if measured:
        # the server's moment is taken as the trip's middle, 5 s after it was sent: a correction of
        # a few seconds back (less the time the server took to answer once released)
        assert -6000 < offset < -1000
        assert offset_before == 0  # the page's clock was the server's: no correction before
    else:
        assert offset == offset_before


def test_an_address_searched_without_a_connection_says_the_list_holds_names_only(page, live_server):
    """Online the search finds part of a name or an address; offline it looked at names only and
    said "Nobody found." for an address the server would find: the downloaded list holds no
    addresses (none is added to the phone), so it says that, and finds names as the server does."""
    event, staff = door_of("Outreach in Lankaran", "lankaran")
    attendee(event, "Farid Mammadov")
    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    wait_until_kept_for_offline(page)
    page.fill("#q", "FARID@example")
    page.press("#q", "Enter")
    page.wait_for_selector("#results li.card")
    assert "Farid Mammadov" in page.locator("#results li").inner_text()

    go_offline(page)
    said = {}
    for query in ("FARID@example", "MAMMAD", "Samira", "  "):
        page.fill("#q", query)
        page.press("#q", "Enter")
        said[query] = page.locator("#results li").all_inner_texts() if page.locator("#found").count() else None

    names_only = "Without a connection the search finds names only: the downloaded list has no email addresses."
    assert said["FARID@example"] == [names_only]
    assert len(said["MAMMAD"]) == 1 and said["MAMMAD"][0].startswith("Farid Mammadov")
    assert said["Samira"] == [f"Nobody found. {names_only}"]
    assert said["  "] is None  # as the server: an empty search lists nobody
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_offline_search_folds_names_as_the_server_does(page, live_server):
    """ "ilahe" for "İlahə", "seker" for "Şəkər", "gunel" for "Günel": offline the page folds names by
    the server's table (events_project.search_folding), so it finds what the server finds (the same
    table of typed names runs against the server's search in tests/checkin/test_door.py)."""
    event, staff = door_of("Outreach in Sheki", "sheki")
    for number, name in enumerate(STORED_NAMES):
        register(
            event=event, name=name, email=f"p{number}@example.org", consent_data_processing=True, source="organiser"
        )
    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    wait_until_kept_for_offline(page)
    page.fill("#q", "ilahe")
    page.press("#q", "Enter")
    page.wait_for_selector("#results li.card")
    online = sorted(page.locator("#results li.card strong").all_inner_texts())

    go_offline(page)
    said = {}
    for typed, _found in TYPED:
        page.fill("#q", typed)
        page.press("#q", "Enter")
        said[typed] = sorted(page.locator("#results li.card strong").all_inner_texts())

    assert online == ["ILAHƏ BABAYEVA", "İlahə Quliyeva"]
    assert said == {typed: sorted(found) for typed, found in TYPED}


@pytest.mark.parametrize("connected", [True, False])
def test_check_in_and_undo_on_a_result_answer_on_its_row_by_keyboard(page, live_server, connected):
    """Check in or Undo on a name search's result took the staff member back to the top of the
    page, the answer there and the results a long scroll away: now the same search comes back at the
    row, focused, with the answer on it. Without a connection, a result the server listed is
    checked against the downloaded list and queued, as a scan, and uploaded when it returns."""
    event, staff = door_of("Outreach in Qusar", "qusar")
    for index in range(8):
        attendee(event, f"Aysel{index} Quliyeva")
    last = attendee(event, "Aysel9 Quliyeva")
    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    wait_until_kept_for_offline(page)
    page.fill("#q", "aysel")
    page.press("#q", "Enter")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'found-title'")
    if not connected:
        go_offline(page)
    row = f"result-{last.pk}"

    page.locator(f"#{row} button[type=submit]").focus()
    page.keyboard.press("Enter")

    page.wait_for_selector(f"#{row} .row-verdict .verdict[data-code=checked_in]")
    page.wait_for_function(f"document.activeElement && document.activeElement.id === '{row}'")
    assert page.evaluate(IN_VIEW, row)
    assert page.input_value("#q") == "aysel"
    assert page.locator("#verdict .verdict").count() == 0  # not at the top too
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    if connected:
        assert CheckIn.objects.get().registration == last
        page.locator(f"#{row} button[type=submit]").focus()  # Undo check-in
        page.keyboard.press("Enter")
        page.wait_for_selector(f"#{row} .row-verdict .verdict[data-code=undone]")
        page.wait_for_function(f"document.activeElement && document.activeElement.id === '{row}'")
        assert page.evaluate(IN_VIEW, row)
        assert CheckIn.objects.get().undone_at is not None
    else:
        assert page.evaluate("window.checkinPage.state().queue.length") == 1 and not CheckIn.objects.exists()
        page.context.set_offline(False)
        page.wait_for_selector("#queue[data-waiting='0']")
        assert CheckIn.objects.get().registration == last


def test_after_a_walk_in_the_keyboard_goes_on_from_the_answer(page, live_server):
    # the walk-in form is sent as a page: the answer came back with the keyboard at the top of
    # the page, seven menu links before the scanner and the code box
    event, staff = door_of("Roundtable in Baku", "baku")
    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    page.click("details:has(#walk-in-form) summary")
    page.fill("#walk-in-form [name=name]", "Ulviyya Walk-in")
    page.click("#walk-in-form button[type=submit]")
    page.wait_for_selector("#verdict .verdict[data-code=checked_in]")
    # the browser moves the Tab key's starting point to the fragment once the page has loaded
    page.wait_for_load_state("load")
    page.keyboard.press("Tab")

    assert page.evaluate("document.activeElement.closest('#door-scan') !== null") is True


def test_after_a_refused_walk_in_the_keyboard_goes_on_from_the_answer_too(page, live_server):
    # a refusal is the page again (400), not a redirect to the answer: it came back at the top
    event, staff = door_of("Full roundtable in Baku", "bakufull")
    event.capacity = 1
    event.save(update_fields=["capacity"])
    attendee(event, "Leyla Aliyeva")
    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    page.click("details:has(#walk-in-form) summary")
    page.fill("#walk-in-form [name=name]", "Ulviyya Walk-in")
    page.click("#walk-in-form button[type=submit]")
    page.wait_for_selector("#verdict .verdict")
    code = page.get_attribute("#verdict .verdict", "data-code")
    page.wait_for_load_state("load")
    page.keyboard.press("Tab")

    assert code != "checked_in"  # refused (no seat left)
    assert page.url.endswith("#verdict")
    assert page.evaluate("document.activeElement.closest('#door-scan') !== null") is True


@pytest.mark.parametrize(
    ("language", "queued", "inside"),
    [("en", "In, waiting to sync", "In"), ("az", "İçəridə, göndərilməyi gözləyir", "İçəridə")],
)
def test_a_listed_result_checked_in_offline_says_it_is_in_on_its_row_at_once(
    page, live_server, language, queued, inside
):
    """A result the server listed, its Check in pressed once the connection dropped: the row went on
    saying "Confirmed" with its Check in button, and pressing it again said "already checked in".
    It says they are in (queued) at once, as a scan's answer does, and nothing is left to press."""
    event, staff = door_of("Outreach in Lankaran", "lankaran")
    leyla = attendee(event, "Leyla Quliyeva")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    wait_until_kept_for_offline(page)
    page.fill("#q", "leyla")
    page.press("#q", "Enter")
    row = page.locator(f"#result-{leyla.pk}")
    row.locator("button[type=submit]").wait_for()
    go_offline(page)

    row.locator("button[type=submit]").click()

    row.locator(".row-verdict .verdict[data-code=checked_in]").wait_for()
    assert row.locator("button").count() == 0
    assert row.locator(".tag[data-queued]").inner_text() == queued
    assert page.evaluate("window.checkinPage.state().queue.length") == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.context.set_offline(False)
    page.wait_for_selector("#queue[data-waiting='0']")
    assert CheckIn.objects.get().registration == leyla
    page.wait_for_selector(f"#result-{leyla.pk} .tag:not([data-queued])")
    assert page.locator(f"#result-{leyla.pk} .tag").inner_text() == inside


def test_an_undo_without_a_connection_says_it_needs_one_as_a_walk_in_does(page, live_server):
    """Undo on a listed result once the connection dropped said "Not done" and "No connection" (the
    badge's word), where a walk-in says what it needs and what to do; and either answer stayed on
    screen once the connection was back."""
    event, staff = door_of("Outreach in Zaqatala", "zaqatala")
    leyla = attendee(event, "Leyla Quliyeva")
    check_in(event_id=event.pk, secret=ticket_payload(leyla), by=staff, device="tablet-7")
    sign_in(page, live_server, staff, f"/checkin/{event.pk}/")
    wait_until_kept_for_offline(page)
    page.fill("#q", "leyla")
    page.press("#q", "Enter")
    row = page.locator(f"#result-{leyla.pk}")
    row.locator("button[type=submit]").wait_for()
    go_offline(page)

    row.locator("button[type=submit]").click()  # Undo check-in

    answer = row.locator(".row-verdict .verdict[data-code=error]")
    answer.wait_for()
    assert answer.inner_text().splitlines() == [
        "Not done",
        "An undo needs a connection: undo the check-in when it returns.",
    ]
    assert CheckIn.objects.get().undone_at is None
    page.context.set_offline(False)
    page.wait_for_selector("#connection.online")
    page.wait_for_selector(".row-verdict", state="detached")
