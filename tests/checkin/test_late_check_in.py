"""The door after the event: open a day after its end, past the moment its attendance is
finalised (30 minutes after the end for an in-person event). A check-in it admits then (a late
sign-in sheet, a phone that was offline at the venue uploading its scans) is recorded as
attended at once; an undo is refused, the check-in stands. Attendance, the door's counts and the
organisers' figures agree."""

import datetime as dt

import pytest
from django.utils import timezone

from attendance.dashboard import past_events
from attendance.services.finalisation import finalise_due_events, finalise_event_attendance
from events.models import Event
from notifications import kinds
from notifications.models import OutboxMessage
from registrations.checkin import services as door_services
from registrations.models import Attendance, CheckIn, Registration
from registrations.services import tickets
from tests import factories
from tests.admin_forms import opened_change_form
from tests.checkin.conftest import client_for, make_registration, scan_url

pytestmark = pytest.mark.django_db


def door(event, path=""):
    return f"/api/events/{event.pk}/checkin/{path}"


@pytest.fixture
def ended(organiser):
    """An in-person event that ended two hours ago: its door is open until tomorrow."""
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=5)
    return factories.EventFactory(organisers=[organiser], start=start, end=start + dt.timedelta(hours=3))


def finalised(event):
    assert finalise_due_events() == [event.pk]
    event.refresh_from_db()
    return event


def _scan(client, event, registration):
    return client.post(scan_url(event), {"secret": tickets.ticket_payload(registration), "device": "door"})


def _manual(client, event, registration):
    return client.post(door(event, "manual/"), {"registration": registration.pk, "device": "door"})


def _offline(client, event, registration):
    """A phone without a connection at the venue scanned it during the event; it uploads now."""
    during = (event.end - dt.timedelta(minutes=30)).isoformat()
    scan = {"client_scan_id": "late-1", "scanned_at": during, "secret": registration.ticket_secret}
    response = client.post(door(event, "batch/"), {"device": "phone", "scans": [scan]}, format="json")
    assert [result["code"] for result in response.data["results"]] == ["checked_in"]
    return response


@pytest.mark.parametrize("way", [_scan, _manual, _offline], ids=["scan", "found by name", "offline upload"])
def test_a_check_in_after_attendance_was_finalised_is_recorded_as_attended(ended, organiser, way):
    came_late = make_registration(ended, name="Leyla Aliyeva", email="leyla@example.org")
    finalised(ended)
    came_late.refresh_from_db()
    assert came_late.attendance == Attendance.NO_SHOW
    follow_ups = OutboxMessage.objects.filter(kind__in=kinds.FOLLOW_UPS).count()

    response = way(client_for(organiser), ended, came_late)

    assert response.status_code == 200
    came_late.refresh_from_db()
    assert came_late.attendance == Attendance.ATTENDED
    # the door's counts and the organisers' figures say the same
    (figures,) = past_events(organiser)
    assert (figures.checked_in_count, figures.attended_figure, figures.no_show_count) == (1, 1, 0)
    assert door_services.door_counts(event=ended)["checked_in"] == 1
    # one follow-up per person: nothing more is sent
    assert OutboxMessage.objects.filter(kind__in=kinds.FOLLOW_UPS).count() == follow_ups


def test_a_walk_in_after_attendance_was_finalised_is_recorded_as_attended(ended, organiser):
    response = client_for(organiser).post(door(ended, "walk-in/"), {"name": "Rauf Quliyev", "device": "door"})

    assert response.status_code == 201
    assert ended.attendance_finalised_at is None
    finalised(ended)
    late = client_for(organiser).post(door(ended, "walk-in/"), {"name": "Nigar Hasanova", "device": "door"})

    assert late.status_code == 201
    assert dict(Registration.objects.values_list("name", "attendance")) == {
        "Rauf Quliyev": Attendance.ATTENDED,
        "Nigar Hasanova": Attendance.ATTENDED,
    }


