"""The scan's hand-written SQL gives door staff of a series the doors ``events_checked_in_by``
gives them: each session the series reaches, not one handed over to other organisers."""

import datetime as dt

import pytest
from django.utils import timezone

from events import services as event_services
from events.permissions import can_check_in
from registrations.models import CheckIn
from teams import services as team_services
from tests import factories
from tests.checkin.conftest import scan_a_new_ticket, series_under_way

pytestmark = pytest.mark.django_db


@pytest.fixture
def sessions(organiser):
    """A weekly series whose first session is under way."""
    return series_under_way(organiser, sessions=3)


scan = scan_a_new_ticket


def series_door_keeper(series, organiser):
    invitation = team_services.invite_to_series_door(series=series, email="door@example.org", by=organiser)
    return team_services.accept_team_invitation(token=invitation.token, name="Door Keeper", password="door-keeper-2030")


def test_series_door_staff_scan_tickets_of_a_session_of_the_series(sessions, organiser):
    series, (today, *_later) = sessions
    keeper = series_door_keeper(series, organiser)

    response = scan(keeper, today)

    assert response.status_code == 200 and response.data["code"] == "checked_in"
    assert CheckIn.objects.get().by == keeper


def test_a_session_handed_over_to_others_refuses_the_series_door_staff_as_the_selector_does(sessions, organiser):
    series, (today, *_later) = sessions
    keeper = series_door_keeper(series, organiser)
    today.organisers.set([factories.OrganiserFactory()])

    response = scan(keeper, today)

    assert not can_check_in(keeper, today)
    assert response.status_code == 403 and not CheckIn.objects.exists()


def test_removed_from_the_series_door_they_scan_no_more(sessions, organiser):
    series, (today, *_later) = sessions
    keeper = series_door_keeper(series, organiser)
    team_services.remove_from_series_door(series=series, user=keeper, by=organiser)

    assert scan(keeper, today).status_code == 403


def test_door_staff_of_another_series_scan_nothing_here(sessions, organiser):
    series, (today, *_later) = sessions
    other_organiser = factories.OrganiserFactory()
    other = event_services.create_series(
        by=other_organiser,
        title="Elsewhere",
        kind="workshop",
        format="in_person",
        timezone="Asia/Baku",
        rrule="FREQ=WEEKLY;COUNT=1",
        first_start=timezone.now() + dt.timedelta(days=3),
        duration_minutes=60,
    )
    keeper = series_door_keeper(other, other_organiser)

    assert scan(keeper, today).status_code in (403, 404)
    assert not CheckIn.objects.exists()
