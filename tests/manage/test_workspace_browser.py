"""The organiser's journeys through the workspace in headless Chromium, through the pages alone
(no admin, no API call): a monthly series with its preview, a roundtable with invitation codes,
a new check-in person appointed by email who then checks someone in at the door.

Every workspace page visited is checked with axe-core (no violations), for sideways scroll at
390 px, and for its weight (page plus the styles and scripts it loads, under 200 KB).
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core import mail
from django.utils import timezone

from events.models import Event, Series
from notifications.models import OutboxMessage
from notifications.services.outbox import render_message
from registrations.models import CheckIn, Invitation
from registrations.services.registration import register
from registrations.services.tickets import ticket_payload
from speakers.services import accept_invitation
from tests import factories
from tests.pages.test_browser import ARGS, CHROMIUM, STRETCHED_BADGES, account, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no browser at {CHROMIUM}"),
]

PAGE_BUDGET = 200 * 1024
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"?]+)')
LINK = re.compile(r"(http://[^\s\"]+/team/accept/[A-Za-z0-9_\-]+/)")


@pytest.fixture(scope="module")
def playwright_driver():
    import os

    sync_api = pytest.importorskip("playwright.sync_api")
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as driver:
            yield driver
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="module")
def browser(playwright_driver):
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture(scope="module")
def axe():
    return pytest.importorskip("axe_playwright_python.sync_playwright").Axe()


def page_weight(page) -> int:
    html = page.content()
    total = len(html.encode())
    for url in set(ASSET.findall(html)):
        path = finders.find(url.removeprefix("/static/"))
        assert path, url
        total += Path(path).stat().st_size
    return total


def check(page, axe) -> None:
    """The page in view passes axe-core, has no sideways scroll nor stretched badge at 390 px and stays
    under budget."""
    page.wait_for_load_state()
    results = axe.run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"
    assert page.evaluate(STRETCHED_BADGES) == [], page.url
    assert page_weight(page) < PAGE_BUDGET, page.url


def organiser_account():
    return account(factories.OrganiserFactory, username="planner", first_name="Sabina", last_name="Aliyeva")


def test_monthly_mentoring_series_preview_matches_the_saved_sessions(page, live_server, axe):
    organiser = organiser_account()
    sign_in(page, live_server, organiser, "/manage/")
    check(page, axe)
    page.click("text=Plan a series")
    check(page, axe)

    page.fill("#id_title", "Monthly mentoring circle")
    page.select_option("#id_kind", "mentoring_session")
    page.select_option("#id_format", "online")
    page.fill("#id_first_date", "2030-01-10")
    page.fill("#id_start_time", "18:30")
    page.check("input[name=frequency][value=monthly]")
    page.check("input[name=month_weeks][value='2']")
    page.check("input[name=month_weeks][value='4']")
    page.select_option("#id_month_weekday", "TH")
    page.fill("#id_until", "2030-06-30")
    page.fill("#id_exception_dates", "2030-02-14")
    page.fill("#id_online_platform", "Zoom")
    page.click("button[name=preview]")
    page.wait_for_selector("[data-testid=preview]")
    check(page, axe)
    previewed = page.locator("[data-testid=preview] li").all_inner_texts()
    assert not Series.objects.exists()

    page.click("button[name=save]")
    page.wait_for_selector("[data-testid=occurrences]")
    check(page, axe)

    saved = [text.split("\n")[0].strip() for text in page.locator("[data-testid=occurrences] time").all_inner_texts()]
    assert len(previewed) == 11  # 2nd and 4th Thursdays, January to June, without 14 February
    assert saved == previewed
    series = Series.objects.get()
    assert series.rrule == "FREQ=MONTHLY;BYDAY=+2TH,+4TH;UNTIL=20300630T235959"
    assert Event.objects.filter(series=series).count() == 11

    page.click("text=Edit the series")
    check(page, axe)


def test_roundtable_with_invitation_codes_sent_by_email(page, live_server, axe):
    organiser = organiser_account()
    sign_in(page, live_server, organiser, "/manage/")
    page.click("text=New event")
    check(page, axe)
    page.click("text=Roundtable")
    check(page, axe)

    page.fill("#id_title", "Closing the gender gap in STEM")
    page.fill("#id_start", "2030-04-10T10:00")
    page.fill("#id_end", "2030-04-10T12:30")
    page.select_option("#id_format", "in_person")
    page.fill("#id_venue_name", "ADA University")
    page.select_option("#id_registration_mode", "invitation")
    page.check("input[name=sectors][value=government]")
    page.check("input[name=sectors][value=academia]")
    page.fill("#id_rsvp_deadline", "2030-04-03T18:00")
    page.fill("#id_capacity", "30")
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=saved as a draft")
    check(page, axe)
    page.click("button:has-text('Publish')")
    page.wait_for_selector("text=The event is published")

    page.click("nav.event-tabs >> text=Invitations")
    check(page, axe)
    for email, name, sector in [
        ("rashad@gov.example.org", "Rashad Guliyev", "government"),
        ("aygun@ada.example.org", "Aygun Mammadova", "academia"),
    ]:
        page.fill("#id_email", email)
        page.fill("#id_name", name)
        page.select_option("#id_sector", sector)
        page.click("form:has(input[value=invite]) button[type=submit]")
        page.wait_for_selector(f"text=We emailed a code to {email}")
    check(page, axe)

    event = Event.objects.get(title="Closing the gender gap in STEM")
    assert (event.kind, event.registration_mode, event.sectors) == (
        "roundtable",
        "invitation",
        ["government", "academia"],
    )
    codes = dict(Invitation.objects.filter(event=event).values_list("email", "code"))
    for email, code in codes.items():
        message = OutboxMessage.objects.get(kind="registration_invitation", recipient_email=email)
        assert code in render_message(message).body_text
        assert any(email in sent.to[0] and code in sent.body for sent in mail.outbox)
    assert page.locator("[data-testid=invitation]").count() == 2

    page.click("text=Send the 2 unused codes again")
    page.wait_for_selector("text=Codes sent again: 2.")
    assert OutboxMessage.objects.filter(kind="registration_invitation").count() == 4


def test_new_check_in_person_appointed_by_email_checks_someone_in(page, live_server, axe, browser):
    organiser = organiser_account()
    # this afternoon: the door opens a day before an event
    start = timezone.now() + dt.timedelta(hours=1)
    event = factories.EventFactory(title="Role models visit Guba", organisers=[organiser], start=start)
    attendee = register(event=event, name="Aysel Aliyeva", email="aysel@example.org", consent_data_processing=True)

    sign_in(page, live_server, organiser, f"/manage/events/{event.pk}/")
    check(page, axe)
    page.click("nav.event-tabs >> text=Team")
    check(page, axe)
    page.fill("#id_email", "nigar@example.org")
    page.check("input[name=role][value=checkin]")
    page.click("form:has(input[value=invite]) button[type=submit]")
    page.wait_for_selector("text=We emailed an invitation to nigar@example.org")
    check(page, axe)

    (email,) = [sent for sent in mail.outbox if sent.to == ["nigar@example.org"]]
    link = LINK.search(email.body).group(1).replace("http://127.0.0.1:8000", live_server.url)

    door = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB").new_page()
    door.goto(link)
    check(door, axe)
    door.fill("#id_name", "Nigar Safarova")
    door.fill("#id_password", "door-keeper-2030")
    door.fill("#id_password_again", "door-keeper-2030")
    door.click("main form button[type=submit]")
    door.wait_for_url(f"{live_server.url}/checkin/{event.pk}/")
    door.fill("#code", ticket_payload(attendee))
    door.click("#code-form button")
    door.wait_for_selector("#verdict .verdict[data-code=checked_in], .verdict[data-code=checked_in]")

    checkin = CheckIn.objects.get(registration=attendee)
    assert checkin.by.email == "nigar@example.org"
    assert door.goto(f"{live_server.url}/manage/").status == 403  # the door only, not the workspace
    door.context.close()


def test_every_workspace_page_passes_axe_and_fits_a_phone(page, live_server, axe):
    organiser = organiser_account()
    event = factories.EventFactory(
        title="Role models visit Shaki", kind="outreach_visit", organisers=[organiser], max_party_size=5,
        region=None,
    )  # fmt: skip
    factories.QuestionFactory(event=event, label="Your school")
    speaker = factories.SpeakerFactory(name="Leyla Karimova")
    from speakers.services import assign_speaker

    assignment = assign_speaker(event=event, speaker=speaker, by=None)
    accept_invitation(assignment=assignment, message="I will bring a robot.")
    factories.InvitationFactory(event=event)
    webinar = factories.WebinarFactory(title="Careers in data science", organisers=[organiser])

    sign_in(page, live_server, organiser, "/manage/")
    paths = [
        "/manage/?show=all",
        "/manage/events/new/",
        "/manage/events/new/outreach_visit/",
        "/manage/events/new/webinar/",
        f"/manage/events/{event.pk}/",
        f"/manage/events/{event.pk}/edit/",
        f"/manage/events/{event.pk}/move/",
        f"/manage/events/{event.pk}/cancel/",
        f"/manage/events/{event.pk}/duplicate/",
        f"/manage/events/{event.pk}/questions/",
        f"/manage/events/{event.pk}/questions/{event.questions.get().pk}/",
        f"/manage/events/{event.pk}/invitations/",
        f"/manage/events/{event.pk}/speakers/",
        f"/manage/events/{event.pk}/speakers/?q=Karimova",
        f"/manage/events/{event.pk}/messages/",
        f"/manage/events/{event.pk}/messages/registration_confirmed/",
        f"/manage/events/{event.pk}/team/",
        f"/manage/events/{event.pk}/registrations/",
        "/manage/series/",
        "/manage/series/new/",
        "/manage/outbox/",
        "/manage/dashboard/",
        f"/checkin/{webinar.pk}/",  # an online-only event has no door: the page says so
    ]
    for path in paths:
        page.goto(live_server.url + path)
        check(page, axe)
    # a form sent back with errors is checked too
    page.goto(f"{live_server.url}/manage/events/new/outreach_visit/")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#errors")
    check(page, axe)
