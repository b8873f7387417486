"""No request is a 500 or holds a worker: each class of bad input found from outside gets a 4xx.

One test per class, through real requests (test client, real database), with the cases the
outside testers used and a few of the same kind; the structural tests at the end check that
every route, filter and serializer uses the one bounded piece (converter, filter, field).
"""

import datetime as dt
import json
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern
from django.urls.converters import IntConverter
from rest_framework.test import APIClient

from events.models import Event, Series
from events_project import fields as bounded_fields
from events_project import filters as bounded_filters
from events_project.limits import MAX_ID, MAX_JSON_DEPTH
from tests import factories
from tests.production.conftest import api_endpoints, iter_patterns

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # above 2^63


def event_body(**fields) -> dict:
    return {
        "title": "Robust workshop",
        "kind": "workshop",
        "format": "in_person",
        "start": "2030-03-01T10:00:00",
        "end": "2030-03-01T12:00:00",
        **fields,
    }


def series_body(**fields) -> dict:
    return {
        "title": "Robust circle",
        "kind": "mentoring_session",
        "format": "online",
        "first_start": "2030-03-05T18:30:00",
        "duration_minutes": 90,
        "rrule": "FREQ=WEEKLY;COUNT=4",
        **fields,
    }


# --- reminder offsets ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "offsets",
    [[10_000_000_000_000], [0], [-60], [60 * 24 * 60 + 1], [60] * 11, [1.5], ["60"], [True], "60"],
)
def test_reminder_offsets_outside_a_minute_to_60_days_are_refused(organiser_client, offsets):
    response = organiser_client.post("/api/events/", event_body(reminder_offsets=offsets), format="json")

    assert response.status_code == 400
    assert "reminder_offsets" in response.json()["errors"]
    assert not Event.objects.exists()


def test_reminder_offsets_from_a_minute_to_60_days_are_kept(organiser_client):
    offsets = [1, 60, 24 * 60, 60 * 24 * 60] + [30] * 6

    response = organiser_client.post("/api/events/", event_body(reminder_offsets=offsets), format="json")

    assert response.status_code == 201
    assert Event.objects.get().reminder_offsets == offsets


# --- recurrence rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        # never match: dateutil would walk to the year 9999 (12-31 s a request)
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "no_occurrences"),
        ("FREQ=WEEKLY;BYMONTH=2;BYMONTHDAY=31;UNTIL=20391231T000000", "no_occurrences"),
        ("FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31;COUNT=2", "no_occurrences"),
        ("FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=6;COUNT=3", "no_occurrences"),
        # sessions are daily at most
        ("FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30;COUNT=5", "frequency_too_high"),
        ("FREQ=MINUTELY;COUNT=5", "frequency_too_high"),
        ("FREQ=HOURLY;COUNT=5", "frequency_too_high"),
        ("FREQ=DAILY;BYHOUR=9,10,11;COUNT=5", "invalid_recurrence"),
        # dates and sizes
        ("DTSTART:00010101T000000\nRRULE:FREQ=WEEKLY;COUNT=3", "invalid_recurrence"),
        ("FREQ=WEEKLY;UNTIL=00010101T000000", "date_out_of_range"),
        ("FREQ=WEEKLY;UNTIL=99991231T235959Z", "date_out_of_range"),
        ("FREQ=YEARLY;UNTIL=20990101T000000", "series_too_long"),
        ("FREQ=YEARLY;COUNT=40", "series_too_long"),
        ("FREQ=DAILY;COUNT=100000", "too_many_occurrences"),
        ("FREQ=DAILY;INTERVAL=1000000000000;COUNT=2", "invalid_recurrence"),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20310101T000000", "invalid_recurrence"),
        ("FREQ=WEEKLY;COUNT=3;COUNT=4", "invalid_recurrence"),
    ],
)
def test_series_rules_that_cannot_be_a_series_are_refused_with_400(organiser_client, rule, code):
    response = organiser_client.post("/api/series/", series_body(rrule=rule), format="json")

    assert (response.status_code, response.json()["code"]) == (400, code)
    assert not Series.objects.exists()
    assert not Event.objects.exists()


@pytest.mark.parametrize("action", ["create", "update", "publish"])
def test_a_series_rule_is_expanded_before_any_transaction_opens(organiser, action):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from events import services
    from events.exceptions import InvalidRecurrence

    never = "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"
    series = factories.SeriesFactory(rrule="FREQ=WEEKLY;COUNT=2")
    if action == "publish":
        Series.objects.filter(pk=series.pk).update(rrule=never)  # as an old row could hold it
        series.refresh_from_db()

    with CaptureQueriesContext(connection) as queries, pytest.raises(InvalidRecurrence):
        if action == "create":
            services.create_series(by=organiser, **series_body(rrule=never, first_start=series.first_start))
        elif action == "update":
            services.update_series(series=series, rrule=never)
        else:
            services.publish_series(series=series)

    # no write lock was taken while the rule was walked (on SQLite, one lock for the whole database)
    assert [query["sql"] for query in queries if "SAVEPOINT" in query["sql"] or "BEGIN" in query["sql"]] == []


