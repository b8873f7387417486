"""Team invitations: door staff and co-organisers appointed by an emailed one-time link."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone, translation

from events.permissions import can_check_in, can_manage_event, is_organiser
from notifications.models import OutboxMessage
from registrations.services.privacy import erase_personal_data
from teams import services
from teams.exceptions import Conflict, Forbidden, InvitationUnusable, TeamError
from teams.models import TeamInvitation
from tests import factories
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db
LINK = re.compile(r"http://[^\s\"]+/team/accept/([A-Za-z0-9_\-]+)/")


def invite(client, event, email="nigar@example.org", role="checkin"):
    return client.post(f"/manage/events/{event.pk}/team/", {"action": "invite", "email": email, "role": role})


def emailed_token(django_capture_on_commit_callbacks, action) -> str:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        action()
    (message,) = mail.outbox
    return LINK.search(message.body).group(1)


def test_invitation_emails_a_one_time_link_and_stores_only_its_hash(
    organiser_web, own_event, django_capture_on_commit_callbacks
):
    token = emailed_token(django_capture_on_commit_callbacks, lambda: invite(organiser_web, own_event))

    invitation = TeamInvitation.objects.get()
    assert (invitation.email, invitation.role, invitation.state) == ("nigar@example.org", "checkin", "pending")
    assert invitation.token_hash == services.hash_token(token) and token not in invitation.token_hash
    assert mail.outbox[0].to == ["nigar@example.org"]
    assert "check people in at the door of Robotics workshop" in mail.outbox[0].body
    # the sentence that ends "...after you sign in:" is followed by the link, as in the other
    # messages, not by the expiry with the link two paragraphs further down (and only once)
    body = mail.outbox[0].body
    assert re.search(r"after you sign in:\nhttp://\S+/team/accept/", body) and body.count("/team/accept/") == 1
    # the message keeps the expiry in the site's zone with its offset, not the database's UTC
    context = OutboxMessage.objects.get(kind="team_invitation").context
    assert context["expires_at"] == timezone.localtime(invitation.expires_at).isoformat()
    assert context["expires_at"].endswith("+04:00")


def test_a_new_person_sets_a_password_and_gets_the_door_of_that_event_only(
    client, organiser_web, own_event, django_capture_on_commit_callbacks
):
    other = factories.EventFactory()
    token = emailed_token(django_capture_on_commit_callbacks, lambda: invite(organiser_web, own_event))
    client.logout()

    page = client.get(f"/team/accept/{token}/")
    assert page.status_code == 200 and 'name="password"' in page.text
    # the invited address, read-only, is the username a password manager files the password under
    username = re.search(r"<input[^>]*name=\"username\"[^>]*>", page.text).group(0)
    assert 'autocomplete="username"' in username and 'value="nigar@example.org"' in username
    assert page["Referrer-Policy"] == "same-origin"
    weak = client.post(f"/team/accept/{token}/", {"name": "Nigar", "password": "123", "password_again": "123"})
    assert weak.status_code == 200 and "password" in weak.context["form"].errors
    response = client.post(
        f"/team/accept/{token}/",
        {"name": "Nigar Safarova", "password": "door-keeper-2030", "password_again": "door-keeper-2030"},
    )

    user = get_user_model().objects.get(email="nigar@example.org")
    assert response.status_code == 302 and response["Location"] == f"/checkin/{own_event.pk}/"
    assert (user.first_name, user.last_name, user.is_staff) == ("Nigar", "Safarova", False)
    assert user.check_password("door-keeper-2030")
    assert can_check_in(user, own_event) and not can_check_in(user, other)
    assert not can_manage_event(user, own_event) and not is_organiser(user)
    assert client.get(f"/checkin/{own_event.pk}/").status_code == 200
    assert client.get(f"/checkin/{other.pk}/").status_code in (403, 404)
    assert client.get("/manage/").status_code == 403


def test_the_link_works_once(client, organiser_web, own_event, django_capture_on_commit_callbacks):
    token = emailed_token(django_capture_on_commit_callbacks, lambda: invite(organiser_web, own_event))
    services.accept_team_invitation(token=token, name="Nigar", password="door-keeper-2030")

    client.logout()
    page = client.get(f"/team/accept/{token}/")
    assert page.status_code == 410 and "already been used" in page.text
    with pytest.raises(InvitationUnusable) as refused:
        services.accept_team_invitation(token=token, name="Someone", password="door-keeper-2030")
    assert refused.value.code == "invitation_used"


def test_whoever_used_a_link_and_opens_it_again_is_taken_to_the_team_not_told_to_ask_for_a_new_one(
    client, organiser_web, own_event, django_capture_on_commit_callbacks
):
    """The email stays in the inbox: the person who accepted opens it again to reach the door and
    was told the link was used and to ask the organisers for a new one, for what they hold."""
    token = emailed_token(django_capture_on_commit_callbacks, lambda: invite(organiser_web, own_event))
    nigar = services.accept_team_invitation(token=token, name="Nigar", password="door-keeper-2030")
    client.logout()
    url = f"/team/accept/{token}/"

    signed_out = client.get(url)
    client.force_login(nigar)
    own = client.get(url)
    own_event.checkin_staff.remove(nigar)
    removed = client.get(url)
    client.force_login(factories.UserFactory(email="someone@example.org"))
    stranger = client.get(url)

    assert signed_out.status_code == 410
    assert "If you accepted it yourself, sign in" in signed_out.text
    assert f"/accounts/login/?next=/team/accept/{token}/" in signed_out.text
    assert (own.status_code, own["Location"]) == (302, f"/checkin/{own_event.pk}/")
    assert "You already joined the team of Robotics workshop." in [str(m) for m in own.wsgi_request._messages]
    for refused in (removed, stranger):
        assert refused.status_code == 410 and "already been used" in refused.text
        assert "Ask the organiser who invited you for a new link." in refused.text


def test_an_expired_or_unknown_link_is_refused_on_a_page(client, organiser, own_event):
    invitation = services.invite_to_team(
        event=own_event, email="old@example.org", role="checkin", by=organiser,
        now=timezone.now() - dt.timedelta(days=8),
    )  # fmt: skip
    expired = client.get(f"/team/accept/{invitation.token}/")
    unknown = client.get("/team/accept/not-a-token/")
    assert (expired.status_code, unknown.status_code) == (410, 410)
    # the expired link's own words say whom to ask; an unknown link is told once
    assert "ask the organisers for a new one" in expired.content.decode()
    assert "Ask the organiser who invited you" not in expired.content.decode()
    assert "Ask the organiser who invited you for a new link." in unknown.content.decode()
    assert client.post("/team/accept/" + "x" * 500 + "/").status_code == 410


def test_someone_with_an_account_signs_in_then_accepts_as_co_organiser(
    client, organiser_web, own_event, django_capture_on_commit_callbacks
):
    leyla = factories.UserFactory(email="leyla@example.org")
    token = emailed_token(
        django_capture_on_commit_callbacks, lambda: invite(organiser_web, own_event, "Leyla@Example.org", "organiser")
    )
    client.logout()

    page = client.get(f"/team/accept/{token}/")
    assert "Sign in to accept" in page.text and 'name="password"' not in page.text
    signed_in(client, leyla)
    response = client.post(f"/team/accept/{token}/")

    assert response.status_code == 302 and response["Location"] == f"/manage/events/{own_event.pk}/"
    leyla.refresh_from_db()
    assert can_manage_event(leyla, own_event) and is_organiser(leyla) and not leyla.is_staff
    assert client.get(f"/manage/events/{own_event.pk}/").status_code == 200


def test_someone_signed_in_under_another_address_is_told_then_may_accept_and_the_team_page_names_them(
    client, organiser, organiser_web, own_event, django_capture_on_commit_callbacks
):
    # the link is the credential, as in pretix: a person invited at their work address may accept
    # with the account they have under another; the page says so first, the organisers see who used it
    token = emailed_token(
        django_capture_on_commit_callbacks, lambda: invite(organiser_web, own_event, "nigar@work.example.org")
    )
    client.logout()
    private = factories.UserFactory(email="nigar@home.example.org", first_name="Nigar", last_name="Aliyeva")
    same = factories.UserFactory(email="Nigar@Work.example.org")

    as_same = signed_in(client, same).get(f"/team/accept/{token}/")
    as_other = signed_in(client, private).get(f"/team/accept/{token}/")
    accepted = client.post(f"/team/accept/{token}/")

    assert 'data-testid="other-address"' not in as_same.text
    assert 'data-testid="other-address"' in as_other.text
    assert "nigar@work.example.org" in as_other.text and "nigar@home.example.org" in as_other.text
    assert accepted.status_code == 302 and can_check_in(private, own_event)
    team_page = signed_in(client, organiser).get(f"/manage/events/{own_event.pk}/team/").text
    assert "nigar@work.example.org" in team_page and "(Nigar Aliyeva)" in team_page


def test_withdrawn_invitation_stops_working_and_a_new_one_replaces_the_old(organiser, own_event):
    first = services.invite_to_team(event=own_event, email="a@example.org", role="checkin", by=organiser)
    second = services.invite_to_team(event=own_event, email="a@example.org", role="checkin", by=organiser)
    first.refresh_from_db()
    assert first.state == "revoked"
    services.revoke_team_invitation(invitation=second, by=organiser)
    with pytest.raises(InvitationUnusable):
        services.accept_team_invitation(token=second.token, name="A", password="door-keeper-2030")


def test_two_long_addresses_that_begin_alike_are_two_accounts(organiser, own_event):
    """A username holds 150 characters; an address longer than that was cut to them, and the
    second of two addresses that begin alike was told its account existed."""
    common = "door@" + "a" * 63 + "." + "b" * 63 + "." + "c" * 20  # 153 characters of a valid address
    first, second = f"{common}.one.org", f"{common}.two.org"
    links = [
        services.invite_to_team(event=own_event, email=email, role="checkin", by=organiser) for email in (first, second)
    ]

    people = [
        services.accept_team_invitation(token=link.token, name="Door Keeper", password="door-keeper-2030")
        for link in links
    ]

    assert [person.email for person in people] == [first, second]
    assert len({person.username for person in people}) == 2
    assert all(len(person.username) <= 150 for person in people)


def test_organisers_remove_door_staff_but_keep_one_organiser(organiser_web, organiser, own_event):
    staff = factories.UserFactory()
    own_event.checkin_staff.add(staff)
    organiser_web.post(
        f"/manage/events/{own_event.pk}/team/", {"action": "remove", "role": "checkin", "user": staff.pk}
    )
    assert not can_check_in(staff, own_event)

    response = organiser_web.post(
        f"/manage/events/{own_event.pk}/team/", {"action": "remove", "role": "organiser", "user": organiser.pk},
        follow=True,
    )  # fmt: skip
    assert "at least one organiser" in response.text
    assert can_manage_event(organiser, own_event)
    colleague = factories.OrganiserFactory(first_name="Leyla", last_name="Quliyeva")
    own_event.organisers.add(colleague)
    removed = organiser_web.post(
        f"/manage/events/{own_event.pk}/team/",
        {"action": "remove", "role": "organiser", "user": colleague.pk},
        follow=True,
    )
    assert "Leyla Quliyeva is no longer an organiser of this event." in removed.text


def test_an_organiser_who_takes_themselves_off_the_event_lands_on_their_events(organiser_web, organiser, own_event):
    own_event.organisers.add(factories.OrganiserFactory())

    response = organiser_web.post(
        f"/manage/events/{own_event.pk}/team/", {"action": "remove", "role": "organiser", "user": organiser.pk}
    )
    landed = organiser_web.get(response["Location"])

    # not the event's team page, which is now someone else's (a 404)
    assert response.status_code == 302 and response["Location"] == "/manage/"
    assert landed.status_code == 200
    assert f"You are no longer an organiser of “{own_event.title}”." in landed.text
    assert not can_manage_event(organiser, own_event)


def test_a_co_organiser_a_link_made_an_organiser_is_none_once_removed_from_all_they_organise(
    organiser, own_event, django_capture_on_commit_callbacks
):
    """A team link adds the Organisers role: removed from the event, they kept the workspace,
    creating events and the shared roster for good. An organiser the operators made keeps it."""
    second = factories.EventFactory(organisers=[organiser])
    tokens = [
        emailed_token(
            django_capture_on_commit_callbacks,
            lambda event=event: services.invite_to_team(
                event=event, email="nigar@example.org", role="organiser", by=organiser
            ),
        )
        for event in (own_event, second)
    ]
    nigar = services.accept_team_invitation(token=tokens[0], name="Nigar", password="door-keeper-2030")
    services.accept_team_invitation(token=tokens[1], user=nigar)
    operators_own = factories.OrganiserFactory()
    own_event.organisers.add(operators_own)

    services.remove_from_team(event=own_event, user=nigar, role="organiser", by=organiser)
    still = is_organiser(get_user_model().objects.get(pk=nigar.pk))
    services.remove_from_team(event=second, user=nigar, role="organiser", by=organiser)
    services.remove_from_team(event=own_event, user=operators_own, role="organiser", by=organiser)

    assert still  # organises the second event yet
    assert not is_organiser(get_user_model().objects.get(pk=nigar.pk))
    assert is_organiser(get_user_model().objects.get(pk=operators_own.pk))


def test_the_last_organiser_cannot_leave_an_event_to_a_closed_account(organiser_web, organiser, own_event):
    """The other organiser's account was erased: removing oneself left nobody who could run it."""
    colleague = factories.OrganiserFactory()
    own_event.organisers.add(colleague)
    erase_personal_data(user=colleague)

    response = organiser_web.post(
        f"/manage/events/{own_event.pk}/team/", {"action": "remove", "role": "organiser", "user": organiser.pk},
        follow=True,
    )  # fmt: skip

    assert "at least one organiser" in response.text
    assert can_manage_event(organiser, own_event)


