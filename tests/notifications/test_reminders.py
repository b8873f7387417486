"""Reminders are due-time driven: a frozen ``now`` shows what the every-minute scan does."""

import datetime as dt

from django.core import mail
from django.utils import timezone
from django.utils.module_loading import import_string

from events.models import EventStatus
from events.services import update_event
from notifications import kinds
from notifications.models import OutboxMessage, OutboxStatus
from registrations.models import Registration, RegistrationStatus
from registrations.services.reminders import queue_due_reminders, reminder_key
from tests import factories
from tests.notifications.conftest import make_registration

# a month ahead of the real clock, 14:00 UTC (18:00 in Baku): sending refuses a reminder for an event that
# has started, so a fixed date here would fail every test once that date had passed
START = (timezone.now() + dt.timedelta(days=30)).replace(hour=14, minute=0, second=0, microsecond=0)


def _event(**fields):
    fields.setdefault("start", START)
    fields.setdefault("end", fields["start"] + dt.timedelta(hours=2))
    return factories.EventFactory(title="CV clinic", **fields)


def _reminders():
    return list(OutboxMessage.objects.filter(kind=kinds.REMINDER).order_by("pk"))


def test_nothing_is_due_before_the_first_offset(db, django_capture_on_commit_callbacks):
    event = _event()
    make_registration(event)

    with django_capture_on_commit_callbacks(execute=True):
        queued = queue_due_reminders(now=START - dt.timedelta(days=1, minutes=1))

    assert queued == 0
    assert mail.outbox == []


def test_day_before_reminder_goes_to_confirmed_registrations_only(db, django_capture_on_commit_callbacks):
    event = _event()
    confirmed = make_registration(event, email="confirmed@example.org")
    make_registration(event, email="waiting@example.org", status=RegistrationStatus.WAITLISTED)
    make_registration(event, email="gone@example.org", status=RegistrationStatus.CANCELLED)

    with django_capture_on_commit_callbacks(execute=True):
        queued = queue_due_reminders(now=START - dt.timedelta(days=1))

    assert queued == 1
    assert [email.to for email in mail.outbox] == [[f"{confirmed.name} <confirmed@example.org>"]]
    assert "starts tomorrow" in mail.outbox[0].body
    assert _reminders()[0].dedup_key == reminder_key(registration_id=confirmed.pk, offset=1440, event_start=START)


def test_scan_every_minute_sends_each_reminder_once(db, django_capture_on_commit_callbacks):
    event = _event()
    make_registration(event)

    with django_capture_on_commit_callbacks(execute=True):
        for minute in range(5):
            queue_due_reminders(now=START - dt.timedelta(days=1) + dt.timedelta(minutes=minute))
        for minute in range(5):
            queue_due_reminders(now=START - dt.timedelta(hours=1) + dt.timedelta(minutes=minute))

    assert [message.dedup_key.split(":")[2] for message in _reminders()] == ["1440", "60"]
    assert len(mail.outbox) == 2
    assert "starts in one hour" in mail.outbox[1].body


def test_catch_up_after_downtime_sends_only_the_latest_due_reminder(db, django_capture_on_commit_callbacks):
    event = _event()
    make_registration(event)

    # the worker was down from two days before until 30 minutes before the start
    with django_capture_on_commit_callbacks(execute=True):
        queue_due_reminders(now=START - dt.timedelta(minutes=30))

    assert [message.dedup_key.split(":")[2] for message in _reminders()] == ["60"]
    assert len(mail.outbox) == 1


def test_catch_up_sends_nothing_for_an_event_that_has_started_or_ended(db, django_capture_on_commit_callbacks):
    event = _event()
    make_registration(event)

    with django_capture_on_commit_callbacks(execute=True):
        during = queue_due_reminders(now=START + dt.timedelta(minutes=5))
        after = queue_due_reminders(now=START + dt.timedelta(days=1))

    assert during == after == 0
    assert mail.outbox == []


def test_no_reminders_for_a_cancelled_or_draft_event(db, django_capture_on_commit_callbacks):
    for status in (EventStatus.CANCELLED, EventStatus.DRAFT):
        make_registration(_event(status=status))

    with django_capture_on_commit_callbacks(execute=True):
        queued = queue_due_reminders(now=START - dt.timedelta(minutes=30))

    assert queued == 0


