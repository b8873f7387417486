import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.throttling import ScopedRateThrottle

from events.models import Event
from registrations.models import Invitation, Registration, RegistrationStatus
from registrations.services import registration as services
from tests import factories
from tests.registrations.conftest import client_for, messages_to, sign_up

pytestmark = pytest.mark.django_db

Status = RegistrationStatus


def register_url(event) -> str:
    return f"/api/events/{event.pk}/registrations/"


def manage_url(registration, action="") -> str:
    return f"/api/registrations/manage/{registration.manage_token}/" + (f"{action}/" if action else "")


def payload(**overrides) -> dict:
    return {"name": "Aysel Mammadova", "email": "aysel@example.org", "consent_data_processing": True, **overrides}


# --- registering ----------------------------------------------------------------------------


def test_register_anonymous_returns_the_ticket_link(api_client, event):
    response = api_client.post(register_url(event), payload(email="Aysel@Example.org"), format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "confirmed"
    assert body["email"] == "aysel@example.org"
    registration = Registration.objects.get(event=event)
    assert body["manage_token"] == registration.manage_token
    assert body["event"]["id"] == event.pk
    assert body["ticket_qr_svg_url"].endswith(f"{registration.manage_token}/qr.svg")
    assert api_client.get(body["ticket_qr_svg_url"]).status_code == 200
    assert body["manage_url"] == f"{settings.SITE_URL}/registrations/manage/{registration.manage_token}/"


@pytest.mark.parametrize(("webinar", "has_code"), [(True, False), (False, True)])
def test_register_gives_qr_links_only_where_there_is_a_door(api_client, webinar, has_code):
    # the ticket page's rule (event.has_venue): an online-only event's ticket is its join link, not a code
    event = factories.WebinarFactory() if webinar else factories.EventFactory()

    created = api_client.post(register_url(event), payload(), format="json").json()
    registration = Registration.objects.get(event=event)
    fetched = api_client.get(manage_url(registration)).json()

    for body in (created, fetched):
        assert body["status"] == "confirmed"
        assert (body["ticket_qr_svg_url"] is not None) is has_code
        assert (body["ticket_qr_png_url"] is not None) is has_code
    assert (created["join_url"] is not None) is webinar


def test_register_twice_says_already_registered_without_leaking_the_link(api_client, event):
    api_client.post(register_url(event), payload(), format="json")

    response = api_client.post(register_url(event), payload(name="Someone else"), format="json")

    assert response.status_code == 200
    assert response.json()["code"] == "already_registered"
    assert "status" not in response.json() and "registration" not in response.json()
    assert Registration.objects.filter(event=event).count() == 1


def test_already_registered_is_said_in_the_callers_language(api_client, event):
    api_client.post(register_url(event), payload(), format="json")

    response = api_client.post(register_url(event), payload(), format="json", HTTP_ACCEPT_LANGUAGE="az")

    assert response.json()["code"] == "already_registered"
    assert response.json()["detail"].startswith("Bu e-poçt ünvanı artıq bu tədbirə qeydiyyatdadır.")


def test_register_twice_signed_in_shows_own_registration(event):
    user = factories.UserFactory(email="leyla@example.org")
    client = client_for(user)
    client.post(register_url(event), payload(), format="json")

    response = client.post(register_url(event), payload(), format="json")

    assert response.status_code == 200
    assert response.json()["registration"]["email"] == "leyla@example.org"
    assert Registration.objects.get(event=event).user == user


def test_register_signed_in_stores_the_account_address_not_the_typed_one(event):
    user = factories.UserFactory(email="leyla@example.org")

    response = client_for(user).post(register_url(event), payload(email="someone-else@example.org"), format="json")

    assert response.status_code == 201
    assert list(Registration.objects.values_list("email", "user")) == [("leyla@example.org", user.pk)]


def test_register_when_full_tells_the_position(api_client, organiser):
    event = factories.EventFactory(organisers=[organiser], capacity=2)
    sign_up(event)

    response = api_client.post(register_url(event), payload(party_size=2, party_names=["Ali"]), format="json")

    assert response.status_code == 201
    assert (response.json()["status"], response.json()["waiting_position"]) == ("waitlisted", 1)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (payload(consent_data_processing=False), 400, "consent_required"),
        (payload(email="not-an-email"), 400, "invalid_email"),
        (payload(answers={"999999": "x"}), 400, "unknown_question"),
        (payload(party_size=0), 400, "invalid"),
        (payload(party_size="many"), 400, "invalid"),
        (payload(answers=["not", "a", "dict"]), 400, "invalid"),
    ],
)
def test_register_bad_input_is_a_4xx_with_a_code(api_client, event, body, status, code):
    response = api_client.post(register_url(event), body, format="json")

    assert response.status_code == status
    assert response.json()["code"] == code
    assert not Registration.objects.exists()


