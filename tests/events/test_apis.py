import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from events.models import Event, EventStatus
from tests.factories import EventFactory, OrganiserFactory, UserFactory, WebinarFactory, region

pytestmark = pytest.mark.django_db

EVENT_PAYLOAD = {
    "title": "CV and interview workshop",
    "kind": "workshop",
    "format": "in_person",
    "timezone": "Asia/Baku",
    "start": "2027-03-01T18:30",
    "end": "2027-03-01T20:00",
    "region": "ganja",
    "capacity": 25,
}


def _ids(response):
    return [item["id"] for item in response.json()["results"]]


def test_organiser_creates_event_with_naive_times_read_in_the_event_timezone(organiser_client):
    response = organiser_client.post("/api/events/", {**EVENT_PAYLOAD, "timezone": "Europe/Berlin"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft"
    assert body["start"] == "2027-03-01T18:30:00+01:00"
    event = Event.objects.get(pk=body["id"])
    assert event.start == dt.datetime(2027, 3, 1, 17, 30, tzinfo=dt.UTC)


def test_event_times_are_shown_in_the_event_timezone(api_client):
    event = EventFactory(timezone="Asia/Baku", start=dt.datetime(2027, 3, 1, 14, 30, tzinfo=dt.UTC))

    body = api_client.get(f"/api/events/{event.pk}/").json()

    assert body["start"] == "2027-03-01T18:30:00+04:00"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"end": "2027-03-01T17:00"}, "non_field_errors"),
        ({"start": "yesterday"}, "start"),
        ({"region": "atlantis"}, "region"),
        ({"capacity": -5}, "capacity"),
        ({"capacity": 0}, "capacity"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"kind": "party"}, "kind"),
        ({"title": ""}, "title"),
        ({"reminder_offsets": "soon"}, "reminder_offsets"),
        ({"join_url": "not a url"}, "join_url"),
        ({"start": "1850-03-01T18:30", "end": "1850-03-01T20:00"}, "start"),
        # an online event has no venue: the same rule as the workspace's forms (Event.detail_errors)
        ({"format": "online", "venue_name": "Gənclər Mərkəzi"}, "format"),
        ({"format": "online", "venue_address": "Nizami küç. 5"}, "format"),
    ],
)
def test_bad_event_input_is_answered_400_with_the_field(organiser_client, change, field):
    response = organiser_client.post("/api/events/", {**EVENT_PAYLOAD, **change}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] in {"invalid", "end_before_start"}
    assert field in body["errors"]
    assert Event.objects.count() == 0


def test_an_online_event_keeps_no_venue_through_the_api_either(organiser_client):
    created = organiser_client.post("/api/events/", {**EVENT_PAYLOAD, "venue_name": "Gənclər Mərkəzi"}, format="json")
    assert created.status_code == 201
    url = f"/api/events/{created.json()['id']}/"

    moved_online = organiser_client.patch(url, {"format": "online"}, format="json")
    assert moved_online.status_code == 400
    assert "format" in moved_online.json()["errors"]
    # online with the venue emptied in the same request is fine
    assert organiser_client.patch(url, {"format": "online", "venue_name": ""}, format="json").status_code == 200


def test_end_before_start_has_its_own_code(organiser_client):
    response = organiser_client.post("/api/events/", {**EVENT_PAYLOAD, "end": "2027-03-01T17:00"}, format="json")

    assert response.json()["code"] == "end_before_start"


