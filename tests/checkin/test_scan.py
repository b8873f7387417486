"""Scanning at the door: typed answers, one check-in per ticket, rights per event, few queries."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from registrations.models import CheckIn, Registration, RegistrationStatus
from registrations.services import tickets
from tests import factories
from tests.checkin.conftest import client_for, happening_now, make_registration, scan_url

pytestmark = pytest.mark.django_db


def scan(client, event, registration_or_text, device="door-1"):
    text = registration_or_text
    if not isinstance(text, str):
        text = tickets.ticket_payload(registration_or_text)
    return client.post(scan_url(event), {"secret": text, "device": device})


def test_scan_confirmed_ticket_checks_in_with_who_when_device(ticket, event, staff, staff_client):
    response = scan(staff_client, event, ticket, device="phone-7")

    checkin = CheckIn.objects.get()
    assert response.status_code == 200
    assert response.data["code"] == "checked_in"
    assert response.data["checkin"]["checked_in_by"] == "Aysel Mammadova"
    assert (checkin.registration, checkin.event, checkin.by) == (ticket, event, staff)
    assert (checkin.device, checkin.source) == ("phone-7", CheckIn.Source.SCAN)


def test_scan_twice_answers_already_checked_in_with_when_and_by_whom(ticket, event, staff_client, organiser):
    first = scan(staff_client, event, ticket, device="door-1")

    second = scan(client_for(organiser), event, ticket, device="door-2")

    assert second.status_code == 409
    assert second.data["code"] == "already_checked_in"
    assert second.data["checked_in_by"] == "Aysel Mammadova"
    assert second.data["device"] == "door-1"
    assert second.data["checkin_id"] == first.data["checkin"]["id"]
    assert second.data["registration"]["name"] == "Leyla Aliyeva"
    assert CheckIn.objects.count() == 1
    # a check-in's time in the site's zone with its offset, as the API writes it, not UTC
    assert second.data["checked_in_at"] == first.data["checkin"]["checked_in_at"]
    assert second.data["checked_in_at"].endswith("+04:00")


def test_scan_ticket_of_other_event_is_wrong_event_and_reveals_nothing(event, staff_client):
    other = make_registration(factories.EventFactory(), name="Someone Else")

    response = scan(staff_client, event, other)

    assert response.status_code == 409
    assert response.data["code"] == "wrong_event"
    assert "registration" not in response.data
    assert not CheckIn.objects.exists()


def test_scan_cancelled_registration_is_cancelled(event, staff_client):
    registration = make_registration(event, status=RegistrationStatus.CANCELLED)

    response = scan(staff_client, event, registration)

    assert response.status_code == 409
    assert response.data["code"] == "cancelled"
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    "status",
    [
        RegistrationStatus.PENDING,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.OFFERED,
        RegistrationStatus.REJECTED,
    ],
)
def test_scan_unconfirmed_registration_is_not_confirmed(event, staff_client, status):
    registration = make_registration(event, status=status)

    response = scan(staff_client, event, registration)

    assert response.status_code == 409
    assert response.data["code"] == "not_confirmed"
    assert response.data["registration"]["status"] == status
    assert not CheckIn.objects.exists()


def altered(secret: str) -> str:
    """The same secret with one character changed, as a forger or a misread would."""
    swap = "B" if secret[5] == "A" else "A"
    return secret[:5] + swap + secret[6:]


@pytest.mark.parametrize(
    ("forge", "code"),
    [
        (lambda secret: "EVT1:" + altered(secret), "invalid"),
        (lambda secret: "EVT1:" + "A" * 26, "invalid"),
        (lambda secret: secret.lower()[::-1], "invalid"),
        (lambda secret: "EVT1:" + secret[:-1], "not_a_ticket"),
        (lambda secret: secret + "A", "not_a_ticket"),
        (lambda secret: "https://example.org/ticket/" + secret, "not_a_ticket"),
        (lambda secret: "' OR 1=1 --", "not_a_ticket"),
        (lambda secret: "EVT1:" + "Ä" * 26, "not_a_ticket"),
        (lambda secret: "https://example.org/" + "a" * 300, "not_a_ticket"),
    ],
    ids=["altered", "made-up", "reversed", "truncated", "extended", "url", "sql", "non-ascii", "long-link"],
)
def test_scan_forged_or_altered_code_is_invalid_and_what_cannot_be_a_code_is_not_a_ticket(
    ticket, event, staff_client, forge, code
):
    """A code no ticket holds (forged, altered, re-issued) is ``invalid``; what cannot be a code at
    all (another QR code, a link longer than the field, a code mistyped to the wrong length) was
    ``invalid`` too, though staff then scan the right code or type it again rather than turn the
    person away: ``not_a_ticket``."""
    response = scan(staff_client, event, forge(ticket.ticket_secret))

    assert response.status_code == 400
    assert response.data["code"] == code
    assert "errors" not in response.data
    assert not CheckIn.objects.exists()


def test_scan_of_what_cannot_be_a_code_is_no_guess(ticket, event, staff_client, monkeypatch):
    """Only ``invalid`` answers count against the ticket-guessing limit: a door whose staff scan
    the event's poster five times is not slowed."""
    from django.core.cache import cache
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(
        ScopedRateThrottle, "THROTTLE_RATES", {**ScopedRateThrottle.THROTTLE_RATES, "token": "3/minute"}
    )
    cache.clear()
    posters = [scan(staff_client, event, "https://example.org/events/42").data["code"] for _ in range(5)]
    guesses = [scan(staff_client, event, "EVT1:" + letter * 26).status_code for letter in "ABCD"]
    cache.clear()

    assert posters == ["not_a_ticket"] * 5
    assert guesses == [400, 400, 400, 429]