def test_many_unknown_questions_are_named_a_few_and_counted(api_client, event):
    """The 400 echoed every unknown question id: 50,000 of them made a detail of 50,000 ids."""
    unknown = {str(1_000_000 + n): "x" for n in range(50_000)}
    long_key = {"9" * 5000: "x"}

    response = api_client.post(register_url(event), payload(answers=unknown), format="json")
    one = api_client.post(register_url(event), payload(answers=long_key), format="json")

    body = response.json()
    assert (response.status_code, body["code"]) == (400, "unknown_question")
    assert body["detail"] == "Unknown questions: 1000000, 1000001, 1000002, 1000003, 1000004 and 49995 more."
    assert body["questions"] == ["1000000", "1000001", "1000002", "1000003", "1000004"]
    assert body["unknown_count"] == 50_000
    assert len(response.content) < 500
    assert (one.json()["code"], one.json()["unknown_count"], len(one.content) < 300) == ("unknown_question", 1, True)
    assert not Registration.objects.exists()


@pytest.mark.parametrize("name", ["\u200b", " \u200b\u2060 ", "\u202e\u200f", "\ufeff"])
def test_register_with_an_invisible_name_is_refused(api_client, event, name):
    """A name of zero-width spaces was taken: the organisers' lists and the ticket showed nobody."""
    response = api_client.post(register_url(event), payload(name=name), format="json")

    assert (response.status_code, response.json()["code"]) == (400, "name_required")
    assert not Registration.objects.exists()


def test_register_keeps_a_name_without_its_invisible_formatting(api_client, event):
    response = api_client.post(register_url(event), payload(name="\u202eAysel\u200b Əliyeva"), format="json")

    assert response.status_code == 201
    assert Registration.objects.get().name == "Aysel Əliyeva"


@pytest.mark.parametrize("answer", ["\u200b", " \u200b\u2060 ", "\u202e\u200f", "\ufeff\u200d"])
def test_register_with_an_invisible_answer_to_a_required_question_is_refused(api_client, event, answer):
    question = factories.QuestionFactory(event=event, label="Your school", required=True)

    response = api_client.post(register_url(event), payload(answers={str(question.pk): answer}), format="json")

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["question"]) == ("answer_required", question.pk)
    assert not Registration.objects.exists()


def test_register_trims_invisible_characters_around_answers_and_organisation(api_client, event):
    text = factories.QuestionFactory(event=event, label="Your school")
    choice = factories.QuestionFactory(event=event, label="Grade", kind="choice", choices=["9", "10"])
    blank = factories.QuestionFactory(event=event, label="Anything else")
    answers = {str(text.pk): "\u200dSchool\u200b 12\ufeff ", str(choice.pk): "\u200e10\u200b", str(blank.pk): "\u200b"}

    response = api_client.post(
        register_url(event), payload(answers=answers, organisation="\u202eADA\u200b University\u200d"), format="json"
    )

    assert response.status_code == 201
    registration = Registration.objects.get()
    stored = {answer.question_id: answer.value for answer in registration.answers.all()}
    assert stored == {text.pk: "School 12", choice.pk: "10"}
    assert registration.organisation == "ADA University"


@pytest.mark.parametrize("brk", ["\r\n", "\n", "\r", "\u2028", "\u0085", "\t", "\u2029"])
def test_a_name_and_organisation_typed_over_lines_are_kept_on_one_line(
    api_client, event, brk, django_capture_on_commit_callbacks
):
    # "Aysel<CRLF>Bcc: …" was kept as typed: the confirmation greeted "Hello Aysel" and the next
    # line of a mail sent in the programme's name read "Bcc: evil@example.org,"
    body = payload(name=f"Aysel{brk}Bcc: evil@example.org", organisation=f"ADA{brk}{brk}University")
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(register_url(event), body, format="json")

    assert response.status_code == 201
    registration = Registration.objects.get()
    assert (registration.name, registration.organisation) == ("Aysel Bcc: evil@example.org", "ADA University")
    assert not any(line.startswith("Bcc:") for line in mail.outbox[0].body.splitlines())


