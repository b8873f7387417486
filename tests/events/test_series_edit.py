"""A series edit that keeps its dates and changes its sessions' details (title, place, duration,
capacity...) reaches up to 400 sessions in one request: the same number of queries whatever their
number, with every outcome of update_event session by session (fields, SEQUENCE, log entries,
refusals, the registrants' and speakers' notices in their own language, sessions handed over)."""

import datetime as dt
import zoneinfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events import services
from events.models import ActionLogEntry, Event, EventStatus
from notifications.models import OutboxMessage, OutboxStatus
from registrations.models import ChangeNotice
from registrations.services.registration import register
from tests.factories import OrganiserFactory, SpeakerAssignmentFactory

pytestmark = pytest.mark.django_db

BAKU = zoneinfo.ZoneInfo("Asia/Baku")


def _series(*, by, count: int, **fields):
    start = (timezone.now().astimezone(BAKU) + dt.timedelta(days=7)).replace(
        hour=18, minute=30, second=0, microsecond=0
    )
    values = {
        "title": "Mentoring circle",
        "kind": "mentoring_session",
        "format": "in_person",
        "venue_name": "Old hall",
        "timezone": "Asia/Baku",
        "rrule": f"FREQ=WEEKLY;COUNT={count}",
        "first_start": start,
        "duration_minutes": 90,
        "published": True,
    } | fields
    return services.create_series(by=by, **values)


def _queries_of_a_details_edit(count: int, django_capture_on_commit_callbacks) -> int:
    organiser = OrganiserFactory()
    series = _series(by=organiser, count=count)
    for index, event in enumerate(series.occurrences.all()):
        register(event=event, name=f"Mentee {index}", email=f"mentee{index}@example.org", consent_data_processing=True)
        SpeakerAssignmentFactory(event=event, status="accepted")
    ContentType.objects.clear_cache()  # each run looks up the content types its messages are about
    with django_capture_on_commit_callbacks(execute=False), CaptureQueriesContext(connection) as queries:
        services.update_series(
            series=series, by=organiser, title="Mentoring hour", venue_name="New hall", duration_minutes=60
        )
    assert set(series.occurrences.values_list("title", "venue_name")) == {("Mentoring hour", "New hall")}
    return len(queries)


def test_a_series_details_edit_asks_the_same_queries_for_twice_the_sessions(django_capture_on_commit_callbacks):
    """Renaming a published series, moving it to another hall and shortening its sessions, each
    with a registrant and a speaker: the sessions are validated, written, logged and their notices
    queued together. Session by session it took about 20 queries each (12.8 s for 400)."""
    three = _queries_of_a_details_edit(3, django_capture_on_commit_callbacks)
    six = _queries_of_a_details_edit(6, django_capture_on_commit_callbacks)

    assert six == three


