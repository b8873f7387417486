import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.utils import timezone

from notifications import kinds
from notifications.models import OutboxMessage
from registrations.models import Registration, RegistrationStatus
from registrations.services.tickets import ticket_payload
from tests import factories
from tests.pages.conftest import (
    PAGE_BUDGET,
    descriptions,
    signed_in,
    summary_targets_not_focusable,
    unread_descriptions,
)

pytestmark = pytest.mark.django_db


def form_data(**extra):
    return {
        "name": "Aysel Aliyeva",
        "email": "Aysel@Example.org",
        "party_size": "1",
        "consent_data_processing": "on",
    } | extra


def test_register_form_lists_the_event_questions(client, event):
    factories.QuestionFactory(event=event, label="Your school", required=True)
    factories.QuestionFactory(event=event, label="Grade", kind="choice", choices=["9", "10", "11"])
    factories.QuestionFactory(event=event, label="Bringing a laptop?", kind="boolean")

    page = client.get(f"/events/{event.pk}/register/").text

    assert "Your school" in page and "(required)" in page
    assert '<option value="10">10</option>' in page
    assert "Bringing a laptop?" in page


def test_register_confirms_and_shows_confirmation_page(client, event, django_capture_on_commit_callbacks):
    question = factories.QuestionFactory(event=event, label="Your school", required=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/events/{event.pk}/register/", form_data(**{f"question_{question.pk}": "School 12"}))

    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/registrations/manage/{registration.manage_token}/confirmation/"
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.email == "aysel@example.org"
    assert registration.answers.get().value == "School 12"
    confirmation = client.get(response["Location"])
    assert "You are registered" in confirmation.text
    assert confirmation["Cache-Control"] == "private, no-store"
    assert confirmation["Referrer-Policy"] == "same-origin"
    assert len(mail.outbox) == 1


def test_register_shows_clear_field_errors(client, event):
    question = factories.QuestionFactory(event=event, label="Your school", required=True)

    response = client.post(f"/events/{event.pk}/register/", {"name": "", "email": "not-an-email", "party_size": "1"})

    assert response.status_code == 200
    page = response.text
    assert "Please correct the marked fields." in page
    assert "Enter a valid email address." in page
    assert "We cannot register you without this consent." in page
    assert f'id="id_question_{question.pk}_error"' in page
    assert 'aria-invalid="true"' in page
    assert not Registration.objects.exists()


def test_register_shows_service_refusal_on_the_right_field(client):
    event = factories.EventFactory(registration_mode="invitation")

    response = client.post(f"/events/{event.pk}/register/", form_data(invitation_code="WRONG-CODE"))

    assert response.status_code == 200
    assert "This invitation code is not valid for this event." in response.text
    assert not Registration.objects.exists()


def test_an_invitees_form_is_filled_in_with_the_name_and_address_of_the_invitation(client):
    invitation = factories.InvitationFactory(name="Nigar Həsənova", email="nigar@ministry.example.org")
    path = f"/events/{invitation.event_id}/register/?code={invitation.code}"

    response = client.get(path)

    form = response.context["form"]
    assert (form["name"].value(), form["email"].value()) == ("Nigar Həsənova", "nigar@ministry.example.org")
    assert form["invitation_code"].value() == invitation.code
    assert response["Cache-Control"] == "private, no-store"  # the page shows the invitee's address
    # the address stays editable: the service takes the code with any address
    assert 'name="email"' in response.text and "readonly" not in response.text


@pytest.mark.parametrize("state", ["used", "revoked", "other event"])
def test_a_code_no_longer_usable_fills_in_nothing(client, state):
    invitation = factories.InvitationFactory(name="Nigar Həsənova", email="nigar@ministry.example.org")
    event_id = invitation.event_id
    if state == "other event":
        event_id = factories.EventFactory(registration_mode="invitation").pk
    else:
        setattr(invitation, "used_at" if state == "used" else "revoked_at", timezone.now())
        invitation.save()

    response = client.get(f"/events/{event_id}/register/?code={invitation.code}")
    form = response.context["form"]

    assert (form["name"].value(), form["email"].value()) == (None, None)
    # said before the form is filled in, in the words the service refuses the code with
    assert 'data-testid="code-not-usable"' in response.text
    assert "This invitation code is not valid for this event." in response.text


def test_a_usable_code_or_none_says_nothing_about_codes(client):
    invitation = factories.InvitationFactory()

    with_code = client.get(f"/events/{invitation.event_id}/register/?code={invitation.code}")
    without = client.get(f"/events/{invitation.event_id}/register/")

    assert 'data-testid="code-not-usable"' not in with_code.text
    assert 'data-testid="code-not-usable"' not in without.text


def test_register_when_full_joins_waiting_list_with_position(client, sign_up):
    event = factories.EventFactory(capacity=1)
    sign_up(event, email="first@example.org")

    response = client.post(f"/events/{event.pk}/register/", form_data())
    page = client.get(response["Location"]).text

    assert "You are on the waiting list" in page
    assert "You are number 1 on the waiting list." in page


@pytest.mark.parametrize(
    ("language", "title"),
    [("en", "You are on the waiting list · STEM Mentorship"), ("az", "Gözləmə siyahısındasınız · STEM Mentorluq")],
)
def test_the_waiting_lists_confirmation_says_so_in_the_browser_tab_too(client, sign_up, language, title):
    """The tab's title said "Registration received" (in Azerbaijani "Registration accepted") over
    the heading "You are on the waiting list": the tab is what a screen reader reads first."""
    event = factories.EventFactory(capacity=1)
    sign_up(event, email="first@example.org")

    response = client.post(f"/events/{event.pk}/register/", form_data())
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE=language).text

    assert page.split("<title>", 1)[1].split("</title>", 1)[0] == title


