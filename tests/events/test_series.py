import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events import services
from events.exceptions import InvalidRecurrence
from events.models import Event, EventStatus
from tests.factories import OrganiserFactory, SeriesFactory

pytestmark = pytest.mark.django_db

BAKU = zoneinfo.ZoneInfo("Asia/Baku")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def _local_starts(series, zone):
    return [event.start.astimezone(zone) for event in series.occurrences.order_by("start")]


def test_series_second_and_fourth_thursday_in_baku_skips_exdate():
    series = services.create_series(
        by=OrganiserFactory(),
        title="Mentoring circle",
        kind="mentoring_session",
        timezone="Asia/Baku",
        rrule="FREQ=MONTHLY;BYDAY=+2TH,+4TH;UNTIL=20270131T235959",
        first_start=dt.datetime(2026, 9, 10, 18, 30, tzinfo=BAKU),
        duration_minutes=90,
        exdates=["2026-12-24T18:30:00"],
    )

    starts = _local_starts(series, BAKU)

    assert [start.date() for start in starts] == [
        dt.date(2026, 9, 10),
        dt.date(2026, 9, 24),
        dt.date(2026, 10, 8),
        dt.date(2026, 10, 22),
        dt.date(2026, 11, 12),
        dt.date(2026, 11, 26),
        dt.date(2026, 12, 10),
        dt.date(2027, 1, 14),
        dt.date(2027, 1, 28),
    ]
    assert {(start.hour, start.minute) for start in starts} == {(18, 30)}
    assert {start.utcoffset() for start in starts} == {dt.timedelta(hours=4)}
    assert all(event.end - event.start == dt.timedelta(minutes=90) for event in series.occurrences.all())


def test_series_keeps_wall_clock_time_across_dst_in_berlin():
    series = services.create_series(
        by=OrganiserFactory(),
        title="Berlin workshop",
        kind="workshop",
        timezone="Europe/Berlin",
        # UNTIL in UTC, as calendar clients write it
        rrule="FREQ=WEEKLY;UNTIL=20270408T163000Z",
        first_start=dt.datetime(2027, 3, 18, 18, 30, tzinfo=BERLIN),
        duration_minutes=60,
    )

    starts = _local_starts(series, BERLIN)

    assert [start.date() for start in starts] == [
        dt.date(2027, 3, 18),
        dt.date(2027, 3, 25),
        dt.date(2027, 4, 1),
        dt.date(2027, 4, 8),
    ]
    assert {(start.hour, start.minute) for start in starts} == {(18, 30)}
    # Summer time starts on 28 March 2027: the UTC instant moves, the local time does not.
    assert [start.utcoffset() for start in starts] == [dt.timedelta(hours=1)] * 2 + [dt.timedelta(hours=2)] * 2
    assert [event.start.astimezone(dt.UTC).hour for event in series.occurrences.order_by("start")] == [17, 17, 16, 16]


def test_series_exdate_with_offset_is_matched_on_local_time():
    series = SeriesFactory.build(
        timezone="Europe/Berlin",
        rrule="FREQ=DAILY;COUNT=3",
        first_start=dt.datetime(2027, 3, 27, 10, 0, tzinfo=BERLIN),
        exdates=["2027-03-28T10:00:00+02:00"],
    )

    starts = services.expand_series(series)

    assert [start.date() for start in starts] == [dt.date(2027, 3, 27), dt.date(2027, 3, 29)]