def test_a_check_in_before_finalisation_leaves_attendance_to_it(ended, organiser):
    """Until attendance is final the door writes only the check-in: finalisation reads them."""
    early = make_registration(ended, name="Leyla Aliyeva")

    assert _scan(client_for(organiser), ended, early).status_code == 200

    early.refresh_from_db()
    assert early.attendance == Attendance.UNKNOWN
    finalised(ended)
    early.refresh_from_db()
    assert early.attendance == Attendance.ATTENDED


def test_a_refused_late_scan_records_nothing(ended, organiser):
    cancelled = make_registration(ended, name="Leyla Aliyeva", status="cancelled")
    finalised(ended)

    response = _scan(client_for(organiser), ended, cancelled)

    assert (response.status_code, response.data["code"]) == (409, "cancelled")
    cancelled.refresh_from_db()
    assert cancelled.attendance == Attendance.UNKNOWN
    assert not CheckIn.objects.exists()


def test_undo_after_attendance_was_finalised_is_refused_and_the_check_in_stands(ended, organiser):
    """Attendance was recorded, and followed up, from the check-in: undoing it at the door the
    next morning left "attended" with no check-in behind it."""
    came = make_registration(ended, name="Leyla Aliyeva")
    checkin_id = _scan(client_for(organiser), ended, came).data["checkin"]["id"]
    finalised(ended)

    response = client_for(organiser).post(door(ended, f"{checkin_id}/undo/"))

    assert (response.status_code, response.data["code"]) == (409, "attendance_final")
    assert "the check-in stands" in response.data["detail"]
    assert CheckIn.objects.get().undone_at is None
    came.refresh_from_db()
    assert came.attendance == Attendance.ATTENDED


def test_a_check_in_finalisation_did_not_see_is_made_attended_by_the_next_run(ended, organiser):
    """What a scan racing finalisation leaves (the next test makes the race on PostgreSQL): a live
    check-in beside "no-show" on an event whose attendance is final. The job's next run mends it;
    an undone check-in is no attendance."""
    raced = make_registration(ended, name="Leyla Aliyeva")
    undone = make_registration(ended, name="Rauf Quliyev")
    finalised(ended)
    for registration in (raced, undone):
        CheckIn.objects.create(registration=registration, event=ended, checked_in_at=ended.end, device="d")
    CheckIn.objects.filter(registration=undone).update(undone_at=timezone.now())
    follow_ups = OutboxMessage.objects.filter(kind__in=kinds.FOLLOW_UPS).count()

    assert finalise_due_events() == []

    assert dict(Registration.objects.values_list("name", "attendance")) == {
        "Leyla Aliyeva": Attendance.ATTENDED,
        "Rauf Quliyev": Attendance.NO_SHOW,
    }
    assert OutboxMessage.objects.filter(kind__in=kinds.FOLLOW_UPS).count() == follow_ups


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("way", ["scan", "found by name"])
def test_a_check_in_racing_finalisation_is_recorded_as_attended_at_once(organiser, way):
    """A scan made while finalisation's transaction was open read the event as not yet final (so
    recorded no attendance) and finalisation's snapshot never saw the check-in: "no-show" beside a
    live check-in until the job's next run. After the end the door reads the event's row locked:
    it waits for finalisation to commit, then records the late attendance itself."""
    from django.db import transaction

    from tests.races import Racer

    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=5)
    ended = factories.EventFactory(organisers=[organiser], start=start, end=start + dt.timedelta(hours=3))
    came = make_registration(ended, name="Leyla Aliyeva")
    if way == "scan":  # PostgreSQL's one statement

        def check_in():
            return door_services.check_in(event_id=ended.pk, secret=came.ticket_secret, by=organiser).pk
    else:

        def check_in():
            event = Event.objects.get(pk=ended.pk)
            registration = Registration.objects.get(pk=came.pk)
            return door_services.check_in_registration(event=event, registration=registration, by=organiser).pk

    with transaction.atomic():
        finalise_event_attendance(event=ended)
        racer = Racer(check_in, timeout=5)

    assert racer.waited
    assert isinstance(racer.outcome(), int)
    came.refresh_from_db()
    assert came.attendance == Attendance.ATTENDED  # at once, not at the job's next run