@pytest.mark.parametrize(
    "fields",
    [
        {"first_start": "0001-01-01T00:00:00"},
        {"first_start": "9999-12-31T23:59:59"},
        {"exdates": ["0001-01-01T00:00:00"]},
        {"exdates": ["9999-12-31T23:59:59-12:00"]},
    ],
)
def test_series_dates_out_of_range_are_refused(organiser_client, fields):
    response = organiser_client.post("/api/series/", series_body(**fields), format="json")

    assert response.status_code == 400
    assert not Series.objects.exists()


def test_series_rule_that_matches_rarely_still_expands(organiser_client):
    # 29 February: once in four years, five times within the ten years a series may span
    response = organiser_client.post(
        "/api/series/",
        series_body(rrule="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=2", first_start="2031-01-01T18:30:00"),
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert [event.start.date().isoformat() for event in Series.objects.get().occurrences.order_by("start")] == [
        "2032-02-29",
        "2036-02-29",
    ]


# --- JSON bodies ---------------------------------------------------------------------------


@pytest.fixture
def open_event(db):
    return factories.EventFactory(capacity=100)


def post_raw(url: str, raw: bytes | str):
    return APIClient().generic("POST", url, raw, content_type="application/json")


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1000, 50_000])
def test_json_nested_too_deep_is_400(open_event, depth):
    nested = "[" * depth + "]" * depth

    response = post_raw(f"/api/events/{open_event.pk}/registrations/", f'{{"answers": {nested}}}')

    assert (response.status_code, response.json()["code"]) == (400, "json_too_deep")


def test_json_brackets_inside_strings_do_not_count_as_depth(open_event):
    body = {"name": "[{" * 40 + '\\"[', "email": "deep@example.org", "consent_data_processing": True}

    response = post_raw(f"/api/events/{open_event.pk}/registrations/", json.dumps(body))

    assert response.status_code == 201


def test_json_body_larger_than_the_upload_limit_is_413(open_event, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"name": "x" * 20_000, "email": "big@example.org"})

    response = post_raw(f"/api/events/{open_event.pk}/registrations/", body)

    assert (response.status_code, response.json()["code"]) == (413, "request_too_large")


@pytest.mark.parametrize(
    "raw",
    [
        r'{"name": "Ada\u0000", "email": "ada@example.org", "consent_data_processing": true}',
        r'{"name": "Ada", "email": "ada@example.org", "consent_data_processing": true, "answers": {"\u0000": "x"}}',
        r'{"name": "\ud800", "email": "ada@example.org", "consent_data_processing": true}',
    ],
)
def test_json_text_with_nul_or_lone_surrogates_is_400(open_event, raw):
    response = post_raw(f"/api/events/{open_event.pk}/registrations/", raw)

    assert response.status_code == 400
    assert response.json()["code"] in ("nul_character", "invalid_unicode")


@pytest.mark.parametrize(
    "raw",
    [
        '{"name": "Ada", "email": "ada@example.org", "consent_data_processing": true, "party_size": 1e400}',
        '{"name": "Ada", "email": "ada@example.org", "consent_data_processing": true, "answers": {"1": -1E999}}',
    ],
)
def test_json_number_beyond_a_float_is_400_not_500(open_event, raw):
    """1e400 is valid JSON that Python reads as infinity; the check for lone surrogates then failed
    on it with a 500."""
    response = post_raw(f"/api/events/{open_event.pk}/registrations/", raw)

    assert (response.status_code, response.json()["code"]) == (400, "number_out_of_range")


@pytest.mark.parametrize(
    "raw",
    [
        r'{"name": "Bell\u0007", "email": "ada@example.org", "consent_data_processing": true}',
        r'{"name": "\u001b[31mAda", "email": "ada@example.org", "consent_data_processing": true}',
        r'{"name": "Ada\u000b\u000c", "email": "ada@example.org", "consent_data_processing": true}',
        '{"name": "Ada\x7f", "email": "ada@example.org", "consent_data_processing": true}',
        r'{"name": "Ada", "email": "ada@example.org", "consent_data_processing": true, "answers": {"1": "\u001f"}}',
        # JSON's short escapes for backspace and form feed are the same characters
        r'{"name": "Ada\b", "email": "ada@example.org", "consent_data_processing": true}',
        r'{"name": "Ada\\\f", "email": "ada@example.org", "consent_data_processing": true}',
    ],
)
def test_json_text_with_control_characters_is_400(open_event, raw):
    # they were stored and served raw, in calendar files RFC 5545 makes invalid (the public feed too)
    response = post_raw(f"/api/events/{open_event.pk}/registrations/", raw)

    assert (response.status_code, response.json()["code"]) == (400, "control_character")


def test_json_text_keeps_tabs_line_breaks_and_escaped_backslashes(organiser_client):
    raw = json.dumps(event_body(title="Tab\there", description="One\r\nTwo \\u0007 is text in C:\\bin\\f"))

    response = organiser_client.generic("POST", "/api/events/", raw, content_type="application/json")

    assert response.status_code == 201, response.json()
    assert Event.objects.get().description == "One\r\nTwo \\u0007 is text in C:\\bin\\f"


