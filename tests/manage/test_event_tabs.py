"""The tabs other apps add to an event: questions, invitation codes, message wording, speakers."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import MessageTemplateOverride, OutboxMessage
from registrations.models import Invitation, Question
from registrations.services.registration import register, transfer_registration
from speakers import services as speaker_services
from speakers.models import AssignmentStatus, SpeakerAssignment
from tests import factories

pytestmark = pytest.mark.django_db


def test_questions_are_added_reordered_edited_and_deleted(organiser_web, own_event):
    url = f"/manage/events/{own_event.pk}/questions/"
    organiser_web.post(url, {"action": "add", "label": "Your school", "kind": "text", "required": "on"})
    organiser_web.post(url, {"action": "add", "label": "Grade", "kind": "choice", "choices": "9\n10\n11"})
    school, grade = Question.objects.order_by("position")
    assert (grade.kind, grade.choices, school.required) == ("choice", ["9", "10", "11"], True)

    organiser_web.post(url, {"action": "up", "question": grade.pk})
    assert list(own_event.questions.order_by("position").values_list("label", flat=True)) == ["Grade", "Your school"]

    organiser_web.post(f"{url}{school.pk}/", {"label": "Your school", "kind": "boolean"})
    school.refresh_from_db()
    assert (school.kind, school.required) == ("boolean", False)
    organiser_web.post(url, {"action": "delete", "question": school.pk})
    assert list(own_event.questions.values_list("label", flat=True)) == ["Grade"]


def _label_of(page: str, field: str) -> str:
    start = page.index(f'<label for="id_{field}">')
    return page[start : page.index("</label>", start)]


def test_question_options_are_not_called_optional_when_a_choice_needs_them(organiser_web, own_event):
    # "Options (for a choice) (optional)" above "A choice question needs at least one option"
    url = f"/manage/events/{own_event.pk}/questions/"
    response = organiser_web.post(url, {"action": "add", "label": "Grade", "kind": "choice", "choices": ""})

    page = response.content.decode()

    assert "A choice question needs at least one option." in page
    assert "(optional)" not in _label_of(page, "choices")
    assert "For a choice question: one option a line, at least one." in page
    assert "(optional)" in _label_of(page, "help_text")  # a hint may truly be left out


def test_a_new_question_goes_last_through_the_page_and_the_api_alike(organiser_web, own_event):
    page, api = f"/manage/events/{own_event.pk}/questions/", f"/api/events/{own_event.pk}/questions/"

    organiser_web.post(page, {"action": "add", "label": "First (page)", "kind": "text"})
    added = organiser_web.post(api, {"label": "Second (api)", "kind": "text"}, content_type="application/json")
    organiser_web.post(page, {"action": "add", "label": "Third (page)", "kind": "text"})
    organiser_web.post(api, {"label": "Fourth (api)", "kind": "text"}, content_type="application/json")

    assert added.status_code == 201
    assert list(own_event.questions.order_by("position", "id").values_list("label", "position")) == [
        ("First (page)", 0),
        ("Second (api)", 1),
        ("Third (page)", 2),
        ("Fourth (api)", 3),
    ]


def test_choice_question_without_options_is_a_form_error(organiser_web, own_event):
    response = organiser_web.post(
        f"/manage/events/{own_event.pk}/questions/", {"action": "add", "label": "Grade", "kind": "choice"}
    )
    assert response.status_code == 200 and "choices" in response.context["form"].errors
    assert not Question.objects.exists()


def test_another_events_question_is_404(organiser_web, own_event, other_event):
    foreign = factories.QuestionFactory(event=other_event)
    assert organiser_web.get(f"/manage/events/{own_event.pk}/questions/{foreign.pk}/").status_code == 404
    response = organiser_web.post(
        f"/manage/events/{own_event.pk}/questions/", {"action": "delete", "question": foreign.pk}
    )
    assert response.status_code == 404 and Question.objects.filter(pk=foreign.pk).exists()


@pytest.fixture
def roundtable(organiser):
    return factories.EventFactory(organisers=[organiser], kind="roundtable", registration_mode="invitation")


def test_invitation_codes_are_sent_resent_and_show_who_used_them_and_who_substituted(
    organiser_web, roundtable, django_capture_on_commit_callbacks
):
    url = f"/manage/events/{roundtable.pk}/invitations/"
    with django_capture_on_commit_callbacks(execute=True):
        organiser_web.post(url, {"action": "invite", "email": "Rashad@Gov.example.org", "name": "Rashad",
                                 "sector": "government"})  # fmt: skip
        organiser_web.post(url, {"action": "invite", "email": "elnara@example.org", "name": "Elnara"})
    rashad, elnara = Invitation.objects.order_by("id")
    assert ["rashad@gov.example.org" in message.to[0] for message in mail.outbox] == [True, False]
    assert rashad.code in mail.outbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        organiser_web.post(url, {"action": "resend", "invitation": elnara.pk})
    assert len(mail.outbox) == 3 and elnara.code in mail.outbox[2].body

    used = register(event=roundtable, name="Rashad", email="rashad@gov.example.org", consent_data_processing=True,
                    invitation_code=rashad.code)  # fmt: skip
    if used.status != "confirmed":
        from registrations.services.registration import approve_registration

        used = approve_registration(registration=used, by=None)
    transfer_registration(registration=used, name="Vusal Mammadli", email="vusal@gov.example.org", by=None)
    page = organiser_web.get(url)

    assert "Used by Rashad" in page.text
    assert "Vusal Mammadli comes in place of Rashad" in page.text
    refused = organiser_web.post(url, {"action": "resend", "invitation": rashad.pk}, follow=True)
    assert "already used" in refused.text


def test_hundreds_of_invitation_codes_come_in_pages_and_stay_under_the_page_budget(organiser_web, roundtable):
    # a roundtable of government, civil society and business invites hundreds of people
    Invitation.objects.bulk_create(
        [
            Invitation(event=roundtable, email=f"guest{number:03}@example.org", name=f"Guest {number:03}")
            for number in range(120)
        ]
    )
    Invitation.objects.filter(email="guest000@example.org").update(revoked_at=timezone.now())
    url = f"/manage/events/{roundtable.pk}/invitations/"

    first, last = organiser_web.get(url), organiser_web.get(f"{url}?page=3")

    assert [invitation.name for invitation in first.context["invitations"]] == [
        f"Guest {number:03}" for number in range(50)
    ]
    assert [invitation.name for invitation in last.context["invitations"]] == [
        f"Guest {number:03}" for number in range(100, 120)
    ]
    assert "Page 1 of 3" in first.text and 'href="?page=2" rel="next"' in first.text
    assert "Send the 119 unused codes again" in last.text  # counted over every page
    assert len(first.content) < 100 * 1024
    # each code's two buttons share one form
    assert first.text.count('name="invitation"') == 49
    resent = organiser_web.post(url, {"action": "resend", "invitation": last.context["invitations"][0].pk}, follow=True)
    assert "The code is sent again to guest100@example.org." in resent.text


def test_a_draft_roundtables_invitations_tab_says_to_publish_first_before_anything_is_typed(organiser_web, organiser):
    """The form was there to fill in, and only sending it said that a draft takes no invitations."""
    draft = factories.EventFactory(
        organisers=[organiser], kind="roundtable", registration_mode="invitation", status="draft"
    )

    page = organiser_web.get(f"/manage/events/{draft.pk}/invitations/").text

    assert "Publish the event first: the invitation links to its registration page." in page
    assert "Send the code" not in page


def test_invitation_with_a_bad_address_or_twice_is_a_form_error(organiser_web, roundtable):
    url = f"/manage/events/{roundtable.pk}/invitations/"
    assert "email" in organiser_web.post(url, {"action": "invite", "email": "nope"}).context["form"].errors
    organiser_web.post(url, {"action": "invite", "email": "a@example.org"})
    again = organiser_web.post(url, {"action": "invite", "email": "a@example.org"})
    assert again.status_code == 200 and again.context["form"].non_field_errors()


def test_message_wording_is_previewed_before_it_is_saved(organiser_web, own_event):
    url = f"/manage/events/{own_event.pk}/messages/reminder/"
    assert "Robotics workshop" in organiser_web.get(url).context["preview"].subject

    preview = organiser_web.post(
        url,
        {"action": "preview", "subject": "See you soon, {{ name }}", "body": "{{ event_title }} starts {{ when }}."},
    )
    assert preview.context["preview"].subject == "See you soon, Aysel Aliyeva"
    assert "Robotics workshop starts" in preview.context["preview"].body_text
    assert not MessageTemplateOverride.objects.exists()

    organiser_web.post(url, {"action": "save", "subject": "See you soon, {{ name }}", "body": ""})
    assert MessageTemplateOverride.objects.get().subject == "See you soon, {{ name }}"
    organiser_web.post(url, {"action": "default"})
    assert not MessageTemplateOverride.objects.exists()


def test_message_preview_is_in_the_organisers_language(organiser_web, own_event):
    """On the Azerbaijani workspace the sample came in English, though someone who registers in
    Azerbaijani receives it in Azerbaijani; the page said nothing of the language."""
    url = f"/manage/events/{own_event.pk}/messages/reminder/"

    azerbaijani = organiser_web.get(url, HTTP_ACCEPT_LANGUAGE="az").context["preview"]
    english = organiser_web.get(url, HTTP_ACCEPT_LANGUAGE="en").context["preview"]

    assert azerbaijani.body_text.startswith("Salam, Aysel Aliyeva")
    assert english.body_text.startswith("Hello Aysel Aliyeva")


def test_reminder_preview_says_when_the_event_starts_as_the_reminder_will(organiser_web, own_event):
    """The sample read "Robotics workshop starts 1 day." (a fixed English "1 day")."""
    own_event.reminder_offsets = [1440, 60]
    own_event.save(update_fields=["reminder_offsets"])

    preview = organiser_web.get(f"/manage/events/{own_event.pk}/messages/reminder/").context["preview"]

    assert "A reminder that Robotics workshop starts tomorrow." in preview.body_text
    own_event.reminder_offsets = [180]
    own_event.save(update_fields=["reminder_offsets"])
    preview = organiser_web.get(f"/manage/events/{own_event.pk}/messages/reminder/").context["preview"]
    assert "A reminder that Robotics workshop starts in 3 hours." in preview.body_text


@pytest.mark.parametrize(
    ("kind", "why"),
    [
        ("reminder", "You receive this email because you registered for an event of the programme."),
        ("waiting_list_joined", "You receive this email because you registered for an event of the programme."),
        ("registration_invitation", "You receive this email because the organisers invited you to this event."),
    ],
)
def test_message_preview_footer_says_why_its_reader_gets_it(organiser_web, own_event, kind, why):
    """Every preview ended "because someone asked for the tickets of this address"."""
    preview = organiser_web.get(f"/manage/events/{own_event.pk}/messages/{kind}/").context["preview"]

    assert why in preview.body_text
    assert "someone asked for the tickets" not in preview.body_text


def test_unknown_placeholder_or_kind_is_refused(organiser_web, own_event):
    url = f"/manage/events/{own_event.pk}/messages/reminder/"
    response = organiser_web.post(url, {"action": "save", "subject": "", "body": "{{ registration.user }}"})
    assert response.status_code == 200 and "body" in response.context["form"].errors
    assert organiser_web.get(f"/manage/events/{own_event.pk}/messages/speaker_invitation/").status_code == 404


def test_a_subject_of_two_lines_is_refused_on_the_subject(organiser_web, own_event):
    url = f"/manage/events/{own_event.pk}/messages/reminder/"

    response = organiser_web.post(url, {"action": "save", "subject": "Soon\r\nagain", "body": ""})

    assert response.status_code == 200
    assert response.context["form"].errors == {"subject": ["The subject is one line: remove its line breaks."]}
    assert not MessageTemplateOverride.objects.exists()


@pytest.mark.parametrize("action", ["list", "unlist", "withdraw", "account_link"])
def test_a_button_on_a_speakers_card_comes_back_to_that_card(organiser_web, own_event, action):
    """Showing a speaker on the roster (or taking them off, withdrawing, sending the account link)
    came back at the top of the tab: a keyboard user started over from the page's first link."""
    speaker = factories.SpeakerFactory(user=None, listed=action == "unlist")
    assignment = factories.SpeakerAssignmentFactory(speaker=speaker, event=own_event)
    url = f"/manage/events/{own_event.pk}/speakers/"

    response = organiser_web.post(url, {"action": action, "assignment": assignment.pk})
    page = organiser_web.get(url).text

    assert response.status_code == 302
    assert response["Location"] == f"{url}#assignment-{assignment.pk}"
    assert f'id="assignment-{assignment.pk}"' in page