def test_scan_missing_secret_is_a_malformed_scan_naming_the_field(event, staff_client):
    response = staff_client.post(scan_url(event), {"device": "door-1"})

    assert (response.status_code, response.data["code"]) == (400, "malformed_scan")
    assert response.data["errors"] == {"secret": ["This field is required."]}
    assert response.data["detail"].startswith("This request is not a scan")


@pytest.mark.parametrize(
    "body",
    [
        {"device": "door-1"},
        [],
        ["EVT1:" + "A" * 26],
        "EVT1:" + "A" * 26,
        {"secret": None},
        {"secret": True},
        {"secret": ["EVT1:" + "A" * 26]},
        {"secret": {"code": "EVT1:" + "A" * 26}},
        {"secret": "EVT1:" + "A" * 26, "device": "d" * 101},
        {"secret": 12345678901234567890123456},
        {"secret": 1.5},
        {"secret": "EVT1:" + "A" * 26, "device": 7},
    ],
    ids=[
        "no-secret",
        "list",
        "list-of-code",
        "bare-string",
        "null",
        "bool",
        "list-secret",
        "object",
        "long-device",
        "number-secret",
        "float-secret",
        "number-device",
    ],  # fmt: skip
)
def test_scan_of_a_malformed_body_is_its_own_400_and_no_guess(ticket, event, staff_client, monkeypatch, body):
    """A body that is not a scan (not a JSON object, a secret missing or not text) is the client's
    bug: it was ``invalid``, the code of a guessed ticket, which scanner apps count and show as "not a
    valid ticket". It has its own code and leaves the guessing limit alone."""
    from django.core.cache import cache
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(
        ScopedRateThrottle, "THROTTLE_RATES", {**ScopedRateThrottle.THROTTLE_RATES, "token": "3/minute"}
    )
    cache.clear()
    malformed = [staff_client.post(scan_url(event), body, format="json") for _ in range(4)]
    guesses = [scan(staff_client, event, "EVT1:" + letter * 26).status_code for letter in "ABCD"]
    cache.clear()

    assert [(answer.status_code, answer.data["code"]) for answer in malformed] == [(400, "malformed_scan")] * 4
    assert all(answer.data["errors"] for answer in malformed)
    assert guesses == [400, 400, 400, 429]
    assert not CheckIn.objects.exists()


def test_scan_of_a_malformed_body_by_someone_not_at_the_door_says_only_that(event):
    """Rights come first, as on every route under an object: someone who does not work this door
    learns nothing of it from a malformed body."""
    response = client_for(factories.UserFactory()).post(scan_url(event), {"device": "door-1"}, format="json")

    assert response.status_code == 403
    assert response.data["code"] == "not_checkin_staff"


