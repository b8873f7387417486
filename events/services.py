"""Every write to events and series, and the rules that govern them.

Side effects leave through the signals in :mod:`events.signals` (other apps queue
their emails from there, inside ``transaction.on_commit``).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, UniqueConstraint
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events import recurrence, selectors, signals
from events.exceptions import EventError, InvalidRecurrence, InvalidTransition
from events.models import ActionLogEntry, Event, EventDetails, EventStatus, Series
from events_project import limits

# Fields whose change makes calendar clients and registrants care (iCal SEQUENCE goes up).
SCHEDULING_FIELDS = frozenset(
    {"start", "end", "all_day", "timezone", "venue_name", "venue_address", "region", "city", "format", "join_url"}
)
SERIES_TEMPLATE_FIELDS = tuple(
    field.name for field in EventDetails._meta.get_fields() if field.concrete and not field.primary_key
)
MAX_OCCURRENCES = recurrence.MAX_OCCURRENCES
# When an event takes place. Once it is over they are history (attendance, certificates, the
# calendars of everyone who went): see check_time_change.
TIME_FIELDS = frozenset({"start", "end"})


def log_action(
    *, by, action: str, event: Event | None = None, subject=None, data: dict | None = None
) -> ActionLogEntry:
    """Record that ``by`` did ``action`` to ``subject`` (default: the event) of ``event``: the
    event's organisers read it on its workspace page. ``by`` is None for the system or for an
    attendee through their private link. ``data`` says what changed, never who."""
    subject = subject if subject is not None else event
    return ActionLogEntry.objects.create(
        event=event,
        actor=by if getattr(by, "is_authenticated", False) else None,
        action=action,
        subject_type=subject._meta.model_name,
        subject_id=subject.pk,
        data=data or {},
    )


def _validated(instance, *, exclude=None):
    # A ValidationError here is answered 400, field by field, by the API's exception handler.
    instance.full_clean(exclude=exclude, validate_unique=False)
    return instance


def _constrained_fields(constraint) -> set[str]:
    if getattr(constraint, "condition", None) is not None:
        fields = set(constraint.condition.referenced_base_fields)
    else:
        fields = set()
    return fields | set(getattr(constraint, "fields", ()))


def _validate_edit(event: Event, changed: set[str]) -> None:
    """Validate an edit of a stored event by what it changes: each changed field, the event's
    rules across fields (``Event.clean``, always whole), and its constraints when a field one of
    them names changed (all of them then, so moving only the start still meets ``end > start``).
    A field the edit leaves as stored is not checked again: its foreign key's row is not looked
    up, and an edit of the title or the description asks the database nothing. A series brings
    up to 400 sessions in line in one request, and checking every field and constraint of each
    again took 18 queries a session (a renamed series of 400 held the worker for 12 s)."""
    names = {field.name for field in Event._meta.concrete_fields}
    event.full_clean(exclude=(names - changed) | {"uid"}, validate_unique=False, validate_constraints=False)
    if any(_constrained_fields(constraint) & changed for constraint in Event._meta.constraints):
        event.validate_constraints(exclude=["uid"])


@transaction.atomic
def create_event(*, by, **fields) -> Event:
    organisers = fields.pop("organisers", None)
    checkin_staff = fields.pop("checkin_staff", None)
    event = _validated(Event(**fields), exclude=["uid"])
    event.save()
    event.organisers.set(organisers or ([by] if by else []))
    if checkin_staff:
        event.checkin_staff.set(checkin_staff)
    log_action(by=by, action="event.created", event=event)
    return event


def is_over(event: Event, *, now: dt.datetime | None = None) -> bool:
    """Whether the event has taken place: completed, or announced and its end passed. A draft
    never took place, whatever its dates say."""
    if event.status == EventStatus.COMPLETED:
        return True
    return event.status != EventStatus.DRAFT and event.end <= (now or timezone.now())


def check_time_change(*, event: Event, start: dt.datetime, end: dt.datetime, now: dt.datetime | None = None) -> None:
    """The rule for moving an event to ``start``-``end`` (the API, the workspace and the admin
    ask it; update_event applies it to every edit, _edit_occurrences to a series').

    - An event that is over (see is_over; a cancelled one whose end has passed too) keeps its
      time: its registrations, attendance and certificates say when it took place. 409 ``event_over``.
    - A published event may not be moved into the past: everyone with a place would be told
      their event has moved to a date already gone, and it would be over, its time frozen,
      the mistake beyond correction. 409 ``moved_into_past``.
    - A draft was never announced: it may be dated anywhere.
    """
    if start == event.start and end == event.end:
        return
    now = now or timezone.now()
    if is_over(event, now=now):
        raise InvalidTransition(_("The event is over: its date and time can no longer change."), "event_over")
    if event.status == EventStatus.PUBLISHED and end is not None and end <= now:
        raise InvalidTransition(
            _("A published event cannot be moved into the past: give an end still to come."), "moved_into_past"
        )


# Times that must fall by the event's end (Event.clean), and what an edit moving only the end
# before one of them is told: the end is what changed, so the end is what the error is on.
END_BOUND_FIELDS = {
    "registration_opens_at": _("The event would end before its registration opens: change that time too."),
    "registration_closes_at": _("The event would end before its registration closes: change that time too."),
    "rsvp_deadline": _("The event would end before its deadline to answer: change that deadline too."),
}


def _errors_of_the_edit(error: ValidationError, changed: set) -> ValidationError | None:
    """Put the error of a time bound by the end on the field the edit changed: on ``end`` when
    only the end moved. A time stored before the rule, past an end nobody moves, is not this
    edit's doing: it stays (registration closes at the end anyway), and the edit goes through
    unless something else is wrong."""
    if not hasattr(error, "error_dict"):
        return error
    errors = dict(error.error_dict)
    for name, end_message in END_BOUND_FIELDS.items():
        if name not in errors or name in changed:
            continue
        del errors[name]
        if "end" in changed:
            errors.setdefault("end", []).append(ValidationError(end_message, code="end_before_" + name))
    return ValidationError(errors) if errors else None


def update_event(*, event: Event, by=None, **changes) -> Event:
    """Edit an event. Raises SEQUENCE and signals `event_changed` when time or place moves.

    Side effects: registrants and speakers are told of the change (through the signal).
    An occurrence edited on its own is detached from its series (a series bringing its sessions
    up to date edits them together and leaves them attached: _edit_occurrences, by these rules).

    Refuses to move an event that is over (409 ``event_over``) or a published one into the
    past (409 ``moved_into_past``): see check_time_change. Its other details stay editable,
    unless it is completed or cancelled: then any real change is refused (409 ``event_closed``),
    while values sent again as they are change nothing and return the event as it is.
    """
    with transaction.atomic():
        organisers = changes.pop("organisers", None)
        checkin_staff = changes.pop("checkin_staff", None)
        # Lock the row and judge the edit by what it holds now, not by the caller's copy (read
        # before this transaction): an event cancelled or completed meanwhile must not be moved or
        # edited on the strength of the status it had then. A cancel or publish in flight holds
        # the row until it commits; this waits for it.
        event.refresh_from_db(from_queryset=Event.objects.select_for_update())
        if "status" in changes and changes["status"] != event.status:
            raise EventError(_("Change the status with publish, cancel or complete."), "status_read_only")
        changes.pop("status", None)
        if changes.keys() & TIME_FIELDS:
            check_time_change(event=event, start=changes.get("start", event.start), end=changes.get("end", event.end))
        changed = {name for name, value in changes.items() if getattr(event, name) != value}
        # A closed event cannot change; values sent again as they are (a client's PUT of what it
        # read, a form re-sent) change nothing and are answered as such.
        if event.status in (EventStatus.CANCELLED, EventStatus.COMPLETED) and changed:
            raise InvalidTransition(
                _("A %(status)s event cannot be edited.") % {"status": event.get_status_display().lower()},
                "event_closed",
            )
        for name in changed:
            setattr(event, name, changes[name])
        try:
            _validate_edit(event, changed)
        except ValidationError as error:
            refused = _errors_of_the_edit(error, changed)
            if refused is not None:
                raise refused from None

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
                raise EventError(
                    _("Capacity cannot go below the seats already taken."), "capacity_below_taken"
                ) from None
        if organisers is not None:
            event.organisers.set(organisers)
        if checkin_staff is not None:
            event.checkin_staff.set(checkin_staff)
        if changed:
            event.refresh_from_db(fields=["seats_taken"])
            log_action(by=by, action="event.changed", event=event, data={"fields": sorted(changed)})
            signals.event_changed.send(sender=Event, event=event, changed_fields=frozenset(changed))
        return event


@transaction.atomic
def publish_event(*, event: Event, by=None) -> Event:
    if event.status == EventStatus.PUBLISHED:
        return event
    if event.status != EventStatus.DRAFT:
        raise InvalidTransition(
            _("A %(status)s event cannot be published.") % {"status": event.get_status_display().lower()}
        )
    event.status = EventStatus.PUBLISHED
    event.published_at = timezone.now()
    event.save(update_fields=["status", "published_at", "updated_at"])
    log_action(by=by, action="event.published", event=event)
    signals.event_published.send(sender=Event, event=event)
    return event


@transaction.atomic
def cancel_event(*, event: Event, by=None, reason: str = "") -> Event:
    """Cancel an event. Side effects: registrations are cancelled and everyone registered,
    waiting or speaking is told (through the `event_cancelled` signal)."""
    if event.status == EventStatus.CANCELLED:
        return event
    if event.status == EventStatus.COMPLETED:
        raise InvalidTransition(_("A completed event cannot be cancelled."))
    if event.status == EventStatus.PUBLISHED and event.end <= timezone.now():
        # its registrations are history (attendance, certificates): cancelling would undo them
        # and mail everyone that an event they went to weeks ago is off
        raise InvalidTransition(_("The event is over: it can no longer be cancelled."), "event_over")
    event.status = EventStatus.CANCELLED
    event.cancelled_at = timezone.now()
    event.cancellation_reason = reason[:500]
    event.sequence += 1
    event.save(update_fields=["status", "cancelled_at", "cancellation_reason", "sequence", "updated_at"])
    log_action(by=by, action="event.cancelled", event=event)
    signals.event_cancelled.send(sender=Event, event=event, reason=reason)
    return event


@transaction.atomic
def complete_event(*, event: Event, by=None) -> Event:
    if event.status == EventStatus.COMPLETED:
        return event
    if event.status != EventStatus.PUBLISHED:
        raise InvalidTransition(
            _("A %(status)s event cannot be completed.") % {"status": event.get_status_display().lower()}
        )
    if event.end > timezone.now():
        # a completed event can no longer be moved, edited or cancelled: completing one still to
        # come by mistake froze it with everyone's tickets in it
        raise InvalidTransition(_("The event has not ended yet."), "event_not_over")
    event.status = EventStatus.COMPLETED
    event.save(update_fields=["status", "updated_at"])
    log_action(by=by, action="event.completed", event=event)
    return event


# --- Series ---------------------------------------------------------------------------


def _local_naive(value: dt.datetime, zone) -> dt.datetime:
    return timezone.localtime(value, zone).replace(tzinfo=None)


def parse_exdates(values, zone) -> set[dt.datetime]:
    """Exception dates as local naive datetimes; accepts local or offset ISO strings."""
    parsed = set()
    for value in values or []:
        try:
            moment = dt.datetime.fromisoformat(str(value))
        except ValueError:
            raise InvalidRecurrence(
                _("Exception date %(value)s is not an ISO date-time.") % {"value": repr(value)}, "invalid_exdate"
            ) from None
        if not limits.is_plausible(moment):
            raise InvalidRecurrence(
                _("Exception date %(value)s: %(reason)s")
                % {"value": repr(value), "reason": limits.year_error_message()},
                "date_out_of_range",
            )
        if moment.tzinfo is not None:
            moment = _local_naive(moment, zone)
        parsed.add(moment)
    return parsed


def expand_series(series: Series) -> list[dt.datetime]:
    """The aware start of every occurrence the rule gives, exception dates removed.
    Bounded in work whatever the rule (see events.recurrence); InvalidRecurrence (400) when
    the rule is not one a series may have."""
    zone = series.zone
    excluded = parse_exdates(series.exdates, zone)
    return recurrence.expand(rule_text=series.rrule, first_start=series.first_start, zone=zone, excluded=excluded)


def _occurrence_fields(series: Series, start: dt.datetime) -> dict:
    fields = {name: getattr(series, name) for name in SERIES_TEMPLATE_FIELDS}
    # the session lasts its minutes in real time, also on the night the clocks change
    end = (start.astimezone(dt.UTC) + dt.timedelta(minutes=series.duration_minutes)).astimezone(series.zone)
    fields.update(start=start, end=end)
    return fields


def sync_series_occurrences(
    *, series: Series, now: dt.datetime | None = None, starts: list[dt.datetime] | None = None, by=None
) -> list[Event]:
    """Bring the series' future occurrences in line with its rule and template. ``by``: who
    changed the series, named in each session's log entries (None: the system).

    New dates get new events; future occurrences nobody edited on their own take the
    series' new details; future ones the rule no longer gives are cancelled. Past
    occurrences and detached ones are left as they are. The rule is expanded (``starts``,
    unless given) before the transaction begins: no write lock is held while it is walked.
    """
    starts = expand_series(series) if starts is None else starts
    with transaction.atomic():
        return _sync_occurrences(series, starts=starts, now=now or timezone.now(), by=by)


def _sync_occurrences(series: Series, *, starts: list[dt.datetime], now: dt.datetime, by=None) -> list[Event]:
    """In bulk, whatever the number of sessions (up to 400): the sessions are locked and read once,
    the new ones inserted together with their organisers, the drafts to publish published in one
    UPDATE, the dropped ones deleted or cancelled in one statement each, and the log entries
    written together. One by one, through publish_event and cancel_event, each session took 5 to
    21 queries: moving the start of a published series of 400 held the request 3.5 s, publishing
    one 4.5 s. Sessions whose details change are edited together too (_edit_occurrences)."""
    wanted = {start.astimezone(dt.UTC): start for start in starts}
    existing = {event.series_original_start: event for event in series.occurrences.select_for_update()}
    # an occurrence handed over to other organisers is theirs: left as it is, like a detached one
    reached = set(selectors.series_occurrences(series).values_list("pk", flat=True))
    organiser_ids = list(series.organisers.values_list("pk", flat=True))
    new, to_publish, edits, moved = [], [], [], []
    # a new time of day keeps each session (and everyone registered): moved, not cancelled
    kept_on_their_day = _moved_within_their_day(
        [event for event in existing.values() if event.pk in reached], wanted=wanted, zone=series.zone, now=now
    )

    for original_start, start in wanted.items():
        event = existing.get(original_start)
        if event is None and original_start in kept_on_their_day:
            event = kept_on_their_day[original_start]
            moved.append((event, original_start))
        if event is None:
            new.append(Event(**_occurrence_fields(series, start), series=series, series_original_start=original_start))
            continue
        untouchable = event.status not in (EventStatus.DRAFT, EventStatus.PUBLISHED) or event.pk not in reached
        if event.detached_from_series or event.start <= now or untouchable:
            continue
        changes = {
            name: value for name, value in _occurrence_fields(series, start).items() if getattr(event, name) != value
        }
        # a session's own closing time or deadline to answer (set in the admin, which leaves it
        # attached) past the end the series moves it to: it closes at the end, as it did in effect
        for name in ("registration_closes_at", "rsvp_deadline"):
            if "end" in changes and getattr(event, name) and getattr(event, name) > changes["end"]:
                changes[name] = changes["end"]
        if changes:
            edits.append((event, changes))
        if series.published and event.status == EventStatus.DRAFT:
            to_publish.append(event)

    _edit_occurrences(edits, now=timezone.now(), by=by)
    if moved:
        # the session now stands for its new date of the rule (one statement for them all)
        for event, original_start in moved:
            event.series_original_start = original_start
        Event.objects.bulk_update([event for event, _ in moved], ["series_original_start"])
    created = _create_occurrences(new, organiser_ids=organiser_ids)
    _publish_occurrences(to_publish + (created if series.published else []), now=timezone.now(), by=by)

    dropped = [event for event in existing.values() if event.pk in reached and _dropped(event, wanted=wanted, now=now)]
    drafts = [event.pk for event in dropped if event.status == EventStatus.DRAFT]
    if drafts:
        Event.objects.filter(pk__in=drafts).delete()
    # no reason written here: it is stored and shown as is, so English words ("Removed from
    # the series.") reached the Azerbaijani registrant's email, ticket and calendar
    _cancel_occurrences(
        [event for event in dropped if event.status == EventStatus.PUBLISHED], now=timezone.now(), by=by
    )
    return list(series.occurrences.order_by("start"))


# Times of a session the series sets session by session (the others are the series' own, the
# same for every session it reaches): written with one CASE per field, not one UPDATE each.
_OWN_TIMES = ("start", "end", "registration_closes_at", "rsvp_deadline")


def _edit_error(event: Event, changed: set[str], *, looked_up: dict) -> Exception | None:
    """What update_event refuses of this edit of a locked session (already
    applied to ``event``), asking the database nothing: its time rule (check_time_change), its
    fields and Event.clean (_validate_edit), and the check constraints naming a changed field,
    judged on the values in hand as the database would. A foreign key's row (a region) is looked
    up once per value by the caller (``looked_up``: its errors). None when the edit goes through."""
    errors = {name: list(messages) for name, messages in looked_up.items()}
    names = {field.name for field in Event._meta.concrete_fields}
    plain = {name for name in changed if not Event._meta.get_field(name).is_relation}
    try:
        event.clean_fields(exclude=(names - plain) | {"uid"})
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        # Event.clean asks nothing of the database (a region by its id only)
        event.clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if not errors and any(_constrained_fields(constraint) & changed for constraint in Event._meta.constraints):
        for constraint in Event._meta.constraints:
            if not _constrained_fields(constraint) & changed and isinstance(constraint, UniqueConstraint):
                # the session's series and original start, unchanged: unique as stored
                continue
            check = _CONSTRAINTS_IN_PYTHON.get(constraint.name)
            if check is None:
                try:
                    constraint.validate(Event, event, exclude=["uid"])
                except ValidationError as error:
                    errors = error.update_error_dict(errors)
            elif not check(event):
                errors = ValidationError(
                    constraint.get_violation_error_message(), code=constraint.violation_error_code
                ).update_error_dict(errors)
    return _errors_of_the_edit(ValidationError(errors), changed) if errors else None


# Event's check constraints as the database judges them (NULL capacity: no limit). A constraint
# missing here is asked of the database, session by session (tests/events/test_series_edit.py
# names them all).
_CONSTRAINTS_IN_PYTHON = {
    "event_ends_after_start": lambda event: event.end > event.start,
    "event_seats_within_capacity": lambda event: event.capacity is None or event.seats_taken <= event.capacity,
}


def _edit_occurrences(edits: list[tuple[Event, dict]], *, now: dt.datetime, by=None) -> None:
    """update_event for the sessions a series edit changes, leaving them attached (read and locked by
    the caller, each with the values that differ), in a few statements whatever their number: the
    same rules and refusals (the first session refused, in the series' order, is the error), the
    same fields written, SEQUENCE raised by one for a change of time or place, updated_at moved
    (the feeds' ETags with it), an ``event.changed`` log entry each. Session by session a rename
    took 4 queries and a new duration 20 with registrants and speakers, each session's notices
    queued by a job of its own (a series of 400: 12.8 s, 1,200 jobs).
    Side effects: the ``occurrences_changed`` signal once for all of them (registrants' change
    notices and speakers' messages queued together, sent after commit)."""
    if not edits:
        return
    relations: dict[tuple, dict] = {}
    for event, changes in edits:
        if changes.keys() & TIME_FIELDS:
            check_time_change(
                event=event, start=changes.get("start", event.start), end=changes.get("end", event.end), now=now
            )
        for name, value in changes.items():
            setattr(event, name, value)
        changed = set(changes)
        looked_up = {}
        for name in sorted(changed):
            field = Event._meta.get_field(name)
            if field.is_relation:
                # the row a foreign key names is looked up once per value, not once per session
                key = (name, getattr(event, field.attname))
                if key not in relations:
                    try:
                        event.clean_fields(exclude={other.name for other in Event._meta.concrete_fields} - {name})
                        relations[key] = {}
                    except ValidationError as relation_error:
                        relations[key] = relation_error.update_error_dict({})
                for error_name, messages in relations[key].items():
                    looked_up.setdefault(error_name, []).extend(messages)
        error = _edit_error(event, changed, looked_up=looked_up)
        if error is not None:
            raise error

    # the series' own values (the same for every session): one UPDATE for each group of sessions
    # they change alike; the sessions' own times: one CASE a field
    groups: list[tuple[dict, bool, list[int]]] = []
    for event, changes in edits:
        shared = {name: getattr(event, name) for name in changes if name not in _OWN_TIMES}
        raises = bool(changes.keys() & SCHEDULING_FIELDS)
        for values, raised, ids in groups:
            if values == shared and raised == raises:
                ids.append(event.pk)
                break
        else:
            groups.append((shared, raises, [event.pk]))
        if raises:
            event.sequence += 1
        event.updated_at = now
    try:
        with transaction.atomic():
            for values, raised, ids in groups:
                extra = {"sequence": F("sequence") + 1} if raised else {}
                Event.objects.filter(pk__in=ids).update(**values, **extra, updated_at=now)
            # the times a session changes are written together, in one statement for the sessions
            # changing the same ones: a start moved past the old end, written before its new end,
            # broke "ends after its start" in between
            by_times: dict[tuple[str, ...], list[Event]] = {}
            for event, changes in edits:
                names = tuple(name for name in _OWN_TIMES if name in changes)
                if names:
                    by_times.setdefault(names, []).append(event)
            for names, events in by_times.items():
                Event.objects.bulk_update(events, list(names))
    except IntegrityError:
        raise EventError(_("Capacity cannot go below the seats already taken."), "capacity_below_taken") from None
    ActionLogEntry.objects.bulk_create(
        [
            ActionLogEntry(
                event=event,
                actor=_actor(by),
                action="event.changed",
                subject_type="event",
                subject_id=event.pk,
                data={"fields": sorted(changes)},
            )
            for event, changes in edits
        ]
    )
    signals.occurrences_changed.send(sender=Event, changes=[(event, frozenset(changes)) for event, changes in edits])


def _create_occurrences(events: list[Event], *, organiser_ids: list[int]) -> list[Event]:
    """Insert new sessions (drafts) with the series' organisers, in one statement each. Like
    ``Event.save()``: no validation (their fields are the series', validated with it)."""
    if not events:
        return []
    created = Event.objects.bulk_create(events)
    Event.organisers.through.objects.bulk_create(
        [Event.organisers.through(event_id=event.pk, user_id=user_id) for event in created for user_id in organiser_ids]
    )
    return created


def _actor(by):
    """``by`` as a log entry's actor: an account, or None for the system (log_action's rule)."""
    return by if getattr(by, "is_authenticated", False) else None


def _log_each(events: list[Event], *, action: str, by=None) -> None:
    """log_action for many events at once (a series bringing its sessions in line), by whoever
    changed the series (None: the system)."""
    actor = _actor(by)
    ActionLogEntry.objects.bulk_create(
        [
            ActionLogEntry(event=event, actor=actor, action=action, subject_type="event", subject_id=event.pk)
            for event in events
        ]
    )


def _publish_occurrences(events: list[Event], *, now: dt.datetime, by=None) -> None:
    """publish_event for a series' drafts (read and locked by the caller), in one UPDATE.
    Side effects: the ``occurrences_published`` signal once for all of them (the cohorts that
    follow them are registered by one job after commit)."""
    if not events:
        return
    Event.objects.filter(pk__in=[event.pk for event in events]).update(
        status=EventStatus.PUBLISHED, published_at=now, updated_at=now
    )
    for event in events:
        event.status, event.published_at, event.updated_at = EventStatus.PUBLISHED, now, now
    _log_each(events, action="event.published", by=by)
    signals.occurrences_published.send(sender=Event, events=events)


def _cancel_occurrences(events: list[Event], *, now: dt.datetime, reason: str = "", by=None) -> None:
    """cancel_event for a series' published sessions still to come (read and locked by the
    caller), in one UPDATE. Side effects: the ``occurrences_cancelled`` signal once for all of
    them (registrations cancelled and registrants told, speakers told: in bulk)."""
    if not events:
        return
    Event.objects.filter(pk__in=[event.pk for event in events]).update(
        status=EventStatus.CANCELLED,
        cancelled_at=now,
        cancellation_reason=reason[:500],
        sequence=F("sequence") + 1,
        updated_at=now,
    )
    for event in events:
        event.status, event.cancelled_at, event.cancellation_reason = EventStatus.CANCELLED, now, reason[:500]
        event.sequence += 1
        event.updated_at = now
    _log_each(events, action="event.cancelled", by=by)
    signals.occurrences_cancelled.send(sender=Event, events=events, reason=reason)


def _moved_within_their_day(
    events: list[Event], *, wanted: dict[dt.datetime, dt.datetime], zone, now: dt.datetime
) -> dict[dt.datetime, Event]:
    """The sessions a series' new dates keep at another time of the same day (the series' zone):
    moving a series from 18:00 to 19:00 moves each session, its registrants told of the new time,
    instead of cancelling every session (everyone's registration with it) and making new ones.
    ``wanted``: the new dates, UTC → local. Returns new date (UTC) → the session that takes it: a
    future session, not detached, draft or published, whose own date the rule no longer gives,
    on the same day as a new date no session holds, in the order of their starts; only to a
    time still to come. Sessions on other days are cancelled and made anew, as before."""
    holding = {event.series_original_start for event in events}
    free: dict[dt.date, list[Event]] = {}
    for event in sorted(events, key=lambda event: (event.start, event.pk)):
        if event.series_original_start in wanted or event.detached_from_series or event.start <= now:
            continue
        if event.status in (EventStatus.DRAFT, EventStatus.PUBLISHED):
            free.setdefault(event.series_original_start.astimezone(zone).date(), []).append(event)
    kept = {}
    for original_start in sorted(wanted):
        if original_start in holding or original_start <= now:
            continue
        on_that_day = free.get(wanted[original_start].astimezone(zone).date())
        if on_that_day:
            kept[original_start] = on_that_day.pop(0)
    return kept


def _dropped(event: Event, *, wanted, now: dt.datetime) -> bool:
    """Whether bringing a series in line with its dates (``wanted``, in UTC) takes ``event``
    away: a future occurrence nobody edited on its own, draft or published, on a date the rule
    no longer gives. A draft is deleted; a published one is cancelled, its registrants told."""
    return (
        event.series_original_start not in wanted
        and not event.detached_from_series
        and event.start > now
        and event.status in (EventStatus.DRAFT, EventStatus.PUBLISHED)
    )


def occurrences_cancelled_by(
    *, series: Series, starts: list[dt.datetime], now: dt.datetime | None = None
) -> list[Event]:
    """The published occurrences that saving ``series`` with the dates ``starts`` would cancel,
    telling everyone registered (by the rule sync_series_occurrences follows): the preview and
    the saved page name them, so a date added under "Dates without a session" is no surprise."""
    now = now or timezone.now()
    wanted = {start.astimezone(dt.UTC): start for start in starts}
    events = list(selectors.series_occurrences(series).order_by("start", "id"))
    kept = {event.pk for event in _moved_within_their_day(events, wanted=wanted, zone=series.zone, now=now).values()}
    return [
        event
        for event in events
        if event.status == EventStatus.PUBLISHED and _dropped(event, wanted=wanted, now=now) and event.pk not in kept
    ]


def create_series(*, by, **fields) -> Series:
    organisers = fields.pop("organisers", None)
    series = _validated(Series(**fields), exclude=["uid"])
    starts = expand_series(series)  # a bad rule is refused before anything is written or locked
    with transaction.atomic():
        series.save()
        series.organisers.set(organisers or ([by] if by else []))
        sync_series_occurrences(series=series, starts=starts, by=by)
        log_action(by=by, action="series.created", subject=series)
    return series


def update_series(*, series: Series, by=None, **changes) -> Series:
    """Edit a series; its future, untouched occurrences follow (see sync_series_occurrences)."""
    organisers = changes.pop("organisers", None)
    for name, value in changes.items():
        setattr(series, name, value)
    _validated(series, exclude=["uid"])
    starts = expand_series(series)
    with transaction.atomic():
        series.save()
        if organisers is not None:
            series.organisers.set(organisers)
        sync_series_occurrences(series=series, starts=starts, by=by)
        log_action(by=by, action="series.changed", subject=series, data={"fields": sorted(changes)})
    return series


def publish_series(*, series: Series, by=None) -> Series:
    starts = expand_series(series)
    with transaction.atomic():
        series.published = True
        series.save(update_fields=["published", "updated_at"])
        sync_series_occurrences(series=series, starts=starts, by=by)
        log_action(by=by, action="series.published", subject=series)
    return series