@pytest.fixture
def speaker():
    return factories.SpeakerFactory(name="Leyla Karimova")


def test_speakers_are_invited_answer_and_the_answer_is_new_until_read(
    organiser_web, own_event, speaker, django_capture_on_commit_callbacks
):
    url = f"/manage/events/{own_event.pk}/speakers/"
    with django_capture_on_commit_callbacks(execute=True):
        organiser_web.post(url, {"action": "invite", "speaker": speaker.pk, "role": "keynote"})
    assignment = SpeakerAssignment.objects.get()
    assert (assignment.role, assignment.status) == ("keynote", AssignmentStatus.INVITED)
    assert OutboxMessage.objects.filter(kind="speaker_invitation", recipient_email=speaker.email).exists()

    speaker_services.accept_invitation(assignment=assignment, message="Happy to, I will bring slides.")
    page = organiser_web.get(url)
    assert "1 new answer from a speaker" in page.text and "I will bring slides." in page.text
    assert "1 new answer from a speaker" in organiser_web.get(f"/manage/events/{own_event.pk}/").text

    organiser_web.post(url, {"action": "seen"})
    assert "new answer" not in organiser_web.get(url).text
    organiser_web.post(url, {"action": "withdraw", "assignment": assignment.pk})
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.WITHDRAWN