def test_a_series_details_edit_tells_registrants_and_speakers_as_editing_each_session_did(
    django_capture_on_commit_callbacks,
):
    organiser, newcomer = OrganiserFactory(), OrganiserFactory()
    series = _series(by=organiser, count=3)
    first, handed, third = series.occurrences.order_by("start")
    handed.organisers.set([newcomer])  # another organiser's session now: the series leaves it
    aysel = register(
        event=first, name="Aysel Aliyeva", email="aysel@example.org", consent_data_processing=True, language="az"
    )
    jane = register(event=third, name="Jane Doe", email="jane@example.org", consent_data_processing=True, language="en")
    register(event=handed, name="Leyla Mammadova", email="leyla@example.org", consent_data_processing=True)
    speaker = SpeakerAssignmentFactory(event=third, status="accepted", role="moderator")
    SpeakerAssignmentFactory(event=first, status="declined")
    before = {event.pk: Event.objects.get(pk=event.pk) for event in (first, handed, third)}
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.update_series(
            series=series, by=organiser, title="Mentoring hour", venue_name="New hall", duration_minutes=60
        )

    for event in (first, third):
        event.refresh_from_db()
        was = before[event.pk]
        assert (event.title, event.venue_name, event.status) == ("Mentoring hour", "New hall", EventStatus.PUBLISHED)
        assert (event.start, event.end) == (was.start, was.start + dt.timedelta(minutes=60))
        assert event.sequence == was.sequence + 1  # the place and the end moved
        assert event.updated_at > was.updated_at  # the feeds' ETags move
        assert event.detached_from_series is False
        entry = ActionLogEntry.objects.filter(event=event).order_by("-pk").first()
        assert (entry.action, entry.actor, entry.data) == (
            "event.changed",
            organiser,  # who changed the series, named in each session's Activity
            {"fields": ["end", "title", "venue_name"]},
        )
    handed.refresh_from_db()
    assert (handed.title, handed.venue_name, handed.sequence) == (
        "Mentoring circle",
        "Old hall",
        before[handed.pk].sequence,
    )
    assert not ActionLogEntry.objects.filter(event=handed, action="event.changed").exists()

    changed = OutboxMessage.objects.filter(kind="event_changed")
    assert sorted(changed.values_list("recipient_email", "event_id", "dedup_key", "context")) == sorted(
        [
            (
                "aysel@example.org",
                first.pk,
                f"event_changed:registrations.registration:{aysel.pk}:aysel@example.org:seq{first.sequence}",
                {"changed": "place, time"},
            ),
            (
                "jane@example.org",
                third.pk,
                f"event_changed:registrations.registration:{jane.pk}:jane@example.org:seq{third.sequence}",
                {"changed": "place, time"},
            ),
            (
                speaker.speaker.email,
                third.pk,
                f"event_changed:speaker:{speaker.pk}:{third.sequence}",
                {"changed_fields": ["end", "venue_name"], "role": "Moderator"},
            ),
        ]
    )
    assert set(changed.values_list("status", flat=True)) == {OutboxStatus.SENT}
    assert not ChangeNotice.objects.exists()
    sent = {message.to[0]: message for message in mail.outbox}
    assert set(sent) == {
        "Aysel Aliyeva <aysel@example.org>",
        "Jane Doe <jane@example.org>",
        f"{speaker.speaker.name} <{speaker.speaker.email}>",
    }
    aysel_mail, jane_mail = sent["Aysel Aliyeva <aysel@example.org>"], sent["Jane Doe <jane@example.org>"]
    assert "Mentoring hour" in aysel_mail.subject and "Mentoring hour" in jane_mail.subject
    assert aysel_mail.subject != jane_mail.subject  # each in the registrant's own language
    assert "New hall" in aysel_mail.body and "New hall" in jane_mail.body
    assert "Mentoring hour" in sent[f"{speaker.speaker.name} <{speaker.speaker.email}>"].subject


def test_a_series_rename_raises_no_sequence_and_tells_nobody(django_capture_on_commit_callbacks):
    organiser = OrganiserFactory()
    series = _series(by=organiser, count=2)
    sessions = list(series.occurrences.order_by("start"))
    register(event=sessions[0], name="Aysel Aliyeva", email="aysel@example.org", consent_data_processing=True)
    SpeakerAssignmentFactory(event=sessions[1], status="accepted")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.update_series(series=series, by=organiser, title="Mentoring hour", description="Bring a laptop.")

    assert list(series.occurrences.order_by("start").values_list("title", "description", "sequence")) == [
        ("Mentoring hour", "Bring a laptop.", event.sequence) for event in sessions
    ]
    assert (
        list(ActionLogEntry.objects.filter(action="event.changed").values_list("data", flat=True))
        == [{"fields": ["description", "title"]}] * 2
    )
    assert not OutboxMessage.objects.filter(kind="event_changed").exists()
    assert mail.outbox == []


def test_a_speakers_notice_still_waiting_is_replaced_by_the_series_edit_naming_both_changes(
    django_capture_on_commit_callbacks,
):
    organiser = OrganiserFactory()
    series = _series(by=organiser, count=2)
    session = series.occurrences.order_by("start").first()
    speaker = SpeakerAssignmentFactory(event=session, status="accepted")
    with django_capture_on_commit_callbacks(execute=False):
        services.update_series(series=series, by=organiser, venue_name="New hall")
        services.update_series(series=series, by=organiser, duration_minutes=60)

    messages = OutboxMessage.objects.filter(kind="event_changed", about_id=speaker.pk).order_by("pk")
    assert [(message.status, message.context) for message in messages] == [
        (OutboxStatus.CANCELLED, {"changed_fields": ["venue_name"], "role": speaker.get_role_display()}),
        (OutboxStatus.PENDING, {"changed_fields": ["end", "venue_name"], "role": speaker.get_role_display()}),
    ]


