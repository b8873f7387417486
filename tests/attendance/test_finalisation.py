"""When attendance is final, and that nobody is told the wrong thing: online and hybrid events wait for
the participant report (or the organiser's "finalise without a report"); a later correction changes the
figures and sends nothing contradictory."""

import datetime as dt
from pathlib import Path

import pytest
from django.core import mail

from attendance.services import figures, finalisation, participant_reports
from events.models import EventFormat
from events_project.exceptions import Conflict
from notifications import kinds
from notifications.models import OutboxMessage
from registrations.models import Attendance, CheckIn
from tests import factories
from tests.notifications.conftest import make_registration

ZOOM = (Path(__file__).parent / "reports" / "zoom_participants.csv").read_bytes()
START = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)
END = START + dt.timedelta(minutes=90)
PEOPLE = ("Aysel Mammadova", "Rauf Aliyev", "Nigar Hasanova", "Elvin Quliyev")


def _event(event_format):
    if event_format == EventFormat.IN_PERSON:
        event = factories.EventFactory(start=START, end=END)
    else:
        event = factories.WebinarFactory(start=START, end=END, format=event_format)
    for name in PEOPLE:
        make_registration(event, name=name, email=f"{name.split()[0].lower()}@example.org")
    return event


def _sent(kind=None):
    messages = OutboxMessage.objects.order_by("recipient_email", "kind")
    if kind:
        messages = messages.filter(kind=kind)
    return [(message.recipient_email.split("@")[0], message.kind) for message in messages]


@pytest.mark.parametrize("event_format", [EventFormat.ONLINE, EventFormat.HYBRID])
def test_online_and_hybrid_events_are_not_finalised_by_the_clock(event_format, db, django_capture_on_commit_callbacks):
    event = _event(event_format)

    with django_capture_on_commit_callbacks(execute=True):
        finalised = [finalisation.finalise_due_events(now=END + dt.timedelta(days=days)) for days in (1, 2, 7, 29)]

    event.refresh_from_db()
    assert finalised == [[], [], [], []]
    assert event.attendance_finalised_at is None
    assert mail.outbox == []


def test_in_person_events_are_finalised_by_the_clock(db, settings, django_capture_on_commit_callbacks):
    settings.ATTENDANCE_GRACE_MINUTES = 30
    event = _event(EventFormat.IN_PERSON)

    with django_capture_on_commit_callbacks(execute=True):
        early = finalisation.finalise_due_events(now=END + dt.timedelta(minutes=20))
        later = finalisation.finalise_due_events(now=END + dt.timedelta(minutes=40))

    assert (early, later) == ([], [event.pk])


@pytest.mark.parametrize("event_format", [EventFormat.ONLINE, EventFormat.HYBRID])
def test_finalising_an_online_event_needs_a_report_or_the_organisers_word(event_format, db):
    event = _event(event_format)

    with pytest.raises(Conflict) as refused:
        finalisation.finalise_event_attendance(event=event, now=END + dt.timedelta(hours=1))
    finalised = finalisation.finalise_event_attendance(
        event=event, now=END + dt.timedelta(hours=1), without_report=True
    )

    assert refused.value.code == "report_missing"
    assert finalised.attendance_finalised_at is not None
    assert set(event.registrations.values_list("attendance", flat=True)) == {Attendance.NO_SHOW}


def test_the_report_finalises_and_each_person_gets_one_follow_up(db, django_capture_on_commit_callbacks):
    event = _event(EventFormat.ONLINE)

    with django_capture_on_commit_callbacks(execute=True):
        participant_reports.upload_participant_report(event=event, content=ZOOM)

    event.refresh_from_db()
    assert event.attendance_finalised_at is not None
    assert _sent() == [
        ("aysel", kinds.FOLLOW_UP_ATTENDED),
        ("elvin", kinds.FOLLOW_UP_NO_SHOW),
        ("nigar", kinds.FOLLOW_UP_ATTENDED),
        ("rauf", kinds.FOLLOW_UP_ATTENDED),
    ]


def _finalise_without_report_then_import(event, capture, **upload):
    with capture(execute=True):
        finalisation.finalise_event_attendance(event=event, now=END + dt.timedelta(hours=2), without_report=True)
    missed = _sent()
    with capture(execute=True):
        report, _ = participant_reports.upload_participant_report(event=event, content=ZOOM, **upload)
    report.refresh_from_db()
    return missed, report


