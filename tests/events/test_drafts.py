"""Nothing that was never published is ever public: draft series, and drafts that were cancelled."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from events import services
from events.models import EventStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_series(organiser):
    series = factories.SeriesFactory(title="Secret circle", description="Not announced yet", published=False)
    series.organisers.add(organiser)
    return series


def test_a_draft_series_is_not_in_the_api(draft_series):
    client = Client()

    listed = client.get("/api/series/").json()
    detail = client.get(f"/api/series/{draft_series.pk}/")

    assert [row["id"] for row in listed["results"]] == []
    assert detail.status_code == 404


def test_a_draft_series_feed_shows_neither_title_nor_description(draft_series):
    response = Client().get(f"/calendar/series/{draft_series.pk}.ics")

    body = response.content.decode()
    assert (response.status_code, "Secret circle" in body, "Not announced yet" in body) == (404, False, False)


def test_another_organiser_does_not_see_a_draft_series(draft_series):
    client = Client()
    client.force_login(factories.OrganiserFactory())

    assert client.get(f"/api/series/{draft_series.pk}/").status_code == 404


def test_a_session_published_alone_does_not_name_its_draft_series(draft_series, organiser):
    session = factories.EventFactory(
        organisers=[organiser], series=draft_series, title="Opening evening", status=EventStatus.DRAFT
    )
    services.publish_event(event=session, by=organiser)
    others = [Client(), Client()]
    others[1].force_login(factories.OrganiserFactory())

    seen = [client.get(f"/events/{session.pk}/").content.decode() for client in others]

    assert [("Opening evening" in page, "Secret circle" in page) for page in seen] == [(True, False), (True, False)]
    own = Client()
    own.force_login(organiser)
    assert "Secret circle" in own.get(f"/events/{session.pk}/").content.decode()


def test_the_api_names_no_draft_series_of_a_session_published_alone_not_even_by_its_id(draft_series, organiser):
    """The event's page names no draft series; the API gave its id to anyone, and listed its
    sessions by it (``?series=``), where an unknown series is a 404 (not an empty list)."""
    session = factories.EventFactory(organisers=[organiser], series=draft_series, status=EventStatus.DRAFT)
    services.publish_event(event=session, by=organiser)
    stranger, own = Client(), Client()
    stranger.force_login(factories.OrganiserFactory())
    own.force_login(organiser)

    def seen(client):
        one = client.get(f"/api/events/{session.pk}/").json()["series"]
        listed = [row["series"] for row in client.get("/api/events/").json()["results"]]
        by_series = client.get("/api/events/", {"series": draft_series.pk})
        return one, listed, [row["id"] for row in by_series.json().get("results", [])], by_series.status_code

    assert seen(Client()) == seen(stranger) == (None, [None], [], 404)
    assert seen(own) == (draft_series.pk, [draft_series.pk], [session.pk], 200)
    feed = Client().get("/calendar/events.ics", {"series": draft_series.pk})
    assert feed.status_code == 404
    assert "BEGIN:VEVENT" not in feed.content.decode()
    assert Client().get("/calendar/events.ics", {"series": 999_999}).status_code == 404


def test_a_cancelled_draft_stays_private(organiser):
    draft = factories.EventFactory(
        organisers=[organiser], title="Never announced", status=EventStatus.DRAFT, published_at=None
    )
    services.cancel_event(event=draft, by=organiser, reason="Plans changed: the venue fell through")
    draft.refresh_from_db()
    client = Client()

    api = client.get(f"/api/events/{draft.pk}/")
    page = client.get(f"/events/{draft.pk}/")
    ics = client.get(f"/api/events/{draft.pk}/ics/")
    feed = client.get("/calendar/events.ics").content.decode()
    listed = client.get("/api/events/").json()

    assert draft.status == EventStatus.CANCELLED
    assert (api.status_code, page.status_code, ics.status_code) == (404, 404, 404)
    assert ("Never announced" in feed, "venue fell through" in feed) == (False, False)
    assert draft.pk not in [row["id"] for row in listed["results"]]


UNKNOWN = 999_999
# (method, path, body) of every route that looks up an event or series id the caller sent; {id} is it
EVENT_ID_ROUTES = [
    ("get", "/api/attendance/events/{id}/", None),
    ("post", "/api/attendance/events/{id}/finalise/", {}),
    ("get", "/api/events/{id}/checkin/counts/", None),
    ("get", "/api/events/{id}/checkin/log/", None),
    ("get", "/checkin/{id}/", None),
    ("post", "/api/message-templates/", {"event": "{id}", "kind": "reminder", "subject": "Soon"}),
    ("post", "/api/enrolments/{enrolment}/skip/", {"event": "{id}"}),
    ("post", "/api/enrolments/{enrolment}/undo-skip/", {"event": "{id}"}),
]
SERIES_ID_ROUTES = [
    ("get", "/api/attendance/series/{id}/", None),
    ("get", "/api/attendance/series/{id}/my-certificate/", None),
    ("post", "/api/attendance/series/{id}/certificate-link/", {"email": "leyla@example.org"}),
]


def _answer(client, method, path, body, **ids):
    path = path.format(**ids)
    if body is None:
        response = getattr(client, method)(path)
    else:
        body = {key: (value.format(**ids) if isinstance(value, str) else value) for key, value in body.items()}
        response = getattr(client, method)(path, body, content_type="application/json")
    code = response.json().get("code") if response.get("Content-Type", "").startswith("application/json") else None
    return response.status_code, code


@pytest.fixture
def stranger_client(db):
    """Another organiser, who is also a participant of a cohort (to skip one of its sessions)."""
    client = Client()
    stranger = factories.OrganiserFactory()
    client.force_login(stranger)
    client.enrolment = factories.EnrolmentFactory(user=stranger)
    return client


@pytest.mark.parametrize(("method", "path", "body"), EVENT_ID_ROUTES)
def test_someone_elses_draft_event_answers_like_an_unknown_id(stranger_client, organiser, method, path, body):
    draft = factories.EventFactory(organisers=[organiser], status=EventStatus.DRAFT, published_at=None)
    enrolment = stranger_client.enrolment.pk

    on_draft = _answer(stranger_client, method, path, body, id=draft.pk, enrolment=enrolment)
    on_unknown = _answer(stranger_client, method, path, body, id=UNKNOWN, enrolment=enrolment)

    assert on_draft == on_unknown
    assert on_draft[0] in (400, 404)


@pytest.mark.parametrize(("method", "path", "body"), SERIES_ID_ROUTES)
def test_someone_elses_draft_series_answers_like_an_unknown_id(stranger_client, draft_series, method, path, body):
    on_draft = _answer(stranger_client, method, path, body, id=draft_series.pk)
    on_unknown = _answer(stranger_client, method, path, body, id=UNKNOWN)

    assert on_draft == on_unknown
    assert on_draft[0] == 404


def test_a_visible_event_one_does_not_organise_is_still_forbidden(stranger_client, organiser):
    published = factories.EventFactory(organisers=[organiser])

    answer = _answer(stranger_client, "get", "/api/attendance/events/{id}/", None, id=published.pk)

    assert answer == (403, "not_organiser")


def test_a_published_series_counts_only_the_sessions_a_visitor_may_see(draft_series, organiser):
    """A session edited on its own while the series was a draft stays a draft when the series is
    published (the series no longer changes it): its series' count of sessions is no way to learn
    that the organisers plan one more. Visitors count the public sessions, organisers all."""
    series = services.create_series(
        by=organiser,
        title="Coding club",
        kind="workshop",
        timezone="Asia/Baku",
        rrule="FREQ=WEEKLY;COUNT=3",
        first_start=(timezone.now() + dt.timedelta(days=8)).replace(microsecond=0),
        duration_minutes=60,
        venue_name="Library",
        city="Baku",
    )
    edited = series.occurrences.order_by("start").first()
    services.update_event(event=edited, by=organiser, title="Coding club: a secret guest")
    services.publish_series(series=series, by=organiser)
    edited.refresh_from_db()
    own = Client()
    own.force_login(organiser)
    stranger = Client()
    stranger.force_login(factories.OrganiserFactory())

    counts = [
        client.get(f"/api/series/{series.pk}/").json()["occurrence_count"] for client in (Client(), stranger, own)
    ]
    listed = [row["occurrence_count"] for row in Client().get("/api/series/").json()["results"]]

    assert edited.status == EventStatus.DRAFT
    assert (counts, listed) == ([2, 2, 3], [2])
