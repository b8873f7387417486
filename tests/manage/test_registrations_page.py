"""The workspace's registrations of an event: list, filters, counts, row actions, messages."""

import re

import pytest
from django.core import mail

from notifications.models import OutboxMessage
from registrations.models import CheckIn, Registration
from registrations.services.registration import approve_registration, cancel_registration, register
from tests import factories

pytestmark = pytest.mark.django_db


def url(event, query=""):
    return f"/manage/events/{event.pk}/registrations/{query}"


def sign_up(event, name, email, **extra):
    return register(event=event, name=name, email=email, consent_data_processing=True, **extra)


@pytest.fixture
def approval_event(organiser):
    return factories.EventFactory(organisers=[organiser], title="Data science clinic", registration_mode="approval")


def test_list_counts_people_not_only_registrations(organiser_web, own_event):
    sign_up(own_event, "Aysel Aliyeva", "aysel@example.org", party_size=3)
    sign_up(own_event, "Leyla Mammadova", "leyla@example.org")

    response = organiser_web.get(url(own_event))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    figures = response.context["figures"]
    assert figures["confirmed"] == {"registrations": 2, "people": 4}
    assert b"Aysel Aliyeva" in response.content and b"Leyla Mammadova" in response.content


def test_cancelling_a_row_asks_first_and_the_row_says_when_not_how(organiser_web, own_event):
    """One tap on a phone must not cancel someone's place: the row's "Cancel registration" only opens
    a confirming button. "Online" (how they registered) read as the event's format; it is not shown."""
    sign_up(own_event, "Aysel Aliyeva", "aysel@example.org")

    html = organiser_web.get(url(own_event)).content.decode()

    row = html[html.index('data-testid="registration"') :]
    confirm = row[row.index('<details class="confirm">') : row.index("</details>")]
    assert 'value="cancel"' in confirm and "Yes, cancel this registration" in confirm
    assert 'value="cancel"' not in row.replace(confirm, "")
    assert "registered " in row and "· Online" not in row


def test_an_organiser_cancelling_a_row_may_say_why_and_the_mail_carries_it(
    organiser_web, own_event, django_capture_on_commit_callbacks
):
    # the service took a reason, the row's form had no place for one: the mail could only say
    # "cancelled" to someone who had not cancelled
    from notifications.services.outbox import render_message

    with_reason = sign_up(own_event, "Aysel Aliyeva", "aysel@example.org")
    without = sign_up(own_event, "Leyla Mammadova", "leyla@example.org")
    html = organiser_web.get(url(own_event)).content.decode()

    assert f'<label for="reason-cancel-{with_reason.pk}">Why, in the email to them (optional)</label>' in html
    organiser_web.post(url(own_event), {"action": "cancel", "registration": with_reason.pk,
                                        "reason": "The hall is  smaller\nthan planned."})  # fmt: skip
    organiser_web.post(url(own_event), {"action": "cancel", "registration": without.pk, "reason": ""})

    def body(registration):
        [message] = OutboxMessage.objects.filter(kind="registration_cancelled", recipient_email=registration.email)
        return render_message(message).body_text

    assert "is cancelled. The hall is smaller than planned. The organisers cancelled it; a reply to this email" in body(
        with_reason
    )
    assert "The organisers cancelled it; to ask them why, reply to this email." in body(without)


def test_row_says_when_someone_registered_in_lower_case_in_azerbaijani(organiser_web, own_event):
    # it read "qeydiyyat 28 Noy 2026": Django's capitalised month abbreviation, unlike every other date
    import datetime as dt
    import zoneinfo

    registration = sign_up(own_event, "Aysel Aliyeva", "aysel@example.org")
    Registration.objects.filter(pk=registration.pk).update(
        created_at=dt.datetime(2026, 11, 28, 12, 5, tzinfo=zoneinfo.ZoneInfo("Asia/Baku"))
    )
    organiser_web.cookies["django_language"] = "az"

    row = organiser_web.get(url(own_event)).content.decode()

    assert "28 noyabr 2026, 12:05" in row
    assert "Noy" not in row