@pytest.mark.parametrize("mode", ["waiting list", "approval"])
def test_the_register_form_of_an_event_that_gives_no_seat_now_promises_no_ticket(client, sign_up, mode):
    if mode == "approval":
        event = factories.EventFactory(registration_mode="approval")
    else:
        event = factories.EventFactory(capacity=1)
        sign_up(event, email="first@example.org")

    page = client.get(f"/events/{event.pk}/register/").text

    email_field = page.split('for="id_email"', 1)[1].split('for="id_', 1)[0]
    assert "Everything about your registration is sent here" in email_field
    assert "ticket" not in email_field.lower()


@pytest.mark.parametrize("mode", ["waiting list", "approval"])
def test_confirmation_without_a_seat_promises_no_ticket(client, sign_up, mode):
    """Someone on the waiting list (or awaiting approval) has no ticket yet: the confirmation said
    "Keep this private link: it shows your ticket" over a "Manage my registration" button."""
    if mode == "approval":
        event = factories.EventFactory(registration_mode="approval")
    else:
        event = factories.EventFactory(capacity=1)
        sign_up(event, email="first@example.org")

    response = client.post(f"/events/{event.pk}/register/", form_data())
    page = client.get(response["Location"]).text

    assert "Keep this private link: it shows your registration and lets you cancel." in page
    assert "ticket" not in page.split("<main", 1)[1].split("</main>", 1)[0].replace("tickets/recover", "")


def test_confirmation_of_a_seat_points_to_the_ticket(client):
    event = factories.EventFactory()

    response = client.post(f"/events/{event.pk}/register/", form_data())
    page = client.get(response["Location"]).text

    assert "Keep this private link: it shows your ticket and lets you cancel." in page


def test_too_big_a_party_is_one_plain_error_not_two_that_disagree(client):
    """Nine people with two names gave Django's "Ensure this value is less than or equal to 5."
    (in Azerbaijani "5-(y)a/ə bərabər...") and, under the names, "You listed 2 names but bring 0
    people.": the nine had already been thrown away."""
    visit = factories.EventFactory(kind="outreach_visit", region=factories.region("ganja"), max_party_size=5)

    response = client.post(f"/events/{visit.pk}/register/", form_data(party_size="9", party_names="Aynur\nSabina"))

    errors = response.context["form"].errors
    assert errors == {"party_size": ["One registration brings at most 5 people, you included."]}
    assert "Aynur\nSabina" in response.text  # what was typed stays


def test_register_page_of_a_full_event_without_waiting_list_says_full_and_offers_no_form(client, sign_up):
    # it used to promise a place on a waiting list the event does not keep, as the event's page does not
    event = factories.EventFactory(capacity=1, waiting_list_enabled=False)
    sign_up(event, email="first@example.org")

    event_page = client.get(f"/events/{event.pk}/").text
    response = client.get(f"/events/{event.pk}/register/")

    assert "This event is full." in event_page
    assert response.status_code == 200
    assert "This event is full." in response.text
    assert "waiting list" not in response.text
    assert '<form method="post" novalidate>' not in response.text


def test_register_twice_with_someone_elses_email_never_reveals_their_ticket(client, event, sign_up):
    theirs = sign_up(event, email="aysel@example.org")

    response = client.post(f"/events/{event.pk}/register/", form_data(name="Someone else"))

    assert response.status_code == 200
    page = response.text
    assert "This address is already registered" in page
    assert theirs.manage_token not in page
    # the way back to it is the address's own inbox: its private link is emailed there, not shown
    assert "We have emailed its private link to this address again" in page
    assert OutboxMessage.objects.filter(kind=kinds.TICKET_LINKS, recipient_email="aysel@example.org").count() == 1
    assert Registration.objects.count() == 1


def test_register_signed_in_links_the_account_and_lists_it_under_my_tickets(client, event):
    user = factories.UserFactory(email="leyla@example.org")
    signed_in(client, user)

    client.post(f"/events/{event.pk}/register/", form_data(email="leyla@example.org"))
    page = client.get("/my/tickets/").text

    registration = Registration.objects.get()
    assert registration.user == user
    assert registration.manage_token in page


def test_register_signed_in_stores_the_account_address_not_the_typed_one(client, event):
    user = factories.UserFactory(email="leyla@example.org")
    signed_in(client, user)

    client.post(f"/events/{event.pk}/register/", form_data(email="someone-else@example.org"))

    assert list(Registration.objects.values_list("email", "user")) == [("leyla@example.org", user.pk)]


def test_my_tickets_shows_only_my_registrations(client, event, sign_up):
    me = factories.UserFactory()
    sign_up(event, email="someone@example.org", name="Someone Else")
    signed_in(client, me)

    page = client.get("/my/tickets/").text

    assert "You have no registrations" in page


def test_register_page_of_closed_event_says_so(client):
    event = factories.EventFactory(status="cancelled")

    response = client.get(f"/events/{event.pk}/register/")

    assert response.status_code == 200
    assert "This event is cancelled." in response.text


@pytest.mark.parametrize("moment", ["past", "closed"])
def test_register_page_of_a_past_or_closed_event_says_closed_as_the_event_page_does(client, moment):
    # the event's page said "Registration is closed." and its register page "... is not open."
    now = timezone.now()
    if moment == "past":
        event = factories.EventFactory(start=now - dt.timedelta(days=2), end=now - dt.timedelta(days=2, hours=-2))
    else:
        event = factories.EventFactory(registration_closes_at=now - dt.timedelta(hours=1))

    detail = client.get(f"/events/{event.pk}/").text
    register_page = client.get(f"/events/{event.pk}/register/").text

    assert "Registration is closed." in detail
    assert "Registration is closed." in register_page
    assert "not open" not in register_page


