"""Who came: when an event's attendance is final, and what each person is told afterwards.

- ``finalise_event_attendance``: once an event is over, checked-in registrations become
  attended and the other confirmed ones no-shows, exactly once (a conditional update on
  ``event.attendance_finalised_at``), and the follow-ups go out. In-person events are
  finalised by the clock (a grace period after the end); online and hybrid events only
  when a participant report is imported or the organiser finalises without one.
- ``queue_follow_ups``: one follow-up per person, never a second contradicting one;
  ``queue_attendance_corrections``: the organiser's optional short correction.
- participant reports of webinars: :mod:`attendance.services.participant_reports`;
  the numbers organisers see: :mod:`attendance.services.figures`.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attendance.exceptions import DomainError, ReportMissing
from attendance.models import AttendanceImport
from events import when
from events.models import Event, EventFormat, EventStatus
from events_project.periodic import process_each
from notifications import kinds
from notifications import selectors as notification_selectors
from notifications.jobs import enqueue
from notifications.services.outbox import MessageSpec, queue_messages
from registrations.checkin.services import SCAN_WINDOW_MARGIN
from registrations.models import Attendance, CheckIn, Registration, RegistrationStatus
from registrations.services.attendance import record_attendance

HELD_STATUSES = (EventStatus.PUBLISHED, EventStatus.COMPLETED)
# Events that ended longer ago than this are history: turning the service on must not
# mail a year of follow-ups.
FINALISE_LOOKBACK = dt.timedelta(days=30)


def grace_for(event: Event) -> dt.timedelta:
    """How long after the end an in-person event's attendance stays open (late check-ins)."""
    return dt.timedelta(minutes=settings.ATTENDANCE_GRACE_MINUTES)


def needs_report(event: Event) -> bool:
    """Online and hybrid events' attendance comes from the platform's participant report."""
    return event.is_online


def has_imported_report(event: Event) -> bool:
    return AttendanceImport.objects.filter(event_id=event.pk, status=AttendanceImport.Status.DONE).exists()


# --- finalisation ------------------------------------------------------------------------


def close_event_attendance(*, event: Event, now: dt.datetime | None = None, without_report: bool = False) -> Event:
    """The organiser closes the attendance record now (the workspace page and the API): refused
    with ``event_not_over`` before the event has ended, otherwise :func:`finalise_event_attendance`."""
    now = now or timezone.now()
    if event.end > now:
        raise DomainError(_("The event has not ended yet."), "event_not_over")
    return finalise_event_attendance(event=event, now=now, without_report=without_report)


def finalise_event_attendance(*, event: Event, now: dt.datetime | None = None, without_report: bool = False) -> Event:
    """Close the attendance record of an event that is over. Runs once per event.

    Checked-in (live check-in) → attended; confirmed and still unknown → no-show; what a
    participant report already decided stays, and so does a decision made by hand
    (``registrations.services.attendance``). The event's row, updated first, stays locked until the end: a
    check-in at the door after the end waits for it and then records a late attendance
    itself (``registrations.checkin.services``), or finalisation's statements see it. An online
    or hybrid event needs an imported participant report, or the organiser's explicit
    ``without_report`` (``report_missing``). Side effects: follow-up messages (thanks / we missed
    you) for every confirmed registration, sent after commit.
    """
    now = now or timezone.now()
    if (
        event.attendance_finalised_at is None
        and needs_report(event)
        and not without_report
        and not has_imported_report(event)
    ):
        raise ReportMissing(
            _(
                "Attendance of an online or hybrid event comes from the participant report: import it, "
                "or finalise without a report."
            ),
            "report_missing",
        )
    with transaction.atomic():
        won = Event.objects.filter(pk=event.pk, attendance_finalised_at__isnull=True, end__lte=now).update(
            attendance_finalised_at=now
        )
        if won:
            confirmed = Registration.objects.filter(event_id=event.pk, status=RegistrationStatus.CONFIRMED)
            checked_in = CheckIn.objects.filter(event_id=event.pk, undone_at__isnull=True).values("registration_id")
            # a decision made by hand (the admin's) stands (registrations.services.attendance)
            came = confirmed.filter(pk__in=checked_in)
            record_attendance(registrations=came, attendance=Attendance.ATTENDED, now=now)
            record_attendance(
                registrations=confirmed.filter(attendance=Attendance.UNKNOWN), attendance=Attendance.NO_SHOW, now=now
            )
            event.refresh_from_db()
            queue_follow_ups(event=event, now=now)
            # cohort members who have now missed two sessions in a row: mentor and organisers are told
            event_id = event.pk
            transaction.on_commit(lambda: enqueue("programmes.tasks.review_missed_sessions_for_event", event_id))
    event.refresh_from_db()
    return event