def test_malformed_json_is_a_400_parse_error(organiser_client):
    response = organiser_client.post("/api/events/", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_anonymous_and_attendees_cannot_create_events(api_client):
    attendee = APIClient()
    attendee.force_authenticate(UserFactory())

    assert api_client.post("/api/events/", EVENT_PAYLOAD, format="json").status_code in (401, 403)
    response = attendee.post("/api/events/", EVENT_PAYLOAD, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_drafts_are_visible_only_to_their_organisers(api_client, organiser, organiser_client):
    own_draft = EventFactory(status=EventStatus.DRAFT, organisers=[organiser])
    other_draft = EventFactory(status=EventStatus.DRAFT, organisers=[OrganiserFactory()])
    published = EventFactory()

    assert _ids(api_client.get("/api/events/")) == [published.pk]
    assert set(_ids(organiser_client.get("/api/events/"))) == {own_draft.pk, published.pk}
    assert api_client.get(f"/api/events/{own_draft.pk}/").status_code == 404
    assert organiser_client.get(f"/api/events/{other_draft.pk}/").status_code == 404


def test_only_the_events_organisers_may_change_it(organiser_client):
    foreign = EventFactory(organisers=[OrganiserFactory()])

    response = organiser_client.patch(f"/api/events/{foreign.pk}/", {"title": "Mine now"}, format="json")

    assert response.status_code == 403
    foreign.refresh_from_db()
    assert foreign.title != "Mine now"


def test_join_url_is_hidden_from_everyone_but_organisers(api_client, organiser, organiser_client):
    webinar = WebinarFactory(organisers=[organiser], join_url="https://zoom.example.org/j/secret")

    public_body = api_client.get(f"/api/events/{webinar.pk}/").json()
    listed = api_client.get("/api/events/").json()["results"][0]
    organiser_body = organiser_client.get(f"/api/events/{webinar.pk}/").json()

    assert "join_url" not in public_body and "join_url" not in listed
    assert "secret" not in str(api_client.get("/api/events/").content)
    assert organiser_body["join_url"] == "https://zoom.example.org/j/secret"


def test_event_lifecycle_through_the_api(organiser_client):
    event_id = organiser_client.post("/api/events/", EVENT_PAYLOAD, format="json").json()["id"]

    assert organiser_client.post(f"/api/events/{event_id}/publish/").json()["status"] == "published"
    moved = organiser_client.patch(
        f"/api/events/{event_id}/", {"start": "2027-03-02T18:30", "end": "2027-03-02T20:00"}, format="json"
    )
    assert moved.json()["sequence"] == 1
    cancelled = organiser_client.post(f"/api/events/{event_id}/cancel/", {"reason": "Snow"}, format="json")
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancellation_reason"] == "Snow"

    again = organiser_client.post(f"/api/events/{event_id}/publish/")
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"
    assert organiser_client.delete(f"/api/events/{event_id}/").status_code == 405


def test_status_cannot_be_patched_directly(organiser, organiser_client):
    event = EventFactory(status=EventStatus.DRAFT, organisers=[organiser])

    response = organiser_client.patch(f"/api/events/{event.pk}/", {"status": "published", "title": "T"}, format="json")

    event.refresh_from_db()
    assert response.status_code == 200
    assert event.status == EventStatus.DRAFT  # status is read-only; publish is its own action


def test_event_filters(api_client):
    webinar = WebinarFactory(title="Careers in data science", language="en")
    ganja_visit = EventFactory(
        kind="outreach_visit", region=region("ganja"), title="Role models visit Ganja", language="az"
    )
    # far ahead of the clock: the list shows only what has not ended yet
    later = EventFactory(
        start=dt.datetime(2055, 6, 1, 8, tzinfo=dt.UTC), end=dt.datetime(2055, 6, 1, 10, tzinfo=dt.UTC), language="az"
    )

    assert _ids(api_client.get("/api/events/?kind=webinar")) == [webinar.pk]
    assert _ids(api_client.get("/api/events/?kind=outreach_visit&region=ganja")) == [ganja_visit.pk]
    assert _ids(api_client.get("/api/events/?region=shaki")) == []
    assert _ids(api_client.get("/api/events/?format=online")) == [webinar.pk]
    assert _ids(api_client.get("/api/events/?language=en")) == [webinar.pk]
    assert _ids(api_client.get("/api/events/?q=data+science")) == [webinar.pk]
    assert _ids(api_client.get("/api/events/?starts_after=2055-05-01T00:00:00Z")) == [later.pk]
    assert _ids(api_client.get("/api/events/?date_from=2055-06-01&date_to=2055-06-01")) == [later.pk]
    assert _ids(api_client.get("/api/events/?ordering=-start"))[0] == later.pk


@pytest.mark.parametrize("query", ["kind=party", "starts_after=soon", "page=999", "ordering=password", "page_size=x"])
def test_bad_filters_are_4xx_not_500(api_client, query):
    EventFactory()

    response = api_client.get(f"/api/events/?{query}")

    assert response.status_code in (200, 400, 404)
    if response.status_code != 200:
        assert "code" in response.json()


def test_event_list_query_count_does_not_grow_with_events(organiser, organiser_client):
    def count_queries(number):
        Event.objects.all().delete()
        for _ in range(number):
            EventFactory(organisers=[organiser], region=region("baku"))
        with CaptureQueriesContext(connection) as queries:
            response = organiser_client.get("/api/events/")
        assert response.json()["count"] == number
        return len(queries)

    assert count_queries(1) == count_queries(5)


def test_region_list_is_seeded(api_client):
    slugs = [item["slug"] for item in api_client.get("/api/regions/?page_size=100").json()["results"]]

    assert {"baku", "ganja", "shaki", "lankaran", "guba"} <= set(slugs)


def test_series_api_creates_occurrences_for_organisers_only(api_client, organiser_client):
    payload = {
        "title": "Mentoring circle",
        "kind": "mentoring_session",
        "timezone": "Asia/Baku",
        "rrule": "FREQ=MONTHLY;BYDAY=+2TH,+4TH;COUNT=4",
        # far ahead of the clock (publishing leaves past occurrences as drafts); 2027 + 28 years,
        # so the weekdays are 2027's: the 2nd and 4th Thursdays are the 14th and 28th of January
        "first_start": "2055-01-14T18:30",
        "duration_minutes": 90,
    }

    assert api_client.post("/api/series/", payload, format="json").status_code in (401, 403)
    response = organiser_client.post("/api/series/", payload, format="json")
    bad = organiser_client.post("/api/series/", {**payload, "rrule": "FREQ=NEVER"}, format="json")

    assert response.status_code == 201
    assert response.json()["occurrence_count"] == 4
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_recurrence"
    series_id = response.json()["id"]
    published = organiser_client.post(f"/api/series/{series_id}/publish/")
    assert published.json()["published"] is True
    starts = [item["start"] for item in api_client.get(f"/api/events/?series={series_id}").json()["results"]]
    assert starts == [
        "2055-01-14T18:30:00+04:00",
        "2055-01-28T18:30:00+04:00",
        "2055-02-11T18:30:00+04:00",
        "2055-02-25T18:30:00+04:00",
    ]


def test_healthz_reports_database_and_queue(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["queue"]["broker"] in ("orm", "redis")
    assert body["worker"]["state"] == "unknown"  # no schedules yet


def _heartbeat(next_run):
    from django_q.models import Schedule

    Schedule.objects.create(
        name="outbox sweep", func="notifications.tasks.sweep_outbox", schedule_type=Schedule.MINUTES, minutes=1,
        repeats=-1, next_run=next_run,
    )  # fmt: skip


def test_healthz_says_the_worker_is_alive_while_its_schedules_move_on(client):
    _heartbeat(timezone.now() + dt.timedelta(seconds=30))

    response = client.get("/healthz")

    assert (response.status_code, response.json()["worker"]["state"]) == (200, "alive")


def test_healthz_answers_503_when_the_worker_has_been_silent_too_long(client):
    _heartbeat(timezone.now() - dt.timedelta(minutes=10))

    response = client.get("/healthz")

    assert (response.status_code, response.json()["worker"]["state"]) == (503, "silent")
    assert response.json()["status"] == "degraded"


def test_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert b"/api/events/" in schema.content
    assert docs.status_code == 200
    assert b"cdn.jsdelivr" not in docs.content and b"unpkg.com" not in docs.content


def test_an_event_that_is_over_cannot_be_cancelled_nor_its_people_told(organiser, organiser_client):
    """Cancelling an event that took place weeks ago cancelled everyone's registration (the
    attendance with it) and mailed them all that it was off."""
    from notifications.models import OutboxMessage
    from registrations.services.registration import register

    now = timezone.now()
    event = EventFactory(
        organisers=[organiser], start=now + dt.timedelta(days=1), end=now + dt.timedelta(days=1, hours=2)
    )
    register(event=event, name="Aysel", email="aysel@example.org", consent_data_processing=True)
    Event.objects.filter(pk=event.pk).update(
        start=now - dt.timedelta(days=30), end=now - dt.timedelta(days=30, hours=-2)
    )

    response = organiser_client.post(f"/api/events/{event.pk}/cancel/", {"reason": "Tidying up"}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "event_over")
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED
    assert not OutboxMessage.objects.filter(kind="event_cancelled").exists()


def test_an_event_that_is_over_cannot_be_moved_but_its_recording_link_can_be_added(organiser, organiser_client):
    event = EventFactory(organisers=[organiser])
    start = timezone.now() - dt.timedelta(days=30)
    Event.objects.filter(pk=event.pk).update(start=start, end=start + dt.timedelta(hours=2))
    new_start = timezone.now() + dt.timedelta(days=30)

    moved = organiser_client.patch(
        f"/api/events/{event.pk}/",
        {"start": new_start.isoformat(), "end": (new_start + dt.timedelta(hours=2)).isoformat()},
        format="json",
    )
    linked = organiser_client.patch(
        f"/api/events/{event.pk}/", {"recording_url": "https://video.example.org/held"}, format="json"
    )

    assert (moved.status_code, moved.json()["code"]) == (409, "event_over")
    assert linked.status_code == 200
    event.refresh_from_db()
    assert (event.start, event.recording_url) == (start, "https://video.example.org/held")


def test_a_published_event_cannot_be_moved_into_the_past_through_the_api(organiser, organiser_client):
    event = EventFactory(organisers=[organiser])
    start = timezone.now() - dt.timedelta(days=1)

    response = organiser_client.patch(
        f"/api/events/{event.pk}/",
        {"start": start.isoformat(), "end": (start + dt.timedelta(hours=2)).isoformat()},
        format="json",
    )

    assert (response.status_code, response.json()["code"]) == (409, "moved_into_past")


def _completed_last_month(organiser) -> Event:
    event = EventFactory(organisers=[organiser])
    start = (timezone.now() - dt.timedelta(days=30)).replace(microsecond=0)
    held = {"start": start, "end": start + dt.timedelta(hours=2), "status": EventStatus.COMPLETED}
    Event.objects.filter(pk=event.pk).update(**held)
    event.refresh_from_db()
    return event


def test_a_completed_event_sent_back_as_it_was_read_is_answered_200_and_stays_as_it_was(organiser, organiser_client):
    """A client that PUTs what it read (or PATCHes a field with its own value) changes nothing:
    that is no edit of a closed event."""
    event = _completed_last_month(organiser)
    read = organiser_client.get(f"/api/events/{event.pk}/").json()
    before = (event.title, event.start, event.end, event.sequence, event.updated_at)

    put = organiser_client.put(f"/api/events/{event.pk}/", read, format="json")
    patched = organiser_client.patch(
        f"/api/events/{event.pk}/", {"title": read["title"], "start": read["start"]}, format="json"
    )

    assert (put.status_code, patched.status_code) == (200, 200)
    assert put.json() == read
    event.refresh_from_db()
    assert (event.title, event.start, event.end, event.sequence, event.updated_at) == before
    assert not event.action_log.filter(action="event.changed").exists()


def test_a_completed_event_still_refuses_a_real_change_with_event_closed(organiser, organiser_client):
    event = _completed_last_month(organiser)
    read = organiser_client.get(f"/api/events/{event.pk}/").json()

    response = organiser_client.put(f"/api/events/{event.pk}/", {**read, "title": "Renamed"}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "event_closed")
    event.refresh_from_db()
    assert event.title == read["title"]


SERIES_PAYLOAD = {
    "title": "Mentoring circle",
    "kind": "mentoring_session",
    "timezone": "Asia/Baku",
    "rrule": "FREQ=MONTHLY;BYDAY=+2TH,+4TH;COUNT=2",
    "first_start": "2055-01-14T18:30",
    "duration_minutes": 90,
}


@pytest.mark.parametrize(("path", "payload"), [("/api/events/", EVENT_PAYLOAD), ("/api/series/", SERIES_PAYLOAD)])
@pytest.mark.parametrize(("asked", "language"), [("en-GB,en;q=0.9", "en"), ("az", "az"), ("", "az")])
def test_a_new_event_or_series_without_a_language_is_in_the_one_the_request_asked_for(
    organiser_client, path, payload, asked, language
):
    """As the workspace's form starts in the page's language: an organiser working in English got
    Azerbaijani events (and their speakers Azerbaijani invitations) unless she said otherwise."""
    headers = {"HTTP_ACCEPT_LANGUAGE": asked} if asked else {}

    response = organiser_client.post(path, payload, format="json", **headers)

    assert response.status_code == 201, response.content
    assert response.json()["language"] == language


def test_a_language_given_is_kept_whatever_the_request_asked_for(organiser_client):
    response = organiser_client.post(
        "/api/events/", {**EVENT_PAYLOAD, "language": "ru"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.json()["language"] == "ru"