def test_register_page_before_registration_opens_says_when_as_the_event_page_does(client):
    opens = dt.datetime(2030, 3, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=4)))
    event = factories.EventFactory(
        start=dt.datetime(2030, 3, 14, 18, tzinfo=opens.tzinfo),
        end=dt.datetime(2030, 3, 14, 20, tzinfo=opens.tzinfo),
        registration_opens_at=opens,
    )

    detail = client.get(f"/events/{event.pk}/").text
    register_page = client.get(f"/events/{event.pk}/register/").text

    said = "Registration opens on Friday 1 March 2030, 09:00."
    assert said in detail
    assert said in register_page


def test_ticket_page_shows_qr_code_and_typed_code(client, event, sign_up):
    registration = sign_up(event)

    response = client.get(f"/registrations/manage/{registration.manage_token}/")

    assert response.status_code == 200
    assert "<svg" in response.text and "<?xml" not in response.text
    assert ticket_payload(registration) in response.text
    assert "Robotics workshop" in response.text
    assert f"/registrations/manage/{registration.manage_token}/event.ics" in response.text
    assert response["Cache-Control"] == "private, no-store"


def test_ticket_page_gives_join_url_only_to_confirmed_registrations(client, sign_up):
    webinar = factories.WebinarFactory(capacity=1, join_url="https://zoom.example.org/j/42")
    confirmed = sign_up(webinar, email="one@example.org")
    waiting = sign_up(webinar, email="two@example.org")

    assert "zoom.example.org/j/42" in client.get(f"/registrations/manage/{confirmed.manage_token}/").text
    waiting_page = client.get(f"/registrations/manage/{waiting.manage_token}/").text
    assert "zoom.example.org/j/42" not in waiting_page
    assert 'class="qr"' not in waiting_page


@pytest.mark.parametrize(
    ("language", "ticket", "registration"),
    [("en", "Your ticket", "Your registration"), ("az", "Biletiniz", "Qeydiyyatınız")],
)
def test_the_pages_title_says_ticket_only_where_its_heading_does(client, sign_up, language, ticket, registration):
    """A place on the waiting list, or a cancelled one, is "Your registration" on the page: its
    title (the browser's tab, what a screen reader reads first) said "Your ticket"."""
    import re

    event = factories.EventFactory(title="Robotics workshop", capacity=1)
    confirmed = sign_up(event, email="one@example.org")
    waiting = sign_up(event, email="two@example.org")

    def title_and_heading(holder):
        page = client.get(f"/registrations/manage/{holder.manage_token}/", headers={"accept-language": language}).text
        title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
        return title.split(":")[0].strip(), re.search(r"<h1>(.*?)</h1>", page).group(1)

    assert title_and_heading(confirmed) == (ticket, ticket)
    assert title_and_heading(waiting) == (registration, registration)


def test_an_online_events_ticket_leads_with_the_way_in_not_a_door_code(client, sign_up):
    """A webinar's ticket was headed "Show this at the door", its QR code before the join link."""
    webinar = factories.WebinarFactory(join_url="https://zoom.example.org/j/42")
    no_link_yet = factories.WebinarFactory(join_url="")
    hybrid = factories.EventFactory(format="hybrid", join_url="https://zoom.example.org/j/7")

    page = client.get(f"/registrations/manage/{sign_up(webinar).manage_token}/").text
    waiting_for_link = client.get(f"/registrations/manage/{sign_up(no_link_yet).manage_token}/").text
    both = client.get(f"/registrations/manage/{sign_up(hybrid).manage_token}/").text

    assert "Show this at the door" not in page and 'class="qr"' not in page
    join = page.index('data-testid="join"')
    assert page.index("https://zoom.example.org/j/42") > join and page.index("<h1>") < join < page.index("Email")
    assert "have not given the link to join yet" in waiting_for_link
    assert "Show this at the door" in both and 'class="qr"' in both and "zoom.example.org/j/7" in both


def test_ticket_page_with_unknown_token_is_not_found(client):
    assert client.get("/registrations/manage/not-a-real-token/").status_code == 404


def test_the_azerbaijani_cancel_page_never_offers_a_bare_save_beside_cancelling(client, sign_up):
    # "Keep it" read "Saxla", the word of every Save button, right beside "Qeydiyyatı ləğv et"
    registration = sign_up(factories.EventFactory())

    page = client.get(f"/registrations/manage/{registration.manage_token}/cancel/", HTTP_ACCEPT_LANGUAGE="az").text

    assert ">Qeydiyyatı saxlayın</a>" in page and ">Saxla</a>" not in page


def test_cancel_needs_confirmation_then_cancels_and_frees_the_seat(client, sign_up):
    event = factories.EventFactory(capacity=1)
    registration = sign_up(event, email="one@example.org")
    waiting = sign_up(event, email="two@example.org")
    url = f"/registrations/manage/{registration.manage_token}/cancel/"

    unconfirmed = client.post(url, {})
    confirmed = client.post(url, {"confirm": "on"})

    assert unconfirmed.status_code == 200 and "Tick the box to confirm." in unconfirmed.text
    assert confirmed.status_code == 302
    registration.refresh_from_db()
    waiting.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    assert waiting.status == RegistrationStatus.CONFIRMED
    page = client.get(confirmed["Location"]).text
    assert "Your registration is cancelled." in page
    assert "Cancel my registration" not in page
    assert "Add to calendar" not in page  # a cancelled place is not something to put in a calendar


