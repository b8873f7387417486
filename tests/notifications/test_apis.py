"""Organisers' outbox, templates, imports and figures; participants' certificates."""

import datetime as dt

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_q.models import Schedule
from rest_framework.test import APIClient

from attendance.models import AttendanceImport
from attendance.services import finalisation
from notifications import kinds
from notifications.models import MessageTemplateOverride, OutboxMessage, OutboxStatus
from notifications.services import queue_message
from registrations.models import Attendance
from tests import factories
from tests.notifications.conftest import make_registration

START = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def my_event(organiser):
    return factories.EventFactory(title="CV clinic", organisers=[organiser])


@pytest.fixture
def other_event(db):
    return factories.EventFactory(title="Someone else's event")


def _messages(event, count, *, status=OutboxStatus.PENDING):
    for n in range(count):
        registration = make_registration(event, email=f"p{n}.{event.pk}@example.org")
        message = queue_message(
            kind=kinds.REMINDER, recipient_email=registration.email, about=registration, event=event
        )
        OutboxMessage.objects.filter(pk=message.pk).update(status=status)


# --- outbox --------------------------------------------------------------------------------


def test_outbox_lists_only_messages_about_my_events(organiser_client, my_event, other_event):
    _messages(my_event, 2)
    _messages(other_event, 3)

    response = organiser_client.get("/api/outbox/")

    assert response.status_code == 200
    assert response.data["count"] == 2
    assert {item["event"] for item in response.data["results"]} == {my_event.pk}


def test_outbox_filters_failed_messages_and_shows_the_error(organiser_client, my_event):
    _messages(my_event, 2)
    failed = OutboxMessage.objects.filter(event=my_event).first()
    OutboxMessage.objects.filter(pk=failed.pk).update(
        status=OutboxStatus.FAILED, last_error="SMTPRecipientsRefused: mailbox full", attempts=5
    )

    response = organiser_client.get("/api/outbox/", {"status": "failed", "event": my_event.pk})

    assert response.data["count"] == 1
    (item,) = response.data["results"]
    assert item["id"] == failed.pk
    assert item["last_error"] == "SMTPRecipientsRefused: mailbox full"
    assert item["attempts"] == 5


@pytest.mark.parametrize("count", [1, 5])
def test_outbox_list_query_count_does_not_grow(count, organiser, organiser_client, db):
    event = factories.EventFactory(organisers=[organiser])
    _messages(event, count)
    organiser_client.get("/api/outbox/")  # warm caches (content types, groups)

    with CaptureQueriesContext(connection) as queries:
        response = organiser_client.get("/api/outbox/")

    assert response.data["count"] == count
    assert len(queries) == 2  # count, page (the organiser check is cached on the user)


def test_outbox_is_for_organisers_only(api_client, db):
    user = factories.UserFactory()
    client = APIClient()
    client.force_authenticate(user)

    assert api_client.get("/api/outbox/").status_code in (401, 403)
    response = client.get("/api/outbox/")
    assert response.status_code == 403


def test_outbox_detail_shows_the_body(organiser_client, my_event):
    _messages(my_event, 1)
    message = OutboxMessage.objects.get(event=my_event)

    response = organiser_client.get(f"/api/outbox/{message.pk}/")

    assert response.status_code == 200
    assert "CV clinic" in response.data["body_text"]


def test_outbox_detail_of_another_organisers_message_is_not_found(organiser_client, other_event):
    _messages(other_event, 1)
    message = OutboxMessage.objects.get(event=other_event)

    response = organiser_client.get(f"/api/outbox/{message.pk}/")

    assert response.status_code == 404
    assert response.data["code"] == "not_found"


def test_organiser_resends_a_failed_message(organiser_client, my_event, django_capture_on_commit_callbacks):
    _messages(my_event, 1, status=OutboxStatus.FAILED)
    message = OutboxMessage.objects.get(event=my_event)

    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(f"/api/outbox/{message.pk}/resend/")

    message.refresh_from_db()
    assert response.status_code == 200
    assert message.status == OutboxStatus.SENT
    assert len(mail.outbox) == 1


