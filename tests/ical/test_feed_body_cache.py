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


def _cold(monkeypatch, organiser, *, rendered: bytes):
    """The public feed's content, its version, and the key its body is kept under: nothing kept,
    and another request already rendering it (its mark taken). ``render`` answers ``rendered``
    and notes each call."""
    from django.core.cache import cache

    from feeds import services as feed_services

    factories.EventFactory(title="Robotics", organisers=[organiser])
    content = feed_services.public_feed(filterset_data={})
    etag, _ = content.version()
    key = content.body_cache_key(etag)
    cache.delete(key)
    cache.delete(key + ":rendering")
    renders = []
    monkeypatch.setattr(feed_services.FeedContent, "render", lambda self: renders.append(self) or rendered)
    assert cache.add(key + ":rendering", 1, 60)
    return content, etag, key, renders


def test_readers_who_come_while_a_version_renders_wait_for_its_body(organiser, monkeypatch):
    """Four cold readers of a big feed at once each rendered it (5.6 s each on two cores, 2 s for
    one): one renders, the others wait for its body and render nothing."""
    import threading

    from django.core.cache import cache

    content, etag, key, renders = _cold(monkeypatch, organiser, rendered=b"mine")
    threading.Timer(0.2, lambda: cache.set(key, b"theirs", 60)).start()

    body = content.body(etag)

    assert body == b"theirs"
    assert renders == []


def test_a_renderer_that_died_leaves_the_waiting_reader_to_render(organiser, monkeypatch):
    from django.core.cache import cache

    from feeds import services as feed_services

    monkeypatch.setattr(feed_services, "RENDER_WAIT_SECONDS", 0.3)
    content, etag, key, renders = _cold(monkeypatch, organiser, rendered=b"rendered here")

    assert content.body(etag) == b"rendered here"
    assert len(renders) == 1
    assert cache.get(key) == b"rendered here"
    assert cache.get(key + ":rendering") is None  # the next version's renderer is not kept waiting
