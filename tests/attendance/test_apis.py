"""Attendance through the API: organisers' report imports, figures and finalising; participants'
certificates of a series (the attendance app's figures decide who completed it)."""

import datetime as dt

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from attendance.models import AttendanceImport
from attendance.services import finalisation
from notifications.models import OutboxMessage
from notifications.services.outbox import render_message
from registrations.models import Attendance
from tests import factories
from tests.notifications.conftest import make_registration

START = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def other_event(db):
    return factories.EventFactory(title="Someone else's event")


# --- attendance imports ------------------------------------------------------------------


@pytest.fixture
def my_webinar(organiser):
    return factories.WebinarFactory(
        title="Careers in data science", start=START, end=START + dt.timedelta(hours=1), organisers=[organiser]
    )


def _upload(client, event, content, **fields):
    return client.post(
        "/api/attendance-imports/",
        {"event": event.pk, "file": SimpleUploadedFile("report.csv", content, "text/csv"), **fields},
        format="multipart",
    )


def test_an_in_person_event_takes_no_participant_report(organiser_client, organiser):
    """Its attendance is the door's check-ins (the workspace offers no upload for it); a
    platform's report would have made everyone who came in person a no-show."""
    workshop = factories.EventFactory(start=START, end=START + dt.timedelta(hours=1), organisers=[organiser])
    make_registration(workshop, email="aysel@example.org")

    response = _upload(organiser_client, workshop, b"name,email,duration\nAysel,aysel@example.org,40\n")

    assert (response.status_code, response.data["code"]) == (400, "no_online_part")
    assert not AttendanceImport.objects.exists()


def test_organiser_uploads_a_report_and_reads_the_result(
    organiser_client, my_webinar, django_capture_on_commit_callbacks
):
    registration = make_registration(my_webinar, email="aysel@example.org")
    content = b"name,email,duration\nAysel,aysel@example.org,40\nGuest,guest@example.org,50\n"

    with django_capture_on_commit_callbacks(execute=True):
        created = _upload(organiser_client, my_webinar, content)
    result = organiser_client.get(f"/api/attendance-imports/{created.data['id']}/")
    with django_capture_on_commit_callbacks(execute=True):
        again = _upload(organiser_client, my_webinar, content)

    registration.refresh_from_db()
    assert created.status_code == 202
    assert result.data["status"] == "done"
    assert result.data["matched"] == 1
    assert [row["email"] for row in result.data["unmatched_rows"]] == ["guest@example.org"]
    assert registration.attendance == Attendance.ATTENDED
    assert again.status_code == 200
    assert again.data["id"] == created.data["id"]