@pytest.mark.parametrize(
    ("event_format", "after"), [("in_person", Attendance.NO_SHOW), ("hybrid", Attendance.ATTENDED)]
)
def test_the_admins_undo_after_finalisation_corrects_an_in_person_events_attendance(organiser, event_format, after):
    """The door refuses an undo once attendance is final, and sends it to an administrator: the
    admin's undo action left "attended" with no check-in behind it. An in-person event's attendance
    is its door's check-ins, so it follows; a hybrid event's report may count the person too."""
    from django.test import Client

    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=5)
    ended = factories.EventFactory(
        organisers=[organiser], start=start, end=start + dt.timedelta(hours=3), format=event_format
    )
    mistaken = make_registration(ended, name="Leyla Aliyeva")
    checkin_id = _scan(client_for(organiser), ended, mistaken).data["checkin"]["id"]
    finalise_event_attendance(event=ended, without_report=True)
    mistaken.refresh_from_db()
    assert mistaken.attendance == Attendance.ATTENDED
    administrator = factories.UserFactory(is_superuser=True, is_staff=True)
    administrator.refresh_from_db()
    admin = Client()
    admin.force_login(administrator)

    admin.post("/admin/registrations/checkin/", {"action": "undo", "_selected_action": [checkin_id]})

    mistaken.refresh_from_db()
    assert CheckIn.objects.get().undone_at is not None
    assert mistaken.attendance == after
    assert finalise_due_events() == []  # the job's next run leaves the correction
    mistaken.refresh_from_db()
    assert mistaken.attendance == after


def _admin_decides(registration, attendance):
    """An administrator sets the registration's attendance on its admin page, the rest as it was."""
    admin, page, data = opened_change_form(registration)
    assert admin.post(page, data | {"attendance": attendance}).status_code == 302


@pytest.mark.parametrize("when", ["before finalisation", "after finalisation"])
def test_an_attendance_decided_by_hand_stands(ended, organiser, when):
    """A check-in made by mistake (the person left before the event began): an administrator marks
    the registration a no-show by hand; finalisation and its job's sweep made it "attended" again
    from the check-in. A decision by hand stands; set back to "not yet known", it is derived again."""
    mistaken = make_registration(ended, name="Leyla Aliyeva")
    _scan(client_for(organiser), ended, mistaken)
    if when == "after finalisation":
        finalised(ended)

    _admin_decides(mistaken, Attendance.NO_SHOW)
    if when == "before finalisation":
        finalised(ended)
    assert finalise_due_events() == []  # the job's next run: its sweep of late check-ins

    mistaken.refresh_from_db()
    assert (mistaken.attendance, mistaken.attendance_by_hand) == (Attendance.NO_SHOW, True)

    _admin_decides(mistaken, Attendance.UNKNOWN)
    finalise_due_events()

    mistaken.refresh_from_db()
    assert (mistaken.attendance, mistaken.attendance_by_hand) == (Attendance.ATTENDED, False)


@pytest.mark.parametrize("way", [_scan, _manual], ids=["scan", "found by name"])
def test_a_late_check_in_leaves_an_attendance_decided_by_hand(ended, organiser, way):
    """An administrator recorded a no-show by hand (the person sent word they would not come); a
    scan of the ticket after finalisation does not overrule it (as finalisation does not)."""
    decided = make_registration(ended, name="Leyla Aliyeva")
    _admin_decides(decided, Attendance.NO_SHOW)
    finalised(ended)

    assert way(client_for(organiser), ended, decided).status_code == 200

    decided.refresh_from_db()
    assert decided.attendance == Attendance.NO_SHOW
