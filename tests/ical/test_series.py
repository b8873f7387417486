"""A series is exported as its expanded occurrences; an independent expander
(recurring-ical-events) must give exactly the dates, statuses and SEQUENCEs the service has."""

import datetime as dt
import zoneinfo

import pytest
import recurring_ical_events

from events import ical, services
from events.models import Event
from tests import factories
from tests.ical.conftest import parse

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")

pytestmark = pytest.mark.django_db


@pytest.fixture
def berlin_series(organiser):
    # weekly at 18:30 Berlin time across the start of summer time (28 March 2027)
    return services.create_series(
        by=organiser,
        title="Mentoring circle",
        kind="mentoring_session",
        format="in_person",
        venue_name="Goethe-Institut",
        city="Berlin",
        timezone="Europe/Berlin",
        rrule="FREQ=WEEKLY;COUNT=7",
        first_start=dt.datetime(2027, 3, 11, 18, 30, tzinfo=BERLIN),
        duration_minutes=90,
        exdates=["2027-03-18T18:30:00"],
        published=True,
    )


def _expanded(client, series):
    response = client.get(f"/calendar/series/{series.pk}.ics")
    assert response.status_code == 200
    calendar = parse(response)
    occurrences = recurring_ical_events.of(calendar).between(dt.date(2027, 1, 1), dt.date(2028, 1, 1))
    return calendar, sorted(
        (
            (
                occurrence.start,
                occurrence.end,
                str(occurrence["STATUS"]),
                int(occurrence["SEQUENCE"]),
                str(occurrence["UID"]),
            )
            for occurrence in occurrences
        ),
        key=lambda row: row[0],
    )


def _database(series):
    status = {"published": "CONFIRMED", "completed": "CONFIRMED", "cancelled": "CANCELLED", "draft": "TENTATIVE"}
    return [
        (event.start, event.end, status[event.status], event.sequence, ical.event_uid(event))
        for event in Event.objects.filter(series=series).order_by("start")
    ]


def test_series_feed_expands_to_exactly_the_database_dates_across_dst(client, berlin_series):
    occurrences = list(Event.objects.filter(series=berlin_series).order_by("start"))
    moved, cancelled = occurrences[1], occurrences[3]
    services.update_event(event=moved, start=moved.start + dt.timedelta(days=1, hours=1),
                          end=moved.end + dt.timedelta(days=1, hours=1))  # fmt: skip
    services.cancel_event(event=cancelled, reason="Public holiday")

    calendar, expanded = _expanded(client, berlin_series)

    assert expanded == _database(berlin_series)
    assert len(expanded) == 6  # seven weekly dates minus the exception date
    local_times = [start.astimezone(BERLIN).strftime("%d %H:%M %Z") for start, *_ in expanded]
    # 18:30 local on both sides of the switch to summer time (UTC offset +1 then +2)
    assert local_times == ["11 18:30 CET", "26 19:30 CET", "01 18:30 CEST", "08 18:30 CEST",
                           "15 18:30 CEST", "22 18:30 CEST"]  # fmt: skip
    statuses = {uid: status for _, _, status, _, uid in expanded}
    assert statuses[ical.event_uid(cancelled)] == "CANCELLED"
    sequences = {uid: sequence for _, _, _, sequence, uid in expanded}
    assert sequences[ical.event_uid(moved)] == 1
    assert sequences[ical.event_uid(cancelled)] == 1
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Berlin"]
    assert "2027-03-18" not in {start.date().isoformat() for start, *_ in expanded}


def test_series_feed_has_no_recurrence_rules_to_misread(client, berlin_series):
    calendar, _ = _expanded(client, berlin_series)

    for component in calendar.walk("VEVENT"):
        assert "RRULE" not in component
        assert "EXDATE" not in component
        assert "RECURRENCE-ID" not in component
    assert len({str(component["UID"]) for component in calendar.walk("VEVENT")}) == 6


def test_series_feed_of_unknown_series_is_404(client, db):
    response = client.get("/calendar/series/999999.ics")

    assert response.status_code == 404
    assert response.json()["code"] == "series_not_found"


def test_series_feed_of_an_unpublished_series_is_not_found(client, organiser):
    series = factories.SeriesFactory(published=False, title="Secret plans")
    services.sync_series_occurrences(series=series)

    response = client.get(f"/calendar/series/{series.pk}.ics")

    assert Event.objects.filter(series=series).count() == 4
    assert response.status_code == 404
    assert b"Secret plans" not in response.content


def test_a_series_feed_without_a_description_reads_in_the_readers_language(client, berlin_series):
    """The fallback description, "All sessions of …", stayed English for an Azerbaijani reader."""
    english = client.get(f"/calendar/series/{berlin_series.pk}.ics", HTTP_ACCEPT_LANGUAGE="en")
    azerbaijani = client.get(f"/calendar/series/{berlin_series.pk}.ics", HTTP_ACCEPT_LANGUAGE="az")

    assert str(parse(english)["X-WR-CALDESC"]) == "All sessions of Mentoring circle."
    assert str(parse(azerbaijani)["X-WR-CALDESC"]) == "Mentoring circle silsiləsinin bütün görüşləri."
    # another body, another ETag: a cache keyed on it never serves one language's text to the other
    assert english["ETag"] != azerbaijani["ETag"]