def test_scan_by_anonymous_is_refused(ticket, event, api_client):
    response = scan(api_client, event, ticket)

    assert response.status_code in (401, 403)
    assert not CheckIn.objects.exists()


def test_scan_by_attendee_is_forbidden(ticket, event):
    attendee = factories.UserFactory()

    response = scan(client_for(attendee), event, ticket)

    assert response.status_code == 403
    assert response.data["code"] == "not_checkin_staff"
    assert not CheckIn.objects.exists()


def test_scan_by_staff_of_another_event_is_forbidden(ticket, event):
    other_staff = factories.UserFactory()
    factories.EventFactory().checkin_staff.add(other_staff)

    response = scan(client_for(other_staff), event, ticket)
    forged = scan(client_for(other_staff), event, "EVT1:" + "A" * 26)

    assert (response.status_code, response.data["code"]) == (403, "not_checkin_staff")
    assert (forged.status_code, forged.data["code"]) == (403, "not_checkin_staff")
    assert not CheckIn.objects.exists()


def test_scan_staff_of_another_event_cannot_use_own_event_for_foreign_ticket(ticket):
    other_event = factories.EventFactory()
    other_staff = factories.UserFactory()
    other_event.checkin_staff.add(other_staff)

    response = scan(client_for(other_staff), other_event, ticket)

    assert response.data["code"] == "wrong_event"
    assert not CheckIn.objects.exists()


def test_scan_at_unknown_event_is_not_found(ticket, staff_client):
    response = staff_client.post("/api/events/999999/checkin/", {"secret": tickets.ticket_payload(ticket)})

    assert response.status_code == 404


@pytest.mark.parametrize("who", ["organiser", "superuser"])
def test_scan_by_organiser_or_superuser_checks_in(ticket, event, organiser, who):
    user = organiser if who == "organiser" else factories.UserFactory(is_superuser=True, is_staff=True)

    response = scan(client_for(user), event, ticket)

    assert response.data["code"] == "checked_in"


def test_scan_after_undo_checks_in_again(ticket, event, staff_client):
    first = scan(staff_client, event, ticket)
    staff_client.post(f"/api/events/{event.pk}/checkin/{first.data['checkin']['id']}/undo/")

    again = scan(staff_client, event, ticket)

    assert again.data["code"] == "checked_in"
    assert CheckIn.objects.filter(undone_at__isnull=True).count() == 1
    assert CheckIn.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_scan_over_http_with_token_auth_takes_at_most_three_queries(django_assert_max_num_queries):
    """The whole request, authentication included, in autocommit as in production: the token,
    then on PostgreSQL one statement (lookup and INSERT), on SQLite the lookup and the INSERT."""
    staff = factories.UserFactory()
    event = happening_now()
    event.checkin_staff.add(staff)
    ticket = make_registration(event)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=staff).key}")

    with django_assert_max_num_queries(2 if connection.vendor == "postgresql" else 3):
        response = scan(client, event, ticket)
    with CaptureQueriesContext(connection) as second:
        again = scan(client, event, ticket)

    assert response.data["code"] == "checked_in"
    assert again.data["code"] == "already_checked_in"
    assert len(second.captured_queries) == 2


def test_scan_answer_matches_the_check_in_serializer(ticket, event, staff_client):
    from registrations.checkin.serializers import CheckInSerializer

    response = scan(staff_client, event, ticket)

    checkin = CheckIn.objects.select_related("registration", "by", "undone_by").get()
    assert response.data["checkin"] == dict(CheckInSerializer(checkin).data)


def test_scan_with_unknown_token_is_refused(ticket, event):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "f" * 40)

    response = scan(client, event, ticket)

    assert response.status_code in (401, 403)
    assert response.data["code"] == "authentication_failed"
    assert not CheckIn.objects.exists()


def test_scan_with_token_of_inactive_staff_is_refused(ticket, event, staff):
    staff.is_active = False
    staff.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=staff).key}")

    response = scan(client, event, ticket)

    assert response.data["code"] == "authentication_failed"
    assert not CheckIn.objects.exists()


