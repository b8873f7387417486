"""Reads behind the organisers' dashboard page (programmes.manage_pages) and its CSV exports
(attendance.exports).

Each figure comes from one grouped query, whatever the number of events: the dashboard of a
programme with hundreds of events must not issue a query per row.

"Attended" means the attendance record says so once attendance is finalised, and a live
check-in before that, so a running event already shows who came.
"""

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Count, OuterRef, Q, QuerySet, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from attendance.rates import attendance_rate, no_show_rate
from events.models import Event, EventStatus
from events.selectors import events_managed_by
from events_project.people import person_name
from registrations.models import Answer, Attendance, CheckIn, Question, Registration, RegistrationStatus

CONFIRMED = Q(registrations__status=RegistrationStatus.CONFIRMED)
LIVE_CHECKIN = Q(registrations__checkins__id__isnull=False, registrations__checkins__undone_at__isnull=True)


def _with_figures(events: QuerySet[Event]) -> QuerySet[Event]:
    def count(condition: Q) -> Count:
        # distinct: the check-in join repeats a registration that has undone check-ins
        return Count("registrations", filter=condition, distinct=True)

    # waiting: Event.waiting_count, the waiting list's own counter (registrations.services.seats)
    return events.annotate(
        confirmed_count=count(CONFIRMED),
        pending_count=count(Q(registrations__status=RegistrationStatus.PENDING)),
        checked_in_count=count(LIVE_CHECKIN),
        attended_count=count(Q(registrations__attendance=Attendance.ATTENDED)),
        no_show_count=count(Q(registrations__attendance=Attendance.NO_SHOW)),
    )


def _scope(user, events: QuerySet[Event] | None) -> QuerySet[Event]:
    """The events a figure counts: the ones the user may change, narrowed by the page's filters."""
    managed = events_managed_by(user)
    return managed if events is None else managed.filter(pk__in=events.values("pk"))


def upcoming_events(user, *, now=None, events: QuerySet[Event] | None = None) -> QuerySet[Event]:
    now = now or timezone.now()
    events = _scope(user, events).filter(end__gt=now).exclude(status=EventStatus.CANCELLED)
    return _with_figures(events).order_by("start", "id")


def summary(user, *, now=None, events: QuerySet[Event] | None = None) -> dict:
    """The figures at the top of the dashboard, three queries whatever the number of events:
    upcoming events, seats taken and people waiting at them, and the no-show rate of the events
    held whose attendance is final (no-shows among attended + no-shows, as the impact report)."""
    now = now or timezone.now()
    scope = _scope(user, events)
    upcoming = scope.filter(end__gt=now).exclude(status=EventStatus.CANCELLED)
    seats = upcoming.aggregate(events=Count("id"), seats=Sum("seats_taken"))
    waiting = Registration.objects.filter(
        event__in=upcoming.values("pk"), status=RegistrationStatus.WAITLISTED
    ).aggregate(people=Sum("party_size"))
    held = scope.filter(end__lte=now, attendance_finalised_at__isnull=False).exclude(status=EventStatus.CANCELLED)
    attendance = Registration.objects.filter(event__in=held.values("pk")).aggregate(
        attended=Count("id", filter=Q(attendance=Attendance.ATTENDED)),
        no_show=Count("id", filter=Q(attendance=Attendance.NO_SHOW)),
    )
    return {
        "upcoming_events": seats["events"],
        "seats_taken": seats["seats"] or 0,
        "waiting": waiting["people"] or 0,
        "no_show_rate": no_show_rate(attendance["attended"], attendance["no_show"]),
    }


def past_events(user, *, now=None, limit: int = 50, events: QuerySet[Event] | None = None) -> list[Event]:
    now = now or timezone.now()
    events = _scope(user, events).filter(end__lte=now).exclude(status__in=[EventStatus.CANCELLED, EventStatus.DRAFT])
    # the latest ``limit`` first, then their figures: counted over every event held (5,000 in a
    # few years: half a second at each opening of the dashboard) only to show fifty
    latest = events.order_by("-start", "-id").values("pk")[:limit]
    events = list(_with_figures(events.filter(pk__in=latest)).order_by("-start", "-id"))
    for event in events:
        add_rates(event)
    return events


def add_rates(event: Event) -> Event:
    """Attendance and no-show rates among confirmed registrations (None when nobody was confirmed)."""
    finalised = event.attendance_finalised_at is not None
    attended = event.attended_count if finalised else event.checked_in_count
    base = event.confirmed_count
    event.attendance_final = finalised
    event.attended_figure = attended
    missed = event.no_show_count if finalised else base - attended
    event.attendance_rate = attendance_rate(attended, missed)
    event.no_show_rate = no_show_rate(attended, missed)
    return event


