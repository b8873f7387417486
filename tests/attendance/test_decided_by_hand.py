"""Attendance an administrator decided by hand stands against every automatic writer (a
participant report, finalisation, the job's sweep, a late check-in, the admin's undo of a
check-in) until it is changed by hand; set back to "not yet known" by hand, the automatic
sources decide it again (registrations.services.attendance)."""

import datetime as dt

import pytest
from django.utils import timezone

from attendance.models import AttendanceImport
from attendance.services import finalisation, participant_reports
from notifications import kinds
from notifications.models import OutboxMessage
from registrations.checkin import services as door_services
from registrations.models import Attendance, CheckIn
from registrations.services.attendance import decide_attendance_by_hand
from tests import factories
from tests.admin_forms import administrator, opened_change_form
from tests.notifications.conftest import make_registration

START = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)
END = START + dt.timedelta(hours=1)
# Aysel 45 minutes of 60 (attended at 50 %), Rauf 10 (a no-show)
REPORT = b"name,email,duration\nAysel Mammadova,aysel@example.org,45\nRauf Aliyev,rauf@example.org,10\n"


@pytest.fixture
def webinar(db):
    return factories.WebinarFactory(title="Careers in data science", start=START, end=END)


@pytest.fixture
def aysel(webinar):
    return make_registration(webinar, name="Aysel Mammadova", email="aysel@example.org")


@pytest.fixture
def rauf(webinar):
    return make_registration(webinar, name="Rauf Aliyev", email="rauf@example.org")


def _admin_saves(registration, **changes):
    admin, page, data = opened_change_form(registration)
    assert admin.post(page, data | changes).status_code == 302


def _import(event, content, django_capture_on_commit_callbacks, **kwargs) -> AttendanceImport:
    with django_capture_on_commit_callbacks(execute=True):
        report, _ = participant_reports.upload_participant_report(event=event, content=content, **kwargs)
    report.refresh_from_db()
    assert report.status == AttendanceImport.Status.DONE, report.error
    return report


def _state(registration):
    registration.refresh_from_db()
    return registration.attendance, registration.attendance_by_hand, registration.minutes_attended


def test_a_report_leaves_attendance_decided_by_hand_until_it_is_handed_back(
    webinar, aysel, rauf, django_capture_on_commit_callbacks
):
    """A report imported after an administrator decided attendance by hand overwrote it. It records
    the minutes, leaves the decision, and counts it; set back to "not yet known", the next report decides."""
    _admin_saves(aysel, attendance=Attendance.NO_SHOW)  # she sent word she only left the meeting open
    _admin_saves(rauf, attendance=Attendance.ATTENDED)  # he followed it from a colleague's laptop

    report = _import(webinar, REPORT, django_capture_on_commit_callbacks)

    assert _state(aysel) == (Attendance.NO_SHOW, True, 45)
    assert _state(rauf) == (Attendance.ATTENDED, True, 10)
    assert (report.matched, report.attended, report.kept_by_hand) == (2, 0, 2)
    # the follow-ups say what was decided by hand
    assert dict(OutboxMessage.objects.values_list("recipient_email", "kind")) == {
        "aysel@example.org": kinds.FOLLOW_UP_NO_SHOW,
        "rauf@example.org": kinds.FOLLOW_UP_ATTENDED,
    }

    _admin_saves(aysel, attendance=Attendance.UNKNOWN)
    again = _import(webinar, REPORT + b"\n", django_capture_on_commit_callbacks)

    assert _state(aysel) == (Attendance.ATTENDED, False, 45)
    assert _state(rauf) == (Attendance.ATTENDED, True, 10)
    assert (again.attended, again.kept_by_hand) == (1, 1)


def test_a_correction_report_after_finalisation_leaves_a_decision_by_hand(
    webinar, aysel, rauf, django_capture_on_commit_callbacks
):
    """Finalised without a report (everyone a no-show), then an administrator records by hand that
    Rauf came; the report uploaded afterwards as a correction does not undo it, nor mail him."""
    with django_capture_on_commit_callbacks(execute=True):
        finalisation.finalise_event_attendance(event=webinar, now=END + dt.timedelta(hours=1), without_report=True)
    _admin_saves(rauf, attendance=Attendance.ATTENDED)

    report = _import(webinar, REPORT, django_capture_on_commit_callbacks, send_corrections=True)

    assert _state(aysel) == (Attendance.ATTENDED, False, 45)
    assert _state(rauf) == (Attendance.ATTENDED, True, 10)
    assert (report.attended, report.kept_by_hand) == (1, 1)
    corrected = OutboxMessage.objects.filter(kind=kinds.ATTENDANCE_CORRECTED)
    assert list(corrected.values_list("recipient_email", flat=True)) == ["aysel@example.org"]


