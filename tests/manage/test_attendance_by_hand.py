"""An organiser records attendance by hand, on the event's Registrations tab or through the API:
someone who came and was never checked in, a report's row nobody could match. The decision stands
against the automatic sources (registrations.services.attendance), as an administrator's does."""

import datetime as dt
import html

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from attendance.services.finalisation import finalise_event_attendance
from events.models import ActionLogEntry, Event
from registrations.exceptions import Conflict
from registrations.models import Attendance, Registration, RegistrationStatus
from registrations.services.attendance import decide_attendance, record_attendance
from tests import factories
from tests.notifications.conftest import make_registration
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended_workshop(organiser):
    start = timezone.now() - dt.timedelta(days=3)
    return factories.EventFactory(
        organisers=[organiser], title="Robotics workshop", start=start, end=start + dt.timedelta(hours=2)
    )


@pytest.fixture
def aysel(ended_workshop):
    return make_registration(ended_workshop, name="Aysel Mammadova", email="aysel@example.org")


def tab(event):
    return f"/manage/events/{event.pk}/registrations/"


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _state(registration):
    registration.refresh_from_db()
    return registration.attendance, registration.attendance_by_hand


def test_an_organiser_records_on_the_tab_that_someone_came_and_it_stands(client, organiser, ended_workshop, aysel):
    web = signed_in(client, organiser)
    page = web.get(tab(ended_workshop)).content.decode()
    assert f'id="attendance-{aysel.pk}"' in page and 'value="attendance"' in page

    answer = web.post(tab(ended_workshop), {"action": "attendance", "registration": aysel.pk, "attendance": "attended"})

    assert answer.status_code == 302 and answer["Location"].endswith(f"#registration-{aysel.pk}")
    shown = web.get(answer["Location"]).content.decode()
    assert "Aysel Mammadova: “Attended” is recorded, by hand." in shown
    assert "Attended · by hand" in shown
    assert _state(aysel) == (Attendance.ATTENDED, True)
    entry = ActionLogEntry.objects.get(action="registration.attendance_decided")
    assert (entry.event_id, entry.subject_id, entry.actor_id, entry.data) == (
        ended_workshop.pk,
        aysel.pk,
        organiser.pk,
        {"attendance": "attended"},
    )
    # finalisation, a report or the door write through this rule: they leave her
    now = timezone.now()
    assert record_attendance(registrations=Registration.objects.filter(pk=aysel.pk), attendance="no_show", now=now) == 0
    assert _state(aysel) == (Attendance.ATTENDED, True)


def test_not_yet_known_hands_it_back_to_the_automatic_sources(organiser, ended_workshop, aysel):
    api = api_for(organiser)
    path = f"/api/events/{ended_workshop.pk}/registrations/{aysel.pk}/attendance/"
    decided = api.post(path, {"attendance": "no_show"}, format="json")
    assert decided.status_code == 200
    assert (decided.data["attendance"], decided.data["attendance_by_hand"]) == ("no_show", True)

    handed_back = api.post(path, {"attendance": "unknown"}, format="json")

    assert (handed_back.data["attendance"], handed_back.data["attendance_by_hand"]) == ("unknown", False)
    record_attendance(registrations=Registration.objects.filter(pk=aysel.pk), attendance="attended", now=timezone.now())
    assert _state(aysel) == (Attendance.ATTENDED, False)


def test_refusals_say_why_and_change_nothing(client, organiser, ended_workshop, aysel):
    api = api_for(organiser)
    coming = factories.EventFactory(organisers=[organiser], title="Coding club")
    early = make_registration(coming, name="Leyla Aliyeva")
    cancelled = make_registration(ended_workshop, name="Rauf Aliyev", status=RegistrationStatus.CANCELLED)

    def post(registration, value):
        path = f"/api/events/{registration.event_id}/registrations/{registration.pk}/attendance/"
        return api.post(path, {"attendance": value}, format="json")

    assert (post(early, "attended").status_code, post(early, "attended").data["code"]) == (409, "event_not_started")
    assert post(cancelled, "attended").data["code"] == "not_confirmed"
    assert post(aysel, "present").status_code == 400
    assert [_state(r) for r in (early, cancelled, aysel)] == [(Attendance.UNKNOWN, False)] * 3

    # the tab offers no form before the event begins, and says why to a form posted anyway
    web = signed_in(client, organiser)
    assert "attendance-form" not in web.get(tab(coming)).content.decode()
    refused = web.post(tab(coming), {"action": "attendance", "registration": early.pk, "attendance": "attended"})
    assert "Attendance is recorded once the event has begun." in web.get(refused["Location"]).content.decode()
    assert _state(early) == (Attendance.UNKNOWN, False)


def test_another_organiser_records_nothing(client, ended_workshop, aysel):
    other = factories.OrganiserFactory()
    path = f"/api/events/{ended_workshop.pk}/registrations/{aysel.pk}/attendance/"
    assert api_for(other).post(path, {"attendance": "attended"}, format="json").status_code == 403
    web = signed_in(client, other)
    answer = web.post(tab(ended_workshop), {"action": "attendance", "registration": aysel.pk, "attendance": "attended"})
    assert answer.status_code == 404
    assert _state(aysel) == (Attendance.UNKNOWN, False)