def test_refusals_are_form_errors(organiser_web, organiser, own_event):
    own_event.checkin_staff.add(factories.UserFactory(email="door@example.org"))
    already = invite(organiser_web, own_event, "door@example.org")
    bad = invite(organiser_web, own_event, "not an address")
    role = invite(organiser_web, own_event, "x@example.org", "superuser")

    assert already.status_code == 200 and already.context["form"].non_field_errors()
    assert "email" in bad.context["form"].errors and "role" in role.context["form"].errors
    with pytest.raises(Conflict):
        services.invite_to_team(event=own_event, email="door@example.org", role="checkin", by=organiser)
    with pytest.raises(TeamError):
        services.invite_to_team(event=own_event, email="x@example.org", role="owner", by=organiser)


def test_nobody_but_the_events_organisers_invites(own_event):
    stranger = factories.OrganiserFactory()
    with pytest.raises(Exception) as refused:
        services.invite_to_team(event=own_event, email="x@example.org", role="checkin", by=stranger)
    assert refused.value.code == "not_event_organiser"


def test_another_organisers_invitation_cannot_be_withdrawn_through_my_event(organiser_web, own_event, other_event):
    other_invitation = services.invite_to_team(event=other_event, email="x@example.org", role="checkin", by=None)
    response = organiser_web.post(
        f"/manage/events/{own_event.pk}/team/", {"action": "revoke", "invitation": other_invitation.pk}
    )
    assert response.status_code == 404
    other_invitation.refresh_from_db()
    assert other_invitation.state == "pending"