def test_register_with_an_invisible_organisation_keeps_none(api_client, event):
    response = api_client.post(register_url(event), payload(organisation="\u200b\u2060"), format="json")

    assert response.status_code == 201
    assert Registration.objects.get().organisation == ""


def test_register_missing_required_answer_names_the_question(api_client, event):
    question = factories.QuestionFactory(event=event, label="Sector", required=True)

    response = api_client.post(register_url(event), payload(), format="json")

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["question"]) == ("answer_required", question.pk)


def test_register_closed_window_is_a_conflict(api_client):
    event = factories.EventFactory(registration_closes_at=timezone.now() - dt.timedelta(minutes=1))

    response = api_client.post(register_url(event), payload(), format="json")

    assert (response.status_code, response.json()["code"]) == (409, "registration_closed")


def test_register_full_without_waiting_list_is_a_conflict(api_client):
    event = factories.EventFactory(capacity=1, waiting_list_enabled=False)
    sign_up(event)

    response = api_client.post(register_url(event), payload(), format="json")

    assert (response.status_code, response.json()["code"]) == (409, "event_full")


def test_register_for_a_draft_is_not_found(api_client):
    event = factories.EventFactory(status="draft")

    response = api_client.post(register_url(event), payload(), format="json")

    assert response.status_code == 404


def test_register_is_throttled(api_client, event, monkeypatch):
    rates = {**ScopedRateThrottle.THROTTLE_RATES, "register": "2/minute"}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)
    cache.clear()

    codes = [
        api_client.post(register_url(event), payload(email=f"p{n}@example.org"), format="json").status_code
        for n in range(3)
    ]

    assert codes == [201, 201, 429]
    cache.clear()