def test_malformed_upload_reports_the_error_code(organiser_client, my_webinar, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = _upload(organiser_client, my_webinar, b"hello\nworld\n")

    result = organiser_client.get(f"/api/attendance-imports/{created.data['id']}/")
    assert result.data["status"] == "failed"
    assert result.data["error_code"] == "unrecognised_format"


def test_upload_for_someone_elses_event_is_forbidden(organiser_client, other_event):
    response = _upload(organiser_client, other_event, b"name,email,duration\n")

    assert response.status_code == 403
    assert not AttendanceImport.objects.exists()


def test_upload_with_bad_threshold_is_a_400(organiser_client, my_webinar):
    response = _upload(organiser_client, my_webinar, b"name,email,duration\n", threshold_percent=150)

    assert response.status_code == 400
    assert response.data["code"] == "invalid"


@pytest.mark.parametrize("count", [1, 5])
def test_import_list_query_count_does_not_grow(count, organiser, organiser_client, db):
    for n in range(count):
        AttendanceImport.objects.create(
            event=factories.WebinarFactory(organisers=[organiser]), content=b"x", content_sha256=str(n)
        )
    organiser_client.get("/api/attendance-imports/")

    with CaptureQueriesContext(connection) as queries:
        response = organiser_client.get("/api/attendance-imports/")

    assert response.data["count"] == count
    assert len(queries) == 2


# --- figures and certificates --------------------------------------------------------------


def test_event_attendance_figures_for_the_organiser(organiser_client, my_webinar, other_event):
    make_registration(my_webinar, email="a@example.org", attendance=Attendance.ATTENDED)
    make_registration(my_webinar, email="b@example.org", attendance=Attendance.NO_SHOW)

    mine = organiser_client.get(f"/api/attendance/events/{my_webinar.pk}/")
    theirs = organiser_client.get(f"/api/attendance/events/{other_event.pk}/")
    missing = organiser_client.get("/api/attendance/events/999999/")

    assert mine.status_code == 200
    assert (mine.data["registered"], mine.data["attended"], mine.data["no_show"], mine.data["rate"]) == (2, 1, 1, 0.5)
    assert theirs.status_code == 403
    assert missing.status_code == 404


def test_organiser_finalises_an_ended_event(organiser_client, my_webinar, django_capture_on_commit_callbacks):
    make_registration(my_webinar, email="a@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        refused = organiser_client.post(f"/api/attendance/events/{my_webinar.pk}/finalise/")
        response = organiser_client.post(
            f"/api/attendance/events/{my_webinar.pk}/finalise/", {"without_report": True}, format="json"
        )

    assert (refused.status_code, refused.data["code"]) == (409, "report_missing")
    assert response.status_code == 200
    assert response.data["no_show"] == 1
    assert response.data["finalised_at"] is not None


def test_finalising_an_event_not_over_is_refused(organiser, organiser_client):
    event = factories.EventFactory(organisers=[organiser])

    response = organiser_client.post(f"/api/attendance/events/{event.pk}/finalise/")

    assert response.status_code == 400
    assert response.data["code"] == "event_not_over"


@pytest.fixture
def series_with_sessions(organiser):
    # published: participants ask for certificates of a series that was announced (a draft's are 404)
    series = factories.SeriesFactory(title="Mentoring circle", published=True)
    series.organisers.set([organiser])
    registrations = []
    for week in range(2):
        start = START - dt.timedelta(weeks=2 - week)
        session = factories.EventFactory(
            series=series, series_original_start=start, start=start, end=start + dt.timedelta(hours=1)
        )
        registrations.append(
            make_registration(session, name="Nigar Hasanova", email="nigar@example.org", attendance=Attendance.ATTENDED)
        )
        make_registration(
            session,
            name="Rauf Aliyev",
            email="rauf@example.org",
            attendance=Attendance.NO_SHOW if week else Attendance.ATTENDED,
        )
        finalisation.finalise_event_attendance(event=session, now=START)
    return series, registrations


def test_series_figures_for_the_organiser(organiser_client, series_with_sessions):
    series, _ = series_with_sessions

    response = organiser_client.get(f"/api/attendance/series/{series.pk}/", {"threshold": "0.75"})

    assert response.status_code == 200
    assert response.data["sessions_held"] == 2
    assert [(p["email"], p["rate"], p["completed"]) for p in response.data["participants"]] == [
        ("nigar@example.org", 1.0, True),
        ("rauf@example.org", 0.5, False),
    ]


def test_series_figures_leave_out_a_session_handed_to_other_organisers(
    organiser_client, organiser, series_with_sessions
):
    """A session of the series that passed to other organisers (none of the series' organisers
    runs it) is someone else's event: its registrants are not the series organiser's to read."""
    series, registrations = series_with_sessions
    handed = registrations[0].event
    handed.organisers.set([factories.OrganiserFactory()])
    registrations[1].event.organisers.set([organiser])
    make_registration(handed, name="Samir Guliyev", email="samir@example.org", attendance=Attendance.ATTENDED)

    response = organiser_client.get(f"/api/attendance/series/{series.pk}/", {"threshold": "0.75"})
    certificate = organiser_client.get(
        f"/api/attendance/series/{series.pk}/certificate/", {"email": "samir@example.org"}
    )

    assert response.status_code == 200
    assert (response.data["sessions_held"], response.data["registered"]) == (1, 2)
    assert [(p["email"], p["rate"]) for p in response.data["participants"]] == [
        ("nigar@example.org", 1.0),
        ("rauf@example.org", 0.0),
    ]
    assert (certificate.status_code, certificate.data["code"]) == (403, "not_a_participant")


def _certificate_link(email) -> str:
    message = OutboxMessage.objects.get(kind="certificate_link", recipient_email=email)
    text = render_message(message).body_text  # rendered when sent; the row says what to send
    return next(line for line in text.splitlines() if "/api/attendance/certificates/" in line).strip()


def test_participant_downloads_their_certificate_through_the_emailed_link(api_client, series_with_sessions):
    series, _ = series_with_sessions

    asked = api_client.post(f"/api/attendance/series/{series.pk}/certificate-link/", {"email": "Nigar@example.org"})
    response = api_client.get(_certificate_link("nigar@example.org").removeprefix("http://127.0.0.1:8000"))

    assert asked.status_code == 202
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_a_management_token_opens_no_certificate(api_client, series_with_sessions):
    """Anyone can register with someone else's address and get the token in the answer."""
    _, registrations = series_with_sessions  # whoever registered as nigar@ got this token back

    response = api_client.get(f"/api/attendance/certificates/{registrations[0].manage_token}/")

    assert (response.status_code, response.data["code"]) == (404, "certificate_link_invalid")


def test_certificate_link_answers_the_same_for_strangers_and_sends_nothing(api_client, series_with_sessions, settings):
    settings.SERIES_COMPLETION_THRESHOLD = 0.75
    series, _ = series_with_sessions
    url = f"/api/attendance/series/{series.pk}/certificate-link/"

    stranger = api_client.post(url, {"email": "nobody@example.org"})
    below = api_client.post(url, {"email": "rauf@example.org"})

    assert (stranger.status_code, below.status_code, below.data) == (202, 202, stranger.data)
    assert not OutboxMessage.objects.filter(kind="certificate_link").exists()


def test_a_forged_or_altered_certificate_link_is_not_found(api_client, series_with_sessions):
    from programmes import certificate_links

    series, _ = series_with_sessions
    genuine = certificate_links.link_token(series=series, email="nigar@example.org")

    forged = api_client.get("/api/attendance/certificates/not-a-token/")
    altered = api_client.get(f"/api/attendance/certificates/{genuine[:-2]}xx/")

    assert (forged.status_code, altered.status_code) == (404, 404)


def test_signed_in_participant_downloads_their_own_certificate(series_with_sessions):
    series, _ = series_with_sessions
    nigar, stranger = APIClient(), APIClient()
    nigar.force_authenticate(factories.UserFactory(email="nigar@example.org"))
    stranger.force_authenticate(factories.UserFactory(email="someone@example.org"))

    own = nigar.get(f"/api/attendance/series/{series.pk}/my-certificate/")
    other = stranger.get(f"/api/attendance/series/{series.pk}/my-certificate/")

    assert (own.status_code, own.content[:4]) == (200, b"%PDF")
    assert (other.status_code, other.data["code"]) == (403, "not_a_participant")


def test_participant_below_the_threshold_gets_no_certificate(api_client, series_with_sessions, settings):
    settings.SERIES_COMPLETION_THRESHOLD = 0.75
    series, _ = series_with_sessions
    rauf = APIClient()
    rauf.force_authenticate(factories.UserFactory(email="rauf@example.org"))

    response = rauf.get(f"/api/attendance/series/{series.pk}/my-certificate/")

    assert (response.status_code, response.data["code"]) == (403, "not_completed")


def test_organiser_downloads_a_participants_certificate(organiser_client, series_with_sessions):
    series, _ = series_with_sessions

    response = organiser_client.get(f"/api/attendance/series/{series.pk}/certificate/", {"email": "nigar@example.org"})
    without_email = organiser_client.get(f"/api/attendance/series/{series.pk}/certificate/")

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert without_email.status_code == 400
    assert without_email.data["code"] == "email_required"


def test_a_report_of_more_rows_than_a_meeting_has_fails_as_too_many_rows():
    from attendance.services.participant_reports import MAX_REPORT_ROWS, ImportFailed, parse_participant_report

    lines = ["Name,Email,Duration"] + [f"P{n},p{n}@example.org,60" for n in range(MAX_REPORT_ROWS + 1)]
    within = parse_participant_report("\n".join(lines[:-1]).encode())

    with pytest.raises(ImportFailed) as refused:
        parse_participant_report("\n".join(lines).encode())

    assert len(within.rows) == MAX_REPORT_ROWS
    assert refused.value.code == "too_many_rows"


def test_a_file_whose_header_is_not_near_its_top_is_no_report():
    """The header is looked for in the first rows only: thousands of rows of anything before
    it were each read as a possible header, under each delimiter in turn."""
    from attendance.services.participant_reports import HEADER_WITHIN_ROWS, ImportFailed, parse_participant_report

    filler = ["x,y,z"] * HEADER_WITHIN_ROWS
    near = parse_participant_report("\n".join([*filler[:-1], "Name,Email,Duration", "A,a@example.org,60"]).encode())

    with pytest.raises(ImportFailed) as refused:
        parse_participant_report("\n".join([*filler, "Name,Email,Duration", "A,a@example.org,60"]).encode())

    assert [row.email for row in near.rows] == ["a@example.org"]
    assert refused.value.code == "unrecognised_format"


@pytest.mark.parametrize(("accept_language", "language"), [("az", "az"), ("en", "en"), ("", "az")])
def test_certificate_link_is_written_in_the_language_the_asker_used(
    accept_language, language, api_client, series_with_sessions, settings, django_capture_on_commit_callbacks
):
    settings.DEFAULT_MAIL_LANGUAGE = "az"
    series, _ = series_with_sessions
    headers = {"accept-language": accept_language} if accept_language else {}
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        asked = api_client.post(
            f"/api/attendance/series/{series.pk}/certificate-link/", {"email": "nigar@example.org"}, headers=headers
        )

    assert asked.status_code == 202
    (message,) = [message for message in mail.outbox if "/api/attendance/certificates/" in message.body]
    assert message.extra_headers["Content-Language"] == language
    assert ("Salam" in message.body) == (language == "az")
