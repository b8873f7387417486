"""Nothing that was never published is ever public: draft series, and drafts that were cancelled."""

import pytest
from django.test import Client

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