def _attended_by_event(organised: QuerySet[Event]) -> dict[int, int]:
    """People who attended each of the ``organised`` events: the registrations marked attended,
    and, while an event's attendance is not final, those with a live check-in (not already marked
    attended). Two grouped counts by event, so that a year of registrations is never joined to its
    events row by row: the first reads only the partial index of attended registrations
    (``registration_attended_by_event``), the second the check-ins."""
    organised = organised.values("pk")
    people: dict[int, int] = defaultdict(int)
    marked = (
        Registration.objects.filter(event__in=organised, attendance=Attendance.ATTENDED)
        .values("event_id")
        # COUNT(*), not of the ids: read from the index alone (an index-only scan), no row fetched
        .annotate(people=Count("*"))
        .order_by()
    )
    for row in marked:
        people[row["event_id"]] += row["people"]
    checked_in = (
        CheckIn.objects.filter(
            undone_at__isnull=True,
            registration__event__in=organised,
            registration__event__attendance_finalised_at__isnull=True,
        )
        .exclude(registration__attendance=Attendance.ATTENDED)
        .values("registration__event_id")
        .annotate(people=Count("registration_id", distinct=True))
        .order_by()
    )
    for row in checked_in:
        people[row["registration__event_id"]] += row["people"]
    return people


def attendance_by_month_grouped(
    user, *, months: int = 12, groups=("kind", "region"), zone=None, events=None
) -> tuple[list[dt.date], dict[str, dict]]:
    """People who attended per month (of the event's start, in ``zone``), split by event kind,
    region or both (the dashboard's two charts): the people counted by event
    (:func:`_attended_by_event`), then added up by the events' months and groups here, a few
    thousand events at most in a year rather than tens of thousands of registrations;
    (months, {group: {label: [counts]}})."""
    zone = zone or timezone.get_current_timezone()
    today = timezone.localdate(timezone=zone)
    month_list = []
    for back in range(months - 1, -1, -1):
        year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
        month_list.append(dt.date(year, month + 1, 1))
    first = month_list[0]
    since = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    organised = _scope(user, events).filter(start__gte=since, end__lte=timezone.now()).prefetch_related(None)
    people = _attended_by_event(organised)
    column_of = {"kind": "kind", "region": "region__name"}
    in_azerbaijani = (translation.get_language() or "").startswith("az")
    # online events have no region: named as the impact report names them
    no_label = {"kind": "—", "region": str(_("No region (online)"))}
    split: dict[str, dict[str, list[int]]] = {group: defaultdict(lambda: [0] * len(month_list)) for group in groups}
    index = {month: position for position, month in enumerate(month_list)}
    # the same events, a few thousand rows at most: their months and groups
    for row in organised.order_by().values("pk", "start", "kind", "region__name", "region__name_az"):
        count = people.get(row["pk"])
        if not count:
            continue
        month = timezone.localtime(row["start"], zone).date().replace(day=1)
        if month not in index:
            continue
        for group in groups:
            # a region's label in the visitor's language (Şəki), as everywhere else
            name_az = row["region__name_az"] if group == "region" else None
            label = (in_azerbaijani and name_az) or row[column_of[group]] or no_label[group]
            split[group][label][index[month]] += count
    return month_list, {group: dict(sorted(series.items())) for group, series in split.items()}


# --- CSV exports ------------------------------------------------------------------------

REGISTRATION_COLUMNS = [
    "event_id", "event", "event_start", "registration_id", "name", "email", "status", "party_size", "sector",
    "organisation", "source", "registered_at", "checked_in_at", "attendance", "minutes_attended",
]  # fmt: skip
ATTENDANCE_COLUMNS = [
    "event_id", "event", "kind", "region", "start", "confirmed", "checked_in", "attended", "no_show",
    "attendance_rate", "no_show_rate", "attendance_final",
]  # fmt: skip


def event_time(value: dt.datetime | None, event: Event) -> str:
    """Every timestamp of the CSV exports: in the event's zone with its offset, ISO 8601 to the
    second (``2026-01-12T10:00:00+04:00``), so that one row's times read alike ("" for none)."""
    return _local_time(value, event.zone)


# the columns the registrations export reads: no model instances (the export of a year is tens
# of thousands of rows; loading every column of each registration and its event, JSON decoded,
# took 15 s for 65,000 rows) and never a ticket secret or a private link's token
_REGISTRATION_EXPORT_FIELDS = (
    "event_id", "event__title", "event__start", "event__timezone", "pk", "name", "email", "status",
    "party_size", "sector", "organisation", "source", "created_at", "live_checked_in_at", "attendance",
    "minutes_attended",
)  # fmt: skip


def exported_events(user, *, event_id: int | None = None, events: QuerySet[Event] | None = None) -> QuerySet[Event]:
    """The events a registrations export covers: ``events`` are the dashboard's filters
    (attendance.manage_forms.DashboardEventFilterForm), as for every figure on the page; only
    ever within the events the user may change."""
    events = _scope(user, events)
    if event_id is not None:
        events = events.filter(pk=event_id)
    return events