def test_the_invite_list_offers_only_speakers_not_invited_to_the_event_yet(
    organiser_web, own_event, speaker, django_capture_on_commit_callbacks
):
    # the list offered a speaker invited already; choosing her again said "is invited and receives
    # an email" and sent nothing. One who declined, or whose invitation was withdrawn, may be invited again.
    declined = factories.SpeakerFactory(name="Nigar Aliyeva")
    other_event = factories.EventFactory(organisers=own_event.organisers.all())
    url = f"/manage/events/{own_event.pk}/speakers/"
    with django_capture_on_commit_callbacks(execute=True):
        organiser_web.post(url, {"action": "invite", "speaker": speaker.pk, "role": "keynote"})
        organiser_web.post(url, {"action": "invite", "speaker": declined.pk, "role": "panellist"})
    speaker_services.decline_invitation(assignment=SpeakerAssignment.objects.get(speaker=declined))

    page = organiser_web.get(url)
    offered = list(page.context["form"].fields["speaker"].queryset)
    elsewhere = list(
        organiser_web.get(f"/manage/events/{other_event.pk}/speakers/").context["form"].fields["speaker"].queryset
    )
    searched = organiser_web.get(url, {"q": "Karimova"}).text
    assert speaker not in offered and declined in offered
    assert speaker in elsewhere
    assert f'<option value="{speaker.pk}"' not in page.text
    assert "Those invited already are listed above, not offered again." in page.text
    assert "No speaker found." in searched