@pytest.mark.parametrize("exdate", ["2027-03-28T02:30:00", "2027-03-28T03:30:00", "2027-03-28T03:30:00+02:00"])
def test_series_exdate_of_a_session_the_clocks_skip_matches_its_rule_time_or_real_start(exdate):
    # 02:30 does not exist in Berlin on 28 March 2027: that session starts at 03:30 summer time,
    # and an exception date may name it either way
    series = SeriesFactory.build(
        timezone="Europe/Berlin",
        rrule="FREQ=DAILY;COUNT=3",
        first_start=dt.datetime(2027, 3, 27, 2, 30, tzinfo=BERLIN),
        duration_minutes=60,
        exdates=[exdate],
    )

    starts = services.expand_series(series)

    assert [start.astimezone(BERLIN).date() for start in starts] == [dt.date(2027, 3, 27), dt.date(2027, 3, 29)]


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        ("FREQ=SOMETIMES", "invalid_recurrence"),
        ("FREQ=DAILY;INTERVAL=1", "too_many_occurrences"),
        ("FREQ=MINUTELY", "frequency_too_high"),
    ],
)
def test_series_rejects_bad_or_unbounded_rules(rule, code):
    series = SeriesFactory.build(rrule=rule)

    with pytest.raises(InvalidRecurrence) as caught:
        services.expand_series(series)

    assert caught.value.code == code


def test_series_edit_updates_future_untouched_occurrences_only():
    organiser = OrganiserFactory()
    now = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
    series = SeriesFactory(
        rrule="FREQ=WEEKLY;COUNT=4", first_start=dt.datetime(2027, 2, 22, 18, 0, tzinfo=BAKU), venue_name="Old hall"
    )
    series.organisers.add(organiser)
    services.sync_series_occurrences(series=series, now=now)
    past, moved, untouched, last = series.occurrences.order_by("start")
    services.update_event(event=moved, start=moved.start + dt.timedelta(hours=1), end=moved.end + dt.timedelta(hours=1))

    series.venue_name = "New hall"
    series.save()
    services.sync_series_occurrences(series=series, now=now)

    venues = dict(series.occurrences.values_list("pk", "venue_name"))
    assert venues == {past.pk: "Old hall", moved.pk: "Old hall", untouched.pk: "New hall", last.pk: "New hall"}
    untouched.refresh_from_db()
    assert untouched.detached_from_series is False
    assert untouched.sequence == 1  # the place changed


def test_a_series_shortening_its_sessions_brings_their_own_closing_times_to_the_new_end():
    now = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
    series = SeriesFactory(rrule="FREQ=WEEKLY;COUNT=2", first_start=dt.datetime(2027, 3, 8, 18, 0, tzinfo=BAKU))
    services.sync_series_occurrences(series=series, now=now)
    first, second = series.occurrences.order_by("start")
    # set in the admin, which saves the row itself and leaves the session attached
    Event.objects.filter(pk=first.pk).update(registration_closes_at=first.end, rsvp_deadline=first.end)

    series.duration_minutes = 60
    series.save()
    services.sync_series_occurrences(series=series, now=now)

    first.refresh_from_db()
    assert first.end == first.start + dt.timedelta(minutes=60)
    assert (first.registration_closes_at, first.rsvp_deadline) == (first.end, first.end)
    assert first.detached_from_series is False


def test_series_rule_shrinking_cancels_published_future_occurrences():
    series = SeriesFactory(rrule="FREQ=WEEKLY;COUNT=4", published=True)
    services.sync_series_occurrences(series=series)
    assert series.occurrences.filter(status=EventStatus.PUBLISHED).count() == 4

    services.update_series(series=series, rrule="FREQ=WEEKLY;COUNT=2")

    statuses = list(series.occurrences.order_by("start").values_list("status", flat=True))
    assert statuses == ["published", "published", "cancelled", "cancelled"]


def test_a_session_the_series_drops_is_cancelled_without_english_words_for_every_reader(
    django_capture_on_commit_callbacks,
):
    """Its reason was the English "Removed from the series.", stored on the event: the
    Azerbaijani registrant's email and ticket page, the event page and the calendar all said it."""
    from django.core import mail

    from registrations.services.registration import register

    series = SeriesFactory(rrule="FREQ=WEEKLY;COUNT=2", published=True)
    services.sync_series_occurrences(series=series)
    last = series.occurrences.order_by("start").last()
    from django.utils import translation

    with translation.override("az"):
        register(event=last, name="Aysel Aliyeva", email="aysel@example.org", consent_data_processing=True)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.update_series(series=series, rrule="FREQ=WEEKLY;COUNT=1")

    last.refresh_from_db()
    assert (last.status, last.cancellation_reason) == (EventStatus.CANCELLED, "")
    assert [message.to for message in mail.outbox] == [["Aysel Aliyeva <aysel@example.org>"]]
    assert "Removed from the series" not in mail.outbox[0].body


