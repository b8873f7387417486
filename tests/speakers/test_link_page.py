"""The page behind the signed link in the invitation email."""

import pytest
from django.test import Client

from speakers import services
from speakers.models import AssignmentStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(event, organiser, speaker_a):
    return services.assign_speaker(event=event, speaker=speaker_a, by=organiser, role="keynote")


def test_link_page_shows_then_accepts(invitation):
    path = services.invitation_respond_url(invitation).split("://", 1)[1].split("/", 1)[1]
    client = Client(enforce_csrf_checks=False)

    shown = client.get("/" + path)
    answered = client.post("/" + path, {"answer": "accept", "message": "With pleasure"})

    assert shown.status_code == 200
    assert invitation.event.title in shown.content.decode()
    assert answered.status_code == 200
    invitation.refresh_from_db()
    assert (invitation.status, invitation.message) == (AssignmentStatus.ACCEPTED, "With pleasure")


def test_link_page_forged_token_is_400():
    response = Client().get("/speaker/invitation/forged-token/")

    assert response.status_code == 400


def test_link_page_withdrawn_invitation_is_409(invitation, organiser):
    token = services.invitation_token(invitation)
    services.withdraw_assignment(assignment=invitation, by=organiser)

    response = Client().post(f"/speaker/invitation/{token}/", {"answer": "accept"})

    assert response.status_code == 409
    assert 'data-code="invitation_withdrawn"' in response.content.decode()


def test_link_page_shows_the_services_refusal_of_a_declined_invitation(invitation):
    """Whether an answered invitation may be answered again is the service's rule
    (speakers.services.accept_invitation): the page only shows what the service said."""
    token = services.invitation_token(invitation)
    client = Client()

    declined = client.post(f"/speaker/invitation/{token}/", {"answer": "decline"})
    declined_again = client.post(f"/speaker/invitation/{token}/", {"answer": "decline"})
    accepted_after = client.post(f"/speaker/invitation/{token}/", {"answer": "accept"})

    invitation.refresh_from_db()
    assert (declined.status_code, declined_again.status_code) == (200, 200)
    assert accepted_after.status_code == 409
    assert 'data-code="invitation_declined"' in accepted_after.content.decode()
    assert "You declined this invitation; ask the organisers to invite you again." in accepted_after.content.decode()
    assert invitation.status == AssignmentStatus.DECLINED