def test_an_organiser_lists_a_speaker_of_their_event_on_the_public_roster_and_takes_them_off(organiser_web, own_event):
    """A speaker invited by name and email joins the roster unlisted "until an organiser lists
    them", and only the API or a superuser's admin could: the Speakers tab does it now."""
    speaker = factories.SpeakerFactory(name="Günay Əliyeva", listed=False)
    assignment = factories.SpeakerAssignmentFactory(speaker=speaker, event=own_event)
    url = f"/manage/events/{own_event.pk}/speakers/"

    listed = organiser_web.post(url, {"action": "list", "assignment": assignment.pk}, follow=True)
    roster_after_listing = organiser_web.get("/speakers/").text
    unlisted = organiser_web.post(url, {"action": "unlist", "assignment": assignment.pk}, follow=True)
    roster_after_unlisting = organiser_web.get("/speakers/").text

    assert [str(message) for message in listed.context["messages"]] == [
        "Günay Əliyeva is on the public roster of speakers now."
    ]
    assert [str(message) for message in unlisted.context["messages"]] == [
        "Günay Əliyeva is not on the public roster of speakers any more."
    ]
    assert "Günay Əliyeva" in roster_after_listing
    assert "Günay Əliyeva" not in roster_after_unlisting
    speaker.refresh_from_db()
    assert speaker.listed is False