@pytest.mark.parametrize(
    ("place", "said"),
    [
        ("waiting", "Your registration is cancelled."),
        ("pending", "Your registration is cancelled."),
        ("seat", "Your registration is cancelled. Thank you for freeing your seat."),
        ("party", "Your registration is cancelled. Thank you for freeing your 3 seats."),
    ],
)
def test_the_cancelled_message_thanks_for_the_seats_the_registration_held(client, sign_up, place, said):
    """A place on the waiting list or a request held no seat: they were thanked for freeing one;
    a party of three freed three."""
    full = factories.EventFactory(capacity=1, max_party_size=3)
    sign_up(full, email="first@example.org")
    registration = {
        "waiting": lambda: sign_up(full, email="one@example.org"),
        "pending": lambda: sign_up(factories.EventFactory(registration_mode="approval"), email="one@example.org"),
        "seat": lambda: sign_up(factories.EventFactory(), email="one@example.org"),
        "party": lambda: sign_up(factories.EventFactory(max_party_size=3), email="one@example.org", party_size=3),
    }[place]()

    response = client.post(f"/registrations/manage/{registration.manage_token}/cancel/", {"confirm": "on"}, follow=True)

    shown = [str(message) for message in response.context["messages"]]
    assert shown == [said]


def test_cancelling_a_pending_registration_does_not_promise_a_freed_seat(client, sign_up):
    """A registration awaiting approval holds no seat: its cancel page said one would go to the
    next person waiting."""
    event = factories.EventFactory(registration_mode="approval")
    pending = sign_up(event, email="one@example.org")

    page = client.get(f"/registrations/manage/{pending.manage_token}/cancel/").text

    assert pending.status == RegistrationStatus.PENDING
    assert "Your seat goes to the next person waiting" not in page
    assert "This cannot be undone, but you may register again while seats are open." in page


@pytest.mark.parametrize("waiting_list", [True, False])
def test_cancel_page_promises_the_seat_to_someone_only_when_someone_waits(client, sign_up, waiting_list):
    # a full event without a waiting list (its page: "This event is full.", nobody waiting) was
    # told "Your seat goes to the next person waiting"
    event = factories.EventFactory(capacity=1, waiting_list_enabled=waiting_list)
    held = sign_up(event, email="one@example.org")

    page = client.get(f"/registrations/manage/{held.manage_token}/cancel/").text

    assert "Your seat goes to the next person waiting" not in page
    assert "This cannot be undone, but you may register again while seats are open." in page


def test_cancel_page_says_the_seat_goes_to_the_next_person_when_someone_waits(client, sign_up):
    event = factories.EventFactory(capacity=1)
    held = sign_up(event, email="one@example.org")
    sign_up(event, email="two@example.org")

    page = client.get(f"/registrations/manage/{held.manage_token}/cancel/").text

    assert "Your seat goes to the next person waiting." in page


