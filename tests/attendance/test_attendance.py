"""Attendance: finalisation after the event, follow-ups, participant reports, series figures."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from attendance.exceptions import DomainError, ImportFailed, NotCompleted
from attendance.models import AttendanceImport
from attendance.services import figures, finalisation, participant_reports
from events.models import EventStatus
from notifications import kinds
from notifications.models import OutboxMessage
from programmes import certificates
from registrations.models import Attendance, CheckIn, Registration, RegistrationStatus
from tests import factories
from tests.notifications.conftest import make_registration

START = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)
END = START + dt.timedelta(hours=1)


def _check_in(registration, *, undone=False):
    return CheckIn.objects.create(
        registration=registration,
        event=registration.event,
        checked_in_at=registration.event.start,
        undone_at=registration.event.start + dt.timedelta(minutes=5) if undone else None,
    )


@pytest.fixture
def ended_workshop(db):
    return factories.EventFactory(
        title="CV clinic", start=START, end=END, feedback_url="https://forms.example.org/cv", created_at=START
    )


@pytest.fixture
def ended_webinar(db):
    return factories.WebinarFactory(title="Careers in data science", start=START, end=END)


# --- finalisation ----------------------------------------------------------------------


def test_finalisation_marks_checked_in_attended_and_the_rest_no_show(
    ended_workshop, settings, django_capture_on_commit_callbacks
):
    settings.ATTENDANCE_GRACE_MINUTES = 30
    came = make_registration(ended_workshop, name="Aysel Mammadova", email="came@example.org")
    stayed_away = make_registration(ended_workshop, name="Rauf Aliyev", email="away@example.org")
    undone = make_registration(ended_workshop, name="Sabina Guliyeva", email="undone@example.org")
    cancelled = make_registration(ended_workshop, email="cancelled@example.org", status=RegistrationStatus.CANCELLED)
    _check_in(came)
    _check_in(undone, undone=True)
    next_one = factories.EventFactory(title="Interview practice", start=timezone.now() + dt.timedelta(days=3))

    with django_capture_on_commit_callbacks(execute=True):
        too_early = finalisation.finalise_due_events(now=END + dt.timedelta(minutes=29))
        finalised = finalisation.finalise_due_events(now=END + dt.timedelta(minutes=31))

    for registration in (came, stayed_away, undone, cancelled):
        registration.refresh_from_db()
    ended_workshop.refresh_from_db()
    assert too_early == []
    assert finalised == [ended_workshop.pk]
    assert ended_workshop.attendance_finalised_at == END + dt.timedelta(minutes=31)
    assert came.attendance == Attendance.ATTENDED
    assert stayed_away.attendance == Attendance.NO_SHOW
    assert undone.attendance == Attendance.NO_SHOW
    assert cancelled.attendance == Attendance.UNKNOWN

    by_recipient = {email.to[0].split("<")[1].rstrip(">"): email for email in mail.outbox}
    assert set(by_recipient) == {"came@example.org", "away@example.org", "undone@example.org"}
    thanks = by_recipient["came@example.org"]
    assert thanks.subject == "Thank you for joining CV clinic"
    assert "https://forms.example.org/cv" in thanks.body
    missed = by_recipient["away@example.org"]
    assert missed.subject == "We missed you at CV clinic"
    assert "Interview practice" in missed.body
    assert f"/events/{next_one.pk}/" in missed.body
    assert "forms.example.org" not in missed.body


def test_finalisation_runs_once(ended_workshop, django_capture_on_commit_callbacks):
    make_registration(ended_workshop)
    later = END + dt.timedelta(hours=2)

    with django_capture_on_commit_callbacks(execute=True):
        finalisation.finalise_event_attendance(event=ended_workshop, now=later)
        finalisation.finalise_event_attendance(event=ended_workshop, now=later + dt.timedelta(minutes=1))
        again = finalisation.finalise_due_events(now=later + dt.timedelta(minutes=2))

    ended_workshop.refresh_from_db()
    assert again == []
    assert ended_workshop.attendance_finalised_at == later
    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.filter(kind=kinds.FOLLOW_UP_NO_SHOW).count() == 1


def test_finalisation_catches_up_after_downtime_but_leaves_history_alone(db, django_capture_on_commit_callbacks):
    recent = factories.EventFactory(title="Last week's workshop", start=START, end=END)
    old = factories.EventFactory(
        title="Last year's workshop", start=START - dt.timedelta(days=40), end=END - dt.timedelta(days=40)
    )
    make_registration(recent, email="recent@example.org")
    make_registration(old, email="old@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        # the worker was down for three days after the event
        finalised = finalisation.finalise_due_events(now=END + dt.timedelta(days=3))

    assert finalised == [recent.pk]
    assert [email.to[0] for email in mail.outbox] == [f"{recent.registrations.get().name} <recent@example.org>"]


def test_an_event_not_over_is_not_finalised(db):
    event = factories.EventFactory()
    make_registration(event)

    finalised = finalisation.finalise_event_attendance(event=event)

    assert finalised.attendance_finalised_at is None


def test_cancelled_event_is_not_finalised(ended_workshop):
    ended_workshop.status = EventStatus.CANCELLED
    ended_workshop.save(update_fields=["status"])

    assert finalisation.finalise_due_events(now=END + dt.timedelta(days=1)) == []


def test_online_event_waits_for_its_participant_report(ended_webinar, settings):
    settings.ATTENDANCE_GRACE_MINUTES = 30
    make_registration(ended_webinar)

    after_a_day = finalisation.finalise_due_events(now=END + dt.timedelta(hours=25))
    after_a_week = finalisation.finalise_due_events(now=END + dt.timedelta(days=7))

    # never by the clock: see tests/attendance/test_finalisation.py
    assert after_a_day == after_a_week == []


def test_finalisation_of_a_big_event_is_a_constant_number_of_queries(
    ended_workshop, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    for n in range(30):
        registration = make_registration(ended_workshop, email=f"p{n}@example.org")
        if n % 2:
            _check_in(registration)

    with django_capture_on_commit_callbacks(execute=False), django_assert_max_num_queries(15):
        finalisation.finalise_event_attendance(event=ended_workshop, now=END + dt.timedelta(hours=1))

    assert OutboxMessage.objects.filter(kind=kinds.FOLLOW_UP_ATTENDED).count() == 15
    assert OutboxMessage.objects.filter(kind=kinds.FOLLOW_UP_NO_SHOW).count() == 15


# --- participant reports -------------------------------------------------------------------

ZOOM_REPORT = (
    "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n"
    "812 3456 7890,Careers in data science,11/20/2026 06:00:00 PM,11/20/2026 07:00:00 PM,host@example.org,60,4\n"
    "\n"
    "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,Recording Consent,In Waiting Room\n"
    "Aysel Mammadova,aysel@example.org,11/20/2026 06:00:00 PM,11/20/2026 06:20:00 PM,20,No,Y,No\n"
    "Aysel Mammadova,AYSEL@example.org,11/20/2026 06:25:00 PM,11/20/2026 07:00:00 PM,35,No,Y,No\n"
    "Aysel (phone),aysel@example.org,11/20/2026 06:30:00 PM,11/20/2026 06:40:00 PM,10,No,Y,No\n"
    "Rauf Aliyev,rauf@example.org,11/20/2026 06:00:00 PM,11/20/2026 06:15:00 PM,15,No,Y,No\n"
    "Curious Guest,guest@example.org,11/20/2026 06:00:00 PM,11/20/2026 07:00:00 PM,60,Yes,Y,No\n"
    "iPhone,,11/20/2026 06:05:00 PM,11/20/2026 06:50:00 PM,45,Yes,Y,No\n"
)

TEAMS_REPORT = (
    "1. Summary\n"
    "Meeting title\tCareers in data science\n"
    "Attended participants\t3\n"
    "Start time\t11/20/26, 6:00:12 PM\n"
    "End time\t11/20/26, 7:00:40 PM\n"
    "Meeting duration\t1h 0m 28s\n"
    "\n"
    "2. Participants\n"
    "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole\n"
    "Aysel Mammadova\t11/20/26, 6:00:20 PM\t11/20/26, 7:00:40 PM\t55m 10s\taysel@example.org\taysel@example.org"
    "\tAttendee\n"
    "Rauf Aliyev\t11/20/26, 6:00:20 PM\t11/20/26, 6:58:00 PM\t12m 3s\trauf@example.org\trauf@example.org\tAttendee\n"
    "Nigar Hasanova\t11/20/26, 6:01:00 PM\t11/20/26, 7:00:40 PM\t1h 0m 0s\t\tnigar@example.org\tAttendee\n"
    "\n"
    "3. In-Meeting Activities\n"
    "Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole\n"
    "Aysel Mammadova\t11/20/26, 6:00:20 PM\t11/20/26, 6:30:00 PM\t29m 40s\taysel@example.org\tAttendee\n"
).encode("utf-16")

GENERIC_REPORT = b"name,email,duration\nAysel Mammadova,aysel@example.org,45\nRauf Aliyev,rauf@example.org,10\n"


@pytest.fixture
def webinar_registrations(ended_webinar):
    return {
        email.split("@")[0]: make_registration(ended_webinar, name=name, email=email)
        for name, email in [
            ("Aysel Mammadova", "aysel@example.org"),
            ("Rauf Aliyev", "rauf@example.org"),
            ("Nigar Hasanova", "nigar@example.org"),
            ("Elvin Quliyev", "elvin@example.org"),
        ]
    }


def _import(event, content, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        report, created = participant_reports.upload_participant_report(event=event, content=content, **kwargs)
    report.refresh_from_db()
    return report, created


def _attendance(registrations):
    for registration in registrations.values():
        registration.refresh_from_db()
    return {key: (r.attendance, r.minutes_attended) for key, r in registrations.items()}


def test_zoom_report_merges_rejoins_and_reports_unmatched_rows(
    ended_webinar, webinar_registrations, django_capture_on_commit_callbacks
):
    report, created = _import(
        ended_webinar, ZOOM_REPORT.encode("utf-8-sig"), django_capture_on_commit_callbacks, filename="zoom.csv"
    )

    assert created
    assert report.status == AttendanceImport.Status.DONE, report.error
    assert report.detected_format == "zoom"
    assert (report.rows, report.matched, report.attended) == (6, 2, 1)
    # 18:00–18:20 and 18:25–19:00 with a phone overlapping: 55 minutes, counted once
    assert _attendance(webinar_registrations) == {
        "aysel": (Attendance.ATTENDED, 55),
        "rauf": (Attendance.NO_SHOW, 15),
        "nigar": (Attendance.NO_SHOW, None),  # not in the report: finalisation made her a no-show
        "elvin": (Attendance.NO_SHOW, None),
    }
    assert [(row["email"], row["reason"]) for row in report.unmatched_rows] == [
        ("guest@example.org", "not_registered"),
        ("", "no_email"),
    ]


def test_teams_report_reads_the_participants_section(
    ended_webinar, webinar_registrations, django_capture_on_commit_callbacks
):
    report, _ = _import(ended_webinar, TEAMS_REPORT, django_capture_on_commit_callbacks, format="teams")

    assert report.status == AttendanceImport.Status.DONE, report.error
    assert report.detected_format == "teams"
    assert report.rows == 3  # the activities section is not read as more participants
    assert _attendance(webinar_registrations) == {
        "aysel": (Attendance.ATTENDED, 55),
        "rauf": (Attendance.NO_SHOW, 12),
        "nigar": (Attendance.ATTENDED, 60),  # matched through her UPN
        "elvin": (Attendance.NO_SHOW, None),
    }


def test_generic_report_with_a_custom_threshold(
    ended_webinar, webinar_registrations, django_capture_on_commit_callbacks
):
    report, _ = _import(ended_webinar, GENERIC_REPORT, django_capture_on_commit_callbacks, threshold_percent=80)

    assert report.detected_format == "generic"
    assert _attendance(webinar_registrations)["aysel"] == (Attendance.NO_SHOW, 45)  # 45 < 48 minutes


def test_same_file_twice_is_one_import_with_the_same_result(
    ended_webinar, webinar_registrations, django_capture_on_commit_callbacks
):
    first, first_created = _import(ended_webinar, GENERIC_REPORT, django_capture_on_commit_callbacks)
    before = _attendance(webinar_registrations)
    second, second_created = _import(ended_webinar, GENERIC_REPORT, django_capture_on_commit_callbacks)
    # the task delivered a second time changes nothing either
    from attendance.tasks import import_participant_report

    import_participant_report(first.pk)

    assert (first_created, second_created) == (True, False)
    assert first.pk == second.pk
    assert AttendanceImport.objects.count() == 1
    assert (
        _attendance(webinar_registrations)
        == before
        == {
            "aysel": (Attendance.ATTENDED, 45),
            "rauf": (Attendance.NO_SHOW, 10),
            "nigar": (Attendance.NO_SHOW, None),
            "elvin": (Attendance.NO_SHOW, None),
        }
    )
    assert OutboxMessage.objects.filter(kind=kinds.FOLLOW_UP_ATTENDED).count() == 1


def test_import_finalises_the_webinar_and_sends_follow_ups(
    ended_webinar, webinar_registrations, django_capture_on_commit_callbacks
):
    _import(ended_webinar, GENERIC_REPORT, django_capture_on_commit_callbacks)

    ended_webinar.refresh_from_db()
    assert ended_webinar.attendance_finalised_at is not None
    assert sorted((email.to[0].split("<")[1][:-1], email.subject[:14]) for email in mail.outbox) == [
        ("aysel@example.org", "Thank you for "),
        ("elvin@example.org", "We missed you "),
        ("nigar@example.org", "We missed you "),
        ("rauf@example.org", "We missed you "),
    ]


MALFORMED = [
    (b"", "empty_report"),
    (b"just some notes\nabout the meeting\n", "unrecognised_format"),
    (b"name,email,duration\n", "empty_report"),
    (
        b"name,email,duration\nAysel Mammadova,aysel@example.org,45\nRauf Aliyev,rauf@example.org,ten\n",
        "invalid_duration",
    ),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x81\x8d\x8f\x90\x9d", "not_csv"),
]


@pytest.mark.parametrize(("content", "code"), MALFORMED)
def test_malformed_report_fails_clearly_and_imports_nothing(
    content, code, ended_webinar, webinar_registrations, django_capture_on_commit_callbacks
):
    if not content:
        with pytest.raises(ImportFailed) as error:
            participant_reports.upload_participant_report(event=ended_webinar, content=content)
        assert error.value.code == code
        return

    report, _ = _import(ended_webinar, content, django_capture_on_commit_callbacks)

    assert report.status == AttendanceImport.Status.FAILED
    assert report.error_code == code
    assert report.error
    # the valid first row of the bad file was not applied, nor was attendance finalised
    assert {r.minutes_attended for r in webinar_registrations.values() if r.refresh_from_db() is None} == {None}
    ended_webinar.refresh_from_db()
    assert ended_webinar.attendance_finalised_at is None
    assert mail.outbox == []


def test_a_failed_file_can_be_uploaded_again_after_fixing(ended_webinar, django_capture_on_commit_callbacks):
    broken, _ = _import(ended_webinar, b"name,email,duration\nA,a@example.org,x\n", django_capture_on_commit_callbacks)
    fixed, created = _import(
        ended_webinar, b"name,email,duration\nA,a@example.org,5\n", django_capture_on_commit_callbacks
    )

    assert broken.status == AttendanceImport.Status.FAILED
    assert created
    assert fixed.status == AttendanceImport.Status.DONE


def test_wrong_format_choice_is_reported(ended_webinar, django_capture_on_commit_callbacks):
    report, _ = _import(ended_webinar, GENERIC_REPORT, django_capture_on_commit_callbacks, format="zoom")

    assert report.error_code == "format_mismatch"


def test_teams_durations_parse():
    parse = participant_reports._parse_minutes

    assert [parse(text, 1) for text in ("1h 5m 30s", "45m 12s", "30s", "2h", "90", "01:02:30")] == [
        65.5,
        45.2,
        0.5,
        120,
        90,
        62.5,
    ]


# --- series attendance -------------------------------------------------------------------


@pytest.fixture
def mentoring_series(db):
    series = factories.SeriesFactory(title="Mentoring circle")
    sessions = []
    for week in range(4):
        start = START - dt.timedelta(weeks=4 - week)
        sessions.append(
            factories.EventFactory(
                title=f"Mentoring circle #{week + 1}",
                series=series,
                series_original_start=start,
                start=start,
                end=start + dt.timedelta(minutes=90),
            )
        )
    # Aysel comes to all four, Rauf to two, Nigar to three
    pattern = {"aysel": [1, 1, 1, 1], "rauf": [1, 0, 0, 1], "nigar": [0, 1, 1, 1]}
    for who, attended in pattern.items():
        for session, present in zip(sessions, attended, strict=True):
            registration = make_registration(session, name=who.title(), email=f"{who}@example.org")
            if present:
                _check_in(registration)
    for session in sessions:
        finalisation.finalise_event_attendance(event=session, now=START)
    return series


def test_series_attendance_rate_per_participant_and_completion(mentoring_series):
    result = figures.series_attendance(series=mentoring_series, threshold=0.75)

    assert result["sessions_held"] == 4
    assert (result["registered"], result["attended"], result["no_show"]) == (12, 9, 3)
    assert result["rate"] == 0.75
    assert [(p["email"], p["attended"], p["rate"], p["completed"]) for p in result["participants"]] == [
        ("aysel@example.org", 4, 1.0, True),
        ("nigar@example.org", 3, 0.75, True),
        ("rauf@example.org", 2, 0.5, False),
    ]


def test_certificate_for_a_participant_who_completed(mentoring_series, settings):
    settings.SERIES_COMPLETION_THRESHOLD = 0.75

    certificate = certificates.issue_series_certificate(series=mentoring_series, email="Nigar@example.org")
    again = certificates.issue_series_certificate(series=mentoring_series, email="nigar@example.org")
    pdf = certificates.certificate_pdf(certificate=certificate)

    assert again.pk == certificate.pk
    assert (certificate.participant_email, certificate.programme_title) == ("nigar@example.org", mentoring_series.title)
    assert certificates.verify_certificate(token=certificates.verification_token(certificate)) == certificate
    assert pdf.startswith(b"%PDF")


def test_no_certificate_below_the_threshold(mentoring_series, settings):
    settings.SERIES_COMPLETION_THRESHOLD = 0.75

    with pytest.raises(NotCompleted) as error:
        certificates.issue_series_certificate(series=mentoring_series, email="rauf@example.org")

    assert error.value.code == "not_completed"


def test_event_attendance_figures(ended_workshop):
    for n, state in enumerate([Attendance.ATTENDED, Attendance.ATTENDED, Attendance.NO_SHOW, Attendance.UNKNOWN]):
        make_registration(ended_workshop, email=f"p{n}@example.org", attendance=state)
    make_registration(ended_workshop, email="w@example.org", status=RegistrationStatus.WAITLISTED)

    result = figures.event_attendance_figures(event=ended_workshop)

    assert {key: result[key] for key in ("registered", "attended", "no_show", "unknown", "rate")} == {
        "registered": 4,
        "attended": 2,
        "no_show": 1,
        "unknown": 1,
        "rate": round(2 / 3, 4),
    }


def test_the_organiser_cannot_close_attendance_before_the_event_ends(db):
    event = factories.EventFactory()
    make_registration(event)

    with pytest.raises(DomainError) as error:
        finalisation.close_event_attendance(event=event, without_report=True)

    assert error.value.code == "event_not_over"
    event.refresh_from_db()
    assert event.attendance_finalised_at is None


# A spreadsheet saved as CSV where the decimal mark is a comma (Azerbaijani, Russian, German
# Excel) separates columns with semicolons; an old Mac's CSV ends its lines with a bare CR.
SPREADSHEET_REPORTS = [
    b"name;email;duration\r\nAysel Mammadova;aysel@example.org;45\r\nRauf Aliyev;rauf@example.org;10\r\n",
    b"name;email;duration\nAysel Mammadova;aysel@example.org;44,6\nRauf Aliyev;rauf@example.org;10\n",
    b"name,email,duration\rAysel Mammadova,aysel@example.org,45\rRauf Aliyev,rauf@example.org,10\r",
    "\ufeffname;email;duration\nAysel Mammadova;aysel@example.org;45\nRauf Aliyev;rauf@example.org;10\n".encode(),
]


@pytest.mark.parametrize("content", SPREADSHEET_REPORTS, ids=["semicolons", "decimal-comma", "cr-lines", "bom"])
def test_a_spreadsheets_csv_is_read_like_the_plain_format(content):
    parsed = participant_reports.parse_participant_report(content)

    assert parsed.format == AttendanceImport.Format.GENERIC
    assert [(row.email, participant_reports.merged_minutes([row])) for row in parsed.rows] == [
        ("aysel@example.org", 45),
        ("rauf@example.org", 10),
    ]


def test_semicolons_inside_a_comma_separated_report_stay_in_their_cell():
    content = b'name,email,duration\n"Mammadova; Aysel",aysel@example.org,45\nRauf Aliyev,rauf@example.org,10\n'

    parsed = participant_reports.parse_participant_report(content)

    assert [(row.name, row.email) for row in parsed.rows] == [
        ("Mammadova; Aysel", "aysel@example.org"),
        ("Rauf Aliyev", "rauf@example.org"),
    ]


def test_report_rows_of_people_without_a_confirmed_place_say_what_place_they_hold(
    ended_webinar, django_capture_on_commit_callbacks
):
    make_registration(ended_webinar, name="Aysel Mammadova", email="aysel@example.org")
    make_registration(ended_webinar, name="Rauf Aliyev", email="rauf@example.org", status=RegistrationStatus.WAITLISTED)
    make_registration(ended_webinar, name="Nigar", email="nigar@example.org", status=RegistrationStatus.CANCELLED)
    report = (
        b"name;email;duration\n"
        b"Aysel;aysel@example.org;60\n"
        b"Rauf;RAUF@example.org;55\n"
        b"Nigar;nigar@example.org;50\n"
        b"Guest;guest@example.org;40\n"
    )

    with django_capture_on_commit_callbacks(execute=True):
        imported, _ = participant_reports.upload_participant_report(event=ended_webinar, content=report)

    imported.refresh_from_db()
    assert imported.status == AttendanceImport.Status.DONE, imported.error
    assert [(row["email"], row["reason"], row["status"]) for row in imported.unmatched_rows] == [
        ("rauf@example.org", "not_confirmed", "waitlisted"),
        ("nigar@example.org", "not_confirmed", "cancelled"),
        ("guest@example.org", "not_registered", ""),
    ]


ZOOM_HEADER = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"


def test_a_zoom_report_of_another_day_is_refused_and_changes_nothing(
    ended_webinar, webinar_registrations, django_capture_on_commit_callbacks
):
    # last week's session's report, uploaded for this one by mistake: nobody is marked, nobody is told
    report = (
        ZOOM_HEADER
        + "Aysel Mammadova,aysel@example.org,11/13/2026 06:00:00 PM,11/13/2026 07:00:00 PM,60,No\n"
        + "Rauf Aliyev,rauf@example.org,11/13/2026 06:05:00 PM,11/13/2026 06:55:00 PM,50,No\n"
    ).encode()

    with django_capture_on_commit_callbacks(execute=True):
        imported, _ = participant_reports.upload_participant_report(event=ended_webinar, content=report)

    imported.refresh_from_db()
    assert (imported.status, imported.error_code) == (AttendanceImport.Status.FAILED, "outside_event")
    assert "2026-11-13" in participant_reports.failure_text(imported)
    assert set(ended_webinar.registrations.values_list("attendance", flat=True)) == {Attendance.UNKNOWN}
    assert OutboxMessage.objects.filter(kind__in=kinds.FOLLOW_UPS).count() == 0


def test_a_zoom_row_on_another_day_is_listed_not_counted(
    ended_webinar, webinar_registrations, django_capture_on_commit_callbacks
):
    report = (
        ZOOM_HEADER
        + "Aysel Mammadova,aysel@example.org,11/20/2026 06:00:00 PM,11/20/2026 07:00:00 PM,60,No\n"
        + "Rauf Aliyev,rauf@example.org,11/13/2026 06:05:00 PM,11/13/2026 06:55:00 PM,50,No\n"
    ).encode()

    with django_capture_on_commit_callbacks(execute=True):
        imported, _ = participant_reports.upload_participant_report(event=ended_webinar, content=report)

    imported.refresh_from_db()
    assert imported.status == AttendanceImport.Status.DONE, imported.error
    assert [(row["email"], row["reason"]) for row in imported.unmatched_rows] == [("rauf@example.org", "outside_event")]
    assert _attendance(webinar_registrations)["rauf"] == (Attendance.NO_SHOW, None)
    assert _attendance(webinar_registrations)["aysel"] == (Attendance.ATTENDED, 60)


@pytest.mark.parametrize(
    "content",
    [
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml",  # .xlsx (a zip)
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x00\x00",  # an old .xls
    ],
)
def test_a_spreadsheet_workbook_is_refused_with_how_to_save_it_as_csv(
    content, ended_webinar, webinar_registrations, django_capture_on_commit_callbacks
):
    report, _ = _import(ended_webinar, content, django_capture_on_commit_callbacks)

    assert (report.status, report.error_code) == (AttendanceImport.Status.FAILED, "not_csv")
    assert "save it as CSV" in report.error


def test_a_walk_in_without_an_email_is_attended_and_gets_no_follow_up(
    ended_workshop, settings, django_capture_on_commit_callbacks
):
    settings.ATTENDANCE_GRACE_MINUTES = 30
    came = make_registration(ended_workshop, name="Aysel Mammadova", email="came@example.org")
    walk_in = make_registration(ended_workshop, name="Kamran at the door", source="walk_in")
    Registration.objects.filter(pk=walk_in.pk).update(email="")  # staff registered him with no address
    _check_in(came)
    _check_in(walk_in)

    with django_capture_on_commit_callbacks(execute=True):
        finalisation.finalise_due_events(now=END + dt.timedelta(minutes=31))

    walk_in.refresh_from_db()
    assert walk_in.attendance == Attendance.ATTENDED
    assert list(OutboxMessage.objects.values_list("recipient_email", "kind")) == [
        ("came@example.org", kinds.FOLLOW_UP_ATTENDED)
    ]
