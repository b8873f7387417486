"""A series brings its sessions in line in bulk: creating, moving and publishing one costs the same
number of queries whatever its number of sessions (a series may have 400), with every outcome of
the sessions handled one by one: their dates, statuses, log entries, registrations, seats, the
messages to registrants and speakers, and the cohorts that follow them."""

import datetime as dt
import zoneinfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events import services
from events.models import ActionLogEntry, Event, EventStatus
from notifications.models import OutboxMessage
from programmes import selectors as programme_selectors
from programmes import services as programme_services
from registrations.models import Registration, RegistrationStatus
from registrations.services.registration import register
from tests.factories import OrganiserFactory, ProgrammeFactory, SpeakerAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db

BAKU = zoneinfo.ZoneInfo("Asia/Baku")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def _next_week_at(hour: int, zone) -> dt.datetime:
    return (timezone.now().astimezone(zone) + dt.timedelta(days=7)).replace(
        hour=hour, minute=30, second=0, microsecond=0
    )


def _create(*, by, count: int, published: bool = False, zone: str = "Asia/Baku", first_start=None, **fields):
    return services.create_series(
        by=by,
        title="Mentoring circle",
        kind="mentoring_session",
        format="online",
        timezone=zone,
        rrule=f"FREQ=WEEKLY;COUNT={count}",
        first_start=first_start or _next_week_at(18, BAKU),
        duration_minutes=90,
        published=published,
        **fields,
    )


def _queries(step) -> int:
    with CaptureQueriesContext(connection) as queries:
        step()
    return len(queries)


def _queries_of_each_step(count: int, django_capture_on_commit_callbacks) -> dict:
    """The queries of creating a series of ``count`` sessions, moving its start (a week and an
    hour: every session goes and a new one comes), publishing it, and moving it again once its
    sessions each have a registrant and a speaker (their notices written in the request)."""
    organiser = OrganiserFactory()
    holder = {}
    counts = {
        "create": _queries(lambda: holder.setdefault("series", _create(by=organiser, count=count))),
    }
    series = holder["series"]

    def move():
        # to another weekday: every session goes (a new time on the same day keeps them: retime)
        later = series.first_start + dt.timedelta(days=1, hours=1)
        services.update_series(series=series, by=organiser, first_start=later)

    def retime():
        services.update_series(series=series, by=organiser, first_start=series.first_start + dt.timedelta(hours=1))

    counts["move"] = _queries(move)
    counts["publish"] = _queries(lambda: services.publish_series(series=series, by=organiser))
    for index, event in enumerate(series.occurrences.filter(status=EventStatus.PUBLISHED)):
        register(event=event, name=f"Mentee {index}", email=f"mentee{index}@example.org", consent_data_processing=True)
        SpeakerAssignmentFactory(event=event, status="accepted")
    ContentType.objects.clear_cache()  # each run looks up the content types its messages are about
    with django_capture_on_commit_callbacks(execute=False):
        counts["retime published"] = _queries(retime)
    assert series.occurrences.filter(status=EventStatus.CANCELLED).count() == 0
    with django_capture_on_commit_callbacks(execute=False):
        counts["move published"] = _queries(move)
    assert series.occurrences.filter(status=EventStatus.PUBLISHED).count() == count
    assert series.occurrences.filter(status=EventStatus.CANCELLED).count() == count
    return counts


def test_creating_moving_and_publishing_a_series_asks_the_same_queries_for_twice_the_sessions(
    django_capture_on_commit_callbacks,
):
    """Each step reads and locks the sessions once and writes each kind of row in one statement
    (new sessions, their organisers, publishing, cancelling, deleting, log entries, registrations,
    seats, messages): nothing is asked per session. One by one, creating took 3 queries a
    session, moving 21 (16 once published, more with registrants and speakers), publishing 5: a
    series of 400 held the request for seconds. (SQLite inserts at most 999 values a statement,
    so 24 new sessions a statement there: constant up to 24 sessions, 1/24 of a query a session
    beyond.)"""
    three = _queries_of_each_step(3, django_capture_on_commit_callbacks)
    six = _queries_of_each_step(6, django_capture_on_commit_callbacks)

    assert six == three


