"""A draft is the organisers' unpublished plan: its door is theirs alone. Door staff, of the event
or of its series, work only the doors of events that were published (``events.selectors.PUBLIC``);
a draft takes no registrations, so its door has nothing for them. Every door asks the one selector
(``events_checked_in_by``), and the scan's hand-written SQL answers as it does."""

import pytest
from django.utils import timezone

from events.models import Event, EventStatus
from events.permissions import can_check_in
from events.selectors import doors_of, events_checked_in_by
from registrations.models import CheckIn
from registrations.selectors import registrations_at_doors_of
from tests import factories
from tests.checkin.conftest import client_for, happening_now, make_registration, scan_a_new_ticket, series_under_way
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db


def made_a_draft(event) -> Event:
    """Back to the organisers' plan: a draft never published (a ticket written straight to the
    table stands for one sold before; the door must refuse it all the same)."""
    Event.objects.filter(pk=event.pk).update(status=EventStatus.DRAFT, published_at=None)
    event.refresh_from_db()
    return event


@pytest.fixture
def draft(organiser):
    return made_a_draft(happening_now(title="Plan of a workshop", organisers=[organiser]))


@pytest.fixture
def event_staff(draft):
    user = factories.UserFactory(username="event-door")
    draft.checkin_staff.add(user)
    return user


@pytest.fixture
def series_session(organiser):
    _series, (today, later) = series_under_way(organiser, sessions=2)
    return made_a_draft(today), later


@pytest.fixture
def series_staff(series_session):
    user = factories.UserFactory(username="series-door")
    series_session[0].series.checkin_staff.add(user)
    return user


scan = scan_a_new_ticket


def test_event_door_staff_have_no_door_of_a_draft(draft, event_staff):
    assert not events_checked_in_by(event_staff).exists()
    assert not doors_of(event_staff).exists()
    assert not can_check_in(event_staff, draft)


def test_series_door_staff_have_no_door_of_a_draft_session_but_keep_the_published_ones(series_session, series_staff):
    draft, published = series_session

    assert list(events_checked_in_by(series_staff)) == [published]
    assert not can_check_in(series_staff, draft)


def test_organisers_keep_the_door_of_their_own_draft(draft, organiser):
    assert list(doors_of(organiser)) == [draft]


def test_my_doors_leaves_out_drafts_for_door_staff(client, draft, event_staff, series_session, series_staff):
    staff_page = signed_in(client, event_staff).get("/checkin/")
    series_page = signed_in(client, series_staff).get("/checkin/")

    assert list(staff_page.context["events"]) == []
    assert [event.pk for event in series_page.context["events"]] == [series_session[1].pk]
    assert f"/checkin/{series_session[0].pk}/" not in series_page.text


def test_menu_offers_no_doors_to_staff_of_drafts_only(client, event_staff):
    assert "My doors" not in signed_in(client, event_staff).get("/").text


@pytest.mark.parametrize("who", ["event_staff", "series_staff"])
def test_door_page_of_a_draft_is_not_found_for_door_staff(client, request, who, draft, series_session):
    user = request.getfixturevalue(who)
    event = draft if who == "event_staff" else series_session[0]

    assert signed_in(client, user).get(f"/checkin/{event.pk}/").status_code == 404


def test_door_page_of_a_draft_opens_for_its_organisers(client, draft, organiser):
    assert signed_in(client, organiser).get(f"/checkin/{draft.pk}/").status_code == 200


@pytest.mark.parametrize("who", ["event_staff", "series_staff"])
def test_scan_at_a_draft_is_refused_to_door_staff_as_the_selector_refuses(request, who, draft, series_session):
    user = request.getfixturevalue(who)
    event = draft if who == "event_staff" else series_session[0]

    response = scan(user, event)

    assert not can_check_in(user, event)
    assert response.status_code == 404 and response.data["code"] == "not_found"
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("who", ["event_staff", "series_staff"])
def test_offline_list_and_search_of_a_draft_are_not_found_for_door_staff(request, who, draft, series_session):
    user = request.getfixturevalue(who)
    event = draft if who == "event_staff" else series_session[0]
    make_registration(event, name="Leyla Aliyeva")
    client = client_for(user)

    listed = client.get(f"/api/events/{event.pk}/checkin/list/")
    searched = client.get(f"/api/events/{event.pk}/checkin/search/", {"q": "Leyla"})

    assert listed.status_code == 404 and searched.status_code == 404
    assert not registrations_at_doors_of(user).exists()


def test_scan_at_a_draft_admits_its_organiser(draft, organiser):
    response = scan(organiser, draft)

    assert response.status_code == 200 and response.data["code"] == "checked_in"


def test_series_door_staff_scan_the_published_session(series_session, series_staff):
    response = scan(series_staff, series_session[1])

    # next week's session: the door is theirs, not yet open
    assert response.status_code == 409 and response.data["code"] == "door_closed"
    assert can_check_in(series_staff, series_session[1])


def test_a_door_of_a_draft_opens_to_its_staff_once_published(draft, event_staff):
    Event.objects.filter(pk=draft.pk).update(status=EventStatus.PUBLISHED, published_at=timezone.now())

    assert scan(event_staff, draft).status_code == 200


# --- the team pages: a draft's door team is a team all the same ---------------------------------


def test_staff_invited_to_a_draft_land_on_my_doors_and_may_come_back_through_the_link(client, draft, organiser):
    from teams import services as team_services

    invitation = team_services.invite_to_team(event=draft, email="nigar@example.org", role="checkin", by=organiser)

    accepted = client.post(
        f"/team/accept/{invitation.token}/",
        {"name": "Nigar Safarova", "password": "door-keeper-2030", "password_again": "door-keeper-2030"},
    )
    again = client.get(f"/team/accept/{invitation.token}/")

    said = [str(message) for message in accepted.wsgi_request._messages]
    assert (accepted.status_code, accepted["Location"]) == (302, "/checkin/")
    assert "Its door opens to you once the event is published: it is listed under My doors then." in said
    assert (again.status_code, again["Location"]) == (302, "/checkin/")


def test_series_door_staff_are_not_invited_again_to_a_draft_session(series_session, series_staff, organiser):
    from teams import services as team_services
    from teams.exceptions import Conflict

    draft, _published = series_session
    series_staff.email = "door@example.org"
    series_staff.save()

    with pytest.raises(Conflict) as refused:
        team_services.invite_to_team(event=draft, email="door@example.org", role="checkin", by=organiser)

    assert refused.value.code == "already_has_access"


def test_taking_a_draft_sessions_door_away_says_the_series_door_stays(client, series_session, series_staff, organiser):
    draft, _published = series_session
    draft.checkin_staff.add(series_staff)
    series_staff.first_name, series_staff.last_name = "Door", "Keeper"
    series_staff.save()

    removal = {"action": "remove", "role": "checkin", "user": series_staff.pk}

    taken = signed_in(client, organiser).post(f"/manage/events/{draft.pk}/team/", removal, follow=True)

    assert "Door Keeper is no longer check-in staff of this event itself, but still works its door" in taken.text
