import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from events import services, signals
from events.exceptions import EventError, InvalidTransition
from events.models import Event, EventStatus
from tests.factories import EventFactory, OrganiserFactory, SeriesFactory, region

pytestmark = pytest.mark.django_db


def test_create_event_makes_creator_its_organiser_as_a_draft():
    organiser = OrganiserFactory()
    start = dt.datetime(2027, 3, 1, 10, tzinfo=dt.UTC)

    event = services.create_event(
        by=organiser, title="CV clinic", kind="workshop", start=start, end=start + dt.timedelta(hours=2)
    )

    assert event.status == EventStatus.DRAFT
    assert list(event.organisers.all()) == [organiser]


@pytest.mark.parametrize(
    ("fields", "field_with_error"),
    [
        ({"end": dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC)}, "__all__"),
        ({"capacity": 0}, "capacity"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"kind": "outreach_visit"}, "region"),
        ({"kind": "webinar", "format": "in_person"}, "format"),
        ({"reminder_offsets": [60, -5]}, "reminder_offsets"),
        (
            {
                "registration_opens_at": dt.datetime(2027, 2, 1, tzinfo=dt.UTC),
                "registration_closes_at": dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
            },
            "registration_closes_at",
        ),
    ],
)
def test_create_event_rejects_inconsistent_fields(fields, field_with_error):
    start = dt.datetime(2027, 3, 1, 10, tzinfo=dt.UTC)
    values = {"title": "Bad", "kind": "workshop", "start": start, "end": start + dt.timedelta(hours=1), **fields}

    with pytest.raises(ValidationError) as caught:
        services.create_event(by=None, **values)

    assert field_with_error in caught.value.message_dict
    assert Event.objects.count() == 0


@pytest.mark.parametrize("field", ["registration_closes_at", "rsvp_deadline"])
def test_create_event_refuses_a_closing_time_or_deadline_after_its_end(field):
    start = dt.datetime(2027, 3, 1, 10, tzinfo=dt.UTC)
    values = {"title": "Roundtable", "kind": "workshop", "start": start, "end": start + dt.timedelta(hours=2)}

    with pytest.raises(ValidationError) as caught:
        services.create_event(by=None, **values, **{field: start + dt.timedelta(days=30)})
    at_the_end = services.create_event(by=None, **values, **{field: start + dt.timedelta(hours=2)})

    assert list(caught.value.message_dict) == [field]
    assert getattr(at_the_end, field) == values["end"]


@pytest.mark.parametrize("field", ["registration_opens_at", "registration_closes_at", "rsvp_deadline"])
def test_moving_only_the_end_before_a_time_bound_by_it_is_an_error_on_the_end(field):
    event = EventFactory(status=EventStatus.DRAFT, published_at=None)
    setattr(event, field, event.end - dt.timedelta(minutes=30))
    event.save()

    with pytest.raises(ValidationError) as caught:
        services.update_event(event=event, end=event.end - dt.timedelta(hours=1))

    assert list(caught.value.message_dict) == ["end"]
    assert caught.value.error_dict["end"][0].code == f"end_before_{field}"


def test_a_closing_time_stored_past_the_end_before_the_rule_does_not_block_other_edits():
    event = EventFactory(status=EventStatus.DRAFT, published_at=None)
    Event.objects.filter(pk=event.pk).update(registration_closes_at=event.end + dt.timedelta(days=1))

    services.update_event(event=event, title="Renamed")
    with pytest.raises(ValidationError) as caught:
        services.update_event(event=event, registration_closes_at=event.end + dt.timedelta(days=2))

    assert Event.objects.get(pk=event.pk).title == "Renamed"
    assert list(caught.value.message_dict) == ["registration_closes_at"]


def test_event_status_transitions():
    event = EventFactory(status=EventStatus.DRAFT, published_at=None)

    services.publish_event(event=event)
    assert event.status == EventStatus.PUBLISHED and event.published_at is not None
    event.start, event.end = event.start - dt.timedelta(days=400), event.end - dt.timedelta(days=400)
    services.complete_event(event=event)
    assert event.status == EventStatus.COMPLETED

    with pytest.raises(InvalidTransition) as caught:
        services.cancel_event(event=event)
    assert caught.value.code == "invalid_transition"


