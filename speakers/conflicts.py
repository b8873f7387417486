"""Where a speaker's clashes across *all* events are decided.

Three kinds, computed (never stored, so a warning cannot silently disappear; an organiser's
override is recorded next to it):

- ``overlap``: another active assignment (invited or accepted) whose event, not cancelled,
  overlaps in time. Aware datetimes are compared, so events entered in different timezones
  are compared correctly.
- ``unavailable``: the speaker declared an unavailable period overlapping the event.
- ``travel``: two outreach visits in different regions on the same day. The regions are all
  in Azerbaijan, so "day" is the calendar day in the programme's timezone (settings.TIME_ZONE,
  Asia/Baku) whatever timezone an event was entered in; an event spanning midnight covers both days.
"""

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from events.models import Event, EventKind, EventStatus
from speakers.models import ACTIVE_STATUSES, SpeakerAssignment, SpeakerUnavailability

OVERLAP = "overlap"
UNAVAILABLE = "unavailable"
TRAVEL = "travel"


@dataclass(frozen=True)
class SpeakerConflict:
    code: str
    detail: str
    other_event: Event | None = None

    def as_dict(self) -> dict:
        other = self.other_event
        return {
            "code": self.code,
            "detail": self.detail,
            "other_event": None
            if other is None
            else {"id": other.pk, "title": other.title, "start": other.start, "end": other.end},
        }


def _programme_days(event: Event) -> set[dt.date]:
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    first = timezone.localtime(event.start, zone).date()
    # the end is exclusive: an event ending at 00:00 does not touch the next day
    last = timezone.localtime(event.end - dt.timedelta(microseconds=1), zone).date()
    return {first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)}


def _conflicts_with(event: Event, others: Iterable[Event], periods: Iterable[SpeakerUnavailability]):
    found = []
    for other in others:
        if other.pk == event.pk:
            continue
        if other.start < event.end and event.start < other.end:
            found.append(SpeakerConflict(OVERLAP, f"Overlaps with “{other.title}”.", other))
        elif (
            event.kind == EventKind.OUTREACH_VISIT
            and other.kind == EventKind.OUTREACH_VISIT
            and event.region_id
            and other.region_id
            and event.region_id != other.region_id
            and _programme_days(event) & _programme_days(other)
        ):
            found.append(
                SpeakerConflict(TRAVEL, f"Outreach visit in another region the same day: “{other.title}”.", other)
            )
    for period in periods:
        if period.start < event.end and event.start < period.end:
            found.append(SpeakerConflict(UNAVAILABLE, "The speaker declared they are unavailable then."))
    return found


def conflicts_for_assignments(assignments: Iterable[SpeakerAssignment]) -> dict[int, list[SpeakerConflict]]:
    """Conflicts of many assignments in two queries, whatever their number.

    Each assignment must have its ``event`` loaded. Inactive assignments (declined,
    withdrawn) and cancelled events hold no time, so they have no conflicts.
    """
    assignments = list(assignments)
    result: dict[int, list[SpeakerConflict]] = {assignment.pk: [] for assignment in assignments}
    speaker_ids = {assignment.speaker_id for assignment in assignments if assignment.is_active}
    if not speaker_ids:
        return result
    events_by_speaker = defaultdict(list)
    others = (
        SpeakerAssignment.objects.filter(speaker_id__in=speaker_ids, status__in=ACTIVE_STATUSES)
        .exclude(event__status=EventStatus.CANCELLED)
        .select_related("event")
        .only("speaker_id", "event__id", "event__title", "event__start", "event__end", "event__kind",
              "event__region_id", "event__status")
    )  # fmt: skip
    for other in others:
        events_by_speaker[other.speaker_id].append(other.event)
    periods_by_speaker = defaultdict(list)
    for period in SpeakerUnavailability.objects.filter(speaker_id__in=speaker_ids):
        periods_by_speaker[period.speaker_id].append(period)
    for assignment in assignments:
        if not assignment.is_active or assignment.event.status == EventStatus.CANCELLED:
            continue
        result[assignment.pk] = _conflicts_with(
            assignment.event, events_by_speaker[assignment.speaker_id], periods_by_speaker[assignment.speaker_id]
        )
    return result


def conflicts_for(*, speaker_id: int, event: Event, exclude_assignment_id: int | None = None) -> list[SpeakerConflict]:
    """Conflicts the speaker would have at ``event`` (before or after being assigned to it)."""
    others = (
        SpeakerAssignment.objects.filter(speaker_id=speaker_id, status__in=ACTIVE_STATUSES)
        .exclude(event__status=EventStatus.CANCELLED)
        .exclude(event_id=event.pk)
        .select_related("event")
    )
    if exclude_assignment_id:
        others = others.exclude(pk=exclude_assignment_id)
    periods = SpeakerUnavailability.objects.filter(speaker_id=speaker_id, start__lt=event.end, end__gt=event.start)
    return _conflicts_with(event, [other.event for other in others], periods)
