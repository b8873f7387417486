"""Linking an account to a speaker needs the person's consent (an emailed link) or a superuser."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from notifications.models import OutboxMessage
from notifications.services.outbox import render_message
from speakers import services
from speakers.models import Speaker
from tests import factories

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def speaker():
    return factories.SpeakerFactory(name="Leyla Speaker", email="leyla.private@example.org", user=None)


def test_an_organiser_cannot_link_an_account_directly(organiser, speaker):
    stranger = factories.UserFactory()

    updated = _api(organiser).patch(f"/api/speakers/{speaker.pk}/", {"user": stranger.pk}, format="json")
    body = {"name": "New", "email": "new@example.org", "user": stranger.pk}
    created = _api(organiser).post("/api/speakers/", body, format="json")

    speaker.refresh_from_db()
    assert (updated.status_code, updated.json()["code"]) == (403, "link_needs_consent")
    assert (created.status_code, created.json()["code"]) == (403, "link_needs_consent")
    assert speaker.user_id is None


def test_an_organiser_learns_nothing_of_accounts_from_their_ids(organiser, speaker):
    existing = factories.UserFactory()

    answers = [
        _api(organiser).patch(f"/api/speakers/{speaker.pk}/", {"user": account_id}, format="json")
        for account_id in (existing.pk, 999_999)
    ]

    assert [(answer.status_code, answer.json()) for answer in answers] == [
        (403, {"detail": "Linking an account to a speaker needs the person's consent: send them a link.",
               "code": "link_needs_consent"}),
    ] * 2  # fmt: skip


def test_a_superuser_links_directly(speaker):
    superuser = factories.UserFactory(is_superuser=True, is_staff=True)
    account = factories.UserFactory()

    response = _api(superuser).patch(f"/api/speakers/{speaker.pk}/", {"user": account.pk}, format="json")

    speaker.refresh_from_db()
    assert (response.status_code, speaker.user_id) == (200, account.pk)


def test_an_organiser_may_still_unlink(organiser, speaker):
    speaker.user = factories.UserFactory()
    speaker.save()

    response = _api(organiser).patch(f"/api/speakers/{speaker.pk}/", {"user": None}, format="json")

    speaker.refresh_from_db()
    assert (response.status_code, speaker.user_id) == (200, None)


def test_an_organiser_does_not_unlink_a_speaker_of_another_organisers_event(organiser, speaker):
    """Unlinking takes the speaker's schedule, feed and join links of every organiser's events:
    the rule of their address (only while they speak at no one else's event, or a superuser)."""
    account = factories.UserFactory()
    speaker.user = account
    speaker.save()
    own = factories.EventFactory(organisers=[organiser])
    factories.SpeakerAssignmentFactory(speaker=speaker, event=own)
    elsewhere = factories.SpeakerAssignmentFactory(speaker=speaker, event=factories.EventFactory())
    superuser = factories.UserFactory(is_superuser=True, is_staff=True)

    refused = _api(organiser).patch(f"/api/speakers/{speaker.pk}/", {"user": None}, format="json")
    speaker.refresh_from_db()
    kept = speaker.user_id
    sent_back = _api(organiser).patch(f"/api/speakers/{speaker.pk}/", {"user": account.pk}, format="json")
    elsewhere.delete()
    own_only = _api(organiser).patch(f"/api/speakers/{speaker.pk}/", {"user": None}, format="json")
    speaker.user = account
    speaker.save()
    factories.SpeakerAssignmentFactory(speaker=speaker, event=factories.EventFactory())
    by_superuser = _api(superuser).patch(f"/api/speakers/{speaker.pk}/", {"user": None}, format="json")

    speaker.refresh_from_db()
    assert (refused.status_code, refused.json()["code"]) == (403, "speaker_engaged_elsewhere")
    assert kept == account.pk
    assert sent_back.status_code == 200  # the account it has is no change
    assert own_only.status_code == 200
    assert (by_superuser.status_code, speaker.user_id) == (200, None)


def test_the_speaker_links_their_account_through_the_emailed_link(organiser, speaker):
    sent = _api(organiser).post(f"/api/speakers/{speaker.pk}/account-link/")
    message = OutboxMessage.objects.get(kind="speaker_account_link", recipient_email=speaker.email)
    path = next(line for line in render_message(message).body_text.splitlines() if "/speaker/link/" in line).strip()
    path = path.removeprefix("http://127.0.0.1:8000")
    account = factories.UserFactory()
    browser = Client()
    browser.force_login(account)

    shown = browser.get(path)
    linked = browser.post(path)

    speaker.refresh_from_db()
    assert sent.status_code == 202
    assert (shown.status_code, linked.status_code, linked["Location"]) == (200, 302, "/speaker/")
    assert speaker.user_id == account.pk


def test_a_link_is_void_once_the_address_changes_or_when_forged(organiser, speaker):
    token = services.account_link_token(speaker)
    services.update_speaker(speaker=speaker, by=organiser, email="someone.else@example.org")
    browser = Client()
    browser.force_login(factories.UserFactory())

    outdated = browser.post(f"/speaker/link/{token}/")
    forged = browser.post("/speaker/link/forged-token/")

    speaker.refresh_from_db()
    assert (outdated.status_code, forged.status_code, speaker.user_id) == (400, 400, None)


def test_a_profile_linked_to_someone_else_is_not_taken_over(speaker):
    owner = factories.UserFactory()
    token = services.account_link_token(speaker)
    speaker.user = owner
    speaker.save()
    browser = Client()
    browser.force_login(factories.UserFactory())

    response = browser.post(f"/speaker/link/{token}/")

    speaker.refresh_from_db()
    assert (response.status_code, speaker.user_id) == (409, owner.pk)


def test_an_organiser_sends_back_a_linked_profile_whole(organiser):
    account = factories.UserFactory()
    linked = factories.SpeakerFactory(name="Nigar Speaker", user=account)
    client = _api(organiser)
    profile = client.get(f"/api/speakers/{linked.pk}/").json()

    # a client sends back the profile it read, its account unchanged, with one field edited
    response = client.patch(
        f"/api/speakers/{linked.pk}/", {"user": profile["user"], "title": "Engineer"}, format="json"
    )
    moved = client.patch(f"/api/speakers/{linked.pk}/", {"user": factories.UserFactory().pk}, format="json")

    linked.refresh_from_db()
    assert response.status_code == 200, response.json()
    assert (linked.user_id, linked.title) == (account.pk, "Engineer")
    assert (moved.status_code, moved.json()["code"]) == (403, "link_needs_consent")


def test_an_organiser_cannot_redirect_the_address_of_a_speaker_engaged_at_anothers_event(organiser, speaker):
    """The private address is where every organiser's invitations, reminders and join links go,
    and the consent behind an account link: rewriting it to one's own took over another organiser's
    invitations and, through a link then sent to oneself, the speaker's whole schedule."""
    elsewhere = factories.EventFactory(status="draft", published_at=None, organisers=[factories.OrganiserFactory()])
    factories.SpeakerAssignmentFactory(speaker=speaker, event=elsewhere)
    client = _api(organiser)

    response = client.patch(f"/api/speakers/{speaker.pk}/", {"email": "mine@example.org"}, format="json")
    same = client.patch(f"/api/speakers/{speaker.pk}/", {"email": "Leyla.Private@example.org "}, format="json")
    other_fields = client.patch(f"/api/speakers/{speaker.pk}/", {"title": "Engineer"}, format="json")

    speaker.refresh_from_db()
    assert (response.status_code, response.json()["code"]) == (403, "speaker_engaged_elsewhere")
    assert same.status_code == 200 and other_fields.status_code == 200
    assert (speaker.email, speaker.title) == ("leyla.private@example.org", "Engineer")  # the same address (tidy_email)


def test_an_organiser_changes_the_address_of_a_speaker_engaged_only_at_their_events(organiser, speaker):
    factories.SpeakerAssignmentFactory(speaker=speaker, event=factories.EventFactory(organisers=[organiser]))

    response = _api(organiser).patch(f"/api/speakers/{speaker.pk}/", {"email": "new@example.org"}, format="json")
    own = services.update_speaker(speaker=speaker, by=factories.UserFactory(is_superuser=True), email="x@example.org")

    assert response.status_code == 200
    assert own.email == "x@example.org"


def test_a_linked_speaker_changes_their_own_address(speaker):
    account = factories.UserFactory()
    speaker.user = account
    speaker.save()
    factories.SpeakerAssignmentFactory(speaker=speaker)

    updated = services.update_speaker(speaker=speaker, by=account, email="leyla.new@example.org")

    assert updated.email == "leyla.new@example.org"


def test_a_speakers_address_is_kept_as_every_address_so_one_mailbox_compares_as_one(organiser):
    """Speakers' addresses were kept as typed: "Leyla@Bücher.de" and "leyla@xn--bcher-kva.de" were
    two addresses to the rule that keeps another organiser's speaker's address from being rewritten."""
    created = _api(organiser).post("/api/speakers/", {"name": "Leyla", "email": " Leyla@Bücher.de "}, format="json")
    speaker = Speaker.objects.get(pk=created.json()["id"])
    factories.SpeakerAssignmentFactory(speaker=speaker, event=factories.EventFactory())  # another organiser's

    same = _api(organiser).patch(f"/api/speakers/{speaker.pk}/", {"email": "LEYLA@xn--bcher-kva.de"}, format="json")
    other = _api(organiser).patch(f"/api/speakers/{speaker.pk}/", {"email": "me@example.org"}, format="json")

    speaker.refresh_from_db()
    assert speaker.email == "leyla@xn--bcher-kva.de"
    assert services.speaker_for_account_link(services.account_link_token(speaker)) == speaker
    assert same.status_code == 200
    assert (other.status_code, other.json()["code"]) == (403, "speaker_engaged_elsewhere")


# --- a speaker new to the site: the link makes their account --------------------------------

PASSWORD = "Mentoring-2027-stem"


def _sign_up(client: Client, token: str, **fields):
    data = {"name": "Leyla Speaker", "password": PASSWORD, "password_again": PASSWORD, **fields}
    return client.post(f"/speaker/link/{token}/", data)


def test_a_speaker_without_an_account_makes_one_through_the_link(speaker):
    """Invited by name and email, a speaker has no account: the link that asked them to "sign in
    and confirm" led to a sign-in form they had no password for, and nothing on the site made one."""
    token = services.account_link_token(speaker)
    browser = Client()

    shown = browser.get(f"/speaker/link/{token}/")
    made = _sign_up(browser, token)
    area = browser.get("/speaker/")

    speaker.refresh_from_db()
    assert (shown.status_code, shown.context["form"]["name"].value()) == (200, "Leyla Speaker")
    assert (made.status_code, made["Location"]) == (302, "/speaker/")
    assert (speaker.user.email, speaker.user.get_full_name()) == ("leyla.private@example.org", "Leyla Speaker")
    assert speaker.user.check_password(PASSWORD)
    assert area.status_code == 200  # signed in as the new account


def test_the_new_account_form_names_the_address_for_a_password_manager(speaker):
    """Only a name and two passwords: a password manager saved the new password for no account.
    The link's address is shown read-only as the username; a posted other one is not taken."""
    token = services.account_link_token(speaker)
    browser = Client()

    shown = browser.get(f"/speaker/link/{token}/")
    weak = _sign_up(browser, token, username="someone.else@example.org", password_again="other")
    made = _sign_up(browser, token, username="someone.else@example.org")

    field = re.search(r"<input[^>]*name=\"username\"[^>]*>", shown.text).group(0)
    assert 'autocomplete="username"' in field and "readonly" in field
    assert 'value="leyla.private@example.org"' in field
    assert shown.text.index('name="username"') < shown.text.index('name="password"')
    assert 'value="leyla.private@example.org"' in re.search(r"<input[^>]*name=\"username\"[^>]*>", weak.text).group(0)
    assert made.status_code == 302
    assert get_user_model().objects.get(speaker_profile=speaker).email == "leyla.private@example.org"


def test_the_link_makes_one_account_only(speaker):
    token = services.account_link_token(speaker)
    _sign_up(Client(), token)

    again = _sign_up(Client(), token, name="Someone Else")

    speaker.refresh_from_db()
    assert again.status_code == 200 and again.context["has_account"]  # sign in instead
    assert get_user_model().objects.filter(email__iexact=speaker.email).count() == 1
    assert speaker.user.get_full_name() == "Leyla Speaker"


def test_someone_with_an_account_under_the_address_signs_in_to_link_it(speaker):
    existing = factories.UserFactory(email="Leyla.Private@example.org")
    token = services.account_link_token(speaker)

    shown = Client().get(f"/speaker/link/{token}/")
    posted = _sign_up(Client(), token)

    speaker.refresh_from_db()
    assert (shown.status_code, shown.context["has_account"], shown.context["form"]) == (200, True, None)
    assert posted.status_code == 200
    assert speaker.user_id is None
    assert list(get_user_model().objects.filter(email__iexact=speaker.email)) == [existing]


def test_a_weak_password_or_no_name_makes_no_account(speaker):
    token = services.account_link_token(speaker)

    weak = _sign_up(Client(), token, password="12345678", password_again="12345678")
    nameless = _sign_up(Client(), token, name="\u200b")

    speaker.refresh_from_db()
    assert (weak.status_code, list(weak.context["form"].errors)) == (200, ["password"])
    assert (nameless.status_code, list(nameless.context["form"].errors)) == (200, ["name"])
    assert speaker.user_id is None
    assert not get_user_model().objects.filter(email__iexact=speaker.email).exists()


def test_a_profile_linked_meanwhile_is_not_given_a_second_account(speaker):
    token = services.account_link_token(speaker)
    owner = factories.UserFactory()
    speaker.user = owner
    speaker.save()

    response = _sign_up(Client(), token)

    speaker.refresh_from_db()
    assert response.status_code == 409
    assert speaker.user_id == owner.pk
    assert not get_user_model().objects.filter(email__iexact=speaker.email).exists()


def test_an_organiser_sends_the_link_from_the_speakers_tab(organiser, speaker):
    """The workspace had no way to send it: only the API (or a superuser's admin) did."""
    event = factories.EventFactory(organisers=[organiser], language="az")
    invited = factories.SpeakerAssignmentFactory(speaker=speaker, event=event)
    has_account = factories.SpeakerFactory(user=factories.UserFactory())
    linked = factories.SpeakerAssignmentFactory(speaker=has_account, event=event)
    browser = Client()
    browser.force_login(organiser)
    path = f"/manage/events/{event.pk}/speakers/"

    tab = browser.get(path)
    sent = browser.post(path, {"action": "account_link", "assignment": invited.pk})
    refused = browser.post(path, {"action": "account_link", "assignment": linked.pk})

    assert (sent.status_code, sent["Location"]) == (302, f"{path}#assignment-{invited.pk}")  # back at its card
    assert refused.status_code == 404  # linked already: nothing to send
    message = OutboxMessage.objects.get(kind="speaker_account_link", recipient_email=speaker.email)
    assert tab.content.decode().count('value="account_link"') == 1  # the unlinked speaker's card only
    # in the event's language, as its invitation was, while the speaker's own is unknown
    assert render_message(message).language == "az"


@pytest.mark.parametrize("through", ["api", "tab"])
def test_the_link_reads_in_the_language_of_the_speakers_invitation(through, organiser, speaker):
    """Invited to an Azerbaijani event, the speaker read their invitation in Azerbaijani: the link
    sent later through the API (no event) or another event's tab must not fall back to English."""
    invited_to = factories.EventFactory(organisers=[organiser], language="az")
    other = factories.EventFactory(organisers=[organiser], language="en")
    factories.SpeakerAssignmentFactory(speaker=speaker, event=other, invited_at=timezone.now() - dt.timedelta(days=9))
    assignment = factories.SpeakerAssignmentFactory(speaker=speaker, event=invited_to, invited_at=timezone.now())
    browser = Client()
    browser.force_login(organiser)

    if through == "api":
        response = browser.post(f"/api/speakers/{speaker.pk}/account-link/")
        assert response.status_code == 202, response.content
    else:
        path = f"/manage/events/{other.pk}/speakers/"
        other_assignment = speaker.assignments.get(event=other)
        assert browser.post(path, {"action": "account_link", "assignment": other_assignment.pk}).status_code == 302
    assert assignment.event.language == "az"

    message = OutboxMessage.objects.get(kind="speaker_account_link", recipient_email=speaker.email)
    assert render_message(message).language == "az"


def test_an_organiser_sends_no_link_to_a_speaker_of_other_organisers_events(organiser, speaker):
    """The roster is shared for inviting, not for mailing: a speaker engaged only at another
    organiser's event is sent a link by that organiser (or an administrator), not by any organiser
    who finds them on the roster (the page's Speakers tab offers it only for its own event's)."""
    theirs = factories.SpeakerAssignmentFactory(speaker=speaker, event=factories.EventFactory())
    their_organiser = factories.OrganiserFactory()
    theirs.event.organisers.add(their_organiser)

    refused = _api(organiser).post(f"/api/speakers/{speaker.pk}/account-link/")
    sent = _api(their_organiser).post(f"/api/speakers/{speaker.pk}/account-link/")

    assert (refused.status_code, refused.json()["code"]) == (403, "speaker_engaged_elsewhere")
    assert sent.status_code == 202
    assert OutboxMessage.objects.filter(kind="speaker_account_link", recipient_email=speaker.email).count() == 1
