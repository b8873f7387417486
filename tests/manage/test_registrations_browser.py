"""The organiser's follow-up journeys in headless Chromium, through the pages alone (no admin,
no API call by the organiser): approve a pending registration and write to the confirmed ones;
see who used each roundtable code and who came instead; find a failed message in the outbox and
send it again; read the dashboard and the impact report on a phone.

Every page visited passes axe-core, has no sideways scroll at 390 px and stays under 200 KB
(``check`` of the workspace journeys).
"""

import datetime as dt
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import OutboxMessage
from registrations.models import Registration
from registrations.services.registration import register
from tests import factories
from tests.manage import test_workspace_browser as journeys
from tests.pages.test_browser import CHROMIUM, sign_in

# the workspace journeys' browser fixtures and checks
playwright_driver = journeys.playwright_driver
browser = journeys.browser
page = journeys.page
axe = journeys.axe
check = journeys.check
organiser_account = journeys.organiser_account

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no browser at {CHROMIUM}"),
]


def sign_up(event, name, email):
    return register(event=event, name=name, email=email, consent_data_processing=True)


def test_approve_a_pending_registration_and_message_the_confirmed_ones(page, live_server, axe):
    organiser = organiser_account()
    event = factories.EventFactory(
        title="Data science clinic", registration_mode="approval", capacity=10, organisers=[organiser]
    )
    for name, email in [("Aysel Aliyeva", "aysel@example.org"), ("Leyla Mammadova", "leyla@example.org")]:
        sign_up(event, name, email)
    mail.outbox.clear()

    sign_in(page, live_server, organiser, f"/manage/events/{event.pk}/")
    page.click("nav.event-tabs >> text=Registrations")
    check(page, axe)
    assert page.locator("[data-figure=pending] strong").inner_text() == "2"

    page.click("button:has-text('Approve'):has-text('Aysel Aliyeva')")
    page.wait_for_selector("text=Aysel Aliyeva is approved")
    check(page, axe)
    assert page.locator("[data-figure=confirmed] strong").inner_text() == "1"

    page.click("form.filters summary")
    page.select_option("#id_status", "confirmed")
    page.click("text=Show registrations")
    page.wait_for_selector("text=1 registration listed")
    check(page, axe)

    page.click("#write summary")
    page.check("#everyone")
    page.fill("#id_subject", "Bring your laptop")
    page.fill("#id_body", "Please bring a laptop with Python installed.")
    page.click("#message-form button[type=submit]")
    page.wait_for_selector("text=1 message is on its way.")
    check(page, axe)

    approved = [sent for sent in mail.outbox if sent.to == ["Aysel Aliyeva <aysel@example.org>"]]
    assert [sent.subject for sent in approved] == ["You are in: Data science clinic", "Bring your laptop"]
    assert "Please bring a laptop with Python installed." in approved[1].body
    assert not any("leyla@example.org" in sent.to[0] for sent in mail.outbox)
    assert Registration.objects.get(email="leyla@example.org").status == "pending"


def test_resend_a_failed_message_from_the_outbox(page, live_server, axe):
    organiser = organiser_account()
    event = factories.EventFactory(title="CV clinic", organisers=[organiser])
    sign_up(event, "Nigar Guliyeva", "nigar@example.org")
    OutboxMessage.objects.filter(event=event).update(
        status="failed", attempts=5, last_error="SMTPRecipientsRefused: 550 5.1.1 mailbox unavailable"
    )
    mail.outbox.clear()

    sign_in(page, live_server, organiser, "/manage/outbox/?status=failed")
    check(page, axe)
    assert "550 5.1.1 mailbox unavailable" in page.locator("[data-testid=reason]").inner_text()
    page.click("button:has-text('Send again')")
    page.wait_for_selector("text=is sent again")
    check(page, axe)

    assert OutboxMessage.objects.get(event=event).status == "sent"
    assert [sent.to for sent in mail.outbox] == [["Nigar Guliyeva <nigar@example.org>"]]