def _queries_of_a_capacity_raise(count: int, django_capture_on_commit_callbacks) -> int:
    organiser = OrganiserFactory()
    series = _series(by=organiser, count=count, capacity=1)
    for index, event in enumerate(series.occurrences.all()):
        register(event=event, name=f"Mentee {index}", email=f"mentee{index}@example.org", consent_data_processing=True)
    with django_capture_on_commit_callbacks(execute=False), CaptureQueriesContext(connection) as queries:
        services.update_series(series=series, by=organiser, capacity=10)
    assert set(series.occurrences.values_list("capacity", flat=True)) == {10}
    return len(queries)


def test_a_series_capacity_raise_asks_the_same_queries_for_twice_the_sessions_nobody_waits_at(
    django_capture_on_commit_callbacks,
):
    """Only a session with people waiting has its waiting list served (one query finds them)."""
    three = _queries_of_a_capacity_raise(3, django_capture_on_commit_callbacks)
    six = _queries_of_a_capacity_raise(6, django_capture_on_commit_callbacks)

    assert six == three


def test_a_series_capacity_raise_seats_the_people_waiting_in_order(django_capture_on_commit_callbacks):
    organiser = OrganiserFactory()
    series = _series(by=organiser, count=2, capacity=1)
    first, second = series.occurrences.order_by("start")
    register(event=first, name="Aysel Aliyeva", email="aysel@example.org", consent_data_processing=True)
    leyla = register(event=first, name="Leyla Mammadova", email="leyla@example.org", consent_data_processing=True)
    nigar = register(event=first, name="Nigar Huseynova", email="nigar@example.org", consent_data_processing=True)
    register(event=second, name="Jane Doe", email="jane@example.org", consent_data_processing=True)
    assert (leyla.status, nigar.status) == ("waitlisted", "waitlisted")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.update_series(series=series, by=organiser, capacity=2)

    leyla.refresh_from_db()
    nigar.refresh_from_db()
    first.refresh_from_db()
    assert (leyla.status, nigar.status) == ("confirmed", "waitlisted")
    assert (first.capacity, first.seats_taken, first.waiting_count) == (2, 2, 1)
    assert [message.to for message in mail.outbox] == [["Leyla Mammadova <leyla@example.org>"]]
    promoted = OutboxMessage.objects.filter(kind="waiting_list_promoted")
    assert list(promoted.values_list("recipient_email", flat=True)) == ["leyla@example.org"]


def test_a_series_capacity_below_a_sessions_seats_is_refused_and_changes_nothing():
    organiser = OrganiserFactory()
    series = _series(by=organiser, count=2, capacity=5)
    sessions = list(series.occurrences.order_by("start"))
    for index in range(2):
        register(
            event=sessions[1], name=f"Mentee {index}", email=f"mentee{index}@example.org", consent_data_processing=True
        )

    with pytest.raises(ValidationError) as refused:
        services.update_series(series=series, by=organiser, capacity=1, title="Mentoring hour")

    assert [error.code for error in refused.value.error_dict[NON_FIELD_ERRORS]] == ["capacity_below_taken"]
    assert set(Event.objects.filter(series=series).values_list("title", "capacity")) == {("Mentoring circle", 5)}
    assert not ActionLogEntry.objects.filter(action="event.changed").exists()


def test_the_bulk_edit_knows_every_constraint_of_an_event():
    """events.services judges the check constraints of the sessions a series edits in Python (the
    database, asked session by session, took a query each): a new constraint is added there too."""
    assert {constraint.name for constraint in Event._meta.constraints} == {
        "event_ends_after_start",
        "event_seats_within_capacity",
        "event_unique_series_occurrence",
    }
    assert set(services._CONSTRAINTS_IN_PYTHON) == {"event_ends_after_start", "event_seats_within_capacity"}