def test_invitations_become_cards_on_a_phone_with_withdraw_in_reach(organiser_web, own_event):
    """A five-column table scrolled sideways on a phone and hid "Withdraw": it stacks, as the
    outbox does, and each cell says what it is."""
    invite(organiser_web, own_event)

    html = organiser_web.get(f"/manage/events/{own_event.pk}/team/").content.decode()

    table = html[html.index('data-testid="team-invitations"') : html.index("</table>")]
    assert html[: html.index('data-testid="team-invitations"')].endswith('<table class="stack" ')
    assert '<th scope="row">nigar@example.org</th>' in table
    assert 'data-label="State"' in table and 'Withdraw<span class="visually-hidden"> · nigar@example.org' in table


def test_taking_door_rights_from_an_erased_account_names_it_as_the_list_does(organiser_web, own_event):
    staff = factories.UserFactory(first_name="", last_name="", email="door@example.org")
    own_event.checkin_staff.add(staff)
    erase_personal_data(user=staff)

    response = organiser_web.post(
        f"/manage/events/{own_event.pk}/team/", {"action": "remove", "role": "checkin", "user": staff.pk}, follow=True
    )

    assert "An erased account no longer works this event&#x27;s door." in response.text
    assert f"erased-{staff.pk}" not in response.text


def test_team_list_and_buttons_name_an_erased_account_with_a_capital_in_azerbaijani(organiser_web, own_event):
    # the Azerbaijani button puts the name first: "silinmiş hesab üçün giriş hüququnu götürün"
    staff = factories.UserFactory(first_name="", last_name="", email="door@example.org")
    own_event.checkin_staff.add(staff)
    erase_personal_data(user=staff)
    organiser_web.cookies["django_language"] = "az"

    html = organiser_web.get(f"/manage/events/{own_event.pk}/team/").content.decode()

    assert f'<li id="checkin-{staff.pk}"><span>Silinmiş hesab <span' in html
    assert ">Silinmiş hesab üçün giriş hüququnu götürün</button>" in html
    assert "silinmiş hesab üçün" not in html