def registration_count(user, *, event_id: int | None = None, events: QuerySet[Event] | None = None) -> int:
    """How many rows the registrations export would write: one ``COUNT``, which decides whether
    the request writes the file or a background job does (attendance.services.exports)."""
    return Registration.objects.filter(
        event__in=exported_events(user, event_id=event_id, events=events).values("pk")
    ).count()


def _questions(events: QuerySet[Event], event_id: int | None) -> list[tuple[int, str]]:
    """The questions one event's export answers, a column each after the fixed ones: the event's
    registration form asked them ("Which stage are you at?") and its organisers need the answers
    beside the names. An export of many events (the dashboard's) has no such columns: their
    questions differ."""
    if event_id is None:
        return []
    questions = Question.objects.filter(event__in=events.values("pk")).order_by("position", "id")
    return list(questions.values_list("pk", "label"))


def registration_export(
    user, *, event_id: int | None = None, events: QuerySet[Event] | None = None
) -> tuple[list[str], Iterator[list]]:
    """The registrations export: its header (:data:`REGISTRATION_COLUMNS`, then for one event the
    label of each of its questions) and its rows (:func:`exported_events` says which events; one
    event's rows end with the answers to those questions). The questions are read once, here, for
    both: read again for the rows, a question deleted or added while the header was being sent
    put every answer after it under another question's label."""
    events = exported_events(user, event_id=event_id, events=events)
    questions = _questions(events, event_id)
    header = [*REGISTRATION_COLUMNS, *(label for _pk, label in questions)]
    return header, _registration_rows(events, [pk for pk, _label in questions])


# rows read from the database at a time, and the answers of those rows with them
EXPORT_CHUNK = 2000


def _registration_rows(events: QuerySet[Event], question_ids: list[int]) -> Iterator[list]:
    """The rows of :func:`registration_export`, each ending with the answers to ``question_ids``.
    The answers are read a chunk of rows at a time, with the rows: read whole before the first
    row, a fair of 20,000 registrants and 30 questions held 600,000 answers in the worker."""
    live = CheckIn.objects.filter(registration=OuterRef("pk"), undone_at__isnull=True).values("checked_in_at")[:1]
    rows = (
        Registration.objects.filter(event__in=events.values("pk"))
        .annotate(live_checked_in_at=live.values("checked_in_at"))
        .order_by("event__start", "event_id", "created_at", "id")
        .values_list(*_REGISTRATION_EXPORT_FIELDS)
    )
    zones: dict[str, zoneinfo.ZoneInfo] = {}
    for chunk in _chunks(rows.iterator(chunk_size=EXPORT_CHUNK), EXPORT_CHUNK):
        answers = {}
        if question_ids:
            given = Answer.objects.filter(question_id__in=question_ids, registration_id__in=[row[4] for row in chunk])
            answers = {(registration, question): value for registration, question, value in given.values_list(
                "registration_id", "question_id", "value"
            )}  # fmt: skip
        for row in chunk:
            (event_pk, title, start, zone_name, pk, name, email, status, party_size, sector, organisation, source,
             created_at, checked_in_at, attendance, minutes) = row  # fmt: skip
            zone = zones.get(zone_name) or zones.setdefault(zone_name, zoneinfo.ZoneInfo(zone_name))
            yield [
                event_pk, title, _local_time(start, zone), pk, person_name(name), email, status, party_size, sector,
                organisation, source, _local_time(created_at, zone), _local_time(checked_in_at, zone), attendance,
                minutes if minutes is not None else "", *(answers.get((pk, question), "") for question in question_ids),
            ]  # fmt: skip


def _chunks(rows: Iterator, size: int) -> Iterator[list]:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _local_time(value: dt.datetime | None, zone: zoneinfo.ZoneInfo) -> str:
    """:func:`event_time` with the event's zone at hand."""
    return "" if value is None else timezone.localtime(value, zone).isoformat(timespec="seconds")


# what the attendance export writes of an event (besides its figures): every event an organiser
# ever held is a row (5,000: their organisers prefetched and every column loaded took 1.7 s)
_ATTENDANCE_EXPORT_FIELDS = ("id", "title", "kind", "start", "timezone", "attendance_finalised_at", "region__name")


def attendance_rows(user, *, events: QuerySet[Event] | None = None) -> Iterator[list]:
    events = (
        _scope(user, events)
        .exclude(status=EventStatus.DRAFT)
        .prefetch_related(None)
        .select_related(None)
        .select_related("region")
        .only(*_ATTENDANCE_EXPORT_FIELDS)
    )
    events = _with_figures(events).order_by("start", "id")
    for event in events:
        add_rates(event)
        yield [
            event.pk, event.title, event.kind, event.region.name if event.region else "",
            event_time(event.start, event), event.confirmed_count, event.checked_in_count, event.attended_figure,
            event.no_show_count,
            "" if event.attendance_rate is None else f"{event.attendance_rate:.3f}",
            "" if event.no_show_rate is None else f"{event.no_show_rate:.3f}",
            "yes" if event.attendance_final else "no",
        ]  # fmt: skip