def test_moving_a_published_series_in_baku_ends_the_old_sessions_as_cancelling_each_did(
    django_capture_on_commit_callbacks,
):
    organiser = OrganiserFactory()
    series = _create(by=organiser, count=3, published=True, capacity=1, first_start=_next_week_at(18, BAKU))
    old = list(series.occurrences.order_by("start"))
    confirmed = register(event=old[1], name="Aysel Aliyeva", email="aysel@example.org", consent_data_processing=True)
    waiting = register(event=old[1], name="Leyla Mammadova", email="leyla@example.org", consent_data_processing=True)
    assert (confirmed.status, waiting.status) == (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
    speaker = SpeakerAssignmentFactory(event=old[0], status="accepted", role="moderator")
    SpeakerAssignmentFactory(event=old[2], status="declined")
    before = {event.pk: Event.objects.get(pk=event.pk) for event in old}
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        later = series.first_start + dt.timedelta(days=1, hours=1)
        services.update_series(series=series, by=organiser, first_start=later)

    for event in old:
        event.refresh_from_db()
        was = before[event.pk]
        assert (event.status, event.cancellation_reason) == (EventStatus.CANCELLED, "")
        assert event.sequence == was.sequence + 1
        assert event.cancelled_at is not None and event.updated_at > was.updated_at  # the feeds' ETags move
        assert (event.seats_taken, event.waiting_count) == (0, 0)
        assert list(ActionLogEntry.objects.filter(event=event).values_list("action", flat=True)[:1]) == [
            "event.cancelled"
        ]
    assert set(Registration.objects.filter(pk__in=[confirmed.pk, waiting.pk]).values_list("status", "seats_held")) == {
        (RegistrationStatus.CANCELLED, 0)
    }
    cancelled = OutboxMessage.objects.filter(kind="event_cancelled")
    assert sorted(cancelled.values_list("recipient_email", "event_id", "context")) == sorted(
        [
            ("aysel@example.org", old[1].pk, {"reason": ""}),
            ("leyla@example.org", old[1].pk, {"reason": ""}),
            (speaker.speaker.email, old[0].pk, {"reason": "", "role": "Moderator"}),
        ]
    )
    assert cancelled.get(event=old[0]).dedup_key == f"event_cancelled:speaker:{speaker.pk}"
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        [
            "Aysel Aliyeva <aysel@example.org>",
            "Leyla Mammadova <leyla@example.org>",
            f"{speaker.speaker.name} <{speaker.speaker.email}>",
        ]
    )

    new = list(series.occurrences.filter(status=EventStatus.PUBLISHED).order_by("start"))
    assert [event.start.astimezone(BAKU) for event in new] == [
        event.start.astimezone(BAKU) + dt.timedelta(days=1, hours=1) for event in old
    ]
    assert {event.start.astimezone(BAKU).utcoffset() for event in new} == {dt.timedelta(hours=4)}
    assert all(event.end - event.start == dt.timedelta(minutes=90) for event in new)
    assert all(event.published_at is not None and event.series_original_start == event.start for event in new)
    assert [list(event.organisers.all()) for event in new] == [[organiser]] * 3
    assert [list(event.action_log.values_list("action", flat=True)) for event in new] == [["event.published"]] * 3


def test_moving_a_draft_series_deletes_its_old_sessions_and_makes_drafts_on_the_new_dates():
    organiser = OrganiserFactory()
    series = _create(by=organiser, count=3)
    old = set(series.occurrences.values_list("pk", flat=True))

    services.update_series(series=series, by=organiser, first_start=series.first_start + dt.timedelta(days=1, hours=2))

    assert not Event.objects.filter(pk__in=old).exists()
    new = list(series.occurrences.order_by("start"))
    assert [(event.status, event.start.astimezone(BAKU).hour) for event in new] == [(EventStatus.DRAFT, 20)] * 3
    assert not ActionLogEntry.objects.filter(event__in=new).exists()