# --- NUL in paths, query strings and forms ---------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/registrations/manage/%00/",
        "/registrations/manage/%00/confirmation/",
        "/registrations/manage/%00/cancel/",
        "/registrations/manage/abc%00def/",
        "/api/registrations/manage/%00/",
        "/calendar/private/%00.ics",
        "/speaker/invitation/%00/",
        "/certificates/verify/%00/",
        "/api/events/?q=%00",
        "/api/events/?region=%00",
        "/events/?q=a%00b",
        "/api/speakers/?region=%00",
    ],
)
def test_nul_in_path_or_query_is_400(client, url):
    response = client.get(url)

    assert response.status_code == 400


def test_nul_in_a_form_body_is_400(client, open_event):
    response = client.post(
        f"/events/{open_event.pk}/register/",
        "name=Ada%00&email=ada%40example.org",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400


@pytest.mark.parametrize("body", ["reason=Flood%00ed", "reason=Flood\x00ed", "rea%00son=Flooded"])
def test_nul_in_an_api_form_body_is_400_where_the_endpoint_reads_forms(organiser_client, organiser, body):
    """The API's form parser refuses it (the middleware leaves API bodies to the parsers, so that
    an endpoint reading no form answers 415); one who may not call the endpoint hears 401 first."""
    event = factories.EventFactory(organisers=[organiser])
    url = f"/api/events/{event.pk}/cancel/"

    response = organiser_client.post(url, body, content_type="application/x-www-form-urlencoded")
    anonymous = APIClient().post(url, body, content_type="application/x-www-form-urlencoded")

    assert (response.status_code, response.json()["code"]) == (400, "nul_character")
    assert anonymous.status_code == 401
    event.refresh_from_db()
    assert event.status == "published"


@pytest.mark.parametrize("name", ["Ada%07", "Ada%1B%5B31m", "Ada%0b", "Ada%7F", "Ada\x07"])
def test_control_characters_in_a_form_body_are_400(client, open_event, name):
    response = client.post(
        f"/events/{open_event.pk}/register/",
        f"name={name}&email=ada%40example.org&consent_data_processing=on",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400


@pytest.mark.parametrize("method", ["post", "patch"])
def test_control_characters_in_an_api_form_or_multipart_body_are_400(organiser_client, organiser, method):
    # JSON was refused; the same text sent as multipart or a form was stored
    event = factories.EventFactory(organisers=[organiser], title="Quiet")
    url = "/api/events/" if method == "post" else f"/api/events/{event.pk}/"
    body = event_body(title="Bell\x07") if method == "post" else {"title": "Bell\x07"}

    multipart = getattr(organiser_client, method)(url, body, format="multipart")
    form = getattr(organiser_client, method)(url, urlencode(body), content_type="application/x-www-form-urlencoded")

    assert (multipart.status_code, multipart.json()["code"]) == (400, "control_character")
    assert (form.status_code, form.json()["code"]) == (400, "control_character")
    assert list(Event.objects.values_list("title", flat=True)) == ["Quiet"]


def test_control_characters_in_a_page_multipart_body_are_400(client, organiser):
    event = factories.WebinarFactory(organisers=[organiser])
    client.force_login(organiser)
    report = SimpleUploadedFile("report.csv", b"name,email,duration\nA\x07,a@example.org,30\n")

    response = client.post(
        f"/manage/events/{event.pk}/attendance/", {"file": report, "format": "generic\x07", "threshold_percent": "50"}
    )

    assert response.status_code == 400


def test_a_broken_multipart_body_to_a_page_is_still_400(client, open_event):
    # the control-character check reads the body first: it must not turn it into an empty form
    response = client.generic(
        "POST", f"/events/{open_event.pk}/register/", b"garbage", content_type="multipart/form-data"
    )

    assert response.status_code == 400


def test_tabs_and_line_breaks_in_a_form_body_are_text(client, organiser):
    client.force_login(organiser)
    body = (
        "title=Workshop&description=One%0D%0ATwo%09three&start=2030-03-01T10%3A00&end=2030-03-01T12%3A00"
        "&timezone=Asia%2FBaku&audience=public&language=az&format=in_person&registration_mode=open"
    )

    response = client.post("/manage/events/new/workshop/", body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 302
    assert Event.objects.get().description == "One\r\nTwo\tthree"


# --- ids above 2^63 ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"/api/events/?series={HUGE}",
        f"/calendar/events.ics?series={HUGE}",
        f"/api/outbox/?event={HUGE}",
        f"/api/speaker-assignments/?event={HUGE}",
        f"/api/speaker-assignments/?speaker={HUGE}",
        f"/api/cohorts/?programme={HUGE}",
        f"/api/message-templates/?event={HUGE}",
        f"/api/attendance-imports/?event={HUGE}",
        f"/api/events/?series={MAX_ID + 1}",
        "/api/events/?series=-1",
        "/api/events/?series=1e400",
    ],
)
def test_ids_out_of_range_in_filters_are_400(organiser_client, url):
    response = organiser_client.get(url)

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", f"/api/events/{HUGE}/checkin/"),
        ("get", f"/api/events/{HUGE}/"),
        ("get", f"/api/events/{HUGE}/ics/"),
        ("get", f"/api/events/{HUGE}/registrations/"),
        ("get", f"/api/events/{HUGE}/registrations/{HUGE}/"),
        ("get", f"/api/events/{MAX_ID + 1}/"),
        ("get", "/api/events/0/"),
        ("get", f"/api/speakers/{HUGE}/"),
        ("get", f"/api/attendance/series/{HUGE}/"),
        ("get", f"/calendar/series/{HUGE}.ics"),
        ("get", f"/events/{HUGE}/"),
        ("get", f"/checkin/{HUGE}/"),
        ("get", f"/manage/events/{HUGE}/"),
        ("get", f"/programmes/{HUGE}/report/"),
    ],
)
def test_ids_out_of_range_in_paths_are_404(organiser_client, method, url):
    response = getattr(organiser_client, method)(url, {}, format="json")

    assert response.status_code == 404
    if url.startswith(("/api/", "/calendar/")):
        assert response.json()["code"] == "not_found"