def test_scan_guessing_is_throttled_but_good_tickets_still_get_in(ticket, event, staff_client, monkeypatch):
    from django.core.cache import cache
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(
        ScopedRateThrottle, "THROTTLE_RATES", {**ScopedRateThrottle.THROTTLE_RATES, "token": "3/minute"}
    )
    cache.clear()

    guesses = [scan(staff_client, event, "EVT1:" + letter * 26).status_code for letter in "ABCDE"]
    good = scan(staff_client, event, ticket)

    cache.clear()
    assert guesses == [400, 400, 400, 429, 429]
    assert good.data["code"] == "checked_in"


# --- the door's window: a day before the start to a day after the end, for every way in -----


def dated_event(organiser, *, starts_in: dt.timedelta, hours: int = 2):
    start = timezone.now().replace(microsecond=0) + starts_in
    return factories.EventFactory(organisers=[organiser], start=start, end=start + dt.timedelta(hours=hours))


@pytest.mark.parametrize(
    ("starts_in", "code"),
    [
        (dt.timedelta(days=30), "door_closed"),  # a month ahead: the ticket must still work on the day
        (dt.timedelta(hours=25), "door_closed"),
        (dt.timedelta(hours=23), "checked_in"),  # the evening before
        (-dt.timedelta(hours=2 + 23), "checked_in"),  # ended 23 hours ago (a late sync of names)
        (-dt.timedelta(hours=2 + 25), "door_closed"),
    ],
)
def test_scan_outside_the_door_window_is_door_closed(organiser, starts_in, code):
    event = dated_event(organiser, starts_in=starts_in)
    ticket = make_registration(event)

    response = scan(client_for(organiser), event, ticket)

    assert response.data["code"] == code
    assert response.status_code == (200 if code == "checked_in" else 409)
    assert CheckIn.objects.count() == (1 if code == "checked_in" else 0)


def test_door_closed_says_when_it_opens_in_every_way_in(organiser):
    event = dated_event(organiser, starts_in=dt.timedelta(days=30))
    ticket = make_registration(event)
    client = client_for(organiser)
    opens = (event.start - dt.timedelta(days=1)).isoformat()

    scanned = scan(client, event, ticket)
    found = client.post(f"/api/events/{event.pk}/checkin/manual/", {"registration": ticket.pk})
    walked_in = client.post(f"/api/events/{event.pk}/checkin/walk-in/", {"name": "Early Bird"})

    for response in (scanned, found, walked_in):
        assert (response.status_code, response.data["code"]) == (409, "door_closed")
        assert dt.datetime.fromisoformat(response.data["opens_at"]) == dt.datetime.fromisoformat(opens)
        # the door's times are the event's: in its zone with its offset, not UTC
        assert response.data["opens_at"] == (event.local_start - dt.timedelta(days=1)).isoformat()
        assert "a day before it starts" in response.data["detail"]
    assert not CheckIn.objects.exists()
    assert list(Registration.objects.filter(event=event)) == [ticket]  # the walk-in was not registered either


@pytest.mark.parametrize("staff_kind", ["organiser", "check-in staff"])
def test_an_online_only_event_has_no_door_in_any_way_in(organiser, staff_kind):
    webinar = happening_now(organisers=[organiser], format="online", venue_name="", city="")
    ticket = make_registration(webinar)
    door = organiser
    if staff_kind == "check-in staff":
        door = factories.UserFactory()
        webinar.checkin_staff.add(door)
    client = client_for(door)
    scanned_at = (timezone.now() - dt.timedelta(minutes=5)).isoformat()

    scanned = scan(client, webinar, ticket)
    found = client.post(f"/api/events/{webinar.pk}/checkin/manual/", {"registration": ticket.pk})
    walked_in = client.post(f"/api/events/{webinar.pk}/checkin/walk-in/", {"name": "Late Joiner"})
    batch = client.post(
        f"/api/events/{webinar.pk}/checkin/batch/",
        {"scans": [{"client_scan_id": "s-1", "scanned_at": scanned_at, "secret": ticket.ticket_secret}]},
        format="json",
    )

    # its tickets carry no code (Registration.has_door_code): nobody is let in at a door it does not have
    for response in (scanned, found, walked_in):
        assert (response.status_code, response.data["code"]) == (409, "no_door")
        assert "online only" in response.data["detail"]
    assert batch.status_code == 200 and batch.data["results"][0]["code"] == "no_door"
    assert not CheckIn.objects.exists()
    assert list(Registration.objects.filter(event=webinar)) == [ticket]  # the walk-in was not registered either

    hybrid = happening_now(organisers=[organiser], format="hybrid")
    assert scan(client_for(organiser), hybrid, make_registration(hybrid)).data["code"] == "checked_in"