def test_message_after_taking_door_rights_from_an_erased_account_starts_with_a_capital_in_azerbaijani(
    organiser_web, own_event
):
    staff = factories.UserFactory(first_name="", last_name="", email="door@example.org")
    own_event.checkin_staff.add(staff)
    erase_personal_data(user=staff)
    organiser_web.cookies["django_language"] = "az"

    response = organiser_web.post(
        f"/manage/events/{own_event.pk}/team/", {"action": "remove", "role": "checkin", "user": staff.pk}, follow=True
    )

    assert "Silinmiş hesab artıq bu tədbirin girişində işləmir." in response.content.decode()


@pytest.mark.parametrize("language", ["en", "az"])
def test_inviting_an_organiser_of_the_event_to_its_door_is_refused_as_already_having_access(
    organiser_web, organiser, own_event, language, django_capture_on_commit_callbacks
):
    # a co-organiser works the door already: the invitation was pointless
    colleague = factories.OrganiserFactory(email="colleague@example.org")
    own_event.organisers.add(colleague)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        page = organiser_web.post(
            f"/manage/events/{own_event.pk}/team/",
            {"action": "invite", "email": "Colleague@Example.org", "role": "checkin"},
            headers={"accept-language": language},
        )
    with translation.override("en"), pytest.raises(Conflict) as refused:
        services.invite_to_team(event=own_event, email="colleague@example.org", role="checkin", by=organiser)

    said = {
        "en": "This person already has access to this event&#x27;s door: they organise it.",
        "az": "Bu şəxsin artıq bu tədbirin girişinə icazəsi var: tədbiri o təşkil edir.",
    }[language]
    assert refused.value.code == "already_has_access"
    assert page.status_code == 200 and said in page.text
    assert TeamInvitation.objects.count() == 0 and mail.outbox == []