def test_filters_narrow_the_list(organiser_web, own_event, organiser):
    first = sign_up(own_event, "Aysel Aliyeva", "aysel@example.org", sector="academia", organisation="ADA University")
    sign_up(own_event, "Leyla Mammadova", "leyla@example.org", sector="government")
    CheckIn.objects.create(registration=first, event=own_event, checked_in_at=own_event.start, by=organiser)

    def names(query):
        return [registration.name for registration in organiser_web.get(url(own_event, query)).context["page"]]

    assert names("?q=leyla") == ["Leyla Mammadova"]
    assert names("?sector=academia") == ["Aysel Aliyeva"]
    assert names("?organisation=ada") == ["Aysel Aliyeva"]
    assert names("?checked_in=yes") == ["Aysel Aliyeva"]
    assert names("?checked_in=no") == ["Leyla Mammadova"]
    assert names("?status=cancelled") == []
    assert names("?status=nonsense") == ["Aysel Aliyeva", "Leyla Mammadova"]


def test_list_is_paginated(organiser_web, own_event):
    for number in range(55):
        Registration.objects.create(event=own_event, name=f"Pupil {number}", email=f"p{number}@example.org")
    first = organiser_web.get(url(own_event))
    second = organiser_web.get(url(own_event, "?page=2"))
    assert len(first.context["page"]) == 50 and len(second.context["page"]) == 5


def test_approve_and_reject_pending(organiser_web, approval_event, django_capture_on_commit_callbacks):
    one = sign_up(approval_event, "Aysel Aliyeva", "aysel@example.org")
    two = sign_up(approval_event, "Leyla Mammadova", "leyla@example.org")
    assert one.status == two.status == "pending"

    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_web.post(
            url(approval_event), {"action": "approve", "registration": one.pk, "back": "status=pending"}
        )
        organiser_web.post(url(approval_event), {"action": "reject", "registration": two.pk})

    assert response.status_code == 302 and response["Location"].endswith(
        "?status=pending#listed"
    )  # approved: off the list
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.status, two.status) == ("confirmed", "rejected")
    assert OutboxMessage.objects.filter(kind="registration_approved", recipient_email="aysel@example.org").exists()
    assert OutboxMessage.objects.filter(kind="registration_rejected", recipient_email="leyla@example.org").exists()


def test_promote_cancel_and_resend_ticket(organiser_web, organiser, django_capture_on_commit_callbacks):
    event = factories.EventFactory(organisers=[organiser], capacity=1)
    first = sign_up(event, "First In", "first@example.org")
    waiting = sign_up(event, "Second In", "second@example.org")
    assert waiting.status == "waitlisted"

    with django_capture_on_commit_callbacks(execute=True):
        organiser_web.post(url(event), {"action": "promote", "registration": waiting.pk})
        organiser_web.post(url(event), {"action": "cancel", "registration": first.pk})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        organiser_web.post(url(event), {"action": "resend", "registration": waiting.pk})

    first.refresh_from_db()
    waiting.refresh_from_db()
    assert (first.status, waiting.status) == ("cancelled", "confirmed")
    (resent,) = mail.outbox
    assert resent.to == ["Second In <second@example.org>"]
    assert {name for name, *_ in resent.attachments} == {"ticket.png", "invite.ics"}


def test_resend_of_a_cancelled_registration_is_refused_with_its_reason(organiser_web, own_event):
    registration = sign_up(own_event, "Aysel Aliyeva", "aysel@example.org")
    organiser_web.post(url(own_event), {"action": "cancel", "registration": registration.pk})
    response = organiser_web.post(url(own_event), {"action": "resend", "registration": registration.pk}, follow=True)
    assert "Only a confirmed registration has a ticket to send." in response.content.decode()


def test_list_leaves_out_only_a_filter_it_does_not_understand(organiser_web, own_event):
    """A status out of its choices dropped the search too: every registration came back."""
    sign_up(own_event, "Aysel Aliyeva", "aysel@example.org")
    sign_up(own_event, "Leyla Mammadova", "leyla@example.org")

    page = organiser_web.get(url(own_event, "?status=bogus&q=leyla")).content.decode()

    assert "Leyla Mammadova" in page and "Aysel Aliyeva" not in page