def test_cancel_event_raises_sequence_and_signals_once():
    event = EventFactory()
    received = []
    signals.event_cancelled.connect(
        lambda sender, **kwargs: received.append(kwargs["event"].pk), weak=False, dispatch_uid="t"
    )
    try:
        services.cancel_event(event=event, reason="Storm warning")
        services.cancel_event(event=event, reason="again")  # repeating is harmless
    finally:
        signals.event_cancelled.disconnect(dispatch_uid="t")

    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
    assert event.sequence == 1
    assert event.cancellation_reason == "Storm warning"
    assert received == [event.pk]
    with pytest.raises(InvalidTransition):
        services.publish_event(event=event)


def test_update_event_raises_sequence_only_for_time_or_place():
    event = EventFactory()
    changes = []
    signals.event_changed.connect(
        lambda sender, **kwargs: changes.append(kwargs["changed_fields"]), weak=False, dispatch_uid="t"
    )
    try:
        services.update_event(event=event, description="New text")
        services.update_event(
            event=event, start=event.start + dt.timedelta(days=1), end=event.end + dt.timedelta(days=1)
        )
        services.update_event(event=event, region=region("shaki"))
    finally:
        signals.event_changed.disconnect(dispatch_uid="t")

    event.refresh_from_db()
    assert event.sequence == 2
    assert changes == [frozenset({"description"}), frozenset({"start", "end"}), frozenset({"region"})]


def test_update_event_cannot_lower_capacity_below_seats_taken():
    event = EventFactory(capacity=10)
    Event.objects.filter(pk=event.pk).update(seats_taken=8)
    event.refresh_from_db()

    with pytest.raises(ValidationError) as caught:
        services.update_event(event=event, capacity=5)

    assert [error.code for error in caught.value.error_dict["__all__"]] == ["capacity_below_taken"]
    event.refresh_from_db()
    assert event.capacity == 10


def test_update_event_never_overwrites_seats_taken_from_a_stale_instance():
    event = EventFactory(capacity=10)
    Event.objects.filter(pk=event.pk).update(seats_taken=3)  # a registration landed meanwhile

    services.update_event(event=event, title="Renamed")

    event.refresh_from_db()
    assert (event.title, event.seats_taken) == ("Renamed", 3)


def test_update_event_rejects_status_change_and_edits_of_closed_events():
    event = EventFactory()

    with pytest.raises(EventError) as caught:
        services.update_event(event=event, status=EventStatus.CANCELLED)
    assert caught.value.code == "status_read_only"

    services.cancel_event(event=event)
    with pytest.raises(InvalidTransition) as caught:
        services.update_event(event=event, title="Too late")
    assert caught.value.code == "event_closed"


def test_update_event_judges_the_status_the_row_has_now_not_the_callers_copy():
    """The API and the workspace read the event before update_event's transaction: a cancel
    committed in between must not let an edit of the cancelled event through."""
    event = EventFactory()
    read_before = Event.objects.get(pk=event.pk)
    services.cancel_event(event=event)  # another organiser, meanwhile

    with pytest.raises(InvalidTransition) as caught:
        services.update_event(event=read_before, title="Renamed")

    assert caught.value.code == "event_closed"
    event.refresh_from_db()
    assert (event.status, event.title) == (EventStatus.CANCELLED, read_before.title)


def test_update_event_checks_a_time_change_against_the_row_it_locked():
    """A draft dated last month may be dated anywhere; published meanwhile, it is over and keeps
    its time, whatever the caller's copy still says."""
    event = _held_last_month(status=EventStatus.DRAFT, published_at=None)
    read_before = Event.objects.get(pk=event.pk)
    services.publish_event(event=event)  # another organiser, meanwhile
    start = event.start - dt.timedelta(days=7)

    with pytest.raises(InvalidTransition) as caught:
        services.update_event(event=read_before, start=start, end=start + dt.timedelta(hours=2))

    assert caught.value.code == "event_over"
    moved = Event.objects.get(pk=event.pk)
    assert (moved.start, moved.status) == (event.start, EventStatus.PUBLISHED)