def test_publishing_a_series_across_a_change_of_the_clocks_keeps_its_wall_clock_time():
    organiser = OrganiserFactory()
    # the sessions cross the last Sunday of October, when Berlin leaves summer time
    year = timezone.now().year + 1
    series = _create(
        by=organiser, count=4, zone="Europe/Berlin", first_start=dt.datetime(year, 10, 14, 18, 30, tzinfo=BERLIN)
    )

    services.publish_series(series=series, by=organiser)

    sessions = list(series.occurrences.order_by("start"))
    assert [event.start.astimezone(BERLIN).timetz().replace(tzinfo=None) for event in sessions] == [dt.time(18, 30)] * 4
    last_of_october = dt.date(year, 10, 31)
    winter_from = last_of_october - dt.timedelta(days=(last_of_october.weekday() + 1) % 7)  # its last Sunday
    assert [event.start.astimezone(BERLIN).utcoffset() for event in sessions] == [
        dt.timedelta(hours=1 if event.start.astimezone(BERLIN).date() > winter_from else 2) for event in sessions
    ]
    assert {event.start.astimezone(BERLIN).utcoffset() for event in sessions} == {
        dt.timedelta(hours=1),
        dt.timedelta(hours=2),
    }
    assert {event.status for event in sessions} == {EventStatus.PUBLISHED}
    assert [list(event.action_log.values_list("action", flat=True)) for event in sessions] == [["event.published"]] * 4


def test_publishing_a_series_registers_its_cohort_for_every_session_in_one_job(django_capture_on_commit_callbacks):
    organiser = OrganiserFactory()
    series = _create(by=organiser, count=3)
    programme = ProgrammeFactory(organisers=[organiser])
    programme.series.add(series)
    circle = programme_services.create_cohort(programme=programme, name="Circle", series=series)
    programme_services.enrol(cohort=circle, name="Leyla", email="leyla@example.org")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.publish_series(series=series, by=organiser)

    sessions = set(series.occurrences.values_list("pk", flat=True))
    assert set(Registration.objects.filter(email="leyla@example.org").values_list("event_id", flat=True)) == sessions
    # the outbox's send jobs aside, one job for the cohorts of all three sessions
    assert len([callback for callback in callbacks if "register_cohorts" in repr(callback)]) == 1


def test_which_sessions_cohorts_follow_is_the_rule_of_cohorts_following():
    organiser, other = OrganiserFactory(), OrganiserFactory()
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    followed_series = _create(by=organiser, count=2)
    unfollowed_series = _create(by=organiser, count=2)
    run_by_admin = _create(by=other, count=1)
    held_alone = unfollowed_series.occurrences.order_by("start").first()
    programme = ProgrammeFactory(organisers=[organiser])
    programme.series.add(followed_series)
    programme.events.add(held_alone)
    programme_services.create_cohort(programme=programme, name="Everyone")
    admins = ProgrammeFactory(organisers=[admin])
    admins.series.add(run_by_admin)
    programme_services.create_cohort(programme=admins, name="Admins", series=run_by_admin)
    others = ProgrammeFactory(organisers=[other])
    others.series.add(unfollowed_series)
    programme_services.create_cohort(programme=others, name="Not theirs", series=unfollowed_series)
    events = list(Event.objects.all())

    followed = programme_selectors.events_followed_by_cohorts(events)

    assert followed == {event.pk for event in events if programme_selectors.cohorts_following(event).exists()}
    assert followed == {*followed_series.occurrences.values_list("pk", flat=True), held_alone.pk} | set(
        run_by_admin.occurrences.values_list("pk", flat=True)
    )


def _queries_through_the_api(client, count: int) -> dict:
    payload = {
        "title": "Mentoring circle",
        "kind": "mentoring_session",
        "format": "online",
        "timezone": "Asia/Baku",
        "rrule": f"FREQ=WEEKLY;COUNT={count}",
        "first_start": _next_week_at(18, BAKU).replace(tzinfo=None).isoformat(),
        "duration_minutes": 90,
    }
    holder = {}
    counts = {
        "create": _queries(lambda: holder.setdefault("created", client.post("/api/series/", payload, format="json")))
    }
    series_id = holder["created"].json()["id"]
    later = (_next_week_at(19, BAKU) + dt.timedelta(days=7)).replace(tzinfo=None).isoformat()
    counts["move"] = _queries(
        lambda: holder.setdefault(
            "moved", client.patch(f"/api/series/{series_id}/", {"first_start": later}, format="json")
        )
    )
    counts["publish"] = _queries(
        lambda: holder.setdefault("published", client.post(f"/api/series/{series_id}/publish/"))
    )
    assert [holder[step].status_code for step in ("created", "moved", "published")] == [201, 200, 200]
    assert holder["published"].json()["occurrence_count"] == count
    return counts