def test_series_sync_is_idempotent():
    series = SeriesFactory(rrule="FREQ=WEEKLY;COUNT=3")
    services.sync_series_occurrences(series=series)

    services.sync_series_occurrences(series=series)

    assert Event.objects.filter(series=series).count() == 3
    assert set(Event.objects.filter(series=series).values_list("sequence", flat=True)) == {0}


def test_series_publish_publishes_generated_drafts():
    series = SeriesFactory(rrule="FREQ=WEEKLY;COUNT=2")
    services.sync_series_occurrences(series=series)
    assert set(series.occurrences.values_list("status", flat=True)) == {"draft"}

    services.publish_series(series=series)

    assert set(series.occurrences.values_list("status", flat=True)) == {"published"}


def test_a_session_handed_to_other_organisers_is_theirs_not_the_series():
    """An occurrence whose organisers are no longer any of the series' (a co-organiser invited to
    that one session, the series' organiser then leaving it) is someone else's event: editing or
    shortening the series must neither change nor cancel it."""
    owner, newcomer = OrganiserFactory(), OrganiserFactory()
    series = services.create_series(
        by=owner,
        title="Mentoring circle",
        kind="mentoring_session",
        timezone="Asia/Baku",
        rrule="FREQ=WEEKLY;COUNT=5",
        first_start=dt.datetime.now(tz=BAKU).replace(microsecond=0) + dt.timedelta(days=7),
        duration_minutes=90,
    )
    services.publish_series(series=series, by=owner)
    sessions = list(series.occurrences.order_by("start"))
    sessions[2].organisers.set([newcomer])  # handed over, the rule still gives its date
    sessions[4].organisers.set([newcomer])  # handed over, the rule will no longer give its date
    sessions[3].organisers.add(newcomer)  # shared: still the series' too, so it follows

    services.update_series(series=series, by=owner, title="Mentoring hour", rrule="FREQ=WEEKLY;COUNT=3")

    rows = list(Event.objects.filter(series=series).order_by("start").values_list("title", "status"))
    assert rows == [
        ("Mentoring hour", EventStatus.PUBLISHED),
        ("Mentoring hour", EventStatus.PUBLISHED),
        ("Mentoring circle", EventStatus.PUBLISHED),
        ("Mentoring circle", EventStatus.CANCELLED),
        ("Mentoring circle", EventStatus.PUBLISHED),
    ]


def _queries_to_rename_a_series_of(count: int) -> int:
    series = services.create_series(
        by=OrganiserFactory(),
        title="Coding club",
        kind="workshop",
        timezone="Asia/Baku",
        rrule=f"FREQ=WEEKLY;COUNT={count}",
        first_start=dt.datetime(2027, 3, 6, 11, 0, tzinfo=BAKU),
        duration_minutes=90,
    )
    with CaptureQueriesContext(connection) as queries:
        services.update_series(series=series, title="Coding club: spring")
    assert set(series.occurrences.values_list("title", flat=True)) == {"Coding club: spring"}
    return len(queries)


def test_series_edit_brings_each_session_in_line_in_a_few_queries():
    """A series reaches up to 400 sessions in one request: each is updated in at most four
    queries (its row in a savepoint, its log entry), not checked again field by field and
    constraint by constraint (18 queries a session; a renamed series of 400 took 12 s)."""
    one = _queries_to_rename_a_series_of(1)
    five = _queries_to_rename_a_series_of(5)

    assert (five - one) / 4 <= 4