def test_inviting_door_staff_to_the_door_again_says_they_already_have_access(organiser, own_event):
    own_event.checkin_staff.add(factories.UserFactory(email="door@example.org"))

    with translation.override("en"), pytest.raises(Conflict) as refused:
        services.invite_to_team(event=own_event, email="door@example.org", role="checkin", by=organiser)

    assert refused.value.code == "already_in_team"
    assert "already has access" in refused.value.message


def test_door_staff_may_still_be_invited_to_organise(organiser, own_event):
    own_event.checkin_staff.add(factories.UserFactory(email="door@example.org"))

    invitation = services.invite_to_team(event=own_event, email="door@example.org", role="organiser", by=organiser)

    assert invitation.role == "organiser"


def test_inviting_a_superuser_to_the_door_tells_the_organiser_nothing_of_the_account(organiser, own_event):
    """The door is open to every superuser, but whose address is a superuser's is no organiser's
    business: refusing it ("already has access") told any organiser which addresses the operators
    sign in with. The invitation goes out as to anyone, and its link works."""
    admin = factories.UserFactory(email="admin@example.org", is_superuser=True)

    invitation = services.invite_to_team(event=own_event, email="Admin@Example.org", role="checkin", by=organiser)
    accepted = services.accept_team_invitation(token=invitation.token, user=admin)

    assert (invitation.email, accepted) == ("admin@example.org", admin)
    assert list(own_event.checkin_staff.all()) == [admin]