def test_add_someone_by_hand(organiser_web, own_event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_web.post(
            url(own_event),
            {"action": "add", "name": "Nigar Guliyeva", "email": "Nigar@Example.org", "party_size": "2"},
        )
    assert response.status_code == 302
    added = Registration.objects.get(event=own_event)
    assert (added.email, added.source, added.status, added.party_size) == (
        "nigar@example.org",
        "organiser",
        "confirmed",
        2,
    )
    assert OutboxMessage.objects.filter(kind="registration_confirmed", recipient_email="nigar@example.org").exists()


def test_add_with_bad_input_is_a_400_with_the_form(organiser_web, own_event):
    response = organiser_web.post(url(own_event), {"action": "add", "name": "", "email": "not-an-address"})
    assert response.status_code == 400
    assert not Registration.objects.exists()


def test_add_by_hand_fields_have_their_own_ids_and_labels(organiser_web, own_event):
    """The filters and "Add someone by hand" both have a sector and an organisation: with the same
    ids, the add form's labels (and its error summary's links) led to the filters' fields, and its
    own two fields had no label at all."""
    import collections
    import re

    response = organiser_web.post(url(own_event), {"action": "add", "name": "", "email": "x", "sector": "nope"})

    page = response.content.decode()
    ids = collections.Counter(re.findall(r'\bid="([^"]+)"', page))
    assert [name for name, times in ids.items() if times > 1] == []
    add_form = page[page.index('id="add"') :]
    for field in ("name", "email", "party_size", "sector", "organisation"):
        field_id = re.search(rf'name="{field}"[^>]*id="([^"]+)"', add_form).group(1)
        assert f'<label for="{field_id}">' in add_form
    assert 'href="#add_sector"' in page  # the summary's link lands on the add form's own field


def test_message_the_chosen_ones_or_everyone_listed(organiser_web, own_event, django_capture_on_commit_callbacks):
    one = sign_up(own_event, "Aysel Aliyeva", "aysel@example.org")
    two = sign_up(own_event, "Leyla Mammadova", "leyla@example.org")
    sign_up(own_event, "Nigar Guliyeva", "nigar@example.org")
    factories_other = factories.EventFactory()
    stranger = sign_up(factories_other, "Someone Else", "else@example.org")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        organiser_web.post(
            url(own_event),
            {
                "action": "message",
                "chosen": [one.pk, two.pk, stranger.pk],
                "subject": "Bring a laptop",
                "body": "Please bring a laptop.",
            },
        )
    assert sorted(message.to[0] for message in mail.outbox) == [
        "Aysel Aliyeva <aysel@example.org>",
        "Leyla Mammadova <leyla@example.org>",
    ]
    assert mail.outbox[0].subject == "Bring a laptop"
    assert "Please bring a laptop." in mail.outbox[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        # the same words again to the same people: nothing new; everyone listed gets it once
        organiser_web.post(
            url(own_event),
            {
                "action": "message",
                "everyone": "yes",
                "back": "q=guliyeva",
                "subject": "Bring a laptop",
                "body": "Please bring a laptop.",
            },
        )
    assert [message.to[0] for message in mail.outbox] == ["Nigar Guliyeva <nigar@example.org>"]


def test_everyone_listed_leaves_out_who_cancelled_unless_listed_by_status(
    organiser_web, own_event, django_capture_on_commit_callbacks
):
    """Unfiltered, the list shows cancelled registrations too: "everyone listed" wrote to them."""
    sign_up(own_event, "Aysel Aliyeva", "aysel@example.org")
    gone = sign_up(own_event, "Leyla Mammadova", "leyla@example.org")
    cancel_registration(registration=gone)
    message = {"action": "message", "everyone": "yes", "subject": "Bring a laptop", "body": "Please bring a laptop."}

    page = organiser_web.get(url(own_event)).text
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        organiser_web.post(url(own_event), {**message, "back": ""})
    to_everyone = [sent.to[0] for sent in mail.outbox]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        organiser_web.post(url(own_event), {**message, "back": "status=cancelled"})

    assert "Everyone listed (1)" in page and 'data-testid="left-out"' in page
    assert to_everyone == ["Aysel Aliyeva <aysel@example.org>"]
    assert [sent.to[0] for sent in mail.outbox] == ["Leyla Mammadova <leyla@example.org>"]


def test_message_without_anyone_chosen_is_a_400(organiser_web, own_event):
    sign_up(own_event, "Aysel Aliyeva", "aysel@example.org")
    response = organiser_web.post(url(own_event), {"action": "message", "subject": "Hi", "body": "Hello"})
    assert response.status_code == 400
    assert "Choose at least one registrant." in response.content.decode()


@pytest.mark.parametrize("subject", ["Bring\na laptop", "Bring\r\na laptop", "Bring\u2028a laptop"])
@pytest.mark.parametrize("language", ["en", "az"])
def test_a_message_subject_of_more_than_one_line_is_refused_at_the_subject(
    organiser_web, own_event, django_capture_on_commit_callbacks, subject, language
):
    """It was folded into one line unseen, where a message wording's subject is refused
    (``notifications.services.templates.check_subject``, the same check and words)."""
    one = sign_up(own_event, "Aysel Aliyeva", "aysel@example.org")
    mail.outbox.clear()
    words = {"action": "message", "chosen": [one.pk], "subject": subject, "body": "Please bring a laptop."}

    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_web.post(url(own_event), words, HTTP_ACCEPT_LANGUAGE=language)

    said = {
        "en": "The subject is one line: remove its line breaks.",
        "az": "Mövzu bir sətirdə yazılır: sətirləri birləşdirin.",
    }[language]
    assert response.status_code == 400
    assert said in response.context["message_form"].errors["subject"][0]
    assert mail.outbox == [] and not OutboxMessage.objects.filter(kind="organiser_message").exists()


def test_other_organisers_event_and_other_events_rows_are_404(organiser_web, own_event, other_event):
    stranger = sign_up(other_event, "Someone Else", "else@example.org")
    assert organiser_web.get(url(other_event)).status_code == 404
    response = organiser_web.post(url(own_event), {"action": "cancel", "registration": stranger.pk})
    assert response.status_code == 404
    assert (
        organiser_web.post(url(own_event), {"action": "cancel", "registration": "99999999999999999999"}).status_code
        == 404
    )
    stranger.refresh_from_db()
    assert stranger.status == "confirmed"


@pytest.mark.parametrize("count", [1, 5])
def test_list_query_count_does_not_grow_with_registrations(organiser_web, own_event, count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    invitation = factories.InvitationFactory(event=own_event)
    for number in range(count):
        original = Registration.objects.create(
            event=own_event, name=f"Pupil {number}", email=f"p{number}@example.org", invitation=invitation
        )
        Registration.objects.create(
            event=own_event, name=f"Colleague {number}", email=f"c{number}@example.org", substitute_for=original
        )

    with CaptureQueriesContext(connection) as queries:
        response = organiser_web.get(url(own_event))

    assert len(response.context["page"]) == 2 * count
    assert len(queries) == QUERIES_FOR_LIST, "\n".join(query["sql"][:120] for query in queries.captured_queries)


# session, user, organiser role, speaker profile (header); the event and its organisers; the count of
# the list; whom "everyone listed" writes to; the figures (2); the page's rows with their invitations
# and originals
QUERIES_FOR_LIST = 11


def test_no_ticket_is_sent_again_after_the_event(organiser_web, own_event):
    import datetime as dt

    from django.utils import timezone

    registration = sign_up(own_event, "Aysel Aliyeva", "aysel@example.org")
    own_event.start = timezone.now() - dt.timedelta(days=2)
    own_event.end = own_event.start + dt.timedelta(hours=2)
    own_event.save()

    page = organiser_web.get(url(own_event)).content.decode()
    response = organiser_web.post(url(own_event), {"action": "resend", "registration": registration.pk}, follow=True)

    assert "Send the ticket again" not in page
    assert "The event is over" in response.content.decode()


def promote_buttons(page: str) -> dict:
    """Each listed registration's name → whether its card offers "Move in from the waiting list"."""
    cards = re.findall(r'<li class="card" data-testid="registration".*?</li>', page, re.S)
    return {
        re.search(r'id="chosen-\d+"> (.*?)</label>', card).group(1): 'value="promote"' in card
        for card in cards
        if 'data-status="waitlisted"' in card
    }


def test_move_in_is_offered_only_to_someone_the_free_seats_can_take(organiser_web, organiser):
    """Every waiting card offered "Move in from the waiting list" on a full event, and the button
    only answered "Not enough seats left": it is offered where the free seats fit the party."""
    event = factories.EventFactory(organisers=[organiser], capacity=3, max_party_size=2)
    sign_up(event, "First In", "first@example.org", party_size=2)
    family = sign_up(event, "Family Waiting", "family@example.org", party_size=2)
    single = sign_up(event, "Single Waiting", "single@example.org")
    # strictly in order: the one free seat waits for the family, whom it cannot take
    assert (family.status, single.status) == ("waitlisted", "waitlisted")

    page = organiser_web.get(url(event)).content.decode()

    assert promote_buttons(page) == {"Family Waiting": False, "Single Waiting": True}
    assert page.count('data-testid="no-seat"') == 1
    # under the figures' "1 seat left" it said "No seat is free for them"
    assert "Only 1 seat is free for their party of 2: raise the capacity (Edit) to move them in." in page
    assert "No seat is free for them" not in page


def approve_buttons(page: str) -> dict:
    """Each listed request's name → whether its card offers "Approve"."""
    cards = re.findall(r'<li class="card" data-testid="registration".*?</li>', page, re.S)
    return {
        re.search(r'id="chosen-\d+"> (.*?)</label>', card).group(1): 'value="approve"' in card
        for card in cards
        if 'data-status="pending"' in card
    }


def test_approve_is_offered_only_for_a_request_the_free_seats_can_take(organiser_web, organiser):
    """A request on a full event offered "Approve", which could only answer "Not enough seats left
    to approve this registration": like "Move in", it is offered where the free seats fit the party."""
    event = factories.EventFactory(organisers=[organiser], capacity=2, max_party_size=2, registration_mode="approval")
    first = sign_up(event, "First In", "first@example.org")
    family = sign_up(event, "Family Asking", "family@example.org", party_size=2)
    single = sign_up(event, "Single Asking", "single@example.org")
    approve_registration(registration=first, by=organiser)

    page = organiser_web.get(url(event)).content.decode()

    assert approve_buttons(page) == {"Family Asking": False, "Single Asking": True}
    assert page.count('data-testid="no-seat"') == 1
    assert "Only 1 seat is free for their party of 2: raise the capacity (Edit) to approve them." in page
    assert "No seat is free for them" not in page
    assert 'value="reject"' in page  # a request that cannot be seated can still be turned down
    assert (family.status, single.status) == ("pending", "pending")


@pytest.mark.parametrize(
    ("language", "to", "said"),
    [
        ("en", "approve", "No seat is free for them: raise the capacity (Edit) to approve them."),
        ("az", "approve", "Onlar üçün boş yer yoxdur: təsdiqləmək üçün yerlərin sayını artırın (Redaktə edin)."),
        ("en", "promote", "No seat is free for them: raise the capacity (Edit) to move them in."),
        (
            "az",
            "promote",
            "Onlar üçün boş yer yoxdur: onları içəri keçirmək üçün yerlərin sayını artırın (Redaktə edin).",
        ),
    ],
)
def test_a_full_event_says_no_seat_is_free(organiser_web, organiser, language, to, said):
    """With no seat free the card says so; with some free but fewer than the party, how many."""
    mode = "approval" if to == "approve" else "open"
    event = factories.EventFactory(organisers=[organiser], capacity=2, max_party_size=2, registration_mode=mode)
    first = sign_up(event, "First In", "first@example.org", party_size=2)
    if to == "approve":
        approve_registration(registration=first, by=organiser)
    sign_up(event, "Family", "family@example.org", party_size=2)

    page = organiser_web.get(url(event), HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert page.count('data-testid="no-seat"') == 1
    assert said in page


@pytest.mark.parametrize(("party_size", "said"), [(1, "1 person confirmed"), (2, "2 people confirmed")])
def test_the_figures_say_person_or_people_by_the_people_counted(organiser_web, own_event, party_size, said):
    """The figures were made plural by the registrations: one registration of two read
    "people confirmed (1 registration)", one person alone "1 people confirmed"."""
    sign_up(own_event, "Aysel Aliyeva", "aysel@example.org", party_size=party_size)

    page = organiser_web.get(url(own_event)).content.decode()
    figure = re.search(r'<div data-figure="confirmed">(.*?)</div>', page, re.S).group(1)

    assert re.sub(r"<[^>]+>", " ", figure).split() == [*said.split(), "(1", "registration)"]


def test_writing_to_registrants_says_what_it_did_in_counts_that_add_up(organiser_web, own_event):
    # "Everyone listed (3)" then "Messages queued: 1.": two had the words already, one has no address
    one = sign_up(own_event, "Aysel Aliyeva", "aysel@example.org")
    two = sign_up(own_event, "Leyla Mammadova", "leyla@example.org")
    sign_up(own_event, "Nigar Guliyeva", "nigar@example.org")
    factories.RegistrationFactory(event=own_event, name="Walk-in Guest", email="", status="confirmed")
    words = {"action": "message", "subject": "Bring a laptop", "body": "Please bring a laptop."}

    def said(data):
        response = organiser_web.post(url(own_event), {**words, **data}, follow=True)
        return [(message.level_tag, str(message)) for message in response.context["messages"]]

    assert said({"chosen": [one.pk, two.pk]}) == [("success", "2 messages are on their way.")]
    assert said({"everyone": "yes", "back": ""}) == [
        (
            "success",
            "1 message is on its way. 2 people already had these words and are not written to again. "
            "1 person chosen has no email address.",
        )
    ]
    assert said({"everyone": "yes", "back": ""}) == [
        (
            "warning",
            "Nothing new was sent. 3 people already had these words and are not written to again. "
            "1 person chosen has no email address.",
        )
    ]
