"""HTTP behaviour of feeds: content type, caching, conditional GET, constant queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events import ical, services
from events.models import Event
from tests import factories
from tests.ical.conftest import parse, unfolded, vevents

pytestmark = pytest.mark.django_db


def test_public_feed_is_text_calendar_with_validators_and_cache_headers(client):
    factories.EventFactory()

    response = client.get("/calendar/events.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"].endswith("GMT")
    assert "public" in response["Cache-Control"]
    assert "max-age=900" in response["Cache-Control"]


def test_calendar_clients_asking_for_text_calendar_get_it(client):
    factories.EventFactory()

    response = client.get("/calendar/events.ics", HTTP_ACCEPT="text/calendar")

    assert response.status_code == 200
    assert response.content.startswith(b"BEGIN:VCALENDAR")


def test_conditional_get_is_304_until_an_event_changes(client):
    event = factories.EventFactory()
    first = client.get("/calendar/events.ics")

    unchanged = client.get("/calendar/events.ics", HTTP_IF_NONE_MATCH=first["ETag"])
    unchanged_since = client.get("/calendar/events.ics", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    services.update_event(event=event, title="Moved upstairs", venue_name="Room 2")
    changed = client.get("/calendar/events.ics", HTTP_IF_NONE_MATCH=first["ETag"])

    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged["ETag"] == first["ETag"]
    assert unchanged_since.status_code == 304
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    component = vevents(parse(changed))[ical.event_uid(event)]
    assert str(component["SUMMARY"]) == "Moved upstairs"
    assert component["SEQUENCE"] == 1


def test_conditional_get_is_200_after_an_event_is_added_or_cancelled(client):
    event = factories.EventFactory()
    etag = client.get("/calendar/events.ics")["ETag"]

    factories.WebinarFactory()
    after_add = client.get("/calendar/events.ics", HTTP_IF_NONE_MATCH=etag)
    services.cancel_event(event=event)
    after_cancel = client.get("/calendar/events.ics", HTTP_IF_NONE_MATCH=after_add["ETag"])

    assert after_add.status_code == 200
    assert after_cancel.status_code == 200
    assert str(vevents(parse(after_cancel))[ical.event_uid(event)]["STATUS"]) == "CANCELLED"


def test_feeds_with_different_filters_have_different_etags(client):
    factories.WebinarFactory()

    everything = client.get("/calendar/events.ics")
    webinars = client.get("/calendar/events.ics?kind=webinar", HTTP_IF_NONE_MATCH=everything["ETag"])

    assert webinars.status_code == 200
    assert webinars["ETag"] not in ("", everything["ETag"])
    assert client.get("/calendar/events.ics?kind=webinar", HTTP_IF_NONE_MATCH=webinars["ETag"]).status_code == 304


@pytest.mark.parametrize("url", ["/calendar/events.ics", "/calendar/events.ics?kind=workshop&region=ganja"])
def test_public_feed_queries_do_not_grow_with_events(client, organiser, url):
    def count_queries(n):
        for _ in range(n):
            event = factories.EventFactory(region=factories.region("ganja"), organisers=[organiser])
            speaker = _accepted_speaker(event)
            assert speaker
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), len(parse(response).walk("VEVENT"))

    one, events_one = count_queries(1)
    five, events_five = count_queries(4)

    assert (events_one, events_five) == (1, 5)
    assert one == five


def test_series_feed_queries_do_not_grow_with_occurrences(client, organiser):
    counts = []
    for occurrences in (1, 5):
        series = factories.SeriesFactory(rrule=f"FREQ=WEEKLY;COUNT={occurrences}", published=True)
        services.sync_series_occurrences(series=series)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/calendar/series/{series.pk}.ics")
        assert len(parse(response).walk("VEVENT")) == occurrences
        counts.append(len(queries))

    assert counts[0] == counts[1]


def _accepted_speaker(event):
    from django.utils import timezone

    from speakers.models import Speaker, SpeakerAssignment

    speaker = Speaker.objects.create(name=f"Speaker of {event.pk}", email=f"s{event.pk}@example.org")
    return SpeakerAssignment.objects.create(event=event, speaker=speaker, status="accepted", role="panellist",
                                            invited_at=timezone.now(),
                                            response_deadline=timezone.now() + dt.timedelta(days=2))  # fmt: skip


# --- per-event download -------------------------------------------------------------------


def test_event_ics_download_for_anyone_without_join_url(client):
    webinar = factories.WebinarFactory(join_url="https://zoom.example.org/j/private-7")

    response = client.get(f"/api/events/{webinar.pk}/ics/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert f'filename="event-{webinar.pk}.ics"' in response["Content-Disposition"]
    component = vevents(parse(response))[ical.event_uid(webinar)]
    assert component.start == webinar.start
    assert b"private-7" not in unfolded(response)
    assert client.get(f"/api/events/{webinar.pk}/ics/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_event_ics_of_cancelled_and_completed_events_is_served(client):
    cancelled = services.cancel_event(event=factories.EventFactory())
    last_month = timezone.now() - dt.timedelta(days=30)
    held = factories.EventFactory(start=last_month, end=last_month + dt.timedelta(hours=2))
    completed = services.complete_event(event=held)

    cancelled_response = client.get(f"/api/events/{cancelled.pk}/ics/")
    completed_response = client.get(f"/api/events/{completed.pk}/ics/")

    assert str(vevents(parse(cancelled_response))[ical.event_uid(cancelled)]["STATUS"]) == "CANCELLED"
    assert str(vevents(parse(completed_response))[ical.event_uid(completed)]["STATUS"]) == "CONFIRMED"


def test_event_ics_of_draft_is_404_except_for_its_organisers(client, organiser_client, organiser):
    draft = factories.WebinarFactory(status="draft", published_at=None, organisers=[organiser])

    anonymous = client.get(f"/api/events/{draft.pk}/ics/")
    own = organiser_client.get(f"/api/events/{draft.pk}/ics/")

    assert anonymous.status_code == 404
    assert anonymous.json()["code"] == "event_not_found"
    assert own.status_code == 200
    component = vevents(parse(own.content))[ical.event_uid(draft)]
    assert str(component["STATUS"]) == "TENTATIVE"
    assert draft.join_url in str(component["DESCRIPTION"])


def test_event_ics_of_unknown_event_is_404(client, db):
    assert client.get("/api/events/424242/ics/").status_code == 404


@pytest.mark.parametrize("url", ["/calendar/events.ics", "/api/events/{pk}/ics/"])
def test_a_stored_control_character_never_reaches_a_calendar_file(client, url):
    # input refuses them now; a row saved before made the whole public feed invalid (RFC 5545)
    event = factories.EventFactory(
        title="Bell\x07\x1b[31m\x0b\x0cZ", description="line\x08", venue_name="Hall\x1f", city="Baku\x7f"
    )

    body = client.get(url.format(pk=event.pk)).content

    assert not any(byte < 0x20 and byte not in b"\t\r\n" or byte == 0x7F for byte in body)
    assert b"SUMMARY:Bell[31mZ" in body


def test_an_event_saved_with_a_title_over_lines_still_downloads(client, db):
    # a title saved before titles were kept on one line: the file's NAME line was a 500
    event = factories.EventFactory()
    Event.objects.filter(pk=event.pk).update(title="Robotics\r\nfor girls")

    response = client.get(f"/api/events/{event.pk}/ics/")

    assert response.status_code == 200
    # one event's file has no calendar NAME (events.ical.build_calendar); its SUMMARY keeps the break escaped
    assert b"SUMMARY:Robotics\\nfor girls\r\n" in response.content
