"""Every write to events and series, and the rules that govern them.

Side effects leave through the signals in :mod:`events.signals` (other apps queue
their emails from there, inside ``transaction.on_commit``).
"""

import datetime as dt
import re

from dateutil.rrule import rrulestr
from django.db import IntegrityError, transaction
from django.utils import timezone

from events import signals
from events.exceptions import EventError, InvalidRecurrence, InvalidTransition
from events.models import Event, EventDetails, EventStatus, Series

# Fields whose change makes calendar clients and registrants care (iCal SEQUENCE goes up).
SCHEDULING_FIELDS = frozenset(
    {"start", "end", "all_day", "timezone", "venue_name", "venue_address", "region", "city", "format", "join_url"}
)
SERIES_TEMPLATE_FIELDS = tuple(
    field.name for field in EventDetails._meta.get_fields() if field.concrete and not field.primary_key
)
MAX_OCCURRENCES = 400
OPEN_ENDED_HORIZON = dt.timedelta(days=2 * 366)


def _validated(instance, *, exclude=None):
    # A ValidationError here is answered 400, field by field, by the API's exception handler.
    instance.full_clean(exclude=exclude, validate_unique=False)
    return instance


@transaction.atomic
def create_event(*, by, **fields) -> Event:
    organisers = fields.pop("organisers", None)
    checkin_staff = fields.pop("checkin_staff", None)
    event = _validated(Event(**fields), exclude=["uid"])
    event.save()
    event.organisers.set(organisers or ([by] if by else []))
    if checkin_staff:
        event.checkin_staff.set(checkin_staff)
    return event


@transaction.atomic
def update_event(*, event: Event, by=None, **changes) -> Event:
    """Edit an event. Raises SEQUENCE and signals `event_changed` when time or place moves.

    Side effects: registrants and speakers are told of the change (through the signal).
    An occurrence edited on its own is detached from its series.
    """
    organisers = changes.pop("organisers", None)
    checkin_staff = changes.pop("checkin_staff", None)
    if "status" in changes and changes["status"] != event.status:
        raise EventError("Change the status with publish, cancel or complete.", "status_read_only")
    changes.pop("status", None)
    if event.status in (EventStatus.CANCELLED, EventStatus.COMPLETED) and changes:
        raise InvalidTransition(f"A {event.get_status_display().lower()} event cannot be edited.", "event_closed")

    changed = {name for name, value in changes.items() if getattr(event, name) != value}
    for name in changed:
        setattr(event, name, changes[name])
    _validated(event, exclude=["uid"])

    scheduling_changes = changed & SCHEDULING_FIELDS
    update_fields = set(changed)
    if scheduling_changes:
        event.sequence += 1
        update_fields.add("sequence")
    if event.series_id and changed:
        event.detached_from_series = True
        update_fields.add("detached_from_series")
    if update_fields:
        # Never write seats_taken from this (possibly stale) instance: the registration
        # services own that counter and move it with conditional updates.
        update_fields.add("updated_at")
        try:
            with transaction.atomic():
                event.save(update_fields=sorted(update_fields))
        except IntegrityError:
            raise EventError("Capacity cannot go below the seats already taken.", "capacity_below_taken") from None
    if organisers is not None:
        event.organisers.set(organisers)
    if checkin_staff is not None:
        event.checkin_staff.set(checkin_staff)
    if changed:
        event.refresh_from_db(fields=["seats_taken"])
        signals.event_changed.send(sender=Event, event=event, changed_fields=frozenset(changed))
    return event


@transaction.atomic
def publish_event(*, event: Event, by=None) -> Event:
    if event.status == EventStatus.PUBLISHED:
        return event
    if event.status != EventStatus.DRAFT:
        raise InvalidTransition(f"A {event.get_status_display().lower()} event cannot be published.")
    event.status = EventStatus.PUBLISHED
    event.published_at = timezone.now()
    event.save(update_fields=["status", "published_at", "updated_at"])
    signals.event_published.send(sender=Event, event=event)
    return event


@transaction.atomic
def cancel_event(*, event: Event, by=None, reason: str = "") -> Event:
    """Cancel an event. Side effects: registrations are cancelled and everyone registered,
    waiting or speaking is told (through the `event_cancelled` signal)."""
    if event.status == EventStatus.CANCELLED:
        return event
    if event.status == EventStatus.COMPLETED:
        raise InvalidTransition("A completed event cannot be cancelled.")
    event.status = EventStatus.CANCELLED
    event.cancelled_at = timezone.now()
    event.cancellation_reason = reason[:500]
    event.sequence += 1
    event.save(update_fields=["status", "cancelled_at", "cancellation_reason", "sequence", "updated_at"])
    signals.event_cancelled.send(sender=Event, event=event, reason=reason)
    return event


@transaction.atomic
def complete_event(*, event: Event, by=None) -> Event:
    if event.status == EventStatus.COMPLETED:
        return event
    if event.status != EventStatus.PUBLISHED:
        raise InvalidTransition(f"A {event.get_status_display().lower()} event cannot be completed.")
    event.status = EventStatus.COMPLETED
    event.save(update_fields=["status", "updated_at"])
    return event


# --- Series ---------------------------------------------------------------------------


def _local_naive(value: dt.datetime, zone) -> dt.datetime:
    return timezone.localtime(value, zone).replace(tzinfo=None)


