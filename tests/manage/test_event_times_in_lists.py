"""Workspace lists and the door list write an event's time by the one rule (events.when): an
all-day event as its days, never as a midnight; an event in another zone with that zone."""

import datetime as dt
import zoneinfo

import pytest

from tests import factories

pytestmark = pytest.mark.django_db
BAKU = zoneinfo.ZoneInfo("Asia/Baku")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


@pytest.fixture
def all_day(organiser):
    return factories.EventFactory(
        organisers=[organiser],
        title="Science fair",
        all_day=True,
        start=dt.datetime(2030, 3, 14, tzinfo=BAKU),
        end=dt.datetime(2030, 3, 17, tzinfo=BAKU),
    )


@pytest.fixture
def berlin(organiser):
    return factories.EventFactory(
        organisers=[organiser],
        title="Berlin evening",
        timezone="Europe/Berlin",
        start=dt.datetime(2030, 4, 9, 18, tzinfo=BERLIN),
        end=dt.datetime(2030, 4, 9, 20, tzinfo=BERLIN),
    )


@pytest.mark.parametrize("url", ["/manage/", "/checkin/", "/manage/dashboard/"])
def test_list_writes_an_all_day_event_as_its_days_not_midnight(organiser_web, all_day, url):
    text = organiser_web.get(url).content.decode()

    assert "Thu 14 Mar 2030 – Sat 16 Mar 2030 (all day)" in text
    assert "00:00" not in text


@pytest.mark.parametrize("url", ["/manage/", "/checkin/", "/manage/dashboard/"])
def test_list_names_the_zone_of_an_event_in_another_zone(organiser_web, berlin, url):
    text = organiser_web.get(url).content.decode()

    assert "Tue 9 Apr 2030, 18:00" in text
    assert "Berlin time (UTC+2)" in text


def test_move_page_writes_the_days_of_an_all_day_event(organiser_web, all_day):
    text = organiser_web.get(f"/manage/events/{all_day.pk}/move/").content.decode()

    assert "Now: Thursday 14 March 2030 – Saturday 16 March 2030 (all day)." in text


def test_door_list_in_azerbaijani_writes_the_days(organiser_web, all_day):
    organiser_web.cookies["django_language"] = "az"

    text = organiser_web.get("/checkin/").content.decode()

    assert "(bütün gün)" in text
    assert "00:00" not in text