def test_register_queues_the_confirmation(api_client, event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(register_url(event), payload(), format="json")

    assert messages_to("aysel@example.org") == ["registration_confirmed"]


# --- the private management link -------------------------------------------------------------


def test_manage_link_shows_join_url_only_to_a_ticket(api_client):
    webinar = factories.WebinarFactory(capacity=1)
    confirmed, waiting = sign_up(webinar), sign_up(webinar)

    ticket = api_client.get(manage_url(confirmed)).json()
    waiting_body = api_client.get(manage_url(waiting)).json()

    assert ticket["join_url"] == webinar.join_url
    assert (waiting_body["join_url"], waiting_body["waiting_position"]) == (None, 1)
    assert waiting_body["ticket_qr_png_url"] is None


def test_manage_link_cancels(api_client, event):
    registration = sign_up(event)

    response = api_client.post(manage_url(registration, "cancel"))

    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    assert Event.objects.get(pk=event.pk).seats_taken == 0


def test_manage_link_accepts_an_offer(api_client, organiser):
    event = factories.EventFactory(organisers=[organiser], capacity=1, offer_hold_hours=12)
    holder, waiting = sign_up(event), sign_up(event)
    api_client.post(manage_url(holder, "cancel"))

    response = api_client.post(manage_url(waiting, "accept"))

    assert (response.status_code, response.json()["status"]) == (200, "confirmed")


def test_manage_link_accept_without_offer_is_a_conflict(api_client, organiser):
    event = factories.EventFactory(organisers=[organiser], capacity=1)
    sign_up(event)

    response = api_client.post(manage_url(sign_up(event), "accept"))

    assert (response.status_code, response.json()["code"]) == (409, "no_offer")


def test_manage_link_transfers_an_invitation(api_client):
    event = factories.EventFactory(registration_mode="invitation", kind="roundtable")
    invitation = factories.InvitationFactory(event=event)
    delegate = sign_up(event, email=invitation.email, invitation_code=invitation.code)

    response = api_client.post(
        manage_url(delegate, "transfer"),
        {"name": "Nigar Aliyeva", "email": "nigar@ministry.example.org", "consent_data_processing": True},
        format="json",
    )

    assert (response.status_code, response.json()["code"]) == (201, "transferred")
    assert "manage_token" not in response.json()
    assert Registration.objects.get(event=event, status="confirmed").email == "nigar@ministry.example.org"


@pytest.mark.parametrize("token", ["a" * 32, "short", "../../etc/passwd"])
def test_manage_link_unknown_token_is_not_found(api_client, event, token):
    sign_up(event)

    assert api_client.get(f"/api/registrations/manage/{token}/").status_code == 404
    assert api_client.post(f"/api/registrations/manage/{token}/cancel/").status_code == 404


# --- my registrations ----------------------------------------------------------------------


def test_my_registrations_lists_only_my_own(event):
    user = factories.UserFactory(email="me@example.org")
    mine = services.register(event=event, name="Me", email="", user=user, consent_data_processing=True)
    sign_up(event, email="someone@example.org")

    response = client_for(user).get("/api/me/registrations/")

    assert response.status_code == 200
    assert [row["manage_token"] for row in response.json()["results"]] == [mine.manage_token]


def test_my_registrations_needs_sign_in(api_client):
    assert api_client.get("/api/me/registrations/").status_code in (401, 403)


# --- organisers --------------------------------------------------------------------------


def test_organiser_lists_registrations_with_filters(organiser_client, event):
    anna = sign_up(event, name="Anna Karimova", sector="academia")
    sign_up(event, name="Bahar", sector="government")
    sign_up(event)
    waiting = sign_up(event, name="Waiting Person")

    by_status = organiser_client.get(register_url(event), {"status": "waitlisted"}).json()
    by_sector = organiser_client.get(register_url(event), {"sector": "academia"}).json()
    by_text = organiser_client.get(register_url(event), {"q": "karimova"}).json()

    assert [row["id"] for row in by_status["results"]] == [waiting.pk]
    assert [row["id"] for row in by_sector["results"]] == [anna.pk]
    assert [row["id"] for row in by_text["results"]] == [anna.pk]


def test_registrations_list_is_for_the_events_organisers_only(api_client, event):
    sign_up(event)
    stranger = client_for(factories.OrganiserFactory())

    assert api_client.get(register_url(event)).status_code in (401, 403)
    assert stranger.get(register_url(event)).status_code == 403


def test_registration_of_another_event_is_not_found(organiser_client, event):
    foreign = sign_up(factories.EventFactory())

    response = organiser_client.get(f"{register_url(event)}{foreign.pk}/")

    assert response.status_code == 404


def test_organiser_approves_and_rejects(organiser_client, organiser):
    event = factories.EventFactory(organisers=[organiser], registration_mode="approval", capacity=5)
    first, second = sign_up(event), sign_up(event)

    approved = organiser_client.post(f"{register_url(event)}{first.pk}/approve/")
    rejected = organiser_client.post(f"{register_url(event)}{second.pk}/reject/", {"reason": "Full sector"})

    assert (approved.status_code, approved.json()["status"]) == (200, "confirmed")
    assert (rejected.status_code, rejected.json()["status"]) == (200, "rejected")
    again = organiser_client.post(f"{register_url(event)}{second.pk}/approve/")
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")


def test_organiser_cancels_and_the_next_is_promoted(organiser_client, organiser):
    event = factories.EventFactory(organisers=[organiser], capacity=1)
    holder, waiting = sign_up(event), sign_up(event)

    response = organiser_client.post(f"{register_url(event)}{holder.pk}/cancel/", {"reason": "Duplicate"})

    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    assert Registration.objects.get(pk=waiting.pk).status == Status.CONFIRMED
    assert messages_to(holder.email)[-1] == "registration_cancelled"


def test_organiser_promotes_off_the_waiting_list(organiser_client, organiser):
    event = factories.EventFactory(organisers=[organiser], capacity=1)
    sign_up(event)
    waiting = sign_up(event)

    full = organiser_client.post(f"{register_url(event)}{waiting.pk}/promote/")
    Event.objects.filter(pk=event.pk).update(capacity=2)
    promoted = organiser_client.post(f"{register_url(event)}{waiting.pk}/promote/")

    assert (full.status_code, full.json()["code"]) == (409, "event_full")
    assert (promoted.status_code, promoted.json()["status"]) == (200, "confirmed")


def test_organiser_adds_a_person_by_hand(organiser_client, event):
    response = organiser_client.post(
        f"{register_url(event)}add/", {"name": "Lala Huseynova", "email": "lala@example.org"}, format="json"
    )

    assert response.status_code == 201
    assert (response.json()["status"], response.json()["source"]) == ("confirmed", "organiser")


def test_organiser_actions_are_refused_to_others(event):
    registration = sign_up(event)
    attendee = client_for(factories.UserFactory())

    response = attendee.post(f"{register_url(event)}{registration.pk}/cancel/")

    assert response.status_code == 403
    assert Registration.objects.get(pk=registration.pk).status == Status.CONFIRMED


def test_summary_shows_counts_seats_and_sector_balance(organiser_client, organiser):
    event = factories.EventFactory(organisers=[organiser], capacity=2, registration_mode="invitation")
    invitations = [
        factories.InvitationFactory(event=event, sector="government"),
        factories.InvitationFactory(event=event, sector="academia"),
        factories.InvitationFactory(event=event, sector="academia"),
    ]
    for invitation in invitations[:2]:
        sign_up(event, email=invitation.email, invitation_code=invitation.code)

    body = organiser_client.get(f"{register_url(event)}summary/").json()

    assert (body["capacity"], body["seats_taken"], body["seats_left"]) == (2, 2, 0)
    assert body["counts"]["confirmed"] == 2
    sectors = {row["sector"]: row for row in body["sectors"]}
    assert (sectors["academia"]["invited"], sectors["academia"]["invitations_used"]) == (2, 1)
    assert (sectors["government"]["confirmed"], sectors["academia"]["confirmed"]) == (1, 1)
    assert sectors["private_sector"]["invited"] == 0


def test_sector_balance_names_the_unknown_sector_in_the_asked_language(organiser_client, organiser):
    event = factories.EventFactory(organisers=[organiser], registration_mode="invitation")
    factories.InvitationFactory(event=event, sector="")

    body = organiser_client.get(f"{register_url(event)}summary/", HTTP_ACCEPT_LANGUAGE="az").json()

    sectors = {row["sector"]: row["label"] for row in body["sectors"]}
    assert sectors[""] == "Göstərilməyib"


# --- invitations and questions -------------------------------------------------------------


def test_organiser_invites_and_the_code_is_emailed(organiser_client, organiser):
    event = factories.EventFactory(organisers=[organiser], registration_mode="invitation")
    url = f"/api/events/{event.pk}/invitations/"

    response = organiser_client.post(
        url, {"email": "Minister@Example.gov", "name": "Elnur", "sector": "government"}, format="json"
    )
    duplicate = organiser_client.post(url, {"email": "minister@example.gov"}, format="json")

    assert response.status_code == 201
    assert response.json()["code"] == Invitation.objects.get().code
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "already_invited")
    assert messages_to("minister@example.gov") == ["registration_invitation"]