def test_the_largest_id_is_still_an_id(organiser_client):
    assert organiser_client.get(f"/api/events/{MAX_ID}/").status_code == 404
    # an id, but nobody's series: the 404 of an unknown id, not the 400 of a number out of range
    assert organiser_client.get(f"/api/events/?series={MAX_ID}").status_code == 404


# --- timezones ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "zone", ["A" * 5000, "../../etc/passwd", "Mars/Olympus_Mons", "", "asia/baku", 4, "localtime", "Factory"]
)
@pytest.mark.parametrize("url", ["/api/events/", "/api/series/"])
def test_unknown_timezones_are_400(organiser_client, zone, url):
    body = event_body(timezone=zone) if url == "/api/events/" else series_body(timezone=zone)

    response = organiser_client.post(url, body, format="json")

    assert response.status_code == 400
    assert "timezone" in response.json()["errors"]


def test_a_known_timezone_is_kept(organiser_client):
    response = organiser_client.post(
        "/api/events/", event_body(timezone="America/Argentina/Buenos_Aires"), format="json"
    )

    assert response.status_code == 201
    assert response.json()["timezone"] == "America/Argentina/Buenos_Aires"


# --- numbers an organiser types ---------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"offer_hold_hours": 10**12},  # was kept, then an OverflowError when someone cancelled
        {"offer_hold_hours": 24 * 14 + 1},
        {"capacity": 10**15},
        {"capacity": 100_001},
        {"latitude": 999},
        {"longitude": -180.5},
    ],
)
def test_event_numbers_out_of_range_are_400(organiser_client, fields):
    response = organiser_client.post("/api/events/", event_body(**fields), format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == list(fields)
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"duration_minutes": 10**12},  # was a 500: the session's end overflowed
        {"duration_minutes": 2**31},
        {"duration_minutes": 0},  # was a 409 "conflict" from the database's check
        {"duration_minutes": 24 * 60 + 1},
        {"capacity": 10**15},
    ],
)
def test_series_numbers_out_of_range_are_400(organiser_client, fields):
    response = organiser_client.post("/api/series/", series_body(**fields), format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == list(fields)
    assert not Series.objects.exists()


def test_registration_opening_after_the_event_ends_is_400(organiser_client):
    body = event_body(registration_opens_at="2030-03-02T09:00:00")  # the event ends on 03-01

    response = organiser_client.post("/api/events/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["registration_opens_at"]


@pytest.mark.parametrize("field", ["registration_closes_at", "rsvp_deadline"])
def test_a_closing_time_or_deadline_to_answer_after_the_event_ends_is_400(organiser_client, field):
    body = event_body(**{field: "2031-03-01T09:00:00"})  # the event ends on 2030-03-01
    created = organiser_client.post("/api/events/", event_body(), format="json").json()

    response = organiser_client.post("/api/events/", body, format="json")
    edited = organiser_client.patch(f"/api/events/{created['id']}/", {field: "2030-03-02T09:00:00"}, format="json")
    shortened = organiser_client.patch(
        f"/api/events/{created['id']}/", {field: "2030-03-01T11:30:00", "end": "2030-03-01T11:00:00"}, format="json"
    )

    assert (response.status_code, list(response.json()["errors"])) == (400, [field])
    assert (edited.status_code, list(edited.json()["errors"])) == (400, [field])
    assert (shortened.status_code, list(shortened.json()["errors"])) == (400, [field])


def test_the_largest_numbers_the_workspace_offers_are_kept(organiser_client):
    event = organiser_client.post(
        "/api/events/", event_body(capacity=100_000, offer_hold_hours=24 * 14, latitude=-90), format="json"
    )
    series = organiser_client.post("/api/series/", series_body(duration_minutes=24 * 60), format="json")

    assert (event.status_code, series.status_code) == (201, 201)


def test_cancelling_frees_the_seat_even_with_an_old_unbounded_hold(api_client):
    # a row written before the bound: promotion holds the seat for the longest hold instead
    event = factories.EventFactory(capacity=1, offer_hold_hours=2**31 - 1)  # the largest PostgreSQL keeps
    first = factories.RegistrationFactory(event=event)
    waiting = factories.RegistrationFactory(event=event, status="waitlisted", waiting_since=event.published_at)

    response = api_client.post(f"/api/registrations/manage/{first.manage_token}/cancel/")

    assert response.status_code == 200
    waiting.refresh_from_db()
    assert waiting.status == "offered"


@pytest.mark.parametrize(
    "choices",
    [[str(number) for number in range(51)], ["x" * 201, "b"], [str(number) for number in range(10_000)]],
)
def test_too_many_or_too_long_question_options_are_400(organiser_client, organiser, choices):
    # 10,000 options made a registration page of half a megabyte
    event = factories.EventFactory(organisers=[organiser])
    question = factories.QuestionFactory(event=event, kind="choice", choices=["a", "b"])
    url = f"/api/events/{event.pk}/questions/"

    created = organiser_client.post(url, {"label": "Pick", "kind": "choice", "choices": choices}, format="json")
    changed = organiser_client.patch(f"{url}{question.pk}/", {"choices": choices}, format="json")

    assert (created.status_code, created.json()["code"]) == (400, "too_many_choices")
    assert (changed.status_code, changed.json()["code"]) == (400, "too_many_choices")
    question.refresh_from_db()
    assert question.choices == ["a", "b"]


def test_an_event_asks_at_most_thirty_questions_through_the_api_and_the_workspace(organiser_client, organiser, client):
    event = factories.EventFactory(organisers=[organiser])
    factories.QuestionFactory.create_batch(30, event=event)

    refused = organiser_client.post(f"/api/events/{event.pk}/questions/", {"label": "One more"}, format="json")
    client.force_login(organiser)
    page = client.post(f"/manage/events/{event.pk}/questions/", {"action": "add", "label": "One more", "kind": "text"})

    assert (refused.status_code, refused.json()["code"]) == (400, "too_many_questions")
    assert page.status_code == 200 and "An event asks at most 30 questions." in page.content.decode()
    assert event.questions.count() == 30


@pytest.mark.parametrize("url", ["/api/events/", "/api/series/"])
@pytest.mark.parametrize("title", ["\u200b\u200b", " \u202e\u2060 "])
def test_a_title_of_only_invisible_characters_is_400(organiser_client, url, title):
    body = event_body if url == "/api/events/" else series_body

    response = organiser_client.post(url, body(title=title), format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["title"]
    assert not Event.objects.exists()


@pytest.mark.parametrize("url", ["/api/events/", "/api/series/"])
@pytest.mark.parametrize("brk", ["\r\n", "\n", "\u2028", "\t"])
def test_a_title_typed_over_lines_is_kept_on_one_line(organiser_client, url, brk):
    # "Robotics<CRLF>Bcc: …" was kept: its calendar file was a 500 and its mails stuck in the outbox
    body = event_body if url == "/api/events/" else series_body

    response = organiser_client.post(url, body(title=f"Robotics{brk}Bcc: evil@example.org"), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["title"] == "Robotics Bcc: evil@example.org"
    event = Event.objects.order_by("pk").first()
    assert event.title == "Robotics Bcc: evil@example.org"
    assert organiser_client.get(f"/api/events/{event.pk}/ics/").status_code == 200


@pytest.mark.parametrize("url", ["/api/events/", "/api/series/"])
def test_a_right_to_left_override_in_a_title_or_place_is_dropped(organiser_client, url):
    # "Webinar \u202egnp.exe" read "Webinar exe.png" on every list, mail and calendar
    body = event_body if url == "/api/events/" else series_body
    fields = {"title": "Webinar \u202egnp.exe\u202c", "venue_name": "Hall\u2066 A\u2069", "city": "Gəncə\u200b"}
    fields["format"] = "in_person"

    response = organiser_client.post(url, body(**fields), format="json")

    assert response.status_code == 201, response.content
    assert (response.json()["title"], response.json()["venue_name"]) == ("Webinar gnp.exe", "Hall A")
    model = Event if url == "/api/events/" else Series
    stored = model.objects.get()
    assert (stored.title, stored.venue_name, stored.city) == ("Webinar gnp.exe", "Hall A", "Gəncə")


def test_an_event_lasts_at_most_a_year(organiser_client):
    # 2027 to 2099 was kept: the event stood on every "happening now" list and door for decades
    too_long = organiser_client.post(
        "/api/events/", event_body(start="2027-01-01T10:00:00", end="2099-01-01T10:00:00"), format="json"
    )
    a_year = organiser_client.post(
        "/api/events/", event_body(start="2027-01-01T10:00:00", end="2028-01-01T10:00:00"), format="json"
    )

    assert too_long.status_code == 400
    assert list(too_long.json()["errors"]) == ["end"]
    assert a_year.status_code == 201, a_year.content


# --- local times the clocks skip --------------------------------------------------------------

# Europe/Berlin goes from 02:00 to 03:00 on 2030-03-31 and back from 03:00 to 02:00 on 2030-10-27


@pytest.mark.parametrize(
    ("url", "fields"),
    [
        ("/api/events/", {"start": "2030-03-31T02:30:00", "end": "2030-03-31T04:00:00"}),
        ("/api/events/", {"end": "2030-03-31T02:59:00", "start": "2030-03-31T01:00:00"}),
        ("/api/series/", {"first_start": "2030-03-31T02:30:00"}),
    ],
)
def test_a_local_time_the_clocks_skip_is_400(organiser_client, url, fields):
    body = event_body if url == "/api/events/" else series_body
    response = organiser_client.post(url, body(timezone="Europe/Berlin", **fields), format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [next(name for name in fields if "02:" in fields[name])]


def test_a_local_time_the_clocks_repeat_is_its_first_instance(organiser_client):
    response = organiser_client.post(
        "/api/events/",
        event_body(timezone="Europe/Berlin", start="2030-10-27T02:30:00", end="2030-10-27T04:00:00"),
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["start"] == "2030-10-27T02:30:00+02:00"


def test_the_workspace_form_refuses_a_local_time_the_clocks_skip(client, organiser):
    client.force_login(organiser)
    form = {
        "title": "Night workshop",
        "start": "2030-03-31T02:30",
        "end": "2030-03-31T04:00",
        "timezone": "Europe/Berlin",
        "audience": "public",
        "language": "az",
        "format": "in_person",
        "registration_mode": "open",
    }

    response = client.post("/manage/events/new/workshop/", form)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["start"]
    assert not Event.objects.exists()


def test_a_series_session_on_the_night_the_clocks_skip_keeps_its_length(organiser_client):
    body = series_body(timezone="Europe/Berlin", first_start="2030-03-24T02:30:00", rrule="FREQ=WEEKLY;COUNT=2")

    response = organiser_client.post("/api/series/", body, format="json")

    assert response.status_code == 201
    skipped = Series.objects.get().occurrences.order_by("start").last()
    assert skipped.local_start.isoformat() == "2030-03-31T03:30:00+02:00"
    assert skipped.end - skipped.start == dt.timedelta(minutes=90)


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"start": "0001-01-01T00:00:00"},
        {"start": "0001-01-01T00:00:00+14:00"},
        {"end": "9999-12-31T23:59:59-12:00"},
        {"registration_closes_at": "0001-01-01T00:00:00"},
        {"start": "1999-12-31T23:00:00"},
    ],
)
def test_event_dates_out_of_range_are_400(organiser_client, fields):
    response = organiser_client.post("/api/events/", event_body(**fields), format="json")

    assert response.status_code == 400
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        "starts_after=0001-01-01T00:00:00",
        "starts_before=9999-12-31T23:59:59-12:00",
        "date_from=0001-01-01",
        "date_to=9999-12-31",
    ],
)
def test_date_filters_out_of_range_are_400(client, query):
    assert client.get(f"/api/events/?{query}").status_code == 400


def test_speaker_unavailability_out_of_range_is_400(db):
    user = factories.UserFactory()
    factories.SpeakerFactory(user=user)
    client = APIClient()
    client.force_authenticate(user)

    response = client.post(
        "/api/me/speaker/unavailability/",
        {"start": "0001-01-01T00:00:00", "end": "0001-01-02T00:00:00"},
        format="json",
    )

    assert response.status_code == 400


# --- strict filter values --------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "upcoming=bogus",
        "upcoming=2",
        "upcoming=",
        "ordering=bogus",
        "ordering=-bogus",
        "ordering=start,bogus",
        "ordering=seats_taken",
        "kind=bogus",
        "series=abc",
    ],
)
def test_unknown_or_malformed_filter_values_are_400(client, query):
    factories.EventFactory()

    response = client.get(f"/api/events/?{query}")

    if query == "upcoming=":
        assert response.status_code == 200  # an empty value is no filter
    else:
        assert (response.status_code, response.json()["code"]) == (400, "invalid")


