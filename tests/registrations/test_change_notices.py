"""A series edit tells every registrant of every session, but not inside the request: the request
writes each changed session's pending change and queues one job for all of them after commit (one a
session before: 400 jobs for a series of 400); the job writes the notices, exactly once."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.services import sync_series_occurrences, update_event, update_series
from notifications import kinds
from notifications.models import OutboxMessage, OutboxStatus
from registrations import tasks
from registrations.models import ChangeNotice, Registration
from registrations.services import messages
from tests.factories import SeriesFactory

pytestmark = pytest.mark.django_db


def series_with(*, sessions: int, registrants: int):
    series = SeriesFactory(rrule=f"FREQ=WEEKLY;COUNT={sessions}", published=True, venue_name="Old Hall")
    sync_series_occurrences(series=series)
    Registration.objects.bulk_create(
        Registration(
            event=event,
            name=f"Person {number}",
            email=f"person{number}@example.org",
            status="confirmed",
            seats_held=1,
            consent_data_processing=True,
        )
        for event in series.occurrences.all()
        for number in range(registrants)
    )
    return series


def notices():
    return OutboxMessage.objects.filter(kind=kinds.EVENT_CHANGED)


def test_series_edit_queues_no_notice_in_the_request(django_capture_on_commit_callbacks):
    series = series_with(sessions=3, registrants=4)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        update_series(series=series, venue_name="New Hall")

    assert notices().count() == 0  # nothing written while the request holds its worker
    assert ChangeNotice.objects.count() == 3  # one pending change a session, committed with the edit
    assert len(callbacks) == 1  # one job for all of them, run after commit


def queries_of_a_series_edit(series, capture) -> int:
    with capture(execute=False), CaptureQueriesContext(connection) as queries:
        update_series(series=series, venue_name="New Hall")
    return len(queries)


def test_series_edit_takes_as_many_queries_whatever_the_registrants(django_capture_on_commit_callbacks):
    few = series_with(sessions=2, registrants=1)
    many = series_with(sessions=2, registrants=501)

    assert queries_of_a_series_edit(many, django_capture_on_commit_callbacks) == queries_of_a_series_edit(
        few, django_capture_on_commit_callbacks
    )


def test_series_edit_tells_each_registrant_of_each_session_once(django_capture_on_commit_callbacks):
    series = series_with(sessions=3, registrants=2)
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        update_series(series=series, venue_name="New Hall")
        sent = list(ChangeNotice.objects.values_list("pk", flat=True))
    assert len(sent) == 3 and not ChangeNotice.objects.exists()  # one a session, each forgotten once told
    for pending in sent:  # the job delivered twice writes nothing more
        assert tasks.send_change_notice(pending) == 0

    assert notices().filter(status=OutboxStatus.SENT).count() == 6
    assert notices().count() == 6
    assert len(mail.outbox) == 6
    assert {message.to[0] for message in mail.outbox} == {f"Person {n} <person{n}@example.org>" for n in (0, 1)}


def test_two_changes_in_one_commit_make_one_notice_naming_both(django_capture_on_commit_callbacks):
    series = series_with(sessions=1, registrants=2)
    event = series.occurrences.get()
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        update_event(event=event, venue_name="New Hall")
        update_event(event=event, join_url="https://meet.example.org/a", format="hybrid")

    assert notices().count() == 2
    assert {row.context["changed"] for row in notices()} == {"format, join details, place"}
    assert len(mail.outbox) == 2


def test_a_place_taken_after_the_change_hears_of_nothing(django_capture_on_commit_callbacks):
    series = series_with(sessions=1, registrants=1)
    event = series.occurrences.get()
    with django_capture_on_commit_callbacks(execute=False):
        update_event(event=event, venue_name="New Hall")
    Registration.objects.create(
        event=event, name="Late", email="late@example.org", status="confirmed", consent_data_processing=True
    )
    # the job runs after the later registration (the worker was busy)
    (pending,) = ChangeNotice.objects.values_list("pk", flat=True)
    tasks.send_change_notice(pending)

    assert list(notices().values_list("recipient_email", flat=True)) == ["person0@example.org"]


def test_a_change_whose_job_was_lost_is_told_by_the_sweep_once(django_capture_on_commit_callbacks):
    """The notices no longer commit with the change: its ChangeNotice row does. A job lost on the
    way (a worker killed, the broker away at commit) left the registrants untold for good."""
    import datetime as dt

    from django.utils import timezone

    series = series_with(sessions=1, registrants=2)
    event = series.occurrences.get()
    with django_capture_on_commit_callbacks(execute=False):  # its job never runs
        update_event(event=event, venue_name="New Hall")

    too_soon = tasks.send_lost_change_notices()  # a job due any second is not lost yet
    later = timezone.now() + dt.timedelta(minutes=3)
    with django_capture_on_commit_callbacks(execute=True):
        swept = messages.send_lost_change_notices(now=later)
    again = messages.send_lost_change_notices(now=later)

    assert (too_soon, swept, again) == (0, 2, 0)
    assert sorted(notices().values_list("recipient_email", flat=True)) == ["person0@example.org", "person1@example.org"]
    assert not ChangeNotice.objects.exists()
