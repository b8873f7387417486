"""Leaving a cohort takes back, in its one message, the calendar entries the participant was sent.

Enrolling books every session without a message (no invitation), so only the places whose
invitation really went out (a promotion from the waiting list, an event change, a resent ticket)
get a METHOD:CANCEL. Everything runs through the outbox in sync mode, as in production.
"""

import datetime as dt

import icalendar
import pytest
from django.core import mail

from events import services as event_services
from events.ical import event_uid
from notifications.models import MessagePreference, OutboxMessage
from notifications.services import queue_message
from programmes import services
from registrations.models import Registration
from registrations.services.registration import cancel_registration
from tests.programmes.conftest import record, session

pytestmark = pytest.mark.django_db

SINGULAR = "The attached calendar update removes the session you had in your calendar."
CALENDAR_CANCEL = "text/calendar; method=CANCEL; charset=utf-8"


def calendar_files(email) -> dict[str, icalendar.Calendar]:
    return {
        name: icalendar.Calendar.from_ical(content)
        for name, content, mimetype in email.attachments
        if mimetype.startswith("text/calendar")
    }


def sent_to(address: str) -> list:
    return [email for email in mail.outbox if address in email.to[0]]


def leave(enrolment, capture):
    """The participant leaves; returns the one message that says so."""
    mail.outbox = []
    with capture(execute=True):
        services.leave_cohort(enrolment=enrolment)
    (email,) = sent_to(enrolment.email)
    return email


def promote_from_the_waiting_list(event, capture) -> Registration:
    """Someone else gives up their place at the full ``event``: the participant waiting gets it,
    and with it the waiting_list_promoted message and its calendar invitation."""
    with capture(execute=True):
        cancel_registration(registration=Registration.objects.get(event=event, source="online"))
    return Registration.objects.get(event=event, email="leyla@example.org")


def move(event, capture, *, by) -> None:
    """The organiser moves ``event`` an hour later: registrants get event_changed."""
    with capture(execute=True):
        event_services.update_event(
            event=event, by=by, start=event.start + dt.timedelta(hours=1), end=event.end + dt.timedelta(hours=1)
        )


def test_leaving_a_cohort_booked_by_enrolment_only_attaches_no_calendar(
    cohort, mentoring_series, future, django_capture_on_commit_callbacks
):
    for start in future[:3]:
        session(mentoring_series, start)
    enrolment = services.enrol(cohort=cohort, name="Leyla Hasanova", email="leyla@example.org")

    email = leave(enrolment, django_capture_on_commit_callbacks)

    assert email.body.count("\n- ") == 3
    assert calendar_files(email) == {}
    assert [mimetype for _content, mimetype in email.alternatives] == ["text/html"]
    assert "calendar" not in email.body
    assert OutboxMessage.objects.get(kind="cohort_left").calendar_invitation_sent is False


def test_leaving_a_cohort_cancels_the_session_whose_invitation_the_promotion_sent(
    cohort, mentoring_series, future, django_capture_on_commit_callbacks
):
    booked = session(mentoring_series, future[0])
    full = session(mentoring_series, future[1], capacity=1, seats_taken=1)
    record(full, "first@example.org", attendance="", source="online")
    enrolment = services.enrol(cohort=cohort, name="Leyla Hasanova", email="leyla@example.org")
    mail.outbox = []
    assert promote_from_the_waiting_list(full, django_capture_on_commit_callbacks).status == "confirmed"
    (promotion,) = sent_to("leyla@example.org")
    assert calendar_files(promotion)["invite.ics"]["METHOD"] == "REQUEST"

    email = leave(enrolment, django_capture_on_commit_callbacks)

    calendars = calendar_files(email)
    assert list(calendars) == ["invite.ics"]
    calendar = calendars["invite.ics"]
    (vevent,) = calendar.walk("VEVENT")
    full.refresh_from_db()
    assert calendar["METHOD"] == "CANCEL"
    assert (str(vevent["UID"]), vevent["SEQUENCE"], str(vevent["STATUS"])) == (
        event_uid(full),
        full.sequence,
        "CANCELLED",
    )
    assert str(vevent["ATTENDEE"]) == "mailto:leyla@example.org"
    # the one promoted session; the one booked by enrolment is listed but had no invitation
    assert email.body.count("\n- ") == 2
    assert booked.title in email.body
    assert SINGULAR in email.body
    # one calendar file: also the message's calendar part, as for a cancelled registration
    assert [mimetype for _content, mimetype in email.alternatives] == ["text/html", CALENDAR_CANCEL]
    # a cancellation is no invitation
    assert OutboxMessage.objects.get(kind="cohort_left").calendar_invitation_sent is False


