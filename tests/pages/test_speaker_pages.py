import datetime as dt
import re

import pytest
from django.utils import timezone

from events import when
from feeds.models import CalendarFeed
from speakers.models import AssignmentStatus
from tests import factories
from tests.pages.conftest import (
    PAGE_BUDGET,
    descriptions,
    signed_in,
    summary_targets_not_focusable,
    unread_descriptions,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def speaker(db):
    user = factories.UserFactory(username="leyla")
    return factories.SpeakerFactory(name="Leyla Hasanova", user=user, email="leyla@private.example.org")


def test_roster_shows_listed_speakers_without_private_fields(client, speaker):
    factories.SpeakerFactory(name="Hidden Person", listed=False)

    page = client.get("/speakers/").text
    detail = client.get(f"/speakers/{speaker.pk}/").text

    assert "Leyla Hasanova" in page and "Hidden Person" not in page
    for private in ("leyla@private.example.org", "+994 50 000 00 00", "Prefers mornings."):
        assert private not in page
        assert private not in detail


def test_roster_filters_by_field_and_language(client):
    factories.SpeakerFactory(name="Engineer Aysel", stem_fields=["engineering"], languages=["az"])
    factories.SpeakerFactory(name="Biologist Nigar", stem_fields=["biology"], languages=["en"])

    by_field = client.get("/speakers/", {"field": "biology"}).text
    by_language = client.get("/speakers/", {"language": "az"}).text

    assert "Biologist Nigar" in by_field and "Engineer Aysel" not in by_field
    assert "Engineer Aysel" in by_language and "Biologist Nigar" not in by_language


def test_roster_leaves_out_only_a_filter_it_does_not_understand(client):
    """A field out of its choices dropped the language filter (and the search) as well."""
    factories.SpeakerFactory(name="Engineer Aysel", stem_fields=["engineering"], languages=["az"])
    factories.SpeakerFactory(name="Biologist Nigar", stem_fields=["biology"], languages=["en"])

    page = client.get("/speakers/", {"field": "alchemy", "language": "az"}).text

    assert "Engineer Aysel" in page and "Biologist Nigar" not in page


def test_unlisted_speaker_page_is_not_found(client):
    hidden = factories.SpeakerFactory(listed=False)

    assert client.get(f"/speakers/{hidden.pk}/").status_code == 404


def test_speaker_area_needs_a_speaker_profile(client):
    assert client.get("/speaker/").status_code == 302
    signed_in(client, factories.UserFactory())
    assert client.get("/speaker/").status_code == 404


def test_speaker_accepts_an_invitation(client, speaker):
    assignment = factories.SpeakerAssignmentFactory(speaker=speaker, event=factories.EventFactory(title="AI webinar"))
    signed_in(client, speaker.user)

    area = client.get("/speaker/").text
    response = client.post(f"/speaker/invitations/{assignment.pk}/answer/", {"answer": "accept", "message": "Gladly"})

    assert "AI webinar" in area and "Invitations waiting for your answer" in area
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ACCEPTED
    assert assignment.message == "Gladly"
    assert "you are confirmed for AI webinar" in client.get("/speaker/").text


@pytest.mark.parametrize(
    ("language", "accepted", "declined"),
    [
        (
            "en",
            "Thank you: you are confirmed for Mentoring circle (Thu 14 Jan 2027, 18:30).",
            "You declined Mentoring circle (Thu 28 Jan 2027, 18:30). The organisers see your answer.",
        ),
        (
            "az",
            "Təşəkkür edirik: Mentoring circle (14 yanvar 2027, cümə axşamı, 18:30) üçün təsdiqləndiniz.",
            "Mentoring circle (28 yanvar 2027, cümə axşamı, 18:30) dəvətindən imtina etdiniz. "
            "Təşkilatçılar cavabınızı görür.",
        ),
    ],
)
def test_answering_one_of_two_sessions_of_a_series_says_which(client, speaker, language, accepted, declined):
    """A series' sessions share one title: "you are confirmed for Mentoring circle" after answering
    one of two invitations did not say which session was taken, nor which declined."""
    first, second = (
        factories.SpeakerAssignmentFactory(
            speaker=speaker,
            event=factories.EventFactory(
                title="Mentoring circle", start=dt.datetime(2027, 1, day, 14, 30, tzinfo=dt.UTC)
            ),
        )
        for day in (14, 28)
    )
    signed_in(client, speaker.user)

    said = []
    for assignment, answer in ((first, "accept"), (second, "decline")):
        path = f"/speaker/invitations/{assignment.pk}/answer/"
        response = client.post(path, {"answer": answer}, follow=True, HTTP_ACCEPT_LANGUAGE=language)
        said.append([str(message) for message in response.context["messages"]])

    assert said == [[accepted], [declined]]


def test_speaker_area_shows_the_services_refusal_to_accept_a_declined_invitation(client, speaker):
    assignment = factories.SpeakerAssignmentFactory(speaker=speaker, event=factories.EventFactory(title="AI webinar"))
    signed_in(client, speaker.user)

    client.post(f"/speaker/invitations/{assignment.pk}/answer/", {"answer": "decline"})
    response = client.post(f"/speaker/invitations/{assignment.pk}/answer/", {"answer": "accept"}, follow=True)

    assignment.refresh_from_db()
    assert "You declined this invitation; ask the organisers to invite you again." in response.text
    assert assignment.status == AssignmentStatus.DECLINED


def test_withdrawing_from_the_speaker_area_asks_first_and_takes_a_message(client, speaker):
    """ "I can no longer come" on /speaker/ withdrew at one tap, with no word for the organisers;
    the invitation's own page folds it away with an explanation and a message box: so does the area."""
    assignment = factories.SpeakerAssignmentFactory(speaker=speaker, event=factories.EventFactory(title="AI webinar"))
    signed_in(client, speaker.user)
    client.post(f"/speaker/invitations/{assignment.pk}/answer/", {"answer": "accept"})

    area = client.get("/speaker/").text
    card = re.search(r'<ul class="cards" id="upcoming">.*?</ul>', area, re.S).group(0)
    withdrawn = client.post(
        f"/speaker/invitations/{assignment.pk}/answer/",
        {"answer": "decline", "message": "A family emergency, sorry."},
        follow=True,
    )

    # they pressed "Withdraw from this event": not "You declined AI webinar. The organisers see your answer."
    assert [str(message) for message in withdrawn.context["messages"]] == [
        f"You withdrew from AI webinar ({when.card(assignment.event)}). The organisers have been told."
    ]
    assert re.search(r"<details[^>]*>\s*<summary[^>]*>I can no longer come<span class=\"visually-hidden\">", card)
    assert "The organisers are told at once, so that they can find someone else." in card
    assert f'name="message" id="withdraw-message-{assignment.pk}"' in card
    assert "Withdraw from this event" in card
    assignment.refresh_from_db()
    assert (assignment.status, assignment.message) == (AssignmentStatus.DECLINED, "A family emergency, sorry.")


def test_speaker_cannot_answer_another_speakers_invitation(client, speaker):
    theirs = factories.SpeakerAssignmentFactory()
    signed_in(client, speaker.user)

    response = client.post(f"/speaker/invitations/{theirs.pk}/answer/", {"answer": "decline"})

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == AssignmentStatus.INVITED


def test_speaker_edits_own_profile(client, speaker):
    signed_in(client, speaker.user)
    form = client.get("/speaker/profile/")

    response = client.post(
        "/speaker/profile/",
        {
            "name": "Leyla Hasanova",
            "title": "Chief engineer",
            "topics": "robotics, careers",
            "stem_fields": ["engineering", "energy"],
            "languages": ["az"],
            "email": "leyla@private.example.org",
            "travel_regions": [factories.region("ganja").pk],
        },
    )

    assert form.status_code == 200 and "Prefers mornings." not in form.text
    assert response.status_code == 302
    speaker.refresh_from_db()
    assert speaker.title == "Chief engineer"
    assert speaker.topics == ["robotics", "careers"]
    assert speaker.private_notes == "Prefers mornings."
    assert list(speaker.travel_regions.values_list("slug", flat=True)) == ["ganja"]


def test_speaker_creates_and_revokes_the_private_feed_link(client, speaker):
    signed_in(client, speaker.user)

    area = client.get("/speaker/").text
    client.post("/my/calendars/", {"scope": "speaker", "action": "create"})
    feed = CalendarFeed.objects.get(scope=CalendarFeed.Scope.SPEAKER)
    page = client.get("/my/calendars/").text
    client.post("/my/calendars/", {"scope": "speaker", "action": "revoke"})

    # one click in the speaker area makes the link: a form to My calendars
    assert '<form method="post" action="/my/calendars/">' in area and 'value="speaker"' in area
    assert f"webcal://testserver/calendar/private/{feed.token}.ics" in page
    assert "calendar.google.com" in page and "outlook.live.com" in page
    feed.refresh_from_db()
    assert feed.revoked_at is not None


def test_speaker_feed_stops_when_the_account_is_unlinked(client, speaker):
    factories.SpeakerAssignmentFactory(speaker=speaker, status="accepted", event__title="Quantum talk")
    signed_in(client, speaker.user)
    client.post("/my/calendars/", {"scope": "speaker", "action": "create"})
    path = f"/calendar/private/{CalendarFeed.objects.get(scope='speaker').token}.ics"
    before = client.get(path)

    speaker.user = None
    speaker.save()
    after = client.get(path)

    assert b"Quantum talk" in before.content
    assert after.status_code == 200 and b"Quantum talk" not in after.content


def test_speaker_pages_stay_under_the_page_budget(client, speaker, first_load):
    factories.SpeakerFactory.create_batch(24)
    factories.SpeakerAssignmentFactory.create_batch(3, speaker=speaker)
    signed_in(client, speaker.user)

    for url in ["/speakers/", f"/speakers/{speaker.pk}/", "/speaker/", "/speaker/profile/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert first_load(response) < PAGE_BUDGET, url


@pytest.mark.parametrize("count", [1, 5])
def test_roster_query_count_does_not_grow_with_speakers(client, count, django_assert_num_queries):
    for _ in range(count):
        speaker = factories.SpeakerFactory(travel_regions=[factories.region("ganja")])
        factories.SpeakerAssignmentFactory(speaker=speaker, status="accepted")

    # session-less visitor: count(), the page of speakers, regions, upcoming events, filter choices
    with django_assert_num_queries(5):
        response = client.get("/speakers/")

    assert len(response.context["speakers"]) == count


def invitation_url(assignment) -> str:
    from speakers.services import invitation_token

    return f"/speaker/invitation/{invitation_token(assignment)}/"


def test_invitation_page_after_accepting_offers_no_decline_under_the_confirmation(client, speaker):
    assignment = factories.SpeakerAssignmentFactory(speaker=speaker)

    answered = client.post(invitation_url(assignment), {"answer": "accept"}).text
    later = client.get(invitation_url(assignment)).text

    assert "Thank you: you are confirmed." in answered
    assert 'value="decline"' not in answered
    # coming back later, withdrawing is possible, folded away and worded as what it is
    assert "<summary>I can no longer come</summary>" in later and "Withdraw from this event" in later


def test_withdrawing_on_the_invitation_page_is_called_withdrawing(client, speaker):
    """'Withdraw from this event' answered 'You declined. Thank you for letting us know.'"""
    assignment = factories.SpeakerAssignmentFactory(speaker=speaker)
    declined_first = factories.SpeakerAssignmentFactory(speaker=speaker)
    client.post(invitation_url(assignment), {"answer": "accept"})

    withdrawn = client.post(invitation_url(assignment), {"answer": "decline", "message": "Ill, sorry."}).text
    declined = client.post(invitation_url(declined_first), {"answer": "decline"}).text

    assert "You withdrew from this event. The organisers have been told." in withdrawn
    assert "You declined." not in withdrawn
    assert "You declined. Thank you for letting us know." in declined


@pytest.mark.parametrize("status", [AssignmentStatus.ACCEPTED, AssignmentStatus.INVITED])
def test_a_cancelled_event_offers_the_speaker_no_answer_the_service_would_refuse(client, speaker, status):
    """After an event was cancelled its speaker still saw "I can no longer come" (or Accept and
    Decline) on her area and on the invitation link, and the invitation link did not say the
    event was cancelled: every press answered "The event was cancelled."."""
    event = factories.EventFactory(title="AI webinar", status="cancelled", cancellation_reason="The speaker is ill.")
    assignment = factories.SpeakerAssignmentFactory(speaker=speaker, event=event, status=status)
    signed_in(client, speaker.user)

    area = client.get("/speaker/").text
    link = client.get(invitation_url(assignment)).text

    assert "AI webinar" not in area.split("Invitations waiting for your answer", 1)[1].split("My upcoming events")[0]
    for page in (area, link):
        assert 'name="answer"' not in page
        assert "I can no longer come" not in page
    assert "This event is cancelled. The speaker is ill." in link


def test_speaker_photo_is_served_from_the_site(client, speaker, settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    speaker.photo.save("leyla.png", ContentFile(b"\x89PNG\r\n\x1a\n fake"), save=True)
    unlisted = factories.SpeakerFactory(listed=False)
    unlisted.photo.save("hidden.png", ContentFile(b"\x89PNG\r\n\x1a\n fake"), save=True)

    page = client.get(f"/speakers/{speaker.pk}/").text
    photo = client.get(f"/speakers/{speaker.pk}/photo/")

    assert f'<img class="avatar" src="/speakers/{speaker.pk}/photo/?v={speaker.photo_version}"' in page
    assert photo.status_code == 200 and b"".join(photo.streaming_content).startswith(b"\x89PNG")
    assert client.get(f"/speakers/{unlisted.pk}/photo/").status_code == 404


def test_speaker_without_photo_shows_initials_and_no_outside_image(client):
    speaker = factories.SpeakerFactory(name="Nigar Aliyeva", photo_url="https://images.example.org/nigar.jpg")

    page = client.get(f"/speakers/{speaker.pk}/").text

    assert '<span class="avatar initials" aria-hidden="true">N</span>' in page
    assert "images.example.org" not in page


def test_speaker_page_names_languages(client):
    speaker = factories.SpeakerFactory(languages=["az", "en"])

    page = client.get(f"/speakers/{speaker.pk}/").text

    assert "Azerbaijani, English" in page


def test_profile_form_errors_are_summed_up_on_top(client, speaker):
    signed_in(client, speaker.user)

    page = client.post("/speaker/profile/", {"name": "", "email": "not an address", "stem_fields": "bogus"}).text

    assert "data-error-summary" in page and 'href="#id_email"' in page and 'href="#id_name"' in page
    described_by, missing = descriptions(page)
    assert {"id_name_error", "id_email_error", "id_stem_fields_error"} <= set(described_by)
    assert missing == []
    assert unread_descriptions(page) == []
    assert summary_targets_not_focusable(page) == []


def test_speaker_area_shows_past_events_latest_first_a_page_at_a_time_and_no_old_declines(client, speaker):
    now = timezone.now()
    for day in range(1, 26):
        start = now - dt.timedelta(days=day)
        event = factories.EventFactory(title=f"Talk {day:02} days ago", start=start, end=start + dt.timedelta(hours=1))
        factories.SpeakerAssignmentFactory(speaker=speaker, event=event, status=AssignmentStatus.ACCEPTED)
    old = factories.EventFactory(title="Declined long ago", start=now - dt.timedelta(days=40))
    factories.SpeakerAssignmentFactory(speaker=speaker, event=old, status=AssignmentStatus.DECLINED)
    soon = factories.EventFactory(title="Declined, still ahead", start=now + dt.timedelta(days=4))
    factories.SpeakerAssignmentFactory(speaker=speaker, event=soon, status=AssignmentStatus.DECLINED)
    signed_in(client, speaker.user)

    first, second = client.get("/speaker/"), client.get("/speaker/?page=2")

    assert [a.event.title for a in first.context["past"]] == [f"Talk {day:02} days ago" for day in range(1, 21)]
    assert [a.event.title for a in second.context["past"]] == [f"Talk {day:02} days ago" for day in range(21, 26)]
    assert 'href="?page=2#past" rel="next"' in first.text
    assert [a.event.title for a in first.context["answered"]] == ["Declined, still ahead"]


def test_an_unlisted_speaker_is_named_but_never_linked_to_a_page_that_is_not_there(client, speaker):
    # the public roster has only listed speakers (/speakers/{id}/ is 404 for the others): the event
    # page named an unlisted speaker with a link to that 404, and their own area offered it as "My public page"
    speaker.listed = False
    speaker.save()
    assignment = factories.SpeakerAssignmentFactory(speaker=speaker, status="accepted", event__title="Quantum talk")
    speaker_page = f'href="/speakers/{speaker.pk}/"'

    event_page = client.get(f"/events/{assignment.event_id}/").text
    signed_in(client, speaker.user)
    area = client.get("/speaker/").text

    assert speaker.name in event_page and speaker_page not in event_page
    assert client.get(f"/speakers/{speaker.pk}/").status_code == 404
    assert "Edit my profile" in area and speaker_page not in area
    speaker.listed = True
    speaker.save()
    assert speaker_page in client.get(f"/events/{assignment.event_id}/").text
    assert speaker_page in client.get("/speaker/").text


def test_an_accepted_speaker_without_an_account_puts_the_event_in_her_calendar_by_her_link(client):
    # no account: no speaker area, no private feed; the invitation link was all she had, and it
    # offered no calendar entry (nor does the event's public page for a draft, which is 404 to her)
    import icalendar

    speaker = factories.SpeakerFactory(name="Günay Əliyeva", user=None, listed=False)
    event = factories.WebinarFactory(title="Women in robotics", status="draft", join_url="https://zoom.example.org/j/1")
    assignment = factories.SpeakerAssignmentFactory(speaker=speaker, event=event)
    page, ics = invitation_url(assignment), invitation_url(assignment) + "event.ics"

    before = client.get(page).text
    assert client.get(ics).status_code == 404  # not accepted yet: nothing to put in a calendar
    accepted = client.post(page, {"answer": "accept"}).text

    assert 'href="/speaker/invitation/' not in before.split("</h1>")[1].split("<form")[0]
    assert f'href="/events/{event.pk}/"' not in accepted  # the draft's page is 404 to her
    assert ics.split("testserver")[-1] in accepted and "Add to my calendar (.ics)" in accepted
    response = client.get(ics)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    [vevent] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Women in robotics" and "https://zoom.example.org/j/1" in str(
        vevent["DESCRIPTION"]
    )
    assert (
        client.get(
            invitation_url(assignment).replace("/speaker/invitation/", "/speaker/invitation/x") + "event.ics"
        ).status_code
        == 404
    )

    client.post(page, {"answer": "decline"})  # withdrawn: gone again
    assert client.get(ics).status_code == 404


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Your calendar link is created: subscribe to it below."),
        ("az", "Təqvim linkiniz yaradıldı: aşağıda ona abunə olun."),
    ],
)
def test_creating_a_calendar_link_says_so_in_the_status_region(client, speaker, language, said):
    signed_in(client, speaker.user)

    response = client.post(
        "/my/calendars/", {"scope": "speaker", "action": "create"}, follow=True, HTTP_ACCEPT_LANGUAGE=language
    )

    # the page came back at its section with nothing said: was the click taken?
    assert response.redirect_chain == [("/my/calendars/#speaker", 302)]
    status = response.text.split('<div role="status">', 1)[1].split("</div>", 1)[0]
    assert said in status


def test_each_answer_button_names_its_session_when_a_series_shares_one_title(client, speaker):
    """Two invitations to a series' sessions listed "Accept", "Decline", "Accept", "Decline": a
    screen reader's list of buttons (or the message fields) did not say which session each answers."""
    for day in (14, 28):
        factories.SpeakerAssignmentFactory(
            speaker=speaker,
            event=factories.EventFactory(
                title="Mentoring circle", start=dt.datetime(2027, 1, day, 14, 30, tzinfo=dt.UTC)
            ),
        )
    signed_in(client, speaker.user)

    page = client.get("/speaker/").content.decode()

    controls = r"Accept|Decline|Message to the organisers \(optional\)"
    named = re.findall(rf'>({controls})<span class="visually-hidden">([^<]*)<', page)
    assert named == [
        (control, f" · Mentoring circle, Thu {day} Jan 2027, 18:30")
        for day in (14, 28)
        for control in ("Message to the organisers (optional)", "Accept", "Decline")
    ]
