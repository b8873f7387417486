"""A participant's journey through a programme: what they registered for, attended and missed.

Definitions (the same everywhere: API, certificates, alerts, report):
- an event counts for a participant when they registered for it (by their email) or skipped it;
- attended / missed come from the registration's finalised attendance (attended / no_show);
- attendance rate = attended / (attended + missed), a fraction 0–1 (``attendance.rates``, the one
  definition); sessions not yet finalised, skipped, or never reached from the waiting list count for
  neither; it completes the programme at the programme's threshold (a fraction too);
- streaks run over the cohort's own sessions in date order; a skip neither breaks nor extends one;
- a streak of misses is alerted only while it is news: it must reach the cohort's latest session
  whose attendance is final (``Journey.streak_to_alert``); one that a later finalised session left
  behind is history, however late it is first seen.
"""

import dataclasses
import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from attendance.rates import as_percent, attendance_rate, reaches
from events import when
from events.models import Event, EventStatus
from events.selectors import PUBLIC
from events_project.people import account_name
from events_project.periodic import process_each
from notifications.services import queue_message
from notifications.services.rendering import contact_email, programme_name
from programmes.models import Enrolment, MissedSessionsAlert, Programme, SessionSkip
from programmes.selectors import cohorts_following, events_run_by_programmes
from registrations.models import Registration

logger = logging.getLogger(__name__)

MISSED_IN_A_ROW_ALERT = 2

ATTENDED = "attended"
MISSED = "missed"
SKIPPED = "skipped"
UPCOMING = "upcoming"
CANCELLED = "cancelled"
WAITLISTED = "waitlisted"
NOT_FINALISED = "not_finalised"


@dataclasses.dataclass
class JourneyEntry:
    event_id: int
    title: str
    kind: str
    start: dt.datetime
    series_id: int | None
    series_title: str
    in_cohort: bool
    registration_status: str
    outcome: str


@dataclasses.dataclass
class SeriesAttendance:
    series_id: int | None
    title: str
    attended: int = 0
    missed: int = 0

    @property
    def rate(self) -> float | None:
        return attendance_rate(self.attended, self.missed)


@dataclasses.dataclass
class Streak:
    outcome: str  # attended or missed
    length: int
    first_event_id: int
    last_event_id: int


@dataclasses.dataclass
class Journey:
    enrolment: Enrolment
    entries: list[JourneyEntry]
    registered: int
    attended: int
    missed: int
    skipped: int
    by_series: list[SeriesAttendance]
    current_streak: Streak | None
    longest_attended_streak: int
    longest_missed_streak: int
    threshold: float
    # (start, id) of the latest of the cohort's own sessions whose attendance is final (the
    # participant's skips aside); None while there is none
    latest_final_session: tuple[dt.datetime, int] | None = None

    @property
    def rate(self) -> float | None:
        return attendance_rate(self.attended, self.missed)

    @property
    def streak_to_alert(self) -> Streak | None:
        """The current streak when it is one of ``MISSED_IN_A_ROW_ALERT`` misses or more that is
        still news: no session of the cohort's whose attendance was finalised after its last miss
        (a skipped one aside). A streak first seen late (an enrolment added or resumed after the
        fact, the safety net's first run over an old cohort) is over and is not alerted."""
        streak = self.current_streak
        if streak is None or streak.outcome != MISSED or streak.length < MISSED_IN_A_ROW_ALERT:
            return None
        last = next(entry for entry in self.entries if entry.event_id == streak.last_event_id)
        if self.latest_final_session is not None and (last.start, last.event_id) < self.latest_final_session:
            return None
        return streak

    @property
    def completed(self) -> bool:
        """Reached the programme's threshold (and attended at least one session)."""
        return self.attended > 0 and reaches(self.rate, self.threshold)