def test_door_closed_comes_after_wrong_event(organiser):
    closed = dated_event(organiser, starts_in=dt.timedelta(days=30))
    elsewhere = make_registration(happening_now())

    response = scan(client_for(organiser), closed, elsewhere)

    assert response.data["code"] == "wrong_event"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_scan_statements_are_prepared_once_per_kept_connection(monkeypatch):
    """With kept connections (CONN_MAX_AGE, as in production) the token and the scan are
    prepared on a connection's first scan and then only executed; a session that lost them
    (DEALLOCATE ALL) prepares them again; the answers are the same throughout."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    staff = factories.UserFactory()
    event = happening_now()
    event.checkin_staff.add(staff)
    first, second, third = (make_registration(event) for _ in range(3))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=staff).key}")

    def verbs(queries) -> list[str]:  # read at once: the next request empties the log
        return [query["sql"].split()[0] for query in queries.captured_queries]

    with CaptureQueriesContext(connection) as preparing:
        admitted = scan(client, event, first)
    on_first_scan = verbs(preparing)
    with CaptureQueriesContext(connection) as prepared:
        again = scan(client, event, first)
    on_next_scans = verbs(prepared)
    with CaptureQueriesContext(connection) as prepared:
        other = scan(client, event, second)
    on_next_scans += verbs(prepared)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    after_loss = scan(client, event, third)

    assert on_first_scan == ["DEALLOCATE", "PREPARE", "EXECUTE", "PREPARE", "EXECUTE"]
    assert on_next_scans == ["EXECUTE"] * 4
    assert (admitted.data["code"], again.data["code"], other.data["code"]) == (
        "checked_in", "already_checked_in", "checked_in"
    )  # fmt: skip
    assert again.data["checkin_id"] == admitted.data["checkin"]["id"]
    assert after_loss.data["code"] == "checked_in"
    assert CheckIn.objects.filter(registration__in=[first, second, third]).count() == 3


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("secret=abc&device=door-1", "application/x-www-form-urlencoded"),
        # a NUL inside a body the endpoint never reads changes nothing: it was a 400 nul_character
        ("secret=abc%00&device=door-1", "application/x-www-form-urlencoded"),
        ("secret=abc\x00&device=door-1", "application/x-www-form-urlencoded"),
        ('{"secret": "abc"}', "text/plain"),
        ('{"secret": "abc"}', "application/jsonp"),
    ],
)
def test_scan_of_a_body_that_is_not_json_is_415(ticket, event, staff_client, body, content_type):
    """A form-encoded scan was fed to the JSON parser: 400 "not valid JSON"."""
    response = staff_client.generic("POST", scan_url(event), body, content_type=content_type)

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert "application/json" in response.json()["detail"]
    assert not CheckIn.objects.exists()


def test_scan_reads_json_with_a_charset(ticket, event, staff_client):
    body = json.dumps({"secret": tickets.ticket_payload(ticket), "device": "door-1"})

    response = staff_client.generic("POST", scan_url(event), body, content_type="application/json; charset=utf-8")

    assert (response.status_code, response.json()["code"]) == (200, "checked_in")


@pytest.mark.parametrize("secret", ["", "   "])
def test_scan_of_an_empty_code_says_to_type_or_scan_one_and_is_no_guess(event, staff_client, secret):
    """A blank secret was a field error whose code, ``invalid``, a scanner app shows as "not a
    valid ticket"."""
    response = staff_client.post(scan_url(event), {"secret": secret}, format="json")

    assert (response.status_code, response.data["code"]) == (400, "empty_code")
    assert response.data["detail"] == "Type the code under the QR image, or scan the ticket."
    assert not CheckIn.objects.exists()
