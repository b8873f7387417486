"""A feed's body is rendered once per version (ETag) and kept for the next reader."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from events import ical, services
from tests import factories
from tests.ical.conftest import parse, vevents

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/calendar/events.ics", "/calendar/events.ics?kind=workshop"])
def test_the_next_reader_of_an_unchanged_feed_gets_it_without_its_events_being_loaded(url, organiser):
    """A year of events is thousands (1.5 s to load and render 2,400 each time it was read);
    calendar apps poll. The version queries (the ETag) decide; the body of a version is
    rendered once and kept. An edit makes a new version, rendered afresh."""
    event = factories.EventFactory(title="Robotics", organisers=[organiser])
    with CaptureQueriesContext(connection) as queries:
        first = Client().get(url)
    rendering = [query["sql"] for query in queries.captured_queries]  # read now: the next request clears the log
    with CaptureQueriesContext(connection) as queries:
        second = Client().get(url)  # another reader: no If-None-Match
    answering = [query["sql"] for query in queries.captured_queries]
    services.update_event(event=event, title="Robotics for girls")
    third = Client().get(url)

    assert second.status_code == 200
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert len(rendering) > 2  # the version queries and the events
    # the second reader: only the version queries (the newest change and the count, of events and of speakers)
    assert len(answering) == 2 and all(sql.startswith("SELECT MAX(") for sql in answering), answering
    assert third["ETag"] != first["ETag"]
    assert str(vevents(parse(third))[ical.event_uid(event)]["SUMMARY"]) == "Robotics for girls"
