"""The door team of a series: one link makes someone door staff of every session the series
reaches, those made later too; removing them closes those doors, not one they were invited to."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from events import services as event_services
from events.models import Event
from events.permissions import can_check_in, can_manage_event, can_manage_series
from events.selectors import doors_of, events_checked_in_by
from teams import services
from teams.exceptions import Conflict, Forbidden, InvitationUnusable, TeamError
from teams.models import TeamInvitation
from teams.selectors import team_invitations_managed_by
from tests import factories
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db
LINK = re.compile(r"http://[^\s\"]+/team/accept/([A-Za-z0-9_\-]+)/")


def make_series(organiser, *, count=4, format="in_person", **fields):
    return event_services.create_series(
        by=organiser,
        title=fields.pop("title", "Mentoring circle"),
        kind="mentoring_session",
        format=format,
        venue_name="Baku Engineering Hub" if format != "online" else "",
        timezone="Asia/Baku",
        rrule=f"FREQ=WEEKLY;COUNT={count}",
        first_start=(timezone.now() + dt.timedelta(days=7)).replace(microsecond=0),
        duration_minutes=90,
        published=True,
        **fields,
    )


@pytest.fixture
def series(organiser):
    # written in English, so are its door invitations (the model's default is az)
    return make_series(organiser, language="en")


def door_keeper(series, organiser, email="door@example.org"):
    invitation = services.invite_to_series_door(series=series, email=email, by=organiser)
    return services.accept_team_invitation(token=invitation.token, name="Door Keeper", password="door-keeper-2030")


def test_one_series_link_opens_the_door_of_every_session_and_nothing_else(series, organiser):
    elsewhere = factories.EventFactory(organisers=[organiser])

    user = door_keeper(series, organiser)

    sessions = set(series.occurrences.values_list("pk", flat=True))
    assert len(sessions) == 4
    assert set(doors_of(user).values_list("pk", flat=True)) == sessions
    assert list(series.checkin_staff.all()) == [user]
    assert not can_check_in(user, elsewhere)
    # door rights only: never the series or its sessions to change, and no row copied onto a session
    assert not can_manage_series(user, series)
    assert not any(can_manage_event(user, event) for event in series.occurrences.all())
    assert not Event.checkin_staff.through.objects.filter(user=user).exists()


def test_a_session_made_later_opens_to_the_series_door_staff(series, organiser):
    user = door_keeper(series, organiser)

    event_services.update_series(series=series, rrule="FREQ=WEEKLY;COUNT=6")

    assert series.occurrences.count() == 6
    assert events_checked_in_by(user).filter(series=series).count() == 6


def test_removing_someone_from_the_series_door_closes_its_sessions_but_not_one_they_were_invited_to(series, organiser):
    first, second, *_rest = series.occurrences.order_by("start")
    invitation = services.invite_to_team(event=second, email="door@example.org", role="checkin", by=organiser)
    user = services.accept_team_invitation(token=invitation.token, name="Door Keeper", password="door-keeper-2030")
    series_link = services.invite_to_series_door(series=series, email="door@example.org", by=organiser)
    services.accept_team_invitation(token=series_link.token, user=user)
    assert doors_of(user).count() == 4

    services.remove_from_series_door(series=series, user=user, by=organiser)

    assert list(doors_of(user)) == [second]
    assert not can_check_in(user, first)
    assert list(series.checkin_staff.all()) == []


def test_a_session_handed_over_to_another_organiser_stays_closed_to_the_series_door_staff(series, organiser):
    """series_occurrences' rule: a session none of whose organisers runs the series is someone else's."""
    user = door_keeper(series, organiser)
    handed_over = series.occurrences.order_by("start").first()
    other = factories.OrganiserFactory()
    handed_over.organisers.set([other])

    assert not can_check_in(user, handed_over)
    assert events_checked_in_by(user).filter(series=series).count() == 3
    # and it opens again when the series reaches it once more
    series.organisers.add(other)
    assert can_check_in(user, handed_over)


def test_online_sessions_have_no_door_and_an_online_series_takes_no_door_staff(organiser):
    online = make_series(organiser, format="online")
    with pytest.raises(TeamError) as refused:
        services.invite_to_series_door(series=online, email="door@example.org", by=organiser)
    assert refused.value.code == "no_door"


def test_the_series_page_leads_to_the_door_team_only_where_its_sessions_have_a_door(client, series, organiser):
    # an online series' page offered "Door team", which opened on "its sessions have no door"
    online = make_series(organiser, format="online", title="Online mentoring circle")
    web = signed_in(client, organiser)

    in_person_page = web.get(f"/manage/series/{series.pk}/").text
    online_page = web.get(f"/manage/series/{online.pk}/").text

    assert f'href="/manage/series/{series.pk}/team/"' in in_person_page
    assert f"/manage/series/{online.pk}/team/" not in online_page and "Door team" not in online_page


def test_only_the_series_organisers_invite_withdraw_and_remove(series, organiser):
    stranger = factories.OrganiserFactory()
    session_organiser = factories.OrganiserFactory()
    series.occurrences.first().organisers.add(session_organiser)
    user = door_keeper(series, organiser)
    pending = services.invite_to_series_door(series=series, email="second@example.org", by=organiser)

    for outsider in (stranger, session_organiser):
        with pytest.raises(Forbidden) as refused:
            services.invite_to_series_door(series=series, email="x@example.org", by=outsider)
        assert refused.value.code == "not_series_organiser"
        with pytest.raises(Forbidden):
            services.revoke_team_invitation(invitation=pending, by=outsider)
        with pytest.raises(Forbidden):
            services.remove_from_series_door(series=series, user=user, by=outsider)
    assert list(series.checkin_staff.all()) == [user]


def test_someone_already_at_the_door_or_organising_is_not_invited_again(series, organiser):
    door_keeper(series, organiser)
    with pytest.raises(Conflict) as session:
        services.invite_to_team(
            event=series.occurrences.first(), email="door@example.org", role="checkin", by=organiser
        )
    assert session.value.code == "already_has_access" and "doors of its series" in session.value.message
    with pytest.raises(Conflict) as again:
        services.invite_to_series_door(series=series, email="DOOR@example.org", by=organiser)
    assert again.value.code == "already_in_team"
    with pytest.raises(Conflict) as organises:
        services.invite_to_series_door(series=series, email=organiser.email, by=organiser)
    assert organises.value.code == "already_has_access"


def test_the_series_link_keeps_the_rules_of_every_team_link(series, organiser):
    # used once
    invitation = services.invite_to_series_door(series=series, email="door@example.org", by=organiser)
    services.accept_team_invitation(token=invitation.token, name="Door Keeper", password="door-keeper-2030")
    with pytest.raises(InvitationUnusable) as used:
        services.accept_team_invitation(token=invitation.token, user=factories.UserFactory())
    assert used.value.code == "invitation_used"
    # only the newest link of one person works; a withdrawn one does not
    older = services.invite_to_series_door(series=series, email="b@example.org", by=organiser)
    newer = services.invite_to_series_door(series=series, email="b@example.org", by=organiser)
    with pytest.raises(InvitationUnusable) as withdrawn:
        services.invitation_for_token(older.token)
    assert withdrawn.value.code == "invitation_replaced"
    services.revoke_team_invitation(invitation=newer, by=organiser)
    with pytest.raises(InvitationUnusable) as revoked:
        services.invitation_for_token(newer.token)
    assert revoked.value.code == "invitation_revoked"
    # expiry
    late = services.invite_to_series_door(series=series, email="c@example.org", by=organiser)
    with pytest.raises(InvitationUnusable) as expired:
        services.invitation_for_token(late.token, now=timezone.now() + dt.timedelta(days=8))
    assert expired.value.code == "invitation_expired"


def test_a_series_link_dies_with_its_senders_place_among_the_series_organisers(series, organiser):
    partner = factories.OrganiserFactory()
    series.organisers.add(partner)
    invitation = services.invite_to_series_door(series=series, email="door@example.org", by=partner)

    series.organisers.remove(partner)

    with pytest.raises(InvitationUnusable) as refused:
        services.accept_team_invitation(token=invitation.token, name="Door Keeper", password="door-keeper-2030")
    assert refused.value.code == "inviter_left"
    (row,) = services_state(organiser, series)
    assert row.state == "void"


def services_state(organiser, series):
    return list(team_invitations_managed_by(organiser).filter(series=series))


def test_a_series_link_reaches_no_other_tenant(series, organiser):
    services.invite_to_series_door(series=series, email="door@example.org", by=organiser)
    assert team_invitations_managed_by(factories.OrganiserFactory()).count() == 0
    assert team_invitations_managed_by(organiser).filter(series=series).count() == 1


# --- the page --------------------------------------------------------------------------------


def test_the_series_page_invites_lists_and_removes_door_staff(
    client, organiser, series, django_capture_on_commit_callbacks
):
    web = signed_in(client, organiser)
    detail = web.get(f"/manage/series/{series.pk}/")
    assert f"/manage/series/{series.pk}/team/" in detail.text

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = web.post(f"/manage/series/{series.pk}/team/", {"action": "invite", "email": "door@example.org"})
    assert sent.status_code == 302
    (message,) = mail.outbox
    assert "every session of the series Mentoring circle" in message.body
    token = LINK.search(message.body).group(1)
    page = web.get(f"/manage/series/{series.pk}/team/")
    assert page.status_code == 200 and "door@example.org" in page.text and "Waiting for an answer" in page.text
    # the series' own activity says so, without who
    assert "invited someone to the team" in web.get(f"/manage/series/{series.pk}/").text

    client.logout()
    accept = client.get(f"/team/accept/{token}/")
    assert accept.status_code == 200 and "every session of" in accept.text
    accepted = client.post(
        f"/team/accept/{token}/",
        {"name": "Door Keeper", "password": "door-keeper-2030", "password_again": "door-keeper-2030"},
    )
    assert accepted.status_code == 302 and accepted["Location"] == "/checkin/"
    user = get_user_model().objects.get(email="door@example.org")
    session = series.occurrences.first()
    assert client.get(f"/checkin/{session.pk}/").status_code == 200

    web = signed_in(client, organiser)
    page = web.get(f"/manage/series/{series.pk}/team/")
    assert "Door Keeper" in page.text
    # the session's own Team tab says who works its door through the series
    assert "Door Keeper" in web.get(f"/manage/events/{session.pk}/team/").text
    removed = web.post(f"/manage/series/{series.pk}/team/", {"action": "remove", "user": user.pk})
    assert removed.status_code == 302
    assert not can_check_in(user, session)


def test_the_series_team_page_is_the_series_organisers_only(client, series):
    for outsider in (factories.OrganiserFactory(), factories.UserFactory()):
        response = signed_in(client, outsider).get(f"/manage/series/{series.pk}/team/")
        assert response.status_code in (403, 404)


def test_the_page_withdraws_a_pending_series_link(client, organiser, series):
    invitation = services.invite_to_series_door(series=series, email="door@example.org", by=organiser)
    web = signed_in(client, organiser)

    response = web.post(f"/manage/series/{series.pk}/team/", {"action": "revoke", "invitation": invitation.pk})

    assert response.status_code == 302
    assert TeamInvitation.objects.get(pk=invitation.pk).state == "revoked"
    # another series' link is not withdrawn through this page
    other = make_series(factories.OrganiserFactory(), title="Elsewhere")
    foreign = services.invite_to_series_door(series=other, email="x@example.org", by=other.organisers.first())
    response = web.post(f"/manage/series/{series.pk}/team/", {"action": "revoke", "invitation": foreign.pk})
    assert response.status_code == 404
    assert TeamInvitation.objects.get(pk=foreign.pk).state == "pending"


# --- the API ---------------------------------------------------------------------------------


def api_for(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_invites_lists_withdraws_and_removes(series, organiser, django_capture_on_commit_callbacks):
    api = api_for(organiser)
    base = f"/api/series/{series.pk}/team"

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(f"{base}/invitations/", {"email": "Door@Example.org"}, format="json")
    assert created.status_code == 201
    assert (created.data["email"], created.data["role"], created.data["state"]) == (
        "door@example.org",
        "checkin",
        "pending",
    )
    assert "token" not in created.data and "token_hash" not in created.data
    token = LINK.search(mail.outbox[0].body).group(1)

    listed = api.get(f"{base}/invitations/")
    assert [row["id"] for row in listed.data["results"]] == [created.data["id"]]

    user = services.accept_team_invitation(token=token, name="Door Keeper", password="door-keeper-2030")
    staff = api.get(f"{base}/door-staff/")
    assert staff.data["results"] == [{"id": user.pk, "name": "Door Keeper", "email": "door@example.org"}]
    assert api.get(f"{base}/invitations/").data["results"][0]["state"] == "used"

    pending = api.post(f"{base}/invitations/", {"email": "second@example.org"}, format="json")
    withdrawn = api.post(f"{base}/invitations/{pending.data['id']}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.data["state"] == "revoked"
    used = api.post(f"{base}/invitations/{created.data['id']}/withdraw/")
    assert (used.status_code, used.data["code"]) == (400, "invitation_used")

    removed = api.delete(f"{base}/door-staff/{user.pk}/")
    assert removed.status_code == 204
    assert not can_check_in(user, series.occurrences.first())
    assert api.delete(f"{base}/door-staff/{user.pk}/").status_code == 404


def test_the_api_answers_refusals_with_their_codes(series, organiser):
    api = api_for(organiser)
    door_keeper(series, organiser)
    again = api.post(f"/api/series/{series.pk}/team/invitations/", {"email": "door@example.org"}, format="json")
    assert (again.status_code, again.data["code"]) == (409, "already_in_team")
    online = make_series(organiser, format="online", title="Online circle")
    no_door = api.post(f"/api/series/{online.pk}/team/invitations/", {"email": "x@example.org"}, format="json")
    assert (no_door.status_code, no_door.data["code"]) == (400, "no_door")
    bad = api.post(f"/api/series/{series.pk}/team/invitations/", {"email": "not an address"}, format="json")
    assert bad.status_code == 400


def test_the_api_keeps_other_organisers_out(series, organiser):
    series.published = True
    series.save(update_fields=["published"])
    outsider = api_for(factories.OrganiserFactory())
    base = f"/api/series/{series.pk}/team"
    # a published series is seen by everyone: 403; its door team is its organisers' alone
    assert outsider.get(f"{base}/invitations/").status_code == 403
    assert outsider.get(f"{base}/door-staff/").status_code == 403
    refused = outsider.post(f"{base}/invitations/", {"email": "x@example.org"}, format="json")
    assert (refused.status_code, refused.data["code"]) == (403, "not_organiser")
    assert not TeamInvitation.objects.exists()


@pytest.mark.parametrize("count", [1, 5])
def test_the_api_lists_in_the_same_number_of_queries_whatever_their_length(
    series, organiser, count, django_assert_num_queries
):
    for number in range(count):
        door_keeper(series, organiser, email=f"door{number}@example.org")
        services.invite_to_series_door(series=series, email=f"pending{number}@example.org", by=organiser)
    api = api_for(organiser)
    api.get(f"/api/series/{series.pk}/team/invitations/")  # warm the caches (group membership)

    with django_assert_num_queries(QUERIES["invitations"]):
        invitations = api.get(f"/api/series/{series.pk}/team/invitations/")
    with django_assert_num_queries(QUERIES["door-staff"]):
        staff = api.get(f"/api/series/{series.pk}/team/door-staff/")

    assert invitations.data["count"] == 2 * count and staff.data["count"] == count


QUERIES = {"invitations": 4, "door-staff": 4}


def test_a_sessions_team_tab_names_the_series_door_staff_only_where_they_work(client, series, organiser):
    door_keeper(series, organiser)
    first, handed_over, *_rest = series.occurrences.order_by("start")
    other = factories.OrganiserFactory()
    handed_over.organisers.set([other])

    own = signed_in(client, organiser).get(f"/manage/events/{first.pk}/team/")
    assert 'data-testid="series-door-staff"' in own.text and "Door Keeper" in own.text
    assert "Nobody yet" not in own.text and f"/manage/series/{series.pk}/team/" in own.text
    theirs = signed_in(client, other).get(f"/manage/events/{handed_over.pk}/team/")
    assert "Door Keeper" not in theirs.text and f"/manage/series/{series.pk}/team/" not in theirs.text


def test_taking_a_door_away_says_which_doors_stay_open_through_the_other_team(client, series, organiser):
    """Someone both invited to one session's door and on the series' door team: taking either
    away said they were gone ("no longer has this role", "no longer works the door of this
    series") while the other kept that session's door open to them."""
    session = series.occurrences.order_by("start").first()
    user = door_keeper(series, organiser)
    session.checkin_staff.add(user)  # invited to the session first, to the series later
    web = signed_in(client, organiser)

    taken = web.post(
        f"/manage/events/{session.pk}/team/", {"action": "remove", "role": "checkin", "user": user.pk}, follow=True
    )

    assert can_check_in(user, session)
    assert (
        "Door Keeper is no longer check-in staff of this event itself, but still works its door as check-in staff "
        "of the series." in taken.text
    )
    session.checkin_staff.add(user)
    left = web.post(f"/manage/series/{series.pk}/team/", {"action": "remove", "user": user.pk}, follow=True)
    assert can_check_in(user, session)
    assert (
        "Door Keeper no longer works the door of this series. They still work the door of 1 session they were "
        "invited to on its own." in left.text
    )
    alone = factories.UserFactory(first_name="Other", last_name="Keeper")
    series.checkin_staff.add(alone)
    gone = web.post(f"/manage/series/{series.pk}/team/", {"action": "remove", "user": alone.pk}, follow=True)
    assert "Other Keeper no longer works the door of this series.</" in gone.text


def test_the_series_invitation_mail_does_not_call_the_series_an_event(
    series, organiser, django_capture_on_commit_callbacks
):
    """Its footer said "invited you to help with this event" under an invitation to every
    session of a series."""
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_to_series_door(series=series, email="door@example.org", by=organiser)

    (message,) = mail.outbox
    assert "this event" not in message.body
    assert "the organisers invited you to join their team." in message.body


def test_a_link_replaced_by_a_newer_invitation_says_so(client, series, organiser):
    """Inviting the same address again withdraws its earlier link; that link said "The organisers
    withdrew this invitation. Ask the organiser who invited you for a new link." to someone
    holding the newer one in their inbox."""
    older = services.invite_to_series_door(series=series, email="door@example.org", by=organiser)
    services.invite_to_series_door(series=series, email="door@example.org", by=organiser)
    other = services.invite_to_series_door(series=series, email="other@example.org", by=organiser)
    services.revoke_team_invitation(invitation=other, by=organiser)

    replaced = client.get(f"/team/accept/{older.token}/")
    withdrawn = client.get(f"/team/accept/{other.token}/")

    assert replaced.status_code == 410
    assert "A newer invitation replaced this link: use the link in the latest email." in replaced.text
    assert "withdrew" not in replaced.text and "Ask the organiser who invited you" not in replaced.text
    assert "The organisers withdrew this invitation." in withdrawn.text
    assert "Ask the organiser who invited you for a new link." in withdrawn.text


@pytest.mark.parametrize("action", ["invite", "remove", "revoke"])
def test_a_co_organiser_removed_after_their_request_read_the_series_changes_no_door_team(series, organiser, action):
    """The right was read from the request's copy of the series (its organisers as they were when
    the request began): a co-organiser removed meanwhile still invited, removed or withdrew."""
    colleague = factories.OrganiserFactory()
    series.organisers.add(colleague)
    user = door_keeper(series, organiser)
    pending = services.invite_to_series_door(series=series, email="second@example.org", by=organiser)
    as_their_request_read_it = type(series).objects.prefetch_related("organisers").get(pk=series.pk)
    as_their_page_read_it = TeamInvitation.objects.select_related("series").get(pk=pending.pk)
    as_their_page_read_it.series = as_their_request_read_it
    assert can_manage_series(colleague, as_their_request_read_it)
    event_services.update_series(series=series, by=organiser, organisers=[organiser])

    with pytest.raises(Forbidden) as refused:
        if action == "invite":
            services.invite_to_series_door(series=as_their_request_read_it, email="friend@example.org", by=colleague)
        elif action == "remove":
            services.remove_from_series_door(series=as_their_request_read_it, user=user, by=colleague)
        else:
            services.revoke_team_invitation(invitation=as_their_page_read_it, by=colleague)

    assert refused.value.code == "not_series_organiser"
    assert list(series.checkin_staff.all()) == [user]
    assert not TeamInvitation.objects.filter(email="friend@example.org").exists()
    assert TeamInvitation.objects.get(pk=pending.pk).revoked_at is None