def finalise_due_events(*, now: dt.datetime | None = None) -> list[int]:
    """Finalise every in-person event whose end plus grace has passed; returns their ids.

    Online and hybrid events are never finalised by the clock: with no report yet, everyone
    would become a no-show and be told "we missed you".
    """
    now = now or timezone.now()
    attend_late_check_ins(now=now)
    reported = AttendanceImport.objects.filter(status=AttendanceImport.Status.DONE).values("event_id")
    candidates = Event.objects.filter(
        Q(format=EventFormat.IN_PERSON) | Q(pk__in=reported),
        status__in=HELD_STATUSES,
        attendance_finalised_at__isnull=True,
        end__lte=now,
        end__gte=now - FINALISE_LOOKBACK,
    )

    def finalise(event: Event) -> int | None:
        if event.end + grace_for(event) > now:
            return None
        finalise_event_attendance(event=event, now=now)
        return event.pk

    return [pk for pk in process_each(candidates, finalise, job="attendance finalisation") if pk is not None]


def attend_late_check_ins(*, now: dt.datetime | None = None) -> int:
    """Registrations of events whose attendance is final and whose door was open lately, that have a
    live check-in and are not recorded as attended: made attended. Returns how many.

    The door records a check-in after finalisation as attended itself, waiting for a finalisation
    under way (``registrations.checkin.services.record_late_attendance``); this mends what that
    leaves (a check-in written by hand, or before the door waited). A decision made by hand
    stands (``registrations.services.attendance``). No messages: one follow-up per person.
    """
    now = now or timezone.now()
    live = CheckIn.objects.filter(registration=OuterRef("pk"), undone_at__isnull=True)
    missed = (
        Registration.objects.filter(
            status=RegistrationStatus.CONFIRMED,
            event__attendance_finalised_at__isnull=False,
            # the door closes a day after the end; a day more for the job's own delays
            event__end__gte=now - 2 * SCAN_WINDOW_MARGIN,
        )
        .exclude(attendance=Attendance.ATTENDED)
        .filter(Exists(live))
    )
    return record_attendance(registrations=missed, attendance=Attendance.ATTENDED, now=now)


def next_related_events(*, event: Event, now: dt.datetime, limit: int = 3) -> list[Event]:
    """What a no-show could come to next: the series' next sessions, else the same kind. Not an
    event that starts within the hour (the message would arrive too late), nor a full one."""
    upcoming = (
        Event.objects.filter(status=EventStatus.PUBLISHED, start__gt=now + dt.timedelta(hours=1))
        .exclude(pk=event.pk)
        .exclude(capacity__isnull=False, seats_taken__gte=F("capacity"))
        .order_by("start")
    )
    related = list(upcoming.filter(series_id=event.series_id)[:limit]) if event.series_id else []
    if len(related) < limit:
        related += list(
            upcoming.filter(kind=event.kind).exclude(pk__in=[e.pk for e in related])[: limit - len(related)]
        )
    return related


def queue_follow_ups(*, event: Event, now: dt.datetime | None = None) -> list[int]:
    """Thanks (resources, recording, feedback) to attendees; "we missed you" with what is
    coming next to no-shows. One follow-up per registration, ever: a person who was told one
    thing is never told the opposite by a later correction (see
    ``queue_attendance_corrections``)."""
    now = now or timezone.now()
    registrations = (
        Registration.objects.filter(
            event_id=event.pk,
            status=RegistrationStatus.CONFIRMED,
            attendance__in=(Attendance.ATTENDED, Attendance.NO_SHOW),
        )
        .exclude(
            pk__in=notification_selectors.messaged_about(event_id=event.pk, model=Registration, kinds=kinds.FOLLOW_UPS)
        )
        .order_by("pk")
    )
    next_events = [
        {
            "title": upcoming.title,
            # written in the recipient's language and with the offset when the message is rendered
            "start": when.iso(upcoming.start, upcoming.zone),
            "zone": upcoming.timezone,
            "all_day": upcoming.all_day,
            "url": f"{settings.SITE_URL}{upcoming.get_absolute_url()}",
        }
        for upcoming in next_related_events(event=event, now=now)
    ]
    specs = []
    for registration in registrations:
        attended = registration.attendance == Attendance.ATTENDED
        specs.append(
            MessageSpec(
                kind=kinds.FOLLOW_UP_ATTENDED if attended else kinds.FOLLOW_UP_NO_SHOW,
                recipient_email=registration.email,
                recipient_name=registration.name,
                about=registration,
                event=event,
                context={} if attended else {"next_events": next_events},
            )
        )
    return queue_messages(specs)


def queue_attendance_corrections(*, event: Event, registration_ids: list[int]) -> list[int]:
    """One short correction to people whose attendance changed after their follow-up went out
    (the organiser chooses to send it). At most one per registration, ever."""
    followed_up = dict(
        notification_selectors.messaged_about(event_id=event.pk, model=Registration, kinds=kinds.FOLLOW_UPS)
        .order_by("created_at")
        .values_list("about_id", "kind")
    )
    told = {kinds.FOLLOW_UP_ATTENDED: Attendance.ATTENDED, kinds.FOLLOW_UP_NO_SHOW: Attendance.NO_SHOW}
    specs = [
        MessageSpec(
            kind=kinds.ATTENDANCE_CORRECTED,
            recipient_email=registration.email,
            recipient_name=registration.name,
            about=registration,
            event=event,
            context={"attended": registration.attendance == Attendance.ATTENDED},
        )
        for registration in Registration.objects.filter(pk__in=registration_ids, event_id=event.pk).order_by("pk")
        if registration.pk in followed_up and told[followed_up[registration.pk]] != registration.attendance
    ]
    return queue_messages(specs)
