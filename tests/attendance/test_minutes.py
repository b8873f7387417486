"""Minutes come from the platform's own figures, so they match the report the organiser downloaded."""

import datetime as dt
from pathlib import Path

import pytest

from attendance.models import AttendanceImport
from attendance.services import participant_reports
from registrations.models import Attendance
from tests import factories
from tests.notifications.conftest import make_registration

REPORTS = Path(__file__).parent / "reports"
START = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def webinar(db):
    event = factories.WebinarFactory(start=START, end=START + dt.timedelta(minutes=90))
    for name in ("Aysel Mammadova", "Rauf Aliyev", "Nigar Hasanova", "Elvin Quliyev"):
        make_registration(event, name=name, email=f"{name.split()[0].lower()}@example.org")
    return event


def _import(event, filename, capture):
    with capture(execute=True):
        report, _ = participant_reports.upload_participant_report(
            event=event, content=(REPORTS / filename).read_bytes(), filename=filename
        )
    report.refresh_from_db()
    assert report.status == AttendanceImport.Status.DONE, report.error
    return report


def _minutes(event):
    return {
        registration.email.split("@")[0]: (registration.minutes_attended, registration.attendance)
        for registration in event.registrations.all()
    }


def test_zoom_minutes_are_zooms_duration_column(webinar, django_capture_on_commit_callbacks):
    report = _import(webinar, "zoom_participants.csv", django_capture_on_commit_callbacks)

    assert _minutes(webinar) == {
        "aysel": (87, Attendance.ATTENDED),  # rows of 39 and 48 minutes (38 m 50 s + 47 m 30 s by the clock)
        "rauf": (91, Attendance.ATTENDED),  # 90 m 5 s by the clock; Zoom says 91
        "nigar": (90, Attendance.ATTENDED),  # laptop 90 and phone 20 at the same time: counted once
        "elvin": (20, Attendance.NO_SHOW),
    }
    organiser = next(row for row in report.unmatched_rows if row["email"] == "organiser@example.org")
    assert organiser["minutes"] == 94  # 93 m 20 s by the clock; Zoom says 94


def test_teams_minutes_are_the_in_meeting_duration(webinar, django_capture_on_commit_callbacks):
    report = _import(webinar, "teams_attendance.csv", django_capture_on_commit_callbacks)

    assert _minutes(webinar) == {
        "aysel": (86, Attendance.ATTENDED),  # 1h 26m 20s
        "rauf": (90, Attendance.ATTENDED),  # 1h 30m 5s
        "nigar": (90, Attendance.ATTENDED),  # matched through her UPN
        "elvin": (20, Attendance.NO_SHOW),
    }
    assert report.rows == 6  # the in-meeting activities section is not read as more people


def _row(joined, left, minutes):
    day = dt.datetime(2026, 11, 20)
    return participant_reports.ReportRow(
        line=1,
        name="A",
        email="a@example.org",
        minutes=minutes,
        joined=day + dt.timedelta(minutes=joined) if joined is not None else None,
        left=day + dt.timedelta(minutes=left) if left is not None else None,
    )


@pytest.mark.parametrize(
    ("rows", "minutes"),
    [
        ([(0, 38.8, 39), (42, 89.5, 48)], 87),  # a rejoin: the platform's figures added
        ([(0, 90, 90), (30, 50, 20)], 90),  # a second device inside the first: once
        ([(0, 50, 50), (40, 70, 30)], 70),  # overlapping devices: first join to last leave
        ([(0, 30, 30), (30, 60, 30)], 60),  # back to back: added
        ([(None, None, 12.5), (None, None, 20.4)], 33),  # no times (Teams, generic): added, rounded
        ([(0, 20.2, None)], 21),  # no figure: the span, rounded up as Zoom does
    ],
)
def test_merged_minutes(rows, minutes):
    assert participant_reports.merged_minutes([_row(*row) for row in rows]) == minutes