def _rule_with_local_until(rule: str, zone) -> str:
    """RRULE UNTIL may be given in UTC (…Z); the rule is evaluated on local wall time."""

    def to_local(match):
        until = dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=dt.UTC)
        return "UNTIL=" + until.astimezone(zone).strftime("%Y%m%dT%H%M%S")

    return re.sub(r"UNTIL=(\d{8}T\d{6})Z", to_local, rule)


def parse_exdates(values, zone) -> set[dt.datetime]:
    """Exception dates as local naive datetimes; accepts local or offset ISO strings."""
    parsed = set()
    for value in values or []:
        try:
            moment = dt.datetime.fromisoformat(str(value))
        except ValueError:
            raise InvalidRecurrence(f"Exception date {value!r} is not an ISO date-time.", "invalid_exdate") from None
        if moment.tzinfo is not None:
            moment = _local_naive(moment, zone)
        parsed.add(moment)
    return parsed


def expand_series(series: Series) -> list[dt.datetime]:
    """The aware start of every occurrence the rule gives, exception dates removed."""
    zone = series.zone
    first = _local_naive(series.first_start, zone)
    rule_text = series.rrule.strip()
    if rule_text.upper().startswith("RRULE:"):
        rule_text = rule_text[6:]
    try:
        rule = rrulestr(_rule_with_local_until(rule_text, zone), dtstart=first)
    except (ValueError, TypeError) as exc:
        raise InvalidRecurrence(f"The recurrence rule is not valid: {exc}") from None
    bounded = "UNTIL=" in rule_text.upper() or "COUNT=" in rule_text.upper()
    horizon = first + OPEN_ENDED_HORIZON
    excluded = parse_exdates(series.exdates, zone)
    starts = []
    for occurrence in rule:
        if not bounded and occurrence > horizon:
            break
        if len(starts) >= MAX_OCCURRENCES:
            raise InvalidRecurrence(f"A series may have at most {MAX_OCCURRENCES} occurrences.", "too_many_occurrences")
        if occurrence in excluded:
            continue
        # fold=0: a wall time repeated by a DST fall-back means its first instance.
        starts.append(occurrence.replace(tzinfo=zone))
    return starts


def _occurrence_fields(series: Series, start: dt.datetime) -> dict:
    fields = {name: getattr(series, name) for name in SERIES_TEMPLATE_FIELDS}
    end_local = (start.replace(tzinfo=None) + dt.timedelta(minutes=series.duration_minutes)).replace(tzinfo=series.zone)
    fields.update(start=start, end=end_local)
    return fields


@transaction.atomic
def sync_series_occurrences(*, series: Series, now: dt.datetime | None = None) -> list[Event]:
    """Bring the series' future occurrences in line with its rule and template.

    New dates get new events; future occurrences nobody edited on their own take the
    series' new details; future ones the rule no longer gives are cancelled. Past
    occurrences and detached ones are left as they are.
    """
    now = now or timezone.now()
    wanted = {start.astimezone(dt.UTC): start for start in expand_series(series)}
    existing = {event.series_original_start: event for event in series.occurrences.select_for_update()}
    organisers = list(series.organisers.all())
    status = EventStatus.PUBLISHED if series.published else EventStatus.DRAFT

    for original_start, start in wanted.items():
        event = existing.get(original_start)
        if event is None:
            created = Event(
                **_occurrence_fields(series, start),
                series=series,
                series_original_start=original_start,
                status=status,
                published_at=now if status == EventStatus.PUBLISHED else None,
            )
            created.save()
            created.organisers.set(organisers)
            continue
        untouchable = event.status not in (EventStatus.DRAFT, EventStatus.PUBLISHED)
        if event.detached_from_series or event.start <= now or untouchable:
            continue
        changes = {
            name: value for name, value in _occurrence_fields(series, start).items() if getattr(event, name) != value
        }
        if changes:
            update_event(event=event, **changes)
            # an edit made by the series itself does not detach the occurrence
            Event.objects.filter(pk=event.pk).update(detached_from_series=False)
        if series.published and event.status == EventStatus.DRAFT:
            publish_event(event=event)

    for original_start, event in existing.items():
        if original_start in wanted or event.detached_from_series or event.start <= now:
            continue
        if event.status == EventStatus.DRAFT:
            event.delete()
        elif event.status == EventStatus.PUBLISHED:
            cancel_event(event=event, reason="Removed from the series.")
    return list(series.occurrences.order_by("start"))


@transaction.atomic
def create_series(*, by, **fields) -> Series:
    organisers = fields.pop("organisers", None)
    series = _validated(Series(**fields), exclude=["uid"])
    expand_series(series)  # reject a bad rule before anything is written
    series.save()
    series.organisers.set(organisers or ([by] if by else []))
    sync_series_occurrences(series=series)
    return series


@transaction.atomic
def update_series(*, series: Series, by=None, **changes) -> Series:
    """Edit a series; its future, untouched occurrences follow (see sync_series_occurrences)."""
    organisers = changes.pop("organisers", None)
    for name, value in changes.items():
        setattr(series, name, value)
    _validated(series, exclude=["uid"])
    expand_series(series)
    series.save()
    if organisers is not None:
        series.organisers.set(organisers)
    sync_series_occurrences(series=series)
    return series


@transaction.atomic
def publish_series(*, series: Series, by=None) -> Series:
    series.published = True
    series.save(update_fields=["published", "updated_at"])
    sync_series_occurrences(series=series)
    return series
