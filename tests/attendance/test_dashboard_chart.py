"""The dashboard's chart of attendance by month: counted by event and added up by the events'
months (attendance.dashboard.attendance_by_month_grouped) instead of one grouped join of every
registration of the year to its event. The figures are those of the join, kept here as the
reference, on the same data."""

import datetime as dt
import zoneinfo
from collections import defaultdict

import pytest
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation

from attendance.dashboard import attendance_by_month_grouped
from events.selectors import events_managed_by
from registrations.models import Attendance, CheckIn, Registration
from tests import factories

pytestmark = pytest.mark.django_db
BAKU = zoneinfo.ZoneInfo("Asia/Baku")


def _by_the_join(user, *, months, groups, zone):
    """The chart as it was counted before: every attended registration joined to its event,
    grouped by the month of the event's start, kind and region in SQL."""
    today = timezone.localdate(timezone=zone)
    month_list = []
    for back in range(months - 1, -1, -1):
        year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
        month_list.append(dt.date(year, month + 1, 1))
    since = dt.datetime.combine(month_list[0], dt.time.min, tzinfo=zone)
    live = CheckIn.objects.filter(registration=OuterRef("pk"), undone_at__isnull=True)
    organised = events_managed_by(user).filter(start__gte=since, end__lte=timezone.now()).values("pk")
    column_of = {"kind": "event__kind", "region": "event__region__name"}
    columns = [column_of[group] for group in groups] + (["event__region__name_az"] if "region" in groups else [])
    rows = (
        Registration.objects.filter(event__in=organised)
        .annotate(came=Exists(live))
        .filter(Q(attendance=Attendance.ATTENDED) | Q(came=True, event__attendance_finalised_at__isnull=True))
        .annotate(month=TruncMonth("event__start", tzinfo=zone))
        .values("month", *columns)
        .annotate(people=Count("id"))
        .order_by()
    )
    in_azerbaijani = (translation.get_language() or "").startswith("az")
    no_label = {"kind": "—", "region": translation.gettext("No region (online)")}
    split = {group: defaultdict(lambda: [0] * len(month_list)) for group in groups}
    index = {month: position for position, month in enumerate(month_list)}
    for row in rows:
        month = row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]
        if month not in index:
            continue
        for group in groups:
            name_az = row.get("event__region__name_az") if group == "region" else None
            label = (in_azerbaijani and name_az) or row[column_of[group]] or no_label[group]
            split[group][label][index[month]] += row["people"]
    return month_list, {group: dict(sorted(series.items())) for group, series in split.items()}


def _held(organiser, *, days_ago, kind="workshop", region="ganja", finalised=True, hours=2):
    start = timezone.now() - dt.timedelta(days=days_ago)
    return factories.EventFactory(
        organisers=[organiser],
        kind=kind,
        region=factories.region(region) if region else None,
        start=start,
        end=start + dt.timedelta(hours=hours),
        attendance_finalised_at=start + dt.timedelta(days=1) if finalised else None,
    )


def _people(event, *attendances):
    return [factories.RegistrationFactory(event=event, attendance=attendance) for attendance in attendances]


@pytest.fixture
def a_year(organiser):
    attended, no_show, unknown = Attendance.ATTENDED, Attendance.NO_SHOW, Attendance.UNKNOWN
    # finalised events in several months, kinds and regions, one online (no region)
    _people(_held(organiser, days_ago=5), attended, attended, no_show, unknown)
    _people(_held(organiser, days_ago=40, kind="outreach_visit", region="shaki"), attended, no_show)
    _people(_held(organiser, days_ago=70, kind="webinar", region=None), attended, attended, attended)
    _people(_held(organiser, days_ago=200, region="baku"), attended)
    # finalised with a live check-in of a no-show: the record decides, not the door
    finalised = _held(organiser, days_ago=10)
    factories.CheckInFactory(registration=_people(finalised, no_show)[0])
    # not final yet: who checked in counts (once, even when also marked attended), an undone check-in does not
    running = _held(organiser, days_ago=0.1, finalised=False, hours=1)
    came, marked_and_came, undone, _absent = _people(running, unknown, attended, unknown, unknown)
    factories.CheckInFactory(registration=came)
    factories.CheckInFactory(registration=marked_and_came)
    factories.CheckInFactory(registration=undone, undone_at=timezone.now())
    # a check-in undone then made again: one person
    again = _people(_held(organiser, days_ago=20, finalised=False), unknown)[0]
    factories.CheckInFactory(registration=again, undone_at=timezone.now())
    factories.CheckInFactory(registration=again)
    # not counted: more than a year ago, still to come, somebody else's
    _people(_held(organiser, days_ago=400), attended)
    upcoming = factories.EventFactory(organisers=[organiser], start=timezone.now() + dt.timedelta(days=3))
    _people(upcoming, attended)
    _people(factories.EventFactory(start=timezone.now() - dt.timedelta(days=5)), attended)


@pytest.mark.parametrize("groups", [("kind", "region"), ("kind",), ("region",)])
@pytest.mark.parametrize("language", ["en", "az"])
def test_the_chart_counts_as_the_join_of_every_registration_did(organiser, a_year, groups, language):
    with translation.override(language):
        new = attendance_by_month_grouped(organiser, months=12, groups=groups, zone=BAKU)
        old = _by_the_join(organiser, months=12, groups=groups, zone=BAKU)

    assert new == old
    assert sum(sum(counts) for counts in new[1][groups[0]].values()) == 2 + 1 + 3 + 1 + 2 + 1


def test_the_chart_of_a_narrower_scope_and_another_zone_counts_as_the_join(organiser, a_year):
    from events.models import Event

    utc = zoneinfo.ZoneInfo("UTC")
    workshops = Event.objects.filter(kind="workshop")

    assert attendance_by_month_grouped(organiser, months=3, zone=utc) == _by_the_join(
        organiser, months=3, groups=("kind", "region"), zone=utc
    )
    # the dashboard's filters narrow the chart as every figure (here: the workshops)
    narrowed = attendance_by_month_grouped(organiser, groups=("kind",), zone=BAKU, events=workshops)
    assert list(narrowed[1]["kind"]) == ["workshop"]
    assert sum(narrowed[1]["kind"]["workshop"]) == 2 + 1 + 2 + 1


@pytest.mark.parametrize("events", [1, 6])
def test_the_chart_takes_as_many_statements_whatever_the_events(organiser, django_assert_num_queries, events):
    for number in range(events):
        event = _held(organiser, days_ago=3 + 30 * number, finalised=number % 2 == 0)
        factories.CheckInFactory(registration=_people(event, Attendance.ATTENDED, Attendance.UNKNOWN)[1])

    with django_assert_num_queries(3):
        attendance_by_month_grouped(organiser, zone=BAKU)