# --- message templates -------------------------------------------------------------------


def test_organiser_overrides_a_message_for_their_event(organiser_client, my_event, django_capture_on_commit_callbacks):
    response = organiser_client.post(
        "/api/message-templates/",
        {"event": my_event.pk, "kind": "reminder", "subject": "Tomorrow: {{ event }}", "body": "Hi {{ name }}!"},
        format="json",
    )
    registration = make_registration(my_event, name="Aysel Mammadova", email="aysel@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        queue_message(
            kind=kinds.REMINDER,
            recipient_email=registration.email,
            recipient_name=registration.name,
            about=registration,
            event=my_event,
        )

    assert response.status_code == 201
    assert response.data["kind"] == "reminder"
    assert mail.outbox[0].subject == "Tomorrow: CV clinic"
    assert mail.outbox[0].body.startswith("Hi Aysel Mammadova!\n\n")


def test_override_for_someone_elses_event_is_forbidden(organiser_client, other_event):
    response = organiser_client.post(
        "/api/message-templates/", {"event": other_event.pk, "kind": "reminder", "subject": "x"}, format="json"
    )

    assert response.status_code == 403
    assert response.data["code"] == "not_organiser"
    assert not MessageTemplateOverride.objects.exists()


def test_override_with_unknown_placeholder_is_a_400(organiser_client, my_event):
    response = organiser_client.post(
        "/api/message-templates/",
        {"event": my_event.pk, "kind": "reminder", "body": "{{ registration.manage_token }}"},
        format="json",
    )

    assert response.status_code == 400
    assert response.data["code"] == "unknown_placeholder"


@pytest.mark.parametrize("count", [1, 5])
def test_template_list_query_count_does_not_grow(count, organiser, organiser_client, db):
    for _ in range(count):
        MessageTemplateOverride.objects.create(
            event=factories.EventFactory(organisers=[organiser]), kind="reminder", subject="x"
        )
    organiser_client.get("/api/message-templates/")

    with CaptureQueriesContext(connection) as queries:
        response = organiser_client.get("/api/message-templates/")

    assert response.data["count"] == count
    assert len(queries) == 2


def test_organiser_edits_and_deletes_an_override(organiser_client, my_event):
    override = MessageTemplateOverride.objects.create(event=my_event, kind="reminder", subject="x")

    edited = organiser_client.patch(f"/api/message-templates/{override.pk}/", {"subject": "New"}, format="json")
    deleted = organiser_client.delete(f"/api/message-templates/{override.pk}/")

    assert edited.status_code == 200
    assert edited.data["subject"] == "New"
    assert deleted.status_code == 204
    assert not MessageTemplateOverride.objects.exists()


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
    series = factories.SeriesFactory(title="Mentoring circle")
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


def _certificate_link(email) -> str:
    from notifications.models import OutboxMessage

    message = OutboxMessage.objects.get(kind="certificate_link", recipient_email=email)
    return next(line for line in message.body_text.splitlines() if "/api/attendance/certificates/" in line).strip()


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


# --- schedules ---------------------------------------------------------------------------


def test_setup_schedules_is_idempotent(db):
    call_command("setup_schedules", stdout=open("/dev/null", "w"))  # noqa: SIM115
    Schedule.objects.filter(name="notifications: queue due reminders").update(minutes=7)
    call_command("setup_schedules", stdout=open("/dev/null", "w"))  # noqa: SIM115

    schedules = {schedule.name: schedule for schedule in Schedule.objects.all()}
    # the outbox sweep twice (half a minute apart)
    assert len(schedules) == Schedule.objects.count() == 8
    assert schedules["notifications: queue due reminders"].minutes == 1
    assert {schedule.func for schedule in schedules.values()} == {
        "notifications.tasks.queue_due_reminders",
        "notifications.tasks.sweep_outbox",
        "attendance.tasks.finalise_attendance",
        "registrations.tasks.expire_offers",
        "speakers.tasks.remind_unanswered_invitations",
        "programmes.tasks.review_all_missed_sessions",
        "programmes.tasks.issue_due_certificates",
    }