def test_rescheduled_event_moves_its_reminders(db, django_capture_on_commit_callbacks):
    event = _event()
    registration = make_registration(event)
    with django_capture_on_commit_callbacks(execute=True):
        queue_due_reminders(now=START - dt.timedelta(days=1))
    assert len(mail.outbox) == 1

    # the organiser moves the event two days later
    new_start = START + dt.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        update_event(event=event, start=new_start, end=new_start + dt.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        at_old_time = queue_due_reminders(now=START - dt.timedelta(hours=1))
        day_before_new = queue_due_reminders(now=new_start - dt.timedelta(days=1))

    reminders = [email for email in mail.outbox if email.subject.startswith("Reminder")]
    assert at_old_time == 0
    assert day_before_new == 1
    assert len(reminders) == 2
    assert f"{new_start.astimezone(event.zone):%A %-d %B %Y}" in reminders[1].body
    assert _reminders()[-1].dedup_key == reminder_key(
        registration_id=registration.pk, offset=1440, event_start=new_start
    )


def test_reminder_queued_before_a_move_is_not_sent_for_the_old_time(db, django_capture_on_commit_callbacks):
    event = _event()
    make_registration(event)
    with django_capture_on_commit_callbacks(execute=False):
        queue_due_reminders(now=START - dt.timedelta(days=1))  # queued; the worker is busy

    new_start = START + dt.timedelta(days=2)
    event.start, event.end = new_start, new_start + dt.timedelta(hours=2)
    event.save(update_fields=["start", "end"])
    from notifications.services import send_outbox_messages

    send_outbox_messages(message_ids=[message.pk for message in _reminders()])

    (stale,) = _reminders()
    assert stale.status == OutboxStatus.CANCELLED
    assert "moved" in stale.last_error
    assert mail.outbox == []


def test_per_event_offsets_are_respected(db, django_capture_on_commit_callbacks):
    event = _event(reminder_offsets=[10080, 15])  # a week and a quarter of an hour
    make_registration(event)

    with django_capture_on_commit_callbacks(execute=True):
        week = queue_due_reminders(now=START - dt.timedelta(days=7))
        day = queue_due_reminders(now=START - dt.timedelta(days=1))
        quarter = queue_due_reminders(now=START - dt.timedelta(minutes=15))

    assert (week, day, quarter) == (1, 0, 1)
    assert "starts in 7 days" in mail.outbox[0].body
    assert "starts in 15 minutes" in mail.outbox[1].body


def test_someone_confirmed_after_the_reminder_time_is_not_reminded_of_it(db, django_capture_on_commit_callbacks):
    event = _event()
    late = make_registration(event, email="late@example.org")
    late.confirmed_at = START - dt.timedelta(hours=3)
    late.save(update_fields=["confirmed_at"])

    with django_capture_on_commit_callbacks(execute=True):
        day = queue_due_reminders(now=START - dt.timedelta(hours=2))
        hour = queue_due_reminders(now=START - dt.timedelta(hours=1))

    assert (day, hour) == (0, 1)


def test_scan_is_a_few_queries_once_everyone_has_their_reminder(
    db, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    event = _event()
    for n in range(20):
        make_registration(event, email=f"p{n}@example.org")
    # a place booked at the door without an address: nobody to remind, and no reason to read on
    walk_in = make_registration(event, source="walk_in")
    Registration.objects.filter(pk=walk_in.pk).update(email="")
    now = START - dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        queue_due_reminders(now=now)

    # 4, and the savepoint that keeps one event's failure from the others (tests run in a transaction)
    with django_assert_max_num_queries(6):
        assert queue_due_reminders(now=now + dt.timedelta(minutes=1)) == 0


def test_online_event_reminder_carries_the_join_link(db, django_capture_on_commit_callbacks):
    webinar = factories.WebinarFactory(
        title="Careers in data science",
        start=START,
        end=START + dt.timedelta(hours=1),
        join_url="https://meet.example.org/x",
    )
    make_registration(webinar)

    with django_capture_on_commit_callbacks(execute=True):
        queue_due_reminders(now=START - dt.timedelta(hours=1))

    assert "https://meet.example.org/x" in mail.outbox[0].body
    assert timezone.is_aware(_reminders()[0].event_start)


def test_the_old_task_name_still_queues_reminders(db, django_capture_on_commit_callbacks):
    # django-q2 stores the dotted path: a job or schedule queued before the scan moved to registrations
    soon = timezone.now() + dt.timedelta(minutes=50)
    event = _event(start=soon, end=soon + dt.timedelta(hours=1), reminder_offsets=[60])
    attendee = make_registration(event)

    with django_capture_on_commit_callbacks(execute=True):
        queued = import_string("notifications.tasks.queue_due_reminders")()

    assert queued == 1
    assert [message.recipient_email for message in _reminders()] == [attendee.email]


def test_reminder_queued_before_the_registration_was_cancelled_is_not_sent(db, django_capture_on_commit_callbacks):
    from notifications.services import send_outbox_messages
    from registrations.services.registration import cancel_registration

    event = _event(seats_taken=1)
    registration = make_registration(event)
    with django_capture_on_commit_callbacks(execute=False):
        queue_due_reminders(now=START - dt.timedelta(days=1))  # queued; the worker is busy
    with django_capture_on_commit_callbacks(execute=True):
        cancel_registration(registration=registration)
    mail.outbox.clear()  # the cancellation's own message

    send_outbox_messages(message_ids=[message.pk for message in _reminders()])

    (stale,) = _reminders()
    assert (stale.status, stale.last_error) == (
        OutboxStatus.CANCELLED,
        "The registration is cancelled now; this message would no longer be true.",
    )
    assert mail.outbox == []