@pytest.mark.parametrize(("value", "count"), [("true", 1), ("1", 1), ("yes", 1), ("false", 0), ("0", 0), ("NO", 0)])
def test_boolean_filters_take_the_usual_spellings(client, value, count):
    factories.EventFactory()

    response = client.get(f"/api/events/?upcoming={value}")

    assert response.status_code == 200
    assert response.json()["count"] == count


def test_ordering_by_an_offered_field_works(client):
    first, second = factories.EventFactory(title="B"), factories.EventFactory(title="A")

    response = client.get("/api/events/?ordering=-title")

    assert [row["id"] for row in response.json()["results"]] == [first.pk, second.pk]


# --- one piece for each class, everywhere ---------------------------------------------------


def test_every_id_in_every_route_uses_the_bounded_converter():
    unbounded = []
    for route, pattern in iter_patterns():
        converters = getattr(pattern.pattern, "converters", {})
        if any(isinstance(converter, IntConverter) for converter in converters.values()):
            unbounded.append(route)
        if "[0-9]+" in route or r"\d+" in route:
            unbounded.append(route)
    assert unbounded == []
    assert any("<id:pk>" in route for route, _ in iter_patterns())


def _views_with_filters():
    for name, method, route in api_endpoints():
        pattern = next(p for r, p in iter_patterns() if r == route and isinstance(p, URLPattern))
        view = getattr(pattern.callback, "cls", None)
        if view is not None and method == "GET":
            yield name, view


