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

A conflict names the other event (id, title, times) only to a viewer who may see the speaker's
assignment there (``selectors.assignments_visible_to``: its organisers, the speaker) or when the
public event page lists it (accepted, at a published event). To anyone else it is "another
engagement": the roster is shared, another organiser's events are not (a draft's title, a
speaker invited elsewhere).
"""

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Event, EventKind, EventStatus
from events.selectors import PUBLIC
from speakers.models import ACTIVE_STATUSES, AssignmentStatus, SpeakerAssignment, SpeakerUnavailability
from speakers.selectors import assignments_visible_to

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


def _nameable(viewer, others: Iterable[SpeakerAssignment]) -> set[int]:
    """The ids among ``others`` (assignments) whose event a conflict may name to ``viewer``: the
    assignments they may see, and accepted ones at a published event (its public page lists
    them). One query, none without others."""
    ids = {other.pk for other in others}
    if not ids:
        return set()
    visible = Q(pk__in=assignments_visible_to(viewer).values("pk"))
    public = Q(status=AssignmentStatus.ACCEPTED, event__in=Event.objects.filter(PUBLIC).values("pk"))
    return set(SpeakerAssignment.objects.filter(visible | public, pk__in=ids).values_list("pk", flat=True))


def _conflicts_with(
    event: Event, others: Iterable[SpeakerAssignment], periods: Iterable[SpeakerUnavailability], nameable: set[int]
):
    found = []
    for assignment in others:
        other = assignment.event
        if other.pk == event.pk:
            continue
        named = assignment.pk in nameable
        if other.start < event.end and event.start < other.end:
            if named:
                found.append(SpeakerConflict(OVERLAP, _("Overlaps with “%(title)s”.") % {"title": other.title}, other))
            else:
                found.append(SpeakerConflict(OVERLAP, _("Overlaps with another of the speaker's engagements.")))
        elif (
            event.kind == EventKind.OUTREACH_VISIT
            and other.kind == EventKind.OUTREACH_VISIT
            and event.region_id
            and other.region_id
            and event.region_id != other.region_id
            and _programme_days(event) & _programme_days(other)
        ):
            if named:
                detail = _("Outreach visit in another region the same day: “%(title)s”.") % {"title": other.title}
                found.append(SpeakerConflict(TRAVEL, detail, other))
            else:
                found.append(SpeakerConflict(TRAVEL, _("Outreach visit in another region the same day.")))
    for period in periods:
        if period.start < event.end and event.start < period.end:
            found.append(SpeakerConflict(UNAVAILABLE, _("The speaker declared they are unavailable then.")))
    return found


def conflicts_for_assignments(assignments: Iterable[SpeakerAssignment], *, viewer) -> dict[int, list[SpeakerConflict]]:
    """Conflicts of many assignments as ``viewer`` may read them, in three queries, whatever their number.

    Each assignment must have its ``event`` loaded. Inactive assignments (declined,
    withdrawn) and cancelled events hold no time, so they have no conflicts.
    """
    assignments = list(assignments)
    result: dict[int, list[SpeakerConflict]] = {assignment.pk: [] for assignment in assignments}
    speaker_ids = {assignment.speaker_id for assignment in assignments if assignment.is_active}
    if not speaker_ids:
        return result
    assignments_by_speaker = defaultdict(list)
    others = list(
        SpeakerAssignment.objects.filter(speaker_id__in=speaker_ids, status__in=ACTIVE_STATUSES)
        .exclude(event__status=EventStatus.CANCELLED)
        .select_related("event")
        .only("speaker_id", "status", "event__id", "event__title", "event__start", "event__end", "event__kind",
              "event__region_id", "event__status")
    )  # fmt: skip
    for other in others:
        assignments_by_speaker[other.speaker_id].append(other)
    nameable = _nameable(viewer, others)
    periods_by_speaker = defaultdict(list)
    for period in SpeakerUnavailability.objects.filter(speaker_id__in=speaker_ids):
        periods_by_speaker[period.speaker_id].append(period)
    for assignment in assignments:
        if not assignment.is_active or assignment.event.status == EventStatus.CANCELLED:
            continue
        result[assignment.pk] = _conflicts_with(
            assignment.event,
            assignments_by_speaker[assignment.speaker_id],
            periods_by_speaker[assignment.speaker_id],
            nameable,
        )
    return result


def conflicts_for(
    *, speaker_id: int, event: Event, viewer, exclude_assignment_id: int | None = None
) -> list[SpeakerConflict]:
    """Conflicts the speaker would have at ``event`` (before or after being assigned to it), as
    ``viewer`` may read them."""
    others = (
        SpeakerAssignment.objects.filter(speaker_id=speaker_id, status__in=ACTIVE_STATUSES)
        .exclude(event__status=EventStatus.CANCELLED)
        .exclude(event_id=event.pk)
        .select_related("event")
    )
    if exclude_assignment_id:
        others = others.exclude(pk=exclude_assignment_id)
    periods = SpeakerUnavailability.objects.filter(speaker_id=speaker_id, start__lt=event.end, end__gt=event.start)
    others = list(others)
    return _conflicts_with(event, others, periods, _nameable(viewer, others))