def _outcome(event: Event, registration, skipped: bool, now) -> str:
    if skipped:
        return SKIPPED
    if registration is not None:
        if registration.attendance == "attended":
            return ATTENDED
        if registration.attendance == "no_show":
            return MISSED
    if registration is None or registration.status in ("cancelled", "rejected"):
        return CANCELLED
    if event.status == EventStatus.CANCELLED:
        return CANCELLED
    if event.end > now:
        return UPCOMING
    if registration.status == "waitlisted":
        return WAITLISTED
    return NOT_FINALISED


def _pick(registrations: list):
    """Of one person's registrations for one event, the one that tells their story."""
    for registration in registrations:
        if registration.attendance in ("attended", "no_show"):
            return registration
    for registration in registrations:
        if registration.status not in ("cancelled", "rejected"):
            return registration
    return registrations[-1] if registrations else None


def _streaks(entries: list[JourneyEntry]) -> tuple[Streak | None, int, int]:
    current: Streak | None = None
    longest = {ATTENDED: 0, MISSED: 0}
    for entry in entries:
        if not entry.in_cohort or entry.outcome not in (ATTENDED, MISSED):
            continue
        if current is not None and current.outcome == entry.outcome:
            current.length += 1
            current.last_event_id = entry.event_id
        else:
            current = Streak(entry.outcome, 1, entry.event_id, entry.event_id)
        longest[entry.outcome] = max(longest[entry.outcome], current.length)
    return current, longest[ATTENDED], longest[MISSED]


def build_journeys(enrolments: list[Enrolment], *, now=None) -> dict[int, Journey]:
    """Journeys of many participants in a fixed number of queries (six), whatever their number.

    The enrolments need ``cohort__programme`` loaded.
    """

    now = now or timezone.now()
    if not enrolments:
        return {}
    programme_ids = {enrolment.cohort.programme_id for enrolment in enrolments}
    series_by_programme = defaultdict(set)
    for programme_id, series_id in Programme.series.through.objects.filter(programme_id__in=programme_ids).values_list(
        "programme_id", "series_id"
    ):
        series_by_programme[programme_id].add(series_id)
    events_by_programme = defaultdict(set)
    for programme_id, event_id in Programme.events.through.objects.filter(programme_id__in=programme_ids).values_list(
        "programme_id", "event_id"
    ):
        events_by_programme[programme_id].add(event_id)
    all_series = set().union(*series_by_programme.values()) if series_by_programme else set()
    all_events = set().union(*events_by_programme.values()) if events_by_programme else set()
    events = list(
        # never published means never public: a draft cancelled before anyone saw it is no session
        Event.objects.filter(Q(series_id__in=all_series) | Q(pk__in=all_events))
        .filter(PUBLIC)
        .select_related("series")
        .only(
            "id",
            "title",
            "kind",
            "start",
            "end",
            "status",
            "attendance_finalised_at",
            "series_id",
            "series__title",
            "series__published",
        )
        .order_by("start", "id")
    )
    # only the events each programme still runs: one handed over to other organisers is theirs,
    # and so is what its registrants do there (programmes.selectors._run_by)
    run = events_run_by_programmes(programme_ids, [event.pk for event in events])
    emails = {enrolment.email for enrolment in enrolments}
    registrations = defaultdict(list)
    for registration in Registration.objects.filter(
        event_id__in=[event.pk for event in events], email__in=emails
    ).order_by("created_at", "id"):
        registrations[(registration.event_id, registration.email)].append(registration)
    skips = set(
        SessionSkip.objects.filter(enrolment__in=[enrolment.pk for enrolment in enrolments]).values_list(
            "enrolment_id", "event_id"
        )
    )

    journeys = {}
    for enrolment in enrolments:
        programme = enrolment.cohort.programme
        cohort_series = enrolment.cohort.series_id
        entries = []
        latest_final = None
        for event in events:
            if (
                event.series_id not in series_by_programme[programme.pk]
                and event.pk not in events_by_programme[programme.pk]
            ):
                continue
            if run[programme.pk] is not None and event.pk not in run[programme.pk]:
                continue
            registration = _pick(registrations.get((event.pk, enrolment.email), []))
            skipped = (enrolment.pk, event.pk) in skips
            in_cohort = (event.series_id == cohort_series) if cohort_series else True
            if in_cohort and event.attendance_finalised_at is not None and not skipped:
                latest_final = (event.start, event.pk)  # events come in date order
            if registration is None and not skipped:
                continue
            # a session taken into the programme on its own, of a series the programme does not hold:
            # that series is named only once published (never published means never public: a
            # co-organiser of the one session read a draft series' name in their participants' journeys)
            series_id = event.series_id
            if series_id and series_id not in series_by_programme[programme.pk] and not event.series.published:
                series_id = None
            entries.append(
                JourneyEntry(
                    event_id=event.pk,
                    title=event.title,
                    kind=event.kind,
                    start=event.start,
                    series_id=series_id,
                    series_title=event.series.title if series_id else "",
                    in_cohort=in_cohort,
                    registration_status=registration.status if registration else "",
                    outcome=_outcome(event, registration, skipped, now),
                )
            )
        by_series: dict[int | None, SeriesAttendance] = {}
        for entry in entries:
            line = by_series.setdefault(entry.series_id, SeriesAttendance(entry.series_id, entry.series_title))
            if entry.outcome == ATTENDED:
                line.attended += 1
            elif entry.outcome == MISSED:
                line.missed += 1
        current, longest_attended, longest_missed = _streaks(entries)
        journeys[enrolment.pk] = Journey(
            enrolment=enrolment,
            entries=entries,
            registered=sum(1 for entry in entries if entry.outcome not in (SKIPPED, CANCELLED)),
            attended=sum(1 for entry in entries if entry.outcome == ATTENDED),
            missed=sum(1 for entry in entries if entry.outcome == MISSED),
            skipped=sum(1 for entry in entries if entry.outcome == SKIPPED),
            by_series=list(by_series.values()),
            current_streak=current,
            longest_attended_streak=longest_attended,
            longest_missed_streak=longest_missed,
            threshold=programme.completion_threshold,
            latest_final_session=latest_final,
        )
    return journeys