def test_dashboard_and_impact_report_on_a_phone(page, live_server, axe):
    organiser = organiser_account()
    programme = factories.ProgrammeFactory(title="STEM mentoring 2026/27", organisers=[organiser])
    start = timezone.now() - dt.timedelta(days=20)
    held = factories.EventFactory(
        title="Role models visit Ganja", kind="outreach_visit", region=factories.region("ganja"),
        start=start, end=start + dt.timedelta(hours=3), organisers=[organiser],
        attendance_finalised_at=timezone.now(),
    )  # fmt: skip
    programme.events.add(held)
    for number, attendance in enumerate(["attended", "attended", "attended", "no_show"]):
        Registration.objects.create(
            event=held, name=f"Pupil {number}", email=f"pupil{number}@example.org", status="confirmed",
            attendance=attendance, consent_data_processing=True,
        )  # fmt: skip
    factories.EventFactory(title="CV workshop", organisers=[organiser])

    sign_in(page, live_server, organiser, "/manage/dashboard/")
    check(page, axe)
    assert page.locator("[data-figure=no_show_rate] strong").inner_text() == "25%"
    assert page.locator("[data-figure=upcoming_events] strong").inner_text() == "1"
    # the chart's smallest text, as drawn on this 390 px screen
    smallest = page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('svg.chart')].map((svg) =>
             svg.getBoundingClientRect().width / svg.viewBox.baseVal.width
             * Math.min(...[...svg.querySelectorAll('text')].map((t) => parseFloat(getComputedStyle(t).fontSize)))))"""
    )
    assert smallest >= 12
    # the table of upcoming events is a pile of cards on a phone
    assert page.locator("#upcoming thead").evaluate("(head) => getComputedStyle(head).position") == "absolute"

    page.click(f"text=Impact report: {programme.title}")
    page.wait_for_url(f"{live_server.url}/programmes/{programme.pk}/report/")
    check(page, axe)
    assert page.locator("main").count() == 1
    assert page.locator("header.site").count() == 1 and page.locator("#language").count() == 1
    page.select_option("#language", "az")
    page.click("footer.site button[type=submit]")
    page.wait_for_selector("text=Regiona səfər")
    check(page, axe)
    assert page.locator("text=Gəncə").count() >= 1


def test_roundtable_codes_show_who_used_each_and_who_came_instead(page, live_server, axe, browser):
    from registrations.models import Invitation
    from registrations.services.registration import transfer_registration

    organiser = organiser_account()
    event = factories.EventFactory(
        title="Women in government and science", kind="roundtable", registration_mode="invitation",
        sectors=["government", "academia"], organisers=[organiser],
    )  # fmt: skip
    sign_in(page, live_server, organiser, f"/manage/events/{event.pk}/invitations/")
    page.fill("#id_email", "rashad@gov.example.org")
    page.fill("#id_name", "Rashad Guliyev")
    page.select_option("#id_sector", "government")
    page.click("form:has(input[value=invite]) button[type=submit]")
    page.wait_for_selector("text=We emailed a code to rashad@gov.example.org")
    code = Invitation.objects.get(event=event).code

    # the invitee follows the link of the email and registers with the code
    invitee = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB").new_page()
    invitee.goto(f"{live_server.url}/events/{event.pk}/register/?code={code}")
    invitee.fill("#id_name", "Rashad Guliyev")
    invitee.fill("#id_email", "rashad@gov.example.org")
    invitee.check("#id_consent_data_processing")
    invitee.click("main form button[type=submit]")
    invitee.wait_for_url(f"{live_server.url}/registrations/manage/**")
    invitee.context.close()
    # then sends a colleague in his place (the attendee's own action, API only so far)
    delegate = Registration.objects.get(event=event, email="rashad@gov.example.org")
    transfer_registration(registration=delegate, name="Sevinj Huseynova", email="sevinj@gov.example.org")

    page.reload()
    check(page, axe)
    assert page.locator("[data-testid=used-by]").inner_text().startswith("Used by Rashad Guliyev")
    assert page.locator("[data-testid=substitute]").inner_text() == "Sevinj Huseynova comes in place of Rashad Guliyev"

    page.click("nav.event-tabs >> text=Registrations")
    check(page, axe)
    card = page.locator("[data-testid=registration][data-status=confirmed]")
    assert "Sevinj Huseynova" in card.inner_text() and "Comes in place of Rashad Guliyev" in card.inner_text()


def test_the_messages_tab_leads_to_the_open_form_for_writing_to_registrants(page, live_server, axe):
    # the Messages tab holds the automatic messages' wording; its link to writing to the registrants
    # landed on the closed "Write to the chosen registrants" box, the form still out of sight
    organiser = organiser_account()
    event = factories.EventFactory(title="Data science clinic", capacity=10, organisers=[organiser])
    sign_up(event, "Aysel Aliyeva", "aysel@example.org")

    sign_in(page, live_server, organiser, f"/manage/events/{event.pk}/messages/")
    page.click("main a:has-text('Write to the chosen registrants')")
    page.wait_for_url(f"**/manage/events/{event.pk}/registrations/#write")

    assert page.locator("details#write").evaluate("details => details.open") is True
    assert page.locator("#message-form [name=subject]").is_visible()
    check(page, axe)