def test_no_code_is_sent_for_a_draft_whose_link_would_be_not_found(organiser_client, organiser):
    """The code's email links to the registration page, and a draft has none yet (found trying
    the workspace: the invitee got a 404)."""
    event = factories.EventFactory(organisers=[organiser], registration_mode="invitation", status="draft")

    response = organiser_client.post(f"/api/events/{event.pk}/invitations/", {"email": "a@example.gov"}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "event_draft")
    assert not Invitation.objects.exists() and messages_to("a@example.gov") == []


def test_organiser_revokes_an_unused_invitation(organiser_client, organiser):
    event = factories.EventFactory(organisers=[organiser], registration_mode="invitation")
    unused, used = factories.InvitationFactory(event=event), factories.InvitationFactory(event=event)
    sign_up(event, email=used.email, invitation_code=used.code)

    revoked = organiser_client.delete(f"/api/events/{event.pk}/invitations/{unused.pk}/")
    refused = organiser_client.delete(f"/api/events/{event.pk}/invitations/{used.pk}/")

    assert revoked.status_code == 204
    assert Invitation.objects.get(pk=unused.pk).revoked_at is not None
    assert (refused.status_code, refused.json()["code"]) == (409, "invitation_used")
    with pytest.raises(services.InvalidInvitation):
        sign_up(event, invitation_code=unused.code)


def test_invitations_are_for_organisers_only(event):
    response = client_for(factories.UserFactory()).get(f"/api/events/{event.pk}/invitations/")

    assert response.status_code == 403


def test_a_choice_padded_with_spaces_can_be_chosen(api_client, organiser_client, event):
    # answers are trimmed, so an option saved with its spaces could never be chosen
    url = f"/api/events/{event.pk}/questions/"
    question = organiser_client.post(url, {"label": "Sector", "kind": "choice", "choices": [" Academia ", "NGO"]},
                                     format="json").json()  # fmt: skip

    registered = api_client.post(
        f"/api/events/{event.pk}/registrations/",
        {"name": "Aysel", "email": "aysel@example.org", "consent_data_processing": True,
         "answers": {str(question["id"]): " Academia "}},
        format="json",
    )  # fmt: skip

    assert question["choices"] == ["Academia", "NGO"]
    assert registered.status_code == 201
    assert [answer["value"] for answer in registered.json()["answers"]] == ["Academia"]