def participant_journey(*, enrolment: Enrolment, now=None) -> Journey:
    return build_journeys([enrolment], now=now)[enrolment.pk]


# --- the missed-twice alert ------------------------------------------------------------


def _alert_recipients(enrolment: Enrolment) -> list[tuple[str, str]]:
    recipients = {}
    if enrolment.mentor_id and enrolment.mentor.email:
        recipients[enrolment.mentor.email.lower()] = enrolment.mentor.name
    for organiser in enrolment.cohort.programme.organisers.all():
        # a closed account hears nothing: the mail would go to someone who no longer runs it
        if organiser.email and organiser.is_active:
            recipients.setdefault(organiser.email.lower(), account_name(organiser))
    if not recipients:
        # no mentor and no organiser (they left, or their account closed): the programme's own address hears it
        logger.warning(
            "Enrolment %s has no mentor or organiser with an address; its alert goes to the programme's", enrolment.pk
        )
        recipients[contact_email()] = programme_name()
    return sorted(recipients.items())


@transaction.atomic
def review_missed_sessions(*, enrolment: Enrolment, now=None) -> MissedSessionsAlert | None:
    """Alert the mentor and the organisers when the participant has missed two sessions in a row,
    and the streak reaches the cohort's latest session whose attendance is final
    (``Journey.streak_to_alert``: a streak long over is not news).

    Once per streak: the streak is known by its first missed session, and a later third miss
    is the same streak. Side effects: one ``missed_sessions_alert`` per recipient in the outbox.
    """
    if enrolment.status != Enrolment.Status.ACTIVE:
        return None
    journey = participant_journey(enrolment=enrolment, now=now)
    streak = journey.streak_to_alert
    if streak is None:
        return None
    alert, created = MissedSessionsAlert.objects.get_or_create(
        enrolment=enrolment, first_missed_event_id=streak.first_event_id, defaults={"missed_count": streak.length}
    )
    if not created:
        return alert
    missed = [entry for entry in journey.entries if entry.in_cohort and entry.outcome == MISSED]
    missed = [entry for entry in missed if entry.start >= _start_of(journey, streak.first_event_id)]
    # each session's date is written in its own timezone, an all-day one as its day (the message
    # formats it when sent)
    missed_ids = [entry.event_id for entry in missed]
    rows = list(Event.objects.filter(pk__in=missed_ids).values_list("pk", "timezone", "all_day"))
    zone_of = {pk: zone for pk, zone, _ in rows}
    all_day = {pk for pk, _, whole_days in rows if whole_days}
    context = {
        "participant_name": enrolment.name,
        "participant_email": enrolment.email,
        "programme_title": enrolment.cohort.programme.title,
        "cohort_name": enrolment.cohort.name,
        "missed_count": streak.length,
        "missed_sessions": [
            {
                "title": entry.title,
                # in the session's zone with its offset, as the API writes an event's times
                "start": when.iso(entry.start, zone_of.get(entry.event_id)),
                "zone": zone_of.get(entry.event_id, settings.TIME_ZONE),
                "all_day": entry.event_id in all_day,
                "event_id": entry.event_id,
            }
            for entry in missed
        ],
        "attendance_rate": as_percent(journey.rate),
        "series_title": enrolment.cohort.series.title if enrolment.cohort.series_id else "",
    }
    _queue_alerts(enrolment=enrolment, streak=streak, context=context)
    return alert