def test_leaving_a_cohort_cancels_each_session_whose_change_was_sent(
    organiser, cohort, mentoring_series, future, django_capture_on_commit_callbacks
):
    moved = [session(mentoring_series, start) for start in future[:2]]
    session(mentoring_series, future[2])
    enrolment = services.enrol(cohort=cohort, name="Leyla Hasanova", email="leyla@example.org")
    for event in moved:
        move(event, django_capture_on_commit_callbacks, by=organiser)

    email = leave(enrolment, django_capture_on_commit_callbacks)

    calendars = calendar_files(email)
    assert list(calendars) == ["invite-1.ics", "invite-2.ics"]
    assert [calendar["METHOD"] for calendar in calendars.values()] == ["CANCEL", "CANCEL"]
    # one event each (an iTIP message is about one UID), in the order the message lists them,
    # at the version the change raised
    for event in moved:
        event.refresh_from_db()
    assert [
        [(str(vevent["UID"]), vevent["SEQUENCE"]) for vevent in calendar.walk("VEVENT")]
        for calendar in calendars.values()
    ] == [[(event_uid(event), event.sequence)] for event in moved]
    assert all(event.sequence > 0 for event in moved)
    assert "The attached calendar updates remove the 2 sessions you had in your calendar." in email.body
    assert SINGULAR not in email.body
    # several sessions are not alternatives of one message: attached files only
    assert [mimetype for _content, mimetype in email.alternatives] == ["text/html"]


def test_leaving_a_cohort_cancels_nothing_for_an_offered_place_told_of_a_change(
    organiser, cohort, mentoring_series, future, django_capture_on_commit_callbacks
):
    """An offered place hears of a change, without an invitation (it holds no place yet): the
    outbox records what the message carried, not merely its kind."""
    full = session(mentoring_series, future[0], capacity=1, seats_taken=1, offer_hold_hours=24)
    record(full, "first@example.org", attendance="", source="online")
    enrolment = services.enrol(cohort=cohort, name="Leyla Hasanova", email="leyla@example.org")
    assert promote_from_the_waiting_list(full, django_capture_on_commit_callbacks).status == "offered"
    mail.outbox = []
    move(full, django_capture_on_commit_callbacks, by=organiser)
    (change,) = sent_to("leyla@example.org")
    assert calendar_files(change) == {}

    email = leave(enrolment, django_capture_on_commit_callbacks)

    assert calendar_files(email) == {}
    assert "calendar" not in email.body


def test_leaving_a_cohort_says_so_in_azerbaijani(
    organiser, cohort, mentoring_series, future, django_capture_on_commit_callbacks
):
    MessagePreference.objects.create(email="leyla@example.org", language="az")
    moved = [session(mentoring_series, start) for start in future[:2]]
    enrolment = services.enrol(cohort=cohort, name="Leyla Hasanova", email="leyla@example.org")
    move(moved[0], django_capture_on_commit_callbacks, by=organiser)

    singular = leave(enrolment, django_capture_on_commit_callbacks)

    assert "Əlavə edilmiş təqvim yeniləməsi təqviminizdə olan görüşü oradan silir." in singular.body
    assert list(calendar_files(singular)) == ["invite.ics"]

    enrolment = services.enrol(cohort=cohort, name="Leyla Hasanova", email="leyla@example.org")
    for event in moved:
        move(event, django_capture_on_commit_callbacks, by=organiser)

    plural = leave(enrolment, django_capture_on_commit_callbacks)

    assert "Əlavə edilmiş təqvim yeniləmələri təqviminizdə olan 2 görüşü oradan silir." in plural.body
    assert list(calendar_files(plural)) == ["invite-1.ics", "invite-2.ics"]


def test_leaving_a_cohort_leaves_out_a_session_deleted_before_the_message_went(
    organiser, cohort, mentoring_series, future, django_capture_on_commit_callbacks
):
    moved = [session(mentoring_series, start) for start in future[:2]]
    enrolment = services.enrol(cohort=cohort, name="Leyla Hasanova", email="leyla@example.org")
    for event in moved:
        move(event, django_capture_on_commit_callbacks, by=organiser)
    mail.outbox = []
    with django_capture_on_commit_callbacks() as sending:
        services.leave_cohort(enrolment=enrolment)
    moved[1].delete()

    for send in sending:
        send()

    (email,) = sent_to("leyla@example.org")
    calendars = calendar_files(email)
    assert list(calendars) == ["invite.ics"]
    (vevent,) = calendars["invite.ics"].walk("VEVENT")
    assert str(vevent["UID"]) == event_uid(moved[0])
    assert SINGULAR in email.body
    assert "2 sessions" not in email.body


def test_leaving_a_cohort_says_places_and_waiting_lists_apart(
    cohort, mentoring_series, future, django_capture_on_commit_callbacks
):
    booked = session(mentoring_series, future[0])
    full = session(mentoring_series, future[1], capacity=1, seats_taken=1)
    record(full, "first@example.org", attendance="", source="online")
    enrolment = services.enrol(cohort=cohort, name="Leyla Hasanova", email="leyla@example.org")
    assert Registration.objects.get(event=full, email="leyla@example.org").status == "waitlisted"

    email = leave(enrolment, django_capture_on_commit_callbacks)

    places, waiting = email.body.split("You are also off the waiting list for:")
    assert "Your seats at its coming sessions are cancelled:" in places
    assert booked.title in places
    assert full.title not in places
    assert full.title in waiting
    assert booked.title not in waiting
    assert "calendar" not in email.body  # enrolling sent no invitation: nothing attached, nothing said