def test_someone_not_on_the_roster_is_invited_by_name_and_email_and_joins_it_unlisted(
    organiser_web, own_event, django_capture_on_commit_callbacks
):
    # an organiser (not staff: no admin) had no page to add a webinar's new speaker to the roster
    from speakers.models import Speaker

    url = f"/manage/events/{own_event.pk}/speakers/"
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_web.post(
            url,
            {
                "action": "invite",
                "speaker": "",
                "new_name": "Günay Əliyeva",
                "new_email": "gunay@example.org",
                "role": "moderator",
            },  # fmt: skip
        )

    assert response.status_code == 302
    assignment = SpeakerAssignment.objects.get(event=own_event)
    assert (assignment.speaker.name, assignment.speaker.email, assignment.speaker.listed) == (
        "Günay Əliyeva", "gunay@example.org", False
    )  # fmt: skip
    assert (assignment.role, assignment.status) == ("moderator", AssignmentStatus.INVITED)
    assert [m.to[0].rsplit(" ", 1)[-1] for m in mail.outbox] == ["<gunay@example.org>"]
    assert "Günay Əliyeva is invited and receives an email." in organiser_web.get(url).text
    assert organiser_web.get("/speakers/").text.count("Günay Əliyeva") == 0

    # nothing chosen, half a new person, or both at once: said at the field, nobody created
    nothing = organiser_web.post(url, {"action": "invite", "speaker": "", "role": "panellist"})
    half = organiser_web.post(url, {"action": "invite", "new_name": "Nərmin", "role": "panellist"})
    on_the_roster = factories.SpeakerFactory(name="Aysel Quliyeva")  # not invited yet: offered
    both = organiser_web.post(
        url,
        {
            "action": "invite",
            "speaker": on_the_roster.pk,
            "new_name": "X",
            "new_email": "x@example.org",
            "role": "panellist",
        },  # fmt: skip
    )
    assert nothing.context["form"].errors == {
        "speaker": ["Choose a speaker, or give the name and email of someone new."]
    }
    assert half.context["form"].errors == {"new_email": ["Give their email: the invitation goes there."]}
    assert both.context["form"].errors == {
        "new_name": ["Choose a speaker from the list or give someone new, not both."]
    }
    assert Speaker.objects.count() == 2
    # none of the three is "(optional)": one of them is needed
    form = organiser_web.get(url).text
    assert "Or someone new: their name</label>" in form and "Their email</label>" in form


def test_someone_new_with_the_address_of_a_speaker_on_the_roster_is_that_speaker(
    organiser_web, organiser, own_event, django_capture_on_commit_callbacks
):
    # a second profile of one person took the invitation; the one on the roster never heard of it
    from speakers.models import Speaker

    known = factories.SpeakerFactory(name="Leyla Məmmədova", email="leyla@example.org")
    # another organiser's speaker: her address is not this organiser's to read, nor to match
    elsewhere = factories.SpeakerFactory(name="Nigar Həsənova", email="nigar@example.org")
    speaker_services.assign_speaker(event=factories.EventFactory(), speaker=elsewhere, by=None)
    url = f"/manage/events/{own_event.pk}/speakers/"

    def invite_someone_new(name, email):
        body = {"action": "invite", "speaker": "", "new_name": name, "new_email": email, "role": "moderator"}
        with django_capture_on_commit_callbacks(execute=True):
            return organiser_web.post(url, body)

    first = invite_someone_new("Leyla M.", " Leyla@Example.org ")
    again = invite_someone_new("Leyla", "leyla@example.org")
    stranger = invite_someone_new("Nigar", "nigar@example.org")

    assert first.status_code == 302
    assert own_event.speaker_assignments.get(speaker__email="leyla@example.org").speaker == known
    assert again.status_code == 200
    assert again.context["form"].non_field_errors() == [
        "Leyla Məmmədova, on the roster with this address, is invited to this event already."
    ]
    assert stranger.status_code == 302
    assert Speaker.objects.filter(email="nigar@example.org").count() == 2
    assert Speaker.objects.filter(email="leyla@example.org").count() == 1
    assert [m.to[0].rsplit(" ", 1)[-1] for m in mail.outbox] == ["<leyla@example.org>", "<nigar@example.org>"]


def test_a_new_speaker_for_a_past_event_is_not_added_to_the_roster(organiser, own_event):
    from speakers.exceptions import InvalidAnswer
    from speakers.models import Speaker

    own_event.start, own_event.end = own_event.start - dt.timedelta(days=400), own_event.end - dt.timedelta(days=400)
    own_event.save()

    with pytest.raises(InvalidAnswer):
        speaker_services.invite_new_speaker(event=own_event, by=organiser, name="Late", email="late@example.org")
    assert not Speaker.objects.exists()


