"""A mentoring programme made through the workspace pages alone, in headless Chromium at 390 px:
a new programme with the organiser's series, a cohort, one person enrolled with the keyboard
only, a pasted list, and someone leaving with JavaScript switched off. Every page is checked with
axe-core, for sideways scroll and for weight (``check``)."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from events.models import EventKind
from programmes.models import Cohort, Enrolment, Programme
from registrations.models import Registration
from tests import factories
from tests.manage.test_workspace_browser import axe, browser, check, organiser_account, playwright_driver  # noqa: F401
from tests.pages.test_browser import CHROMIUM, STRETCHED_BADGES, sign_in
from tests.programmes.conftest import session

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no browser at {CHROMIUM}"),
]


def new_page(browser, **options):  # noqa: F811
    options.setdefault("locale", "en-GB")
    context = browser.new_context(viewport={"width": 390, "height": 844}, **options)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def test_a_programme_from_the_workspace_pages_alone(browser, live_server, axe):  # noqa: F811
    organiser = organiser_account()
    series = factories.SeriesFactory(title="Mentoring circle", kind=EventKind.MENTORING_SESSION, published=True)
    series.organisers.add(organiser)
    first = (timezone.now() + dt.timedelta(days=7)).replace(microsecond=0)
    for index in range(3):
        session(series, first + dt.timedelta(days=14 * index))
    mentor = factories.SpeakerFactory(name="Nigar Aliyeva", roles=["mentor"])
    context, page = new_page(browser)

    sign_in(page, live_server, organiser, "/manage/programmes/")
    check(page, axe)
    page.click("text=New programme")
    check(page, axe)
    page.fill("#id_title", "STEM mentoring 2026/27")
    # under way whatever the day: the sessions above and the event below are dated from today
    page.fill("#id_starts_on", str(timezone.localdate() - dt.timedelta(days=90)))
    page.fill("#id_ends_on", str(timezone.localdate() + dt.timedelta(days=270)))
    page.check(f"input[name=series][value='{series.pk}']")
    page.click("text=Create the programme")
    page.wait_for_selector("text=The programme is created.")
    check(page, axe)
    programme = Programme.objects.get()
    assert list(programme.series.all()) == [series]

    assert page.locator("#new-cohort").get_attribute("open") is not None  # no cohort yet: its form stands open
    page.fill("#cohort_name", "Mentees 2026")
    page.select_option("#cohort_series", str(series.pk))
    page.click("text=Create the cohort")
    page.wait_for_selector("text=Cohort created: “Mentees 2026”.")
    check(page, axe)
    cohort = Cohort.objects.get()

    # the keyboard only: open the form, type, choose the mentor, press the button with Enter
    page.focus("#enrol summary")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type("Aynur Rzayeva")
    page.keyboard.press("Tab")
    page.keyboard.type("aynur@example.org")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # the first mentor
    page.keyboard.press("Tab")  # to "Enrol"
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Aynur Rzayeva is enrolled")
    check(page, axe)
    enrolment = Enrolment.objects.get()
    assert (enrolment.mentor, Registration.objects.filter(source="cohort").count()) == (mentor, 3)

    page.click("#enrol-list summary")
    page.fill("#id_lines", "Leyla Mammadova, leyla@example.org\nnot a line")
    page.click("text=Enrol the list")
    page.wait_for_selector("[data-testid=list][data-finished=yes]")
    check(page, axe)
    assert page.locator("[data-testid=refused]").inner_text() == "Line 2 (“not a line”): Write it as: Name, email."
    assert cohort.enrolments.count() == 2
    context.close()

    # without JavaScript: the confirmation is a plain <details>, the button a plain form
    context, page = new_page(browser, java_script_enabled=False)
    sign_in(page, live_server, organiser, f"/manage/programmes/{programme.pk}/cohorts/{cohort.pk}/")
    page.locator("[data-testid=enrolment]", has_text="Aynur Rzayeva").locator("summary", has_text="Leaves").click()
    page.click("text=Yes, they leave the cohort")
    page.wait_for_selector("text=Aynur Rzayeva has left the cohort")
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.LEFT
    context.close()


@pytest.mark.parametrize(
    ("language", "excuse", "excused", "again"),
    [
        ("en", "Cannot come to a session", "is excused from the session", "registered for it again"),
        ("az", "Görüşə gələ bilməyəcək", "görüşündən azad edildi", "yenidən qeydiyyata alındı"),
    ],
)
def test_a_member_excused_from_a_session_with_the_keyboard_and_taken_back(
    browser,  # noqa: F811
    live_server,
    axe,  # noqa: F811
    language,
    excuse,
    excused,
    again,
):
    """From the second page of a search, at 390 px: the member's card opens, the session is chosen
    and pressed with the keyboard only; the page comes back to the same search and page."""
    organiser = organiser_account()
    series = factories.SeriesFactory(title="Mentoring circle", kind=EventKind.MENTORING_SESSION, published=True)
    series.organisers.add(organiser)
    programme = factories.ProgrammeFactory(title="STEM mentoring 2026/27", organisers=[organiser])
    programme.series.add(series)
    cohort = factories.CohortFactory(programme=programme, series=series, name="Mentees 2026")
    factories.SpeakerFactory(name="Nigar Aliyeva", roles=["mentor"])
    first = (timezone.now() + dt.timedelta(days=7)).replace(microsecond=0)
    sessions = [session(series, first + dt.timedelta(days=14 * index)) for index in range(3)]
    for number in range(55):
        factories.EnrolmentFactory(cohort=cohort, name=f"Mentee {number:02}", email=f"m{number}@example.org")
    member = Enrolment.objects.get(name="Mentee 54")
    context, page = new_page(browser, locale="az-AZ" if language == "az" else "en-GB")
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    address = f"/manage/programmes/{programme.pk}/cohorts/{cohort.pk}/"

    sign_in(page, live_server, organiser, address)
    page.goto(f"{live_server.url}{address}?q=mentee&page=2")
    check(page, axe)
    card = page.locator("[data-testid=enrolment]", has_text="Mentee 54")
    card.locator("a", has_text=excuse).focus()
    page.keyboard.press("Enter")  # the same page, with this card's form open and its session list in focus
    page.wait_for_selector("[data-testid=skip-form]")
    assert page.url.endswith(f"?q=mentee&page=2&excuse={member.pk}")
    check(page, axe)
    assert page.evaluate("document.activeElement.name") == "event"
    page.keyboard.press("ArrowDown")  # the second session
    page.keyboard.press("Tab")  # to the button
    page.keyboard.press("Enter")
    page.wait_for_selector(f"text={excused}")
    # back at the member's card, and the keyboard carries on from it, not from the menu at the top
    assert page.url.endswith(f"?q=mentee&page=2#member-{member.pk}")
    page.keyboard.press("Tab")
    assert page.evaluate(f"document.activeElement.closest('#member-{member.pk}') !== null")
    check(page, axe)
    assert list(member.skips.values_list("event_id", flat=True)) == [sessions[1].pk]

    page.locator("[data-testid=enrolment]", has_text="Mentee 54").locator("[data-testid=skipped] button").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(f"text={again}")
    assert page.url.endswith(f"?q=mentee&page=2#member-{member.pk}")
    check(page, axe)
    assert not member.skips.exists()
    assert Registration.objects.get(email=member.email, event=sessions[1]).status == "confirmed"
    context.close()


def in_view(page, selector: str) -> bool:
    """Whether the element is within the window as the page is scrolled now."""
    box = page.locator(selector).bounding_box()
    height = page.evaluate("window.innerHeight")
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_one_off_events_are_searched_added_and_taken_out_with_the_keyboard_and_no_script(
    browser,  # noqa: F811
    live_server,
):
    organiser = organiser_account()
    programme = factories.ProgrammeFactory(title="STEM mentoring 2026/27", organisers=[organiser])
    now = timezone.now()
    for number in range(25):
        factories.EventFactory(
            title=f"School visit {number}", organisers=[organiser], start=now + dt.timedelta(days=number + 1)
        )
    wanted = factories.EventFactory(
        title="Careers in data science", organisers=[organiser], start=now + dt.timedelta(days=60)
    )
    context, page = new_page(browser, java_script_enabled=False)

    # without a script (the page's own, and so axe: tests/pages/test_every_page.py checks this page)
    sign_in(page, live_server, organiser, f"/manage/programmes/{programme.pk}/")
    assert page.locator("text=Only the first 20 are shown").count() == 1
    page.focus("#add_event-search")
    page.keyboard.type("data science")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=add_event-choices]")
    add = page.get_by_role("button", name="Add · Careers in data science")
    add.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("text=“Careers in data science” is in the programme now.")
    # sent back to the list (#events): the answer stands there in view, not at the top of the page
    assert in_view(page, "text=“Careers in data science” is in the programme now.")
    assert list(programme.events.all()) == [wanted]
    assert page.input_value("#add_event-search") == "data science"

    page.get_by_role("button", name="Take out · Careers in data science").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("text=“Careers in data science” is taken out of the programme.")
    assert in_view(page, "text=“Careers in data science” is taken out of the programme.")
    assert not programme.events.exists()
    context.close()


def test_a_draft_events_badge_is_as_wide_as_its_word_in_the_programmes_lists(browser, live_server):  # noqa: F811
    """At 390 px "Draft" stretched across the whole row of the events to add and of the
    programme's own events (the picker's name column took the badge for the name)."""
    organiser = organiser_account()
    now = timezone.now()
    held = factories.EventFactory(
        title="Careers in data science", organisers=[organiser], start=now + dt.timedelta(days=30), status="draft"
    )
    factories.EventFactory(
        title="Careers in robotics", organisers=[organiser], start=now + dt.timedelta(days=40), status="draft"
    )
    programme = factories.ProgrammeFactory(title="STEM mentoring 2026/27", organisers=[organiser])
    programme.events.add(held)
    context, page = new_page(browser)

    sign_in(page, live_server, organiser, f"/manage/programmes/{programme.pk}/")
    page.goto(f"{live_server.url}/manage/programmes/{programme.pk}/?find=careers#events")
    page.wait_for_selector("[data-testid=add_event-choices] .status")

    assert page.locator("[data-testid=programme-events] .status").count() == 1
    assert page.evaluate(STRETCHED_BADGES) == []
    context.close()