@pytest.mark.parametrize("ending", ["declined", "withdrawn"])
def test_link_to_a_draft_no_longer_followed_shows_the_answer_not_the_plans(organiser, speaker_a, ending):
    """The signed link (page and API) still showed a draft's current title, time and place
    to a speaker who had declined or been withdrawn, which the schedule (selectors.schedule_of)
    no longer shows them."""
    draft = factories.EventFactory(organisers=[organiser], status="draft", title="First idea", venue_name="Old hall")
    assignment = services.assign_speaker(event=draft, speaker=speaker_a, by=organiser)
    token = services.invitation_token(assignment)
    client = Client()
    if ending == "declined":
        confirmation = client.post(f"/speaker/invitation/{token}/", {"answer": "decline"}).content.decode()
        assert "You declined. Thank you for letting us know." in confirmation
        assert "First idea" not in confirmation
    else:
        services.withdraw_assignment(assignment=assignment, by=organiser)
    draft.title, draft.venue_name = "Secret new plan", "Secret venue"
    draft.save()

    page = client.get(f"/speaker/invitation/{token}/")
    api = client.get(f"/api/speaker-invitations/respond/{token}/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "Secret new plan" not in html and "Secret venue" not in html
    assert f'data-status="{ending}"' in html
    assert "it is not published yet: its details are not shown here." in html
    assert api.status_code == 200
    assert (api.json()["status"], api.json()["event"]) == (ending, None)


def test_link_to_a_declined_published_event_still_shows_it(event, speaker_a):
    assignment = services.assign_speaker(event=event, speaker=speaker_a, by=event.organisers.get())
    token = services.invitation_token(assignment)
    client = Client()

    client.post(f"/speaker/invitation/{token}/", {"answer": "decline"})
    page = client.get(f"/speaker/invitation/{token}/").content.decode()
    api = client.get(f"/api/speaker-invitations/respond/{token}/").json()

    assert event.title in page
    assert (api["status"], api["event"]["title"]) == ("declined", event.title)


def test_a_draft_cancelled_after_the_speaker_declined_stays_unshown(organiser, speaker_a):
    """Never published means never public, whatever the status became: a draft the organisers
    renamed and then cancelled, never published, is still their unpublished plan to a speaker who
    had declined it (schedule, speaker area, the signed link's page and API)."""
    from events.services import cancel_event

    draft = factories.EventFactory(organisers=[organiser], status="draft", published_at=None, title="First idea")
    assignment = services.assign_speaker(event=draft, speaker=speaker_a, by=organiser)
    token = services.invitation_token(assignment)
    services.decline_invitation(assignment=assignment)
    draft.title = "Secret new plan"
    draft.save()
    cancel_event(event=draft, by=organiser)
    client = Client()
    client.force_login(speaker_a.user)

    schedule = client.get("/api/me/speaker/schedule/").json()["results"]
    area = client.get("/speaker/").content.decode()
    page = client.get(f"/speaker/invitation/{token}/").content.decode()
    api = client.get(f"/api/speaker-invitations/respond/{token}/").json()

    assert schedule == []
    assert "Secret new plan" not in area and "Secret new plan" not in page
    assert (api["status"], api["event"]) == ("declined", None)


@pytest.fixture
def invited_without_account(event, organiser):
    """Someone invited by name and email: a profile with no account yet."""
    return services.assign_speaker(event=event, speaker=factories.SpeakerFactory(user=None), by=organiser)


def test_a_speaker_who_accepted_by_link_asks_for_the_link_to_their_speaker_area(
    invited_without_account, django_capture_on_commit_callbacks
):
    """After accepting, the page led nowhere: the speaker area (profile, schedule, feed) opened only
    with a link an organiser had to think of sending from the Speakers tab."""
    from django.core import mail

    invitation = invited_without_account
    token = services.invitation_token(invitation)
    client = Client()
    accepted = client.post(f"/speaker/invitation/{token}/", {"answer": "accept"}).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(f"/speaker/invitation/{token}/", {"action": "account_link"})

    assert "Email me the link to my speaker area" in accepted
    assert asked.status_code == 200
    assert f"The link to your speaker area is on its way to {invitation.speaker.email}." in asked.content.decode()
    (sent,) = [message for message in mail.outbox if "/speaker/link/" in message.body]
    assert invitation.speaker.email in sent.to[0]
    assert "Here is the link to your speaker area that you asked for" in sent.body
    assert "The organisers ask you" not in sent.body


def test_the_speaker_area_link_is_not_sent_before_accepting_nor_once_an_account_is_linked(invited_without_account):
    invitation = invited_without_account
    token = services.invitation_token(invitation)

    before = Client().post(f"/speaker/invitation/{token}/", {"action": "account_link"})
    services.accept_invitation(assignment=invitation)
    invitation.speaker.user = factories.UserFactory()
    invitation.speaker.save()
    linked = Client().get(f"/speaker/invitation/{token}/").content.decode()

    assert 'data-code="not_accepted"' in before.content.decode()
    assert "Email me the link to my speaker area" not in linked and 'href="/speaker/"' in linked


def test_the_speaker_area_link_is_written_in_the_language_the_speaker_asked_in(
    invited_without_account, django_capture_on_commit_callbacks
):
    """The speaker's event is English, they accepted with no language asked; they ask for the link
    from an Azerbaijani page: the link comes in Azerbaijani, as the page they asked on."""
    from django.core import mail  # noqa: PLC0415

    invitation = invited_without_account
    invitation.event.language = "en"
    invitation.event.save(update_fields=["language"])
    token = services.invitation_token(invitation)
    client = Client()
    client.post(f"/speaker/invitation/{token}/", {"answer": "accept"})

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/speaker/invitation/{token}/", {"action": "account_link"}, headers={"accept-language": "az"})

    (sent,) = [message for message in mail.outbox if "/speaker/link/" in message.body]
    assert sent.extra_headers["Content-Language"] == "az"
    assert "Salam" in sent.body