def test_update_event_detaches_a_series_occurrence():
    series = SeriesFactory(rrule="FREQ=WEEKLY;COUNT=2")
    services.sync_series_occurrences(series=series)
    occurrence = series.occurrences.first()

    services.update_event(event=occurrence, title="Special session")

    occurrence.refresh_from_db()
    assert occurrence.detached_from_series is True


def test_an_event_still_to_come_cannot_be_completed():
    """Completed by mistake, it could no longer be moved, edited or cancelled, tickets and all."""
    event = EventFactory()

    with pytest.raises(InvalidTransition) as caught:
        services.complete_event(event=event)

    assert caught.value.code == "event_not_over"
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED


def _held_last_month(**fields) -> Event:
    """An event that took place a month ago (a factory event dated back, as time would)."""
    event = EventFactory(**fields)
    start = (timezone.now() - dt.timedelta(days=30)).replace(microsecond=0)
    Event.objects.filter(pk=event.pk).update(start=start, end=start + dt.timedelta(hours=2))
    event.refresh_from_db()
    return event


@pytest.mark.parametrize("field", ["start", "end"])
def test_update_event_refuses_to_move_an_event_that_is_over(field):
    event = _held_last_month()
    before = (event.start, event.end, event.sequence)

    with pytest.raises(InvalidTransition) as caught:
        services.update_event(event=event, **{field: getattr(event, field) + dt.timedelta(days=60)})

    assert caught.value.code == "event_over"
    event.refresh_from_db()
    assert (event.start, event.end, event.sequence) == before


def test_update_event_refuses_to_move_a_completed_event_with_event_over():
    event = _held_last_month()
    services.complete_event(event=event)

    with pytest.raises(InvalidTransition) as caught:
        services.update_event(event=event, start=event.start - dt.timedelta(days=1))

    assert caught.value.code == "event_over"


def test_update_event_keeps_other_edits_of_an_event_that_is_over():
    event = _held_last_month()

    # the API's PUT and the workspace form send the unchanged times along
    services.update_event(
        event=event, start=event.start, end=event.end, recording_url="https://video.example.org/1", description="Held."
    )

    event.refresh_from_db()
    assert (event.recording_url, event.description) == ("https://video.example.org/1", "Held.")


def test_update_event_refuses_to_move_a_published_event_into_the_past():
    """Everyone with a place would be told it moved to a date gone by, and the event, over at
    once, could never be moved back."""
    event = EventFactory()
    start = timezone.now() - dt.timedelta(days=2)

    with pytest.raises(InvalidTransition) as caught:
        services.update_event(event=event, start=start, end=start + dt.timedelta(hours=2))

    assert caught.value.code == "moved_into_past"


def test_update_event_may_date_a_draft_anywhere():
    event = _held_last_month(status=EventStatus.DRAFT, published_at=None)
    start = timezone.now() + dt.timedelta(days=3)

    services.update_event(event=event, start=start, end=start + dt.timedelta(hours=1))
    past = timezone.now() - dt.timedelta(days=3)
    services.update_event(event=event, start=past, end=past + dt.timedelta(hours=1))

    event.refresh_from_db()
    assert event.start == past


def test_update_event_moving_only_the_start_past_the_end_is_refused():
    """An edit is validated by what it changes, and a constraint by all the fields it names:
    a start moved alone past the stored end still breaks ``end > start``."""
    event = EventFactory()

    with pytest.raises(ValidationError) as caught:
        services.update_event(event=event, start=event.end + dt.timedelta(hours=1))

    assert [error.code for error in caught.value.error_dict["__all__"]] == ["end_before_start"]