@pytest.mark.parametrize("how", ["removed", "handed_over", "account_closed"])
def test_a_link_dies_with_its_inviters_place_among_the_organisers(client, organiser, own_event, how):
    """A co-organiser who invites an address of their own and is then removed (or the event is
    handed to others, or their account closed) must not come back through the pending link."""
    colleague = factories.OrganiserFactory()
    own_event.organisers.add(colleague)
    invitation = services.invite_to_team(
        event=own_event, email="colleague.private@example.org", role="organiser", by=colleague
    )
    door = services.invite_to_team(event=own_event, email="friend@example.org", role="checkin", by=colleague)
    if how == "removed":
        services.remove_from_team(event=own_event, user=colleague, role="organiser", by=organiser)
    elif how == "handed_over":
        own_event.organisers.set([factories.OrganiserFactory()])
    else:
        colleague.is_active = False
        colleague.save(update_fields=["is_active"])

    for link in (invitation, door):
        with pytest.raises(InvitationUnusable) as refused:
            services.accept_team_invitation(token=link.token, name="Someone", password="door-keeper-2030")
        assert refused.value.code == "inviter_left"
    page = client.get(f"/team/accept/{invitation.token}/")
    assert page.status_code == 410
    # one way forward, not "ask the organiser who invited you" under "whoever invited you no longer organises"
    assert "ask its organisers for a new link" in page.content.decode()
    assert "Ask the organiser who invited you" not in page.content.decode()
    assert not get_user_model().objects.filter(email__in=["colleague.private@example.org", "friend@example.org"])


def test_a_link_of_an_organiser_still_in_place_works(organiser, own_event):
    invitation = services.invite_to_team(event=own_event, email="new@example.org", role="organiser", by=organiser)
    own_event.organisers.add(factories.OrganiserFactory())

    user = services.accept_team_invitation(token=invitation.token, name="New One", password="door-keeper-2030")

    assert can_manage_event(user, own_event)


def test_the_team_page_says_a_link_died_with_its_senders_place(organiser_web, organiser, own_event):
    colleague = factories.OrganiserFactory()
    own_event.organisers.add(colleague)
    services.invite_to_team(event=own_event, email="friend@example.org", role="checkin", by=colleague)
    services.invite_to_team(event=own_event, email="kept@example.org", role="checkin", by=organiser)
    services.remove_from_team(event=own_event, user=colleague, role="organiser", by=organiser)

    page = organiser_web.get(f"/manage/events/{own_event.pk}/team/")

    states = {invitation.email: invitation.state for invitation in page.context["invitations"]}
    assert states == {"friend@example.org": "void", "kept@example.org": "pending"}
    assert "no longer organises the event" in page.text


def online_only(event):
    event.format, event.venue_name, event.venue_address = "online", "", ""
    event.city, event.region = "", None
    event.save()
    return event


def test_an_online_only_event_has_no_door_to_invite_anyone_to(organiser, own_event):
    """Its tickets carry no code and My doors does not list it: a door-staff invitation led
    to a door nobody could use ("Help at the door of" a webinar)."""
    online_only(own_event)

    with pytest.raises(TeamError) as refused:
        services.invite_to_team(event=own_event, email="nigar@example.org", role="checkin", by=organiser)
    co_organiser = services.invite_to_team(event=own_event, email="nigar@example.org", role="organiser", by=organiser)

    assert refused.value.code == "no_door"
    assert list(TeamInvitation.objects.values_list("role", flat=True)) == [co_organiser.role] == ["organiser"]


def test_the_team_tab_of_an_online_only_event_offers_co_organisers_only(organiser_web, own_event):
    in_person = organiser_web.get(f"/manage/events/{own_event.pk}/team/").content.decode()
    online_only(own_event)

    online = organiser_web.get(f"/manage/events/{own_event.pk}/team/").content.decode()
    posted = invite(organiser_web, own_event, role="checkin")

    assert 'value="checkin"' in in_person and "Check-in staff" in in_person
    assert 'value="checkin"' not in online and "Check-in staff" not in online
    assert 'value="organiser"' in online
    assert posted.status_code == 200 and not TeamInvitation.objects.exists()


def test_a_door_link_sent_before_the_event_went_online_only_admits_nobody(client, organiser_web, organiser, own_event):
    """An invitation to the door sent while the event had a venue, the event then made online
    only: the link made its reader door staff of an event with no door (the invitation the Team
    tab now refuses, 'no_door'). It is void, as the Team tab says; a co-organiser's still works."""
    door = services.invite_to_team(event=own_event, email="door@example.org", role="checkin", by=organiser)
    colleague = services.invite_to_team(event=own_event, email="colleague@example.org", role="organiser", by=organiser)
    online_only(own_event)

    with pytest.raises(InvitationUnusable) as refused:
        services.accept_team_invitation(token=door.token, name="Door Keeper", password="door-keeper-2030")
    page = client.get(f"/team/accept/{door.token}/")
    team = organiser_web.get(f"/manage/events/{own_event.pk}/team/").content.decode()
    user = services.accept_team_invitation(token=colleague.token, name="Co Organiser", password="door-keeper-2030")

    assert refused.value.code == "no_door"
    assert page.status_code == 410
    assert "This event is online only: it has no door to check people in at." in page.content.decode()
    assert "Void: an online-only event has no door" in team
    assert list(own_event.checkin_staff.all()) == []
    assert not get_user_model().objects.filter(email="door@example.org").exists()
    assert can_manage_event(user, own_event)