def test_the_series_api_creates_moves_and_publishes_in_the_same_queries_for_twice_the_sessions(organiser_client):
    """What the API adds around the services (authentication, the answer with its occurrence count)
    is asked once, not once a session."""
    _queries_through_the_api(organiser_client, 1)  # what a client's first request reads once (its user's caches)
    three = _queries_through_the_api(organiser_client, 3)
    six = _queries_through_the_api(organiser_client, 6)

    assert six == three


def test_the_sessions_log_names_who_changed_the_series():
    """Each session's Activity said "the system or an attendee published the event" after its
    organiser published the series: the bulk entries had no actor."""
    organiser = OrganiserFactory()
    series = _create(by=organiser, count=3)
    services.publish_series(series=series, by=organiser)
    services.update_series(series=series, by=organiser, title="Mentoring circle: spring")
    services.update_series(series=series, by=organiser, rrule="FREQ=WEEKLY;COUNT=2")

    entries = ActionLogEntry.objects.filter(event__series=series).values_list("action", "actor_id")
    assert sorted(set(entries)) == [
        ("event.cancelled", organiser.pk),
        ("event.changed", organiser.pk),
        ("event.published", organiser.pk),
    ]


def test_a_new_time_on_the_same_days_moves_the_sessions_and_keeps_everyone_registered(
    django_capture_on_commit_callbacks,
):
    """Moving a published series from 18:30 to 19:30 cancelled every session, everyone's
    registration with it, and made new ones: the organiser meant to move them. Each session on the
    same day is moved, its registrants and speakers told the new time; only a day the rule no
    longer gives is cancelled."""
    organiser = OrganiserFactory()
    series = _create(by=organiser, count=3, published=True, first_start=_next_week_at(18, BAKU))
    old = list(series.occurrences.order_by("start"))
    aysel = register(event=old[1], name="Aysel Aliyeva", email="aysel@example.org", consent_data_processing=True)
    SpeakerAssignmentFactory(event=old[2], status="accepted")
    before = {event.pk: Event.objects.get(pk=event.pk) for event in old}
    later = series.first_start + dt.timedelta(hours=1)
    # the preview names only the day the rule drops, as the save then does
    assert services.occurrences_cancelled_by(series=series, starts=[later, later + dt.timedelta(days=7)]) == [old[2]]
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.update_series(series=series, by=organiser, first_start=later, rrule="FREQ=WEEKLY;COUNT=2")

    sessions = list(series.occurrences.order_by("start"))
    assert [event.pk for event in sessions] == [event.pk for event in old]
    kept, dropped = sessions[:2], sessions[2]
    for event in kept:
        was = before[event.pk]
        assert event.status == EventStatus.PUBLISHED
        assert event.start.astimezone(BAKU).hour == 19 and event.start == was.start + dt.timedelta(hours=1)
        assert event.end - event.start == was.end - was.start
        assert event.series_original_start == event.start
        assert event.sequence == was.sequence + 1
    assert dropped.status == EventStatus.CANCELLED  # its day is no longer in the rule
    aysel.refresh_from_db()
    assert aysel.status == RegistrationStatus.CONFIRMED
    told = OutboxMessage.objects.filter(recipient_email="aysel@example.org")
    assert list(told.exclude(kind="registration_confirmed").values_list("kind", flat=True)) == ["event_changed"]
    assert not told.filter(kind="event_cancelled").exists()
    # saved again as it is: nothing moves, nothing is cancelled
    services.update_series(series=series, by=organiser, title="Mentoring circle")
    assert list(series.occurrences.filter(status=EventStatus.PUBLISHED).values_list("pk", flat=True)) == [
        event.pk for event in kept
    ]