def test_a_choice_with_invisible_characters_around_it_can_be_chosen(api_client, organiser_client, event):
    # answers lose invisible characters (tidy_text): an option that kept them could never be chosen
    url = f"/api/events/{event.pk}/questions/"
    padded = {"label": "Sector", "kind": "choice", "choices": ["\u200bAcademia\u200e", "NGO"]}
    question = organiser_client.post(url, padded, format="json").json()
    invisible = organiser_client.post(url, {**padded, "choices": ["\u200b", "NGO"]}, format="json")

    registered = api_client.post(
        f"/api/events/{event.pk}/registrations/",
        {"name": "Aysel", "email": "aysel@example.org", "consent_data_processing": True,
         "answers": {str(question["id"]): "Academia"}},
        format="json",
    )  # fmt: skip

    assert question["choices"] == ["Academia", "NGO"]
    assert (invisible.status_code, invisible.json()["code"]) == (400, "choices_required")
    assert registered.status_code == 201


def test_a_choice_question_with_the_same_option_twice_is_refused(organiser_client, event):
    response = organiser_client.post(
        f"/api/events/{event.pk}/questions/",
        {"label": "Sector", "kind": "choice", "choices": ["Academia", "academia "]},
        format="json",
    )

    assert (response.status_code, response.json()["code"]) == (400, "duplicate_choices")


def test_questions_are_public_to_read_and_organisers_write(api_client, organiser_client, event):
    url = f"/api/events/{event.pk}/questions/"
    created = organiser_client.post(
        url, {"label": "Sector", "kind": "choice", "choices": ["academia", "government"], "required": True}
    )
    no_choices = organiser_client.post(url, {"label": "Sector", "kind": "choice"}, format="json")
    by_stranger = client_for(factories.UserFactory()).post(url, {"label": "Hack"}, format="json")

    assert created.status_code == 201
    assert (no_choices.status_code, no_choices.json()["code"]) == (400, "choices_required")
    assert by_stranger.status_code == 403
    assert [row["label"] for row in api_client.get(url).json()["results"]] == ["Sector"]


# --- query counts ----------------------------------------------------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.fixture
def filled(organiser):
    """An event whose lists can be grown: registrations with answers, invitations, questions."""
    event = factories.EventFactory(organisers=[organiser], capacity=None, registration_mode="invitation")
    question = factories.QuestionFactory(event=event, label="Organisation type")
    user = factories.UserFactory(email="me@example.org")

    def grow(count):
        for _ in range(count):
            invitation = factories.InvitationFactory(event=event)
            sign_up(event, email=invitation.email, invitation_code=invitation.code, answers={question.pk: "NGO"})
            factories.QuestionFactory(event=event)
            other = factories.EventFactory(capacity=None)
            services.register(event=other, name="Me", email="", user=user, consent_data_processing=True)

    return event, user, grow


@pytest.mark.parametrize(
    "url",
    [
        "/api/events/{event}/registrations/",
        "/api/events/{event}/invitations/",
        "/api/events/{event}/questions/",
        "/api/me/registrations/",
    ],
)
def test_list_query_count_does_not_grow_with_items(filled, organiser, url):
    event, user, grow = filled
    client = client_for(user if "/me/" in url else organiser)
    url = url.format(event=event.pk)

    grow(1)
    with_one = count_queries(client, url)
    grow(4)
    with_five = count_queries(client, url)

    assert with_one == with_five


def test_manage_link_guessing_is_throttled(api_client, monkeypatch):
    rates = {**ScopedRateThrottle.THROTTLE_RATES, "token": "3/minute"}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)
    cache.clear()

    codes = [api_client.get(f"/api/registrations/manage/{'x' * 20}{n}/").status_code for n in range(4)]

    assert codes == [404, 404, 404, 429]
    cache.clear()


def test_organiser_corrects_an_invitees_sector_but_not_the_address(organiser_client, organiser):
    event = factories.EventFactory(organisers=[organiser], registration_mode="invitation")
    invitation = factories.InvitationFactory(event=event, sector="government")
    url = f"/api/events/{event.pk}/invitations/{invitation.pk}/"

    corrected = organiser_client.patch(url, {"sector": "academia", "organisation": "ADA University"}, format="json")
    readdressed = organiser_client.patch(url, {"email": "other@example.org"}, format="json")

    assert (corrected.status_code, corrected.json()["sector"]) == (200, "academia")
    assert (readdressed.status_code, readdressed.json()["code"]) == (409, "email_read_only")
    assert Invitation.objects.get(pk=invitation.pk).email == invitation.email