def test_attendee_pages_stay_under_the_page_budget(client, event, sign_up, first_load):
    for number in range(5):
        factories.QuestionFactory(event=event, label=f"Question {number}")
    registration = sign_up(event)

    for url in [
        f"/events/{event.pk}/register/",
        f"/registrations/manage/{registration.manage_token}/",
        f"/registrations/manage/{registration.manage_token}/confirmation/",
        f"/registrations/manage/{registration.manage_token}/cancel/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert first_load(response) < PAGE_BUDGET, url


def test_offered_seat_is_taken_from_the_ticket_page(client, sign_up):
    event = factories.EventFactory(capacity=1, offer_hold_hours=24)
    first = sign_up(event, email="one@example.org")
    waiting = sign_up(event, email="two@example.org")
    client.post(f"/registrations/manage/{first.manage_token}/cancel/", {"confirm": "on"})
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.OFFERED

    offer_page = client.get(f"/registrations/manage/{waiting.manage_token}/").text
    response = client.post(f"/registrations/manage/{waiting.manage_token}/accept-offer/")

    assert "Take the seat" in offer_page
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert "<svg" in client.get(response["Location"]).text


def test_party_fields_only_where_the_event_allows_parties(client):
    visit = factories.EventFactory(kind="outreach_visit", region=factories.region("ganja"), max_party_size=5)
    alone = factories.EventFactory(kind="outreach_visit", region=factories.region("ganja"), max_party_size=1)
    webinar = factories.WebinarFactory(max_party_size=1)
    roundtable = factories.EventFactory(kind="roundtable", registration_mode="invitation", max_party_size=1)

    assert 'name="party_size"' in client.get(f"/events/{visit.pk}/register/").text
    for event in (alone, webinar):
        assert 'name="party_size"' not in client.get(f"/events/{event.pk}/register/").text
    roundtable_page = client.get(f"/events/{roundtable.pk}/register/").text
    assert 'name="party_size"' not in roundtable_page and "for example your children" not in roundtable_page


def test_party_names_wait_for_a_party_of_more_than_one(client):
    visit = factories.EventFactory(kind="outreach_visit", region=factories.region("ganja"), max_party_size=5)

    page = client.get(f"/events/{visit.pk}/register/").text

    # shown without JavaScript; pages.js hides it while the party is one person
    assert '<div data-shown-when="id_party_size" data-above="1">' in page
    assert '<script src="/static/js/pages.js" defer></script>' in page


def test_register_without_party_fields_registers_one_person(client):
    webinar = factories.WebinarFactory(max_party_size=1)

    client.post(
        f"/events/{webinar.pk}/register/", {"name": "Aysel", "email": "a@example.org", "consent_data_processing": "on"}
    )

    assert Registration.objects.get().party_size == 1


def test_register_brings_a_party_to_an_outreach_visit(client):
    visit = factories.EventFactory(kind="outreach_visit", region=factories.region("ganja"), max_party_size=5)

    client.post(
        f"/events/{visit.pk}/register/",
        form_data(party_size="3", party_names="Aysu\nAli"),
    )

    registration = Registration.objects.get()
    assert (registration.party_size, registration.party_names) == (3, ["Aysu", "Ali"])


def test_register_counts_no_party_name_of_only_invisible_characters(client):
    visit = factories.EventFactory(kind="outreach_visit", region=factories.region("ganja"), max_party_size=5)

    client.post(f"/events/{visit.pk}/register/", form_data(party_size="2", party_names="\u200b\u202e\nAli\u200b"))

    registration = Registration.objects.get()
    assert (registration.party_size, registration.party_names) == (2, ["Ali"])


def test_register_page_refuses_an_invisible_answer_to_a_required_question_under_it(client, event):
    question = factories.QuestionFactory(event=event, label="Your school", required=True)

    response = client.post(f"/events/{event.pk}/register/", form_data(**{f"question_{question.pk}": "\u200b\u200f"}))

    assert response.status_code == 200
    assert response.context["form"].errors[f"question_{question.pk}"] == ["“Your school” needs an answer."]
    assert not Registration.objects.exists()


def test_failed_register_lists_errors_in_a_focusable_summary(client, event):
    response = client.post(f"/events/{event.pk}/register/", {"name": "", "email": "x"})

    page = response.text
    assert 'class="notice bad error-summary" role="alert" tabindex="-1" id="errors" data-error-summary' in page
    assert 'href="#id_email"' in page and 'href="#id_consent_data_processing"' in page
    assert page.index("data-error-summary") < page.index('<form method="post"')


class PageParts(HTMLParser):
    """The attributes of every element, and the lines of the error summary (its links to the
    fields, above the form) as they are read aloud."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.summary_lines: list[str] = []
        self._in_summary_link = self._form_seen = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        self._form_seen = self._form_seen or tag == "form"
        if tag == "a" and attributes.get("href", "").startswith("#id_") and not self._form_seen:
            self._in_summary_link = True
            self.summary_lines.append("")

    def handle_endtag(self, tag):
        if tag == "a":
            self._in_summary_link = False

    def handle_data(self, data):
        if self._in_summary_link:
            self.summary_lines[-1] += data

    def element(self, id_: str) -> dict:
        return next(attributes for _, attributes in self.elements if attributes.get("id") == id_)


def test_register_marks_the_consent_box_required_in_the_html(client, event):
    page = PageParts(client.get(f"/events/{event.pk}/register/").text)

    consent = page.element("id_consent_data_processing")
    assert (consent["type"], "required" in consent) == ("checkbox", True)


def test_register_refuses_a_missing_consent_on_the_server_too(client, event):
    response = client.post(f"/events/{event.pk}/register/", form_data(consent_data_processing=""))

    page = PageParts(response.text)
    assert response.status_code == 200
    assert page.element("id_consent_data_processing")["aria-invalid"] == "true"
    assert not Registration.objects.exists()


def test_failed_register_describes_each_field_by_elements_that_exist(client, event):
    factories.QuestionFactory(event=event, label="Your school", required=True)

    described_by, missing = descriptions(client.post(f"/events/{event.pk}/register/", {"name": "", "email": "x"}).text)

    assert "id_consent_data_processing_error" in described_by
    assert missing == []


def test_a_yes_no_question_is_one_radio_group_described_by_its_help_and_its_error(client, event):
    question = factories.QuestionFactory(
        event=event,
        label="Do you need a wheelchair-accessible room?",
        kind="boolean",
        required=True,
        help_text="We will arrange it.",
    )
    factories.QuestionFactory(event=event, label="Your school", help_text="As it is written.")
    group = f"id_question_{question.pk}"

    blank = client.get(f"/events/{event.pk}/register/").text
    failed = client.post(f"/events/{event.pk}/register/", {"name": "", "email": "x"}).text

    assert PageParts(blank).element(group)["aria-describedby"] == f"{group}_helptext"
    fieldset = PageParts(failed).element(group)
    assert (fieldset["role"], fieldset["aria-invalid"], fieldset["aria-required"]) == ("radiogroup", "true", "true")
    assert fieldset["aria-describedby"].split() == [f"{group}_helptext", f"{group}_error"]
    for page in (blank, failed):
        assert descriptions(page)[1] == []
        assert unread_descriptions(page) == []
    # the summary's link lands on the group's first choice, which takes focus
    assert f'href="#{group}_0"' in failed
    assert summary_targets_not_focusable(failed) == []


@pytest.mark.parametrize(
    ("language", "consent_line", "recording_line"),
    [
        (
            "en",
            "I agree that the programme stores my registration details to organise this event: "
            "We cannot register you without this consent.",
            "May we record you during this event: This field is required.",
        ),
        (
            "az",
            "Proqramın bu tədbiri təşkil etmək üçün qeydiyyat məlumatlarımı saxlamasına razıyam: "
            "Bu razılıq olmadan sizi qeydiyyata ala bilmərik.",
            # "lentə almaq" (film, tape), not "qeydə almaq", which the door says for checking in
            "Tədbir zamanı sizi lentə ala bilərikmi: Bu sahə tələb edilir.",
        ),
    ],
)
def test_error_summary_reads_a_label_ending_in_punctuation_without_a_stray_mark(
    client, language, consent_line, recording_line
):
    event = factories.EventFactory(asks_recording_consent=True)

    response = client.post(
        f"/events/{event.pk}/register/",
        form_data(consent_data_processing=""),
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert PageParts(response.text).summary_lines == [recording_line, consent_line]


def test_ticket_of_waiting_registration_says_the_position_once(client, sign_up):
    event = factories.EventFactory(capacity=1)
    sign_up(event, email="one@example.org")
    waiting = sign_up(event, email="two@example.org")

    page = client.get(f"/registrations/manage/{waiting.manage_token}/").text

    assert "You are number 1 in line." in page
    assert page.count("waiting list") == 1  # the status, not repeated after it


@pytest.mark.parametrize(("status", "level"), [("confirmed", "ok"), ("waitlisted", "warn"), ("cancelled", "bad")])
def test_statuses_differ_by_colour_and_icon(client, sign_up, status, level):
    event = factories.EventFactory(capacity=1)
    first = sign_up(event, email="one@example.org")
    second = sign_up(event, email="two@example.org")
    registration = {"confirmed": first, "waitlisted": second}.get(status)
    if registration is None:
        from registrations.services.registration import cancel_registration

        registration = cancel_registration(registration=second)

    page = client.get(f"/registrations/manage/{registration.manage_token}/").text

    badge = page[page.index('<span class="status') : page.index("</span>", page.index('<span class="status'))]
    assert f'class="status {level} {status}"' in badge
    assert "<svg" in badge and 'aria-hidden="true"' in badge


def test_my_tickets_shows_events_to_come_soonest_first_and_past_ones_apart_a_page_at_a_time(client):
    # a mentee's nine months of sessions: 25 to come, 3 over
    user = factories.UserFactory(email="mentee@example.org")
    now = timezone.now()
    for day in range(-3, 25):
        start = now + dt.timedelta(days=day, hours=1)
        event = factories.EventFactory(
            title=f"Session on day {day:+03}", start=start, end=start + dt.timedelta(hours=1)
        )
        factories.RegistrationFactory(event=event, user=user, email=user.email, status="confirmed")
    signed_in(client, user)

    first, second = client.get("/my/tickets/"), client.get("/my/tickets/?page=2")
    past = client.get("/my/tickets/?show=past")

    titles = [registration.event.title for registration in first.context["registrations"]]
    assert titles == [f"Session on day {day:+03}" for day in range(0, 20)]
    assert [r.event.title for r in second.context["registrations"]] == [
        f"Session on day {day:+03}" for day in range(20, 25)
    ]
    assert 'href="?show=upcoming&amp;page=2" rel="next"' in first.text
    assert [r.event.title for r in past.context["registrations"]] == [
        "Session on day -01",
        "Session on day -02",
        "Session on day -03",
    ]
    assert 'href="?show=past" aria-current="page"' in past.text


@pytest.mark.parametrize(
    ("language", "people", "brought"),
    [("en", "3, you included", "You bring"), ("az", "3 nəfər, siz də daxil olmaqla", "Gətirdiyiniz şəxslər")],
)
def test_the_ticket_says_how_many_come_and_whom_one_brings_apart(client, sign_up, language, people, brought):
    visit = factories.EventFactory(kind="outreach_visit", region=factories.region("ganja"), max_party_size=5)
    registration = sign_up(visit, party_size=3, party_names=["Nigar (daughter)", "Elvin"])

    page = client.get(f"/registrations/manage/{registration.manage_token}/", HTTP_ACCEPT_LANGUAGE=language).text

    assert f"<dd>{people}</dd>" in page
    assert f"<dt>{brought}</dt><dd>Nigar (daughter), Elvin</dd>" in page


def test_a_cancelled_ticket_does_not_say_whom_one_brings(client, sign_up):
    """A cancelled registration read "Cancelled" above "You bring: Nigar (daughter), Elvin":
    nobody is brought to an event one no longer comes to; the names stay, "with you"."""
    visit = factories.EventFactory(kind="outreach_visit", region=factories.region("ganja"), max_party_size=5)
    registration = sign_up(visit, party_size=3, party_names=["Nigar (daughter)", "Elvin"])
    client.post(f"/registrations/manage/{registration.manage_token}/cancel/", {"confirm": "on"})

    page = client.get(f"/registrations/manage/{registration.manage_token}/").text

    assert "You bring" not in page
    assert "<dt>With you</dt><dd>Nigar (daughter), Elvin</dd>" in page


def test_a_ticket_puts_its_event_in_the_calendar_with_the_join_link_by_its_private_link(client):
    # registered without an account: the ticket's "Download .ics" was the public file, which gives
    # the join link only to a signed-in attendee, so her calendar had the webinar without its link
    import icalendar

    event = factories.WebinarFactory(title="Careers in data science", join_url="https://zoom.example.org/j/7")
    seat = factories.RegistrationFactory(event=event, status=RegistrationStatus.CONFIRMED)
    waiting = factories.RegistrationFactory(event=event, status=RegistrationStatus.WAITLISTED)
    ics = f"/registrations/manage/{seat.manage_token}/event.ics"

    ticket = client.get(f"/registrations/manage/{seat.manage_token}/").text
    response = client.get(ics)
    waiting_file = client.get(f"/registrations/manage/{waiting.manage_token}/event.ics")

    assert f'href="{ics}"' in ticket and f"/api/events/{event.pk}/ics/" not in ticket
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    [vevent] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Careers in data science"
    assert "https://zoom.example.org/j/7" in str(vevent["DESCRIPTION"])
    assert vevent.get("STATUS", "CONFIRMED") == "CONFIRMED"
    [waiting_event] = icalendar.Calendar.from_ical(waiting_file.content).walk("VEVENT")
    assert waiting_event["STATUS"] == "TENTATIVE" and "zoom.example.org" not in waiting_file.text
    assert client.get(f"/registrations/manage/x{seat.manage_token}/event.ics").status_code == 404

    client.post(f"/registrations/manage/{seat.manage_token}/cancel/", {"confirm": "on"})
    assert client.get(ics).status_code == 404  # cancelled: nothing to put in a calendar


def test_a_cancelled_registration_whose_holder_registered_again_says_so_without_its_link(client, event, sign_up):
    # the old link still said "Cancelled · Register again" to someone registered again with the same address
    first = sign_up(event, email="aysel@example.org")
    client.post(f"/registrations/manage/{first.manage_token}/cancel/", {"confirm": "on"})
    stranger = sign_up(event, email="nigar@example.org")

    before = client.get(f"/registrations/manage/{first.manage_token}/").text
    again = sign_up(event, email="aysel@example.org")
    after = client.get(f"/registrations/manage/{first.manage_token}/").text
    after_az = client.get(f"/registrations/manage/{first.manage_token}/", HTTP_ACCEPT_LANGUAGE="az").text

    assert ">Register again</a>" in before and 'data-testid="registered-again"' not in before
    assert again.pk != first.pk
    assert "You have registered for this event again." in after and ">Register again</a>" not in after
    assert 'action="/tickets/recover/"' in after and 'name="email" value="aysel@example.org"' in after
    assert again.manage_token not in after and stranger.manage_token not in after
    assert "Bu tədbirə yenidən qeydiyyatdan keçmisiniz." in after_az


def test_a_stranger_who_registered_an_address_and_cancelled_never_gets_its_owners_link(client, event, sign_up):
    # anyone may register with any address: Mallory registers Aysel's, cancels, and keeps the link;
    # once Aysel registers herself, Mallory's page must not lead to Aysel's registration
    mallory = sign_up(event, email="aysel@example.org", name="Mallory")
    client.post(f"/registrations/manage/{mallory.manage_token}/cancel/", {"confirm": "on"})
    aysel = sign_up(event, email="aysel@example.org", name="Aysel Aliyeva")

    page = client.get(f"/registrations/manage/{mallory.manage_token}/")

    assert page.status_code == 200
    assert aysel.manage_token not in page.text and "Aysel Aliyeva" not in page.text
    assert set(re.findall(r"/registrations/manage/([^/\"]+)/", page.text)) == {mallory.manage_token}


def test_a_cancelled_registration_leads_on_to_registering_again_or_other_events(client, event, sign_up):
    # in the event page's words: "Register again" (not "Register", as if they never had) while a seat
    # is open, "Join the waiting list" once full
    seat = sign_up(event, email="first@example.org")
    ticket = f"/registrations/manage/{seat.manage_token}/"
    register = f'href="/events/{event.pk}/register/"'

    active = client.get(ticket).text
    cancelled = client.post(ticket + "cancel/", {"confirm": "on"}, follow=True).text
    sign_up(event, email="second@example.org")
    sign_up(event, email="third@example.org")  # the event (two seats) is full again
    full = client.get(ticket).text
    event.registration_closes_at = timezone.now() - dt.timedelta(minutes=1)
    event.save(update_fields=["registration_closes_at"])
    closed = client.get(ticket).text

    assert 'data-testid="way-on"' not in active
    assert f"{register}>Register again</a>" in cancelled and 'href="/">See other events</a>' in cancelled
    assert f"{register}>Join the waiting list</a>" in full
    assert register not in closed and 'href="/">See other events</a>' in closed


def test_an_offered_seat_and_registration_opening_name_the_zone_where_the_events_time_does(client):
    # "Take it by Monday 30 November 2026, 00:04" on a webinar watched from anywhere: whose midnight?
    baku = dt.timezone(dt.timedelta(hours=4))
    webinar = factories.WebinarFactory(
        start=dt.datetime(2030, 3, 14, 18, tzinfo=baku), end=dt.datetime(2030, 3, 14, 20, tzinfo=baku),
        registration_opens_at=dt.datetime(2030, 3, 1, 9, tzinfo=baku),
    )  # fmt: skip
    offered = factories.RegistrationFactory(
        event=webinar, status=RegistrationStatus.OFFERED, offer_expires_at=dt.datetime(2030, 3, 2, 0, 4, tzinfo=baku)
    )

    ticket = client.get(f"/registrations/manage/{offered.manage_token}/").text
    detail = client.get(f"/events/{webinar.pk}/").text
    register_page = client.get(f"/events/{webinar.pk}/register/").text

    assert "Take it by Saturday 2 March 2030, 00:04, Baku time (UTC+4), or it goes" in ticket
    said = "Registration opens on Friday 1 March 2030, 09:00, Baku time (UTC+4)."
    assert said in detail and said in register_page


@pytest.fixture
def invited(sign_up):
    """A roundtable guest's confirmed place, taken with their invitation code."""
    roundtable = factories.EventFactory(kind="roundtable", registration_mode="invitation", capacity=10)
    invitation = factories.InvitationFactory(event=roundtable, sector="government")
    return sign_up(roundtable, email=invitation.email, invitation_code=invitation.code)


def test_an_invited_guest_sends_a_colleague_from_the_ticket_page(client, invited, django_capture_on_commit_callbacks):
    """The roundtable's confirmation says a colleague may come in one's place; the ticket page,
    where its link leads, offered only Cancel (the transfer was in the API alone)."""
    ticket_url = f"/registrations/manage/{invited.manage_token}/"
    transfer_url = f"{ticket_url}transfer/"
    assert f'href="{transfer_url}"' in client.get(ticket_url).text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            transfer_url,
            {"name": "Samira Valiyeva", "email": "Samira@Ministry.example.org", "consent_data_processing": "on"},
            follow=True,
        )

    invited.refresh_from_db()
    colleague = Registration.objects.get(substitute_for=invited)
    assert invited.status == RegistrationStatus.CANCELLED
    assert (colleague.status, colleague.email, colleague.sector) == (
        RegistrationStatus.CONFIRMED,
        "samira@ministry.example.org",
        "government",
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Your seat now belongs to Samira Valiyeva, who receives a ticket by email."
    ]
    assert any("samira@ministry.example.org" in message.to[0] for message in mail.outbox)