def test_the_admins_form_writes_only_what_it_changed(webinar, aysel, django_capture_on_commit_callbacks):
    """An administrator opened the registration's page before the report was recorded and saved a
    corrected organisation after: the whole row written back undid the report (attendance
    "not yet known", no minutes)."""
    admin, page, data = opened_change_form(aysel)
    _import(webinar, REPORT, django_capture_on_commit_callbacks)

    assert admin.post(page, data | {"organisation": "ADA University"}).status_code == 302

    assert _state(aysel) == (Attendance.ATTENDED, False, 45)
    aysel.refresh_from_db()
    assert aysel.organisation == "ADA University"


@pytest.fixture
def ended_workshop(organiser):
    """An in-person event that ended two hours ago (its door open until tomorrow)."""
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=5)
    return factories.EventFactory(organisers=[organiser], start=start, end=start + dt.timedelta(hours=3))


def test_the_admins_undo_of_a_check_in_leaves_attended_decided_by_hand(ended_workshop, organiser):
    """An administrator recorded by hand that Leyla came (she signed the paper list); her check-in
    turned out to be someone else's ticket scanned by mistake. Undoing it in the admin after
    finalisation made her a no-show."""
    leyla = make_registration(ended_workshop, name="Leyla Aliyeva", email="leyla@example.org")
    checkin = door_services.check_in_registration(event=ended_workshop, registration=leyla, by=organiser)
    _admin_saves(leyla, attendance=Attendance.ATTENDED)
    finalisation.finalise_event_attendance(event=ended_workshop)

    administrator().post("/admin/registrations/checkin/", {"action": "undo", "_selected_action": [checkin.pk]})

    assert CheckIn.objects.get().undone_at is not None
    assert _state(leyla) == (Attendance.ATTENDED, True, None)
    assert finalisation.finalise_due_events() == []  # the job's sweep leaves it too
    assert _state(leyla) == (Attendance.ATTENDED, True, None)


def test_the_api_shows_how_many_a_report_left_as_decided_by_hand(
    organiser_client, organiser, webinar, aysel, rauf, django_capture_on_commit_callbacks
):
    webinar.organisers.add(organiser)
    _admin_saves(aysel, attendance=Attendance.NO_SHOW)
    report = _import(webinar, REPORT, django_capture_on_commit_callbacks)

    response = organiser_client.get(f"/api/attendance-imports/{report.pk}/")

    assert response.status_code == 200
    assert (response.data["attended"], response.data["kept_by_hand"]) == (0, 1)


# --- races on PostgreSQL ------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_decision_by_hand_saved_while_a_report_is_recorded_wins_and_keeps_its_minutes():
    """The import holds the event's registrations; an administrator's decision saved meanwhile (on a
    page opened before) waits, and then stands, written after the report's, without writing back the
    minutes the page was opened with."""
    from django.db import transaction

    from tests.races import Racer

    webinar = factories.WebinarFactory(start=START, end=END)
    aysel = make_registration(webinar, name="Aysel Mammadova", email="aysel@example.org")
    report, _ = participant_reports.upload_participant_report(event=webinar, content=REPORT, record=False)
    AttendanceImport.objects.filter(pk=report.pk).update(status=AttendanceImport.Status.QUEUED)
    admin, page, data = opened_change_form(aysel)

    with transaction.atomic():
        participant_reports.import_participant_report(
            report=AttendanceImport.objects.get(pk=report.pk), now=END + dt.timedelta(hours=1)
        )
        racer = Racer(lambda: admin.post(page, data | {"attendance": Attendance.NO_SHOW}).status_code)

    assert racer.waited
    assert racer.outcome() == 302
    assert _state(aysel) == (Attendance.NO_SHOW, True, 45)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_report_recorded_while_a_decision_by_hand_is_made_leaves_it():
    """An administrator's decision is being saved when the report's job starts: the job waits for
    it, and then leaves it (it reads the registrations locked, and writes only where no decision by
    hand stands)."""
    from django.db import transaction

    from tests.races import Racer

    webinar = factories.WebinarFactory(start=START, end=END)
    aysel = make_registration(webinar, name="Aysel Mammadova", email="aysel@example.org")
    report, _ = participant_reports.upload_participant_report(event=webinar, content=REPORT, record=False)
    # recorded, its job not yet run (here the racer runs it)
    AttendanceImport.objects.filter(pk=report.pk).update(status=AttendanceImport.Status.QUEUED)

    def record():
        recorded = participant_reports.import_participant_report(
            report=AttendanceImport.objects.get(pk=report.pk), now=END + dt.timedelta(hours=1)
        )
        return recorded.status

    with transaction.atomic():
        decide_attendance_by_hand(registration=aysel, attendance=Attendance.NO_SHOW)
        racer = Racer(record)

    assert racer.waited
    assert racer.outcome() == AttendanceImport.Status.DONE
    assert _state(aysel) == (Attendance.NO_SHOW, True, 45)
    assert AttendanceImport.objects.get(pk=report.pk).kept_by_hand == 1