def test_leaving_a_cohort_only_waiting_says_no_place_was_cancelled(
    cohort, mentoring_series, future, django_capture_on_commit_callbacks
):
    full = session(mentoring_series, future[0], capacity=1, seats_taken=1)
    record(full, "first@example.org", attendance="", source="online")
    enrolment = services.enrol(cohort=cohort, name="Leyla Hasanova", email="leyla@example.org")

    email = leave(enrolment, django_capture_on_commit_callbacks)

    assert "Your seats" not in email.body
    assert "You are also" not in email.body
    assert f"You are off the waiting list for its coming sessions:\n- {full.title}" in email.body


def test_leaving_a_cohort_says_places_and_waiting_lists_apart_in_azerbaijani(
    cohort, mentoring_series, future, django_capture_on_commit_callbacks
):
    MessagePreference.objects.create(email="leyla@example.org", language="az")
    booked = session(mentoring_series, future[0])
    full = session(mentoring_series, future[1], capacity=1, seats_taken=1)
    record(full, "first@example.org", attendance="", source="online")
    enrolment = services.enrol(cohort=cohort, name="Leyla Hasanova", email="leyla@example.org")

    email = leave(enrolment, django_capture_on_commit_callbacks)

    places, waiting = email.body.split("Siz həmçinin bu görüşlərin gözləmə siyahısından çıxarıldınız:")
    assert "Qarşıdakı görüşlərindəki yerləriniz ləğv edildi:" in places
    assert (booked.title in places, full.title in places) == (True, False)
    assert (full.title in waiting, booked.title in waiting) == (True, False)


def test_leaving_a_cohort_queues_its_places_and_waiting_lists_apart(
    cohort, mentoring_series, future, django_capture_on_commit_callbacks
):
    booked = session(mentoring_series, future[0])
    full = session(mentoring_series, future[1], capacity=1, seats_taken=1)
    record(full, "first@example.org", attendance="", source="online")
    enrolment = services.enrol(cohort=cohort, name="Leyla Hasanova", email="leyla@example.org")

    leave(enrolment, django_capture_on_commit_callbacks)

    context = OutboxMessage.objects.get(kind="cohort_left").context
    assert [entry["event"] for entry in context["cancelled_places"]] == [booked.pk]
    assert [entry["event"] for entry in context["left_waiting_lists"]] == [full.pk]
    assert "sessions" not in context
    # in the session's zone with its offset, as the API writes an event's times
    assert context["cancelled_places"][0]["start"] == booked.local_start.isoformat()
    assert context["cancelled_places"][0]["start"].endswith("+04:00")


def _entry(event, **marks) -> dict:
    return {"title": event.title, "start": event.start.isoformat(), "zone": event.timezone, "event": event.pk, **marks}


def queued_before_the_split(enrolment, sessions: list[dict], capture):
    """A cohort_left row as leave_cohort queued it before it told places and waiting lists apart
    (one "sessions" list): such rows wait in the outbox, or are sent again by an organiser."""
    mail.outbox = []
    with capture(execute=True):
        queue_message(
            kind="cohort_left",
            recipient_email=enrolment.email,
            recipient_name=enrolment.name,
            about=enrolment,
            context={"cohort_name": enrolment.cohort.name, "programme_title": "Mentoring", "sessions": sessions},
        )
    (email,) = sent_to(enrolment.email)
    return email


def test_a_cohort_left_queued_with_marked_sessions_still_says_them_apart_and_cancels(
    cohort, mentoring_series, future, django_capture_on_commit_callbacks
):
    booked, waited = session(mentoring_series, future[0]), session(mentoring_series, future[1])
    enrolment = services.enrol(cohort=cohort, name="Leyla Hasanova", email="leyla@example.org")
    sessions = [_entry(booked, in_calendar=True, waitlisted=False), _entry(waited, in_calendar=False, waitlisted=True)]

    email = queued_before_the_split(enrolment, sessions, django_capture_on_commit_callbacks)

    places, waiting = email.body.split("You are also off the waiting list for:")
    assert (booked.title in places, waited.title in places) == (True, False)
    assert (waited.title in waiting, booked.title in waiting) == (True, False)
    (vevent,) = calendar_files(email)["invite.ics"].walk("VEVENT")
    assert str(vevent["UID"]) == event_uid(booked)
    assert SINGULAR in email.body


def test_a_cohort_left_queued_before_sessions_were_marked_lists_them_all_as_places(
    cohort, mentoring_series, future, django_capture_on_commit_callbacks
):
    first, second = session(mentoring_series, future[0]), session(mentoring_series, future[1])
    enrolment = services.enrol(cohort=cohort, name="Leyla Hasanova", email="leyla@example.org")

    email = queued_before_the_split(enrolment, [_entry(first), _entry(second)], django_capture_on_commit_callbacks)

    assert f"Your seats at its coming sessions are cancelled:\n- {first.title}" in email.body
    assert second.title in email.body
    assert "waiting list" not in email.body
    assert calendar_files(email) == {}