def test_a_colleague_with_the_guests_own_address_is_refused_at_the_email_field(client, invited):
    response = client.post(
        f"/registrations/manage/{invited.manage_token}/transfer/",
        {"name": "Someone", "email": invited.email, "consent_data_processing": "on"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"email": ["The colleague must be someone else."]}
    invited.refresh_from_db()
    assert invited.status == RegistrationStatus.CONFIRMED


def test_an_open_events_ticket_offers_no_transfer_and_its_page_refuses(client, sign_up):
    registration = sign_up(factories.EventFactory())
    transfer_url = f"/registrations/manage/{registration.manage_token}/transfer/"

    ticket = client.get(f"/registrations/manage/{registration.manage_token}/").text
    response = client.post(
        transfer_url, {"name": "Other", "email": "other@example.org", "consent_data_processing": "on"}
    )

    assert transfer_url not in ticket
    assert response.status_code == 200 and "can no longer be passed to a colleague" in response.text
    assert Registration.objects.count() == 1


def test_a_cancelled_invitation_offers_no_register_again_its_code_would_refuse(client, invited):
    """The page offered "Register again", whose form then refused the code as already used."""
    invited.event.refresh_from_db()
    client.post(f"/registrations/manage/{invited.manage_token}/cancel/", {"confirm": "on"})

    page = client.get(f"/registrations/manage/{invited.manage_token}/").text

    assert "Register again" not in page
    assert "ask the organisers for a new invitation" in page
    assert "See other events" in page


def _over(registration):
    """The event of ``registration`` ended an hour ago (its old email's links are opened now)."""
    from events.models import Event  # noqa: PLC0415

    end = timezone.now() - dt.timedelta(hours=1)
    Event.objects.filter(pk=registration.event_id).update(start=end - dt.timedelta(hours=2), end=end)
    return registration


@pytest.mark.parametrize("language", ["en", "az"])
def test_a_ticket_opened_after_its_event_offers_no_cancel_the_service_would_refuse(client, sign_up, language):
    """A ticket's old email links (the ticket, the cancel page, the confirmation) opened after the
    event: the cancel page offered its form, which the service refuses (event_over)."""
    registration = _over(sign_up(factories.EventFactory(title="Robotics workshop")))
    base = f"/registrations/manage/{registration.manage_token}/"
    headers = {"accept-language": language}

    ticket = client.get(base, headers=headers).text
    cancel = client.get(f"{base}cancel/", headers=headers)
    posted = client.post(f"{base}cancel/", {"confirm": "on"}, headers=headers)
    confirmation = client.get(f"{base}confirmation/", headers=headers).text

    said = {
        "en": "The event is over: this registration can no longer be cancelled.",
        "az": "Tədbir bitib: bu qeydiyyatı artıq ləğv etmək olmaz.",
    }[language]
    assert f'href="{base}cancel/"' not in ticket and said in ticket
    assert cancel.status_code == 200 and said in cancel.text
    assert 'name="confirm"' not in cancel.text and "<form" not in cancel.text.split("<main", 1)[1].split("</main>")[0]
    assert posted.status_code == 409 and 'name="confirm"' not in posted.text
    assert "lets you cancel" not in confirmation and "ləğv etməyə imkan verir" not in confirmation
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_a_ticket_still_to_come_still_offers_cancel(client, sign_up):
    registration = sign_up(factories.EventFactory())
    base = f"/registrations/manage/{registration.manage_token}/"

    assert f'href="{base}cancel/"' in client.get(base).text
    assert 'name="confirm"' in client.get(f"{base}cancel/").text


def test_the_transfer_page_after_the_event_says_why_it_offers_no_form(client, invited):
    _over(invited)
    base = f"/registrations/manage/{invited.manage_token}/"

    ticket = client.get(base).text
    page = client.get(f"{base}transfer/")

    assert f'href="{base}transfer/"' not in ticket
    assert 'data-code="event_over"' in page.text and "The event is over." in page.text
    assert 'name="email"' not in page.text


def test_a_seat_still_on_offer_after_the_event_is_not_offered_to_take(client, sign_up):
    """An offer with no time limit outlives its event: the ticket offered Take the seat, which
    made a no-show of someone who never held the seat."""
    registration = sign_up(factories.EventFactory(title="Robotics workshop"))
    Registration.objects.filter(pk=registration.pk).update(status=RegistrationStatus.OFFERED, offer_expires_at=None)
    _over(registration)
    base = f"/registrations/manage/{registration.manage_token}/"

    ticket = client.get(base, headers={"accept-language": "az"}).text
    taken = client.post(f"{base}accept-offer/", follow=True)

    assert f'action="{base}accept-offer/"' not in ticket
    assert "Tədbir bitib: təklif olunan yeri artıq götürmək olmaz." in ticket
    assert "The event is over." in taken.text
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.OFFERED


@pytest.mark.parametrize("language", ["en", "az"])
@pytest.mark.parametrize("mode", ["open", "invitation"])
def test_the_transfer_page_of_a_past_event_says_it_is_over_first(client, sign_up, mode, language):
    """A past event's transfer page said "Only invitations can be passed to a colleague." (the
    first rule it met) where the true reason is that the event is over; in the API's code too."""
    event = factories.EventFactory(kind="roundtable", registration_mode=mode, capacity=10)
    if mode == "invitation":
        invitation = factories.InvitationFactory(event=event)
        registration = _over(sign_up(event, email=invitation.email, invitation_code=invitation.code))
    else:
        registration = _over(sign_up(event))
    base = f"/registrations/manage/{registration.manage_token}/"
    colleague = {"name": "Samira Valiyeva", "email": "samira@example.org", "consent_data_processing": True}

    page = client.get(f"{base}transfer/", headers={"accept-language": language}).text
    api = client.post(f"/api{base}transfer/", colleague, content_type="application/json")

    said = {"en": "The event is over.", "az": "Tədbir bitib."}[language]
    assert 'data-code="event_over"' in page and said in page
    assert "Only invitations" not in page and "yalnız dəvət" not in page
    assert (api.status_code, api.json()["code"]) == (409, "event_over")
    # the reason before the body: a client that sends nothing learns the seat cannot be passed,
    # not that a colleague's name is missing
    empty = client.post(f"/api{base}transfer/", {}, content_type="application/json")
    assert (empty.status_code, empty.json()["code"]) == (409, "event_over")
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