@pytest.mark.parametrize("action", ["remove", "invite", "withdraw"])
def test_a_co_organiser_removed_after_their_request_read_the_event_changes_no_team(organiser, own_event, action):
    """The right was read from the request's copy of the event (its organisers as they were when
    the request began): a co-organiser removed meanwhile still took someone off the team."""
    colleague = factories.OrganiserFactory()
    door = factories.UserFactory()
    own_event.organisers.add(colleague)
    own_event.checkin_staff.add(door)
    pending = services.invite_to_team(event=own_event, email="pending@example.org", role="checkin", by=organiser)
    as_their_request_read_it = type(own_event).objects.prefetch_related("organisers").get(pk=own_event.pk)
    their_link = TeamInvitation.objects.select_related("event").prefetch_related("event__organisers").get(pk=pending.pk)
    assert can_manage_event(colleague, as_their_request_read_it)
    assert can_manage_event(colleague, their_link.event)
    services.remove_from_team(event=own_event, user=colleague, role="organiser", by=organiser)

    with pytest.raises(Forbidden) as refused:
        if action == "withdraw":
            services.revoke_team_invitation(invitation=their_link, by=colleague)
        elif action == "remove":
            services.remove_from_team(event=as_their_request_read_it, user=door, role="checkin", by=colleague)
        else:
            services.invite_to_team(
                event=as_their_request_read_it, email="friend@example.org", role="checkin", by=colleague
            )

    assert refused.value.code == "not_event_organiser"
    assert list(own_event.checkin_staff.all()) == [door]
    assert not TeamInvitation.objects.filter(email="friend@example.org").exists()
    assert TeamInvitation.objects.get(pk=pending.pk).revoked_at is None


def test_the_events_log_names_whom_a_team_invitation_went_to(organiser_web, own_event):
    invite(organiser_web, own_event, email="nigar@example.org")
    invitation = TeamInvitation.objects.get()

    page = organiser_web.get(f"/manage/events/{own_event.pk}/").content.decode()

    assert "invited someone to the team (nigar@example.org)" in page
    assert f"(#{invitation.pk})" not in page


def test_the_events_log_names_whom_the_team_lost(organiser_web, own_event):
    """Taking someone off the team is logged with them as its subject (an account): the log names
    them as the team page did, not "(#12)"."""
    staff = factories.UserFactory(first_name="Nigar", last_name="Hasanova")
    own_event.checkin_staff.add(staff)
    organiser_web.post(
        f"/manage/events/{own_event.pk}/team/", {"action": "remove", "role": "checkin", "user": staff.pk}
    )

    page = organiser_web.get(f"/manage/events/{own_event.pk}/").content.decode()

    assert "removed someone from the team (Nigar Hasanova)" in page
    assert f"(#{staff.pk})" not in page


def test_taking_an_organiser_off_asks_twice(organiser_web, organiser, own_event):
    """An organiser taken off loses the event at once (leaving oneself too): the team page asks
    before, in a disclosure whose button says what follows; the door staff's removal stays one step."""
    colleague = factories.OrganiserFactory(first_name="Leyla", last_name="Quliyeva")
    own_event.organisers.add(colleague)

    page = organiser_web.get(f"/manage/events/{own_event.pk}/team/").text
    row = page[page.index(f'id="organiser-{organiser.pk}"') :].split("</li>", 1)[0]
    other_row = page[page.index(f'id="organiser-{colleague.pk}"') :].split("</li>", 1)[0]

    assert '<details class="confirm"><summary class="button secondary">Leave the organisers</summary>' in row
    assert "Yes, take me off: I will no longer see this event" in row.split("</summary>", 1)[1]
    assert "Remove Leyla Quliyeva</summary>" in other_row
    assert "Yes, remove Leyla Quliyeva: they will no longer see this event" in other_row.split("</summary>", 1)[1]