def test_every_filterset_of_the_api_derives_from_the_strict_base():
    from django.conf import settings

    assert settings.REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"] == [
        "events_project.filters.FilterBackend",
        "events_project.filters.OrderingFilter",
    ]
    lax = []
    for name, view in _views_with_filters():
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is not None and not issubclass(filterset_class, bounded_filters.FilterSet):
            lax.append(name)
        for backend in getattr(view, "filter_backends", []):
            if backend.__module__.startswith(("django_filters", "rest_framework")):
                lax.append(f"{name}: {backend.__name__}")
    assert lax == []


def test_every_datetime_a_serializer_accepts_is_bounded():
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework import serializers

    generator = SchemaGenerator()
    generator._initialise_endpoints()
    checked, dates, lax = 0, 0, set()
    for path, _path_regex, method, view in generator._get_paths_and_endpoints():
        if method not in ("POST", "PUT", "PATCH"):
            continue
        view.schema.method, view.schema.path, view.schema.view = method, path, view
        request = view.schema.get_request_serializer()
        pending = [request() if isinstance(request, type) else request]
        while pending:
            current = pending.pop()
            if current is None or not hasattr(current, "fields"):
                continue
            checked += 1
            for field_name, field in current.fields.items():
                field = getattr(field, "child", field)
                if isinstance(field, serializers.BaseSerializer):
                    pending.append(field)
                elif isinstance(field, serializers.DateTimeField) and not field.read_only:
                    dates += 1
                    if not isinstance(field, bounded_fields.DateTimeField):
                        lax.add(f"{method} {path} {field_name}")
    assert checked > 20 and dates > 10
    assert lax == set()


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", "The request contains a control character."), ("az", "Sorğuda idarəedici simvol var.")],
)
def test_control_character_in_a_page_form_answers_the_sites_page_in_the_readers_language(
    client, open_event, language, said
):
    # it was Django's bare "Bad Request (400)", in English, with nothing to do next
    client.cookies["django_language"] = language

    response = client.post(
        f"/events/{open_event.pk}/register/",
        "name=Ada%07&email=ada%40example.org&consent_data_processing=on",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert f'<html lang="{language}">' in response.content.decode()
    assert said in response.content.decode()
    assert 'class="error-page"' in response.content.decode()


def test_page_form_advice_on_a_control_character_is_translated(client, open_event):
    client.cookies["django_language"] = "az"

    response = client.post(
        f"/events/{open_event.pk}/register/", "name=Ada%1B", content_type="application/x-www-form-urlencoded"
    )

    assert "Brauzerin «Geri» düyməsi ilə qayıdın" in response.content.decode()


def test_json_nested_too_deep_to_the_token_endpoint_is_400(db):
    # DRF's ObtainAuthToken brought DRF's own JSON parser: RecursionError, a 500
    response = post_raw("/api/auth/token/", '{"username": ' + "[" * 50_000 + "]" * 50_000 + "}")

    assert (response.status_code, response.json()["code"]) == (400, "json_too_deep")


def test_every_api_view_reads_bodies_with_the_bounded_parsers():
    from events_project import parsers as bounded_parsers

    lax = set()
    for route, pattern in iter_patterns():
        view = getattr(pattern.callback, "cls", None)
        if not route.startswith("api/") or view is None:
            continue
        actions = [getattr(view, name, None) for name in (getattr(pattern.callback, "actions", None) or {}).values()]
        for parsers in [view.parser_classes, *(getattr(a, "kwargs", {}).get("parser_classes") for a in actions)]:
            for parser in parsers or ():
                if parser.__module__ != bounded_parsers.__name__:
                    lax.add(f"{route}: {parser.__module__}.{parser.__name__}")
    assert lax == set()


def test_every_list_of_related_objects_a_serializer_accepts_is_bounded():
    """A writable ``many=True`` relation looks each id up once, together, and takes at most
    limits.MAX_RELATED_ITEMS of them (DRF's own asked the database once per item, repeats too)."""
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework import serializers

    generator = SchemaGenerator()
    generator._initialise_endpoints()
    relations, lax = 0, set()
    for path, _path_regex, method, view in generator._get_paths_and_endpoints():
        if method not in ("POST", "PUT", "PATCH"):
            continue
        view.schema.method, view.schema.path, view.schema.view = method, path, view
        request = view.schema.get_request_serializer()
        pending = [request() if isinstance(request, type) else request]
        while pending:
            current = pending.pop()
            if current is None or not hasattr(current, "fields"):
                continue
            for field_name, field in current.fields.items():
                if isinstance(getattr(field, "child", field), serializers.BaseSerializer):
                    pending.append(getattr(field, "child", field))
                elif isinstance(field, serializers.ManyRelatedField) and not field.read_only:
                    relations += 1
                    if not isinstance(field, bounded_fields.BoundedManyRelatedField):
                        lax.add(f"{method} {path} {field_name}")
    assert relations >= 3
    assert lax == set()


def _programme(organiser):
    from programmes.models import Programme

    programme = Programme.objects.create(
        title="Robust programme", starts_on=dt.date(2030, 1, 1), ends_on=dt.date(2030, 12, 31)
    )
    programme.organisers.add(organiser)
    return programme


@pytest.mark.parametrize("field", ["series", "events"])
def test_a_programme_given_one_id_many_times_looks_it_up_once(organiser_client, organiser, field):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    programme = _programme(organiser)
    if field == "series":
        related = factories.SeriesFactory()
        related.organisers.add(organiser)
    else:
        # within the programme's dates (a programme takes in no event outside them)
        start = dt.datetime(2030, 3, 1, 10, tzinfo=dt.UTC)
        related = factories.EventFactory(organisers=[organiser], start=start, end=start + dt.timedelta(hours=2))
    counts = {}
    for repeats in (1, 200):
        organiser_client.patch(f"/api/programmes/{programme.pk}/", {field: []}, format="json")
        with CaptureQueriesContext(connection) as queries:
            answer = organiser_client.patch(
                f"/api/programmes/{programme.pk}/", {field: [related.pk] * repeats}, format="json"
            )
        assert answer.status_code == 200, answer.content
        assert answer.json()[field] == [related.pk]
        counts[repeats] = len(queries)

    assert counts[200] == counts[1]


def test_more_related_ids_than_the_limit_are_refused(organiser_client, organiser):
    from events_project.limits import MAX_RELATED_ITEMS

    programme = _programme(organiser)
    event = factories.EventFactory(organisers=[organiser])

    answer = organiser_client.patch(
        f"/api/programmes/{programme.pk}/", {"events": [event.pk] * (MAX_RELATED_ITEMS + 1)}, format="json"
    )

    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid"
    assert answer.json()["errors"]["events"] == [f"Give at most {MAX_RELATED_ITEMS} items."]


def test_an_unknown_id_among_many_is_named(organiser_client, organiser):
    programme = _programme(organiser)
    event = factories.EventFactory(organisers=[organiser])
    stranger = factories.EventFactory()

    answer = organiser_client.patch(
        f"/api/programmes/{programme.pk}/", {"events": [event.pk, stranger.pk, HUGE, "x"]}, format="json"
    )

    assert answer.status_code == 400
    assert answer.json()["errors"]["events"] == [f'Invalid pk "{HUGE}" - object does not exist.']


def test_a_speakers_travel_regions_repeated_are_looked_up_once(organiser_client, organiser):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    speaker = factories.SpeakerFactory()
    counts = {}
    for repeats in (1, 200):
        organiser_client.patch(f"/api/speakers/{speaker.pk}/", {"travel_regions": []}, format="json")
        with CaptureQueriesContext(connection) as queries:
            answer = organiser_client.patch(
                f"/api/speakers/{speaker.pk}/", {"travel_regions": ["baku"] * repeats}, format="json"
            )
        assert answer.status_code == 200, answer.content
        assert answer.json()["travel_regions"] == ["baku"]
        counts[repeats] = len(queries)

    assert counts[200] == counts[1]


def test_a_description_longer_than_a_few_pages_is_refused_at_every_door(organiser_client, organiser, client):
    """A description had no limit: a series of 200 sessions with a 900 KB description copied it
    into each session, held the request (and SQLite's write lock) for minutes, and every feed,
    page and mail carried it. Events, series and programmes take at most DESCRIPTION_MAX_LENGTH."""
    from events_project.limits import DESCRIPTION_MAX_LENGTH

    too_long = "x" * (DESCRIPTION_MAX_LENGTH + 1)
    event = factories.EventFactory(organisers=[organiser])
    programme = factories.ProgrammeFactory(organisers=[organiser])
    series_body = {
        "title": "Circle",
        "description": too_long,
        "kind": "mentoring",
        "format": "online",
        "timezone": "Asia/Baku",
        "rrule": "FREQ=WEEKLY;COUNT=3",
        "first_start": "2030-01-08T18:00:00",
        "duration_minutes": 60,
    }

    answers = [
        organiser_client.patch(f"/api/events/{event.pk}/", {"description": too_long}, format="json"),
        organiser_client.post("/api/series/", series_body, format="json"),
    ]
    answers.append(organiser_client.patch(f"/api/programmes/{programme.pk}/", {"description": too_long}, format="json"))
    kept = organiser_client.patch(
        f"/api/events/{event.pk}/", {"description": "x" * DESCRIPTION_MAX_LENGTH}, format="json"
    )

    assert [answer.status_code for answer in answers] == [400] * len(answers), [a.content[:200] for a in answers]
    assert all("description" in answer.json()["errors"] for answer in answers)
    assert kept.status_code == 200, kept.content[:300]
    from events.manage_forms import EventForm, SeriesForm

    for form_class in (EventForm, SeriesForm):
        assert form_class.base_fields["description"].max_length == DESCRIPTION_MAX_LENGTH