def _start_of(journey: Journey, event_id: int):
    return next(entry.start for entry in journey.entries if entry.event_id == event_id)


def _queue_alerts(*, enrolment, streak: Streak, context: dict) -> None:
    # about the enrolment, filed under no event (as the programme's other messages: a certificate,
    # leaving a cohort): the outbox shows a message to its event's organisers, and a co-organiser
    # of the last session missed who does not run the programme would read its cohort, the
    # participant's rate and every session they missed; the programme's organisers see it
    # (programme_messages_managed_by)
    for email, name in _alert_recipients(enrolment):
        queue_message(
            kind="missed_sessions_alert",
            recipient_email=email,
            recipient_name=name,
            about=enrolment,
            dedup_key=f"missed_sessions_alert:enrolment:{enrolment.pk}:{streak.first_event_id}:{email}",
            context=context,
        )


def review_missed_sessions_for_event(*, event: Event, now=None) -> list[MissedSessionsAlert]:
    """After an event's attendance is final: review the cohort members who were registered."""

    emails = event.registrations.values("email")
    enrolments = (
        Enrolment.objects.filter(cohort__in=cohorts_following(event), status=Enrolment.Status.ACTIVE, email__in=emails)
        .select_related("cohort__programme", "cohort__series", "mentor")
        .order_by("id")
    )
    # one participant's bad row (an unreadable session, a message that cannot be queued) leaves the others reviewed
    reviewed = process_each(
        enrolments,
        lambda enrolment: review_missed_sessions(enrolment=enrolment, now=now),
        job="missed sessions after an event",
    )
    return [alert for alert in reviewed if alert is not None]


def review_all_missed_sessions(*, now=None) -> int:
    """The periodic safety net: every active participant, their journeys read in one batch.

    Returns how many participants are in a streak of misses that has its alert.
    """
    enrolments = list(
        Enrolment.objects.filter(status=Enrolment.Status.ACTIVE).select_related(
            "cohort__programme", "cohort__series", "mentor"
        )
    )
    in_a_streak = [
        journey.enrolment for journey in build_journeys(enrolments, now=now).values() if journey.streak_to_alert
    ]
    reviewed = process_each(
        in_a_streak, lambda enrolment: review_missed_sessions(enrolment=enrolment, now=now), job="missed sessions"
    )
    return len(reviewed)