def test_a_late_report_corrects_the_figures_and_sends_nothing_contradictory(db, django_capture_on_commit_callbacks):
    event = _event(EventFormat.ONLINE)

    missed, report = _finalise_without_report_then_import(event, django_capture_on_commit_callbacks)

    assert missed == [(name.split()[0].lower(), kinds.FOLLOW_UP_NO_SHOW) for name in sorted(PEOPLE)]
    assert report.attended == 3
    assert figures.event_attendance_figures(event=event)["attended"] == 3
    assert _sent() == missed  # no "thank you for joining" after "we missed you"
    assert [message.subject[:13] for message in mail.outbox] == ["We missed you"] * 4


def test_the_organiser_may_send_one_short_correction(db, django_capture_on_commit_callbacks):
    event = _event(EventFormat.ONLINE)

    _missed, report = _finalise_without_report_then_import(
        event, django_capture_on_commit_callbacks, send_corrections=True
    )
    # a second, different report changes nobody's mind twice
    with django_capture_on_commit_callbacks(execute=True):
        participant_reports.upload_participant_report(
            event=event,
            content=b"name,email,duration\nAysel,aysel@example.org,10\nElvin,elvin@example.org,80\n",
            send_corrections=True,
        )

    corrections = [message for message in mail.outbox if message.subject.startswith("A correction")]
    assert report.send_corrections
    assert _sent(kinds.ATTENDANCE_CORRECTED) == [
        ("aysel", kinds.ATTENDANCE_CORRECTED),
        ("elvin", kinds.ATTENDANCE_CORRECTED),
        ("nigar", kinds.ATTENDANCE_CORRECTED),
        ("rauf", kinds.ATTENDANCE_CORRECTED),
    ]
    assert len(corrections) == 4
    assert "you did take part" in next(m.body for m in corrections if "nigar" in m.to[0])
    # Elvin was told "we missed you", and the second report says he came: his one correction says so
    assert "you did take part" in next(m.body for m in corrections if "elvin" in m.to[0])


def test_a_hybrid_event_counts_the_door_and_the_report(db, django_capture_on_commit_callbacks):
    event = _event(EventFormat.HYBRID)
    at_the_door = make_registration(event, name="Kamala Huseynova", email="kamala@example.org")
    CheckIn.objects.create(registration=at_the_door, event=event, checked_in_at=START)

    with django_capture_on_commit_callbacks(execute=True):
        participant_reports.upload_participant_report(event=event, content=ZOOM)

    attendance = dict(event.registrations.values_list("email", "attendance"))
    assert attendance["kamala@example.org"] == Attendance.ATTENDED  # not in the report: the door counts
    assert attendance["aysel@example.org"] == Attendance.ATTENDED  # online, from the report
    assert attendance["elvin@example.org"] == Attendance.NO_SHOW  # 20 of 90 minutes


def test_follow_ups_write_the_next_events_in_their_zone_with_their_offset(db):
    # as the API writes an event's times (docs/reference/api.md), not the database's UTC
    event = factories.EventFactory(start=START, end=END)
    make_registration(event, name="Aysel Mammadova", email="aysel@example.org")
    event.registrations.update(attendance=Attendance.NO_SHOW)
    coming = factories.EventFactory(kind=event.kind, start=END + dt.timedelta(days=7), end=END + dt.timedelta(days=8))

    finalisation.queue_follow_ups(event=event, now=END)

    context = OutboxMessage.objects.get(kind=kinds.FOLLOW_UP_NO_SHOW).context
    assert [entry["start"] for entry in context["next_events"]] == [coming.local_start.isoformat()]
    assert context["next_events"][0]["start"].endswith("+04:00")


def test_a_report_after_finalisation_keeps_the_door_check_in_of_a_hybrid_event(db, django_capture_on_commit_callbacks):
    event = _event(EventFormat.HYBRID)
    # Elvin came in person (checked in at the door) and also had the meeting open on his phone for 20 minutes
    elvin = event.registrations.get(email="elvin@example.org")
    CheckIn.objects.create(registration=elvin, event=event, checked_in_at=START)

    _door, report = _finalise_without_report_then_import(
        event, django_capture_on_commit_callbacks, send_corrections=True
    )

    elvin.refresh_from_db()
    assert elvin.attendance == Attendance.ATTENDED
    assert report.attended == 4  # Aysel, Rauf, Nigar online; Elvin at the door
    assert ("elvin", kinds.ATTENDANCE_CORRECTED) not in _sent()
    assert ("elvin", kinds.FOLLOW_UP_ATTENDED) in _sent()