def test_after_the_door_record_is_final_not_yet_known_lets_the_door_decide_again(
    client, organiser, ended_workshop, aysel
):
    """Nothing runs again once an in-person event's attendance is final: "not yet known" stayed
    so for good. The door's record decides at once, as finalisation did."""
    from registrations.models import CheckIn

    rauf = make_registration(ended_workshop, name="Rauf Aliyev", email="rauf@example.org")
    CheckIn.objects.create(registration=aysel, event=ended_workshop, checked_in_at=ended_workshop.start, by=organiser)
    ended_workshop.attendance_finalised_at = timezone.now()
    ended_workshop.save(update_fields=["attendance_finalised_at"])
    web = signed_in(client, organiser)

    def record(registration, value):
        answer = web.post(
            tab(ended_workshop), {"action": "attendance", "registration": registration.pk, "attendance": value}
        )
        return web.get(answer["Location"]).content.decode()

    record(aysel, "no_show")
    assert _state(aysel) == (Attendance.NO_SHOW, True)
    said = record(aysel, "unknown")
    assert "record decides again: “Attended”." in said
    assert _state(aysel) == (Attendance.ATTENDED, False)
    record(rauf, "unknown")
    assert _state(rauf) == (Attendance.NO_SHOW, False)


def test_not_yet_known_sent_as_finalisation_commits_is_decided_by_the_door_not_left_unknown(
    organiser, ended_workshop, aysel
):
    """The organiser's request read the event before finalisation committed, and decided by its
    copy: 'not finalised, the door will decide later'. Finalisation had passed her by (decided by
    hand then), so nothing would ever run again: she stayed 'not yet known' for good in a final record.
    The rule reads the event as it stands, under its lock (which finalisation holds while it runs)."""
    decide_attendance(registration=aysel, attendance=Attendance.NO_SHOW, by=organiser)
    requested = Registration.objects.select_related("event").get(pk=aysel.pk)  # the request's copy
    finalise_event_attendance(event=Event.objects.get(pk=ended_workshop.pk), without_report=True)

    decide_attendance(registration=requested, attendance=Attendance.UNKNOWN, by=organiser)

    assert _state(aysel) == (Attendance.NO_SHOW, False)
    assert (requested.attendance, requested.attendance_by_hand) == (Attendance.NO_SHOW, False)


def test_a_registration_cancelled_as_the_decision_is_sent_is_refused(organiser, ended_workshop, aysel):
    """Checked against the request's copy, a registration cancelled a moment before was given an
    attendance by hand (a cancelled registration has none)."""
    requested = Registration.objects.select_related("event").get(pk=aysel.pk)
    Registration.objects.filter(pk=aysel.pk).update(status=RegistrationStatus.CANCELLED)

    with pytest.raises(Conflict) as refused:
        decide_attendance(registration=requested, attendance=Attendance.ATTENDED, by=organiser)

    assert refused.value.code == "not_confirmed"
    assert _state(aysel) == (Attendance.UNKNOWN, False)


@pytest.mark.parametrize(
    ("event_format", "next_source"),
    [
        ("in_person", "the door's check-ins decide when attendance is final."),
        ("online", "the next participant report decides."),
        ("hybrid", "the door or the next report decides."),
    ],
)
def test_handed_back_the_message_names_the_events_own_source(
    client, organiser, ended_workshop, aysel, event_format, next_source
):
    """An in-person event has no participant report to upload, an online one no door: "the door
    or the next report decides" named a source the event does not have."""
    ended_workshop.format = event_format
    ended_workshop.save(update_fields=["format"])
    web = signed_in(client, organiser)
    web.post(tab(ended_workshop), {"action": "attendance", "registration": aysel.pk, "attendance": "attended"})

    answer = web.post(tab(ended_workshop), {"action": "attendance", "registration": aysel.pk, "attendance": "unknown"})

    shown = html.unescape(web.get(answer["Location"]).content.decode())
    assert f"Aysel Mammadova: “Not yet known”; {next_source}" in shown
    assert _state(aysel) == (Attendance.UNKNOWN, False)


def test_the_attendance_tab_says_where_attendance_is_recorded_by_hand(client, organiser, ended_workshop, aysel):
    """The import page sent organisers to the Registrations tab to hand a decision back; the
    Attendance tab, where they look first, said nothing of decisions by hand, or where to make one."""
    coming = factories.EventFactory(organisers=[organiser], title="Coding club")
    web = signed_in(client, organiser)
    attendance_tab = f"/manage/events/{ended_workshop.pk}/attendance/"
    page = html.unescape(web.get(attendance_tab).content.decode())
    assert f'record their attendance on the <a href="{tab(ended_workshop)}">Registrations tab</a>' in page
    assert "decided by hand." not in page

    web.post(tab(ended_workshop), {"action": "attendance", "registration": aysel.pk, "attendance": "attended"})

    page = html.unescape(web.get(attendance_tab).content.decode())
    assert "1 registrant's attendance is decided by hand." in page
    # before the event begins there is nothing to record, and nothing is offered
    assert 'data-testid="by-hand"' not in web.get(f"/manage/events/{coming.pk}/attendance/").content.decode()