def test_a_speaker_with_conflicts_needs_a_reason(organiser_web, organiser, own_event, speaker):
    clash = factories.EventFactory(start=own_event.start, end=own_event.end)
    speaker_services.assign_speaker(event=clash, speaker=speaker, by=None)
    url = f"/manage/events/{own_event.pk}/speakers/"

    refused = organiser_web.post(url, {"action": "invite", "speaker": speaker.pk, "role": "panellist"})
    assert refused.status_code == 200 and "conflict_override_reason" in refused.context["form"].errors
    assert refused.context["conflicts_found"]
    organiser_web.post(url, {"action": "invite", "speaker": speaker.pk, "role": "panellist",
                             "conflict_override_reason": "Short slot, same building"})  # fmt: skip
    assignment = SpeakerAssignment.objects.get(event=own_event)
    assert assignment.conflict_override_reason == "Short slot, same building"
    assert "Conflicts" in organiser_web.get(url).text


def _offered(page) -> list[str]:
    return [label for value, label in page.context["form"].fields["speaker"].choices if value]


def test_invite_a_speaker_finds_speakers_by_name_or_organisation(organiser_web, own_event, speaker):
    others = [factories.SpeakerFactory(name=f"Speaker {n}", organisation="Baku Labs") for n in range(5)]
    hidden = factories.SpeakerFactory(name="Nigar Karimova", listed=False, organisation="")
    url = f"/manage/events/{own_event.pk}/speakers/"

    everyone = organiser_web.get(url)
    by_name = organiser_web.get(url, {"q": "karimova"})
    by_organisation = organiser_web.get(url, {"q": " Baku Labs "})
    nobody = organiser_web.get(url, {"q": "Nobody at all"})

    assert len(_offered(everyone)) == 7
    assert _offered(by_name) == ["Leyla Karimova · Caspian Tech", hidden.name]
    assert 'value="karimova"' in by_name.text and "2 speakers found." in by_name.text
    assert _offered(by_organisation) == [f"{other.name} · Baku Labs" for other in others]
    assert _offered(nobody) == [] and "No speaker found." in nobody.text


def test_invite_a_speaker_from_a_search_posts_to_the_search(organiser_web, own_event, speaker):
    outsider = factories.SpeakerFactory(name="Rashad Aliyev")
    url = f"/manage/events/{own_event.pk}/speakers/?q=Karimova"

    refused = organiser_web.post(url, {"action": "invite", "speaker": outsider.pk, "role": "panellist"})
    offered = _offered(refused)  # before she is invited: then the list offers her no more
    invited = organiser_web.post(url, {"action": "invite", "speaker": speaker.pk, "role": "panellist"})

    assert refused.status_code == 200 and "speaker" in refused.context["form"].errors
    assert offered == ["Leyla Karimova · Caspian Tech"]
    assert invited.status_code == 302
    assert list(SpeakerAssignment.objects.values_list("speaker", flat=True)) == [speaker.pk]


def test_a_roster_of_thousands_offers_a_bounded_list_and_any_speaker_can_still_be_invited(
    organiser_web, own_event, django_assert_max_num_queries
):
    """The roster is every organiser's: the list offered each of its speakers, 1,500 options past
    100 KB and growing with the site; now the first SHOWN_IN_SELECT by name, and a search."""
    from events_project.picker import SHOWN_IN_SELECT
    from speakers.models import Speaker

    Speaker.objects.bulk_create(
        [
            Speaker(name=f"Speaker number {n:04} of the shared roster", email=f"s{n}@example.org", organisation="Lab")
            for n in range(1500)
        ]
    )
    last = Speaker.objects.get(name="Speaker number 1499 of the shared roster")
    url = f"/manage/events/{own_event.pk}/speakers/"

    with django_assert_max_num_queries(20):
        page = organiser_web.get(url)

    assert len(page.content) < 60 * 1024 and len(_offered(page)) == SHOWN_IN_SELECT
    assert page.text.count("of the shared roster · Lab</option>") == SHOWN_IN_SELECT
    assert f"{1500 - SHOWN_IN_SELECT} more are not in it: search to find them." in page.text
    found = organiser_web.get(url, {"q": "number 1499"})
    assert _offered(found) == [f"{last.name} · Lab"] and "speakers-not-shown" not in found.text
    # a speaker past the list's options is still a valid choice
    invited = organiser_web.post(url, {"action": "invite", "speaker": last.pk, "role": "panellist"})
    assert invited.status_code == 302
    assert list(SpeakerAssignment.objects.values_list("speaker", flat=True)) == [last.pk]


def test_another_events_speaker_cannot_be_withdrawn_through_my_event(organiser_web, own_event, other_event, speaker):
    foreign = speaker_services.assign_speaker(event=other_event, speaker=speaker, by=None)
    response = organiser_web.post(
        f"/manage/events/{own_event.pk}/speakers/", {"action": "withdraw", "assignment": foreign.pk}
    )
    assert response.status_code == 404


def test_registration_honours_the_party_limit_of_the_event(db):
    alone = factories.EventFactory(max_party_size=1)
    families = factories.EventFactory(max_party_size=4)
    from registrations.exceptions import RegistrationError

    with pytest.raises(RegistrationError) as refused:
        register(event=alone, name="A", email="a@example.org", party_size=2, consent_data_processing=True)
    assert refused.value.code == "party_not_allowed"
    with pytest.raises(RegistrationError) as refused:
        register(event=families, name="A", email="a@example.org", party_size=5, consent_data_processing=True)
    assert refused.value.code == "party_too_large"
    assert register(event=families, name="A", email="a@example.org", party_size=4,
                    consent_data_processing=True).party_size == 4  # fmt: skip
    walk_in = factories.EventFactory(max_party_size=1, start=timezone.now() - dt.timedelta(minutes=5))
    from registrations.services.registration import register_walk_in

    assert register_walk_in(event=walk_in, name="Teacher", party_size=12).party_size == 12


@pytest.mark.parametrize("bad", ["abc", "", "-1", str(2**63), "9" * 30])
def test_posted_ids_outside_the_databases_range_are_404(organiser_web, own_event, bad):
    for tab, field in [("questions", "question"), ("invitations", "invitation"), ("speakers", "assignment"),
                       ("team", "invitation")]:  # fmt: skip
        action = {"questions": "delete", "invitations": "resend", "speakers": "withdraw", "team": "revoke"}[tab]
        response = organiser_web.post(f"/manage/events/{own_event.pk}/{tab}/", {"action": action, field: bad})
        assert response.status_code == 404, (tab, bad)
    assert organiser_web.get(f"/manage/events/{2**63}/").status_code == 404
    assert organiser_web.get(f"/manage/events/{own_event.pk}/questions/{2**64}/").status_code == 404


def test_the_invitations_tab_is_only_on_events_that_take_invitations(organiser_web, own_event, roundtable):
    invitations = f"/manage/events/{own_event.pk}/invitations/"
    roundtable_invitations = f"/manage/events/{roundtable.pk}/invitations/"

    open_event_page = organiser_web.get(f"/manage/events/{own_event.pk}/").content.decode()
    roundtable_page = organiser_web.get(f"/manage/events/{roundtable.pk}/").content.decode()

    assert f'href="{invitations}"' not in open_event_page
    assert f'href="{roundtable_invitations}"' in roundtable_page
    assert organiser_web.get(invitations).status_code == 200  # a link kept elsewhere still answers


def test_sending_again_or_withdrawing_a_code_stays_on_its_page(organiser_web, roundtable):
    # with 50 codes a page, the answer went back to page 1, away from the code just changed
    Invitation.objects.bulk_create(
        [Invitation(event=roundtable, email=f"guest{number:03}@example.org") for number in range(60)]
    )
    url = f"/manage/events/{roundtable.pk}/invitations/"
    code = organiser_web.get(f"{url}?page=2").context["invitations"][0]

    resent = organiser_web.post(f"{url}?page=2", {"action": "resend", "invitation": code.pk})
    withdrawn = organiser_web.post(f"{url}?page=2", {"action": "revoke", "invitation": code.pk})

    assert (resent["Location"], withdrawn["Location"]) == (f"{url}?page=2#invitation-{code.pk}",) * 2


def test_the_speakers_tab_of_an_event_that_has_ended_offers_no_invite_form(organiser_web, own_event):
    """The tab offered "Invite" under an ended event, and each invitation was refused: "Speakers can
    only be invited to events still to come." It says so in place of the form."""
    now = timezone.now()
    own_event.start, own_event.end = now - dt.timedelta(days=2), now - dt.timedelta(days=2, hours=-1)
    own_event.save()

    page = organiser_web.get(f"/manage/events/{own_event.pk}/speakers/").text

    assert 'value="invite"' not in page
    assert "Speakers can only be invited to events still to come." in page
