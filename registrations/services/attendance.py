"""Who may write a registration's attendance: one rule for every writer.

**A decision made by hand stands until it is changed by hand.** An organiser who records a
registration's attendance on the event's Registrations tab or through the API (:func:`decide_attendance`),
or an administrator on its admin page (:func:`decide_attendance_by_hand`), marks it
``attendance_by_hand``; setting it back to "not yet known" by hand clears the mark and hands the
registration back to the automatic sources. Those are: finalisation and its job's sweep of late
check-ins (``attendance.services.finalisation``), a check-in after finalisation and the admin's undo
of a check-in (``registrations.checkin.services``), and a participant report
(``attendance.services.participant_reports``). Each writes only through :func:`record_attendance`
(or, in the door's one PostgreSQL statement, the same condition in SQL): a conditional UPDATE whose
WHERE is :func:`not_decided_by_hand`, never a value read and then written back, so a decision by
hand committed first is never overwritten, and one committed after wins.
"""

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Event, EventFormat
from events.services import log_action
from registrations.exceptions import Conflict, RegistrationError
from registrations.models import Attendance, CheckIn, Registration, RegistrationStatus


def not_decided_by_hand(registrations: QuerySet[Registration]) -> QuerySet[Registration]:
    """Those of ``registrations`` whose attendance the automatic sources may write."""
    return registrations.filter(attendance_by_hand=False)


def decided_by_hand(registrations: QuerySet[Registration]) -> QuerySet[Registration]:
    """Those of ``registrations`` whose attendance an administrator decided: it stands."""
    return registrations.filter(attendance_by_hand=True)


def record_attendance(*, registrations: QuerySet[Registration], attendance: str, now: dt.datetime) -> int:
    """An automatic source records ``attendance`` for ``registrations``, except those decided by
    hand (one UPDATE). Returns how many rows it wrote. No side effects (no messages)."""
    return not_decided_by_hand(registrations).update(attendance=attendance, updated_at=now)


def decide_attendance_by_hand(
    *, registration: Registration, attendance: str, now: dt.datetime | None = None
) -> Registration:
    """An administrator records whether the person came (the registration's admin page).

    "Attended" or "no-show" stands against every automatic source; "not yet known" hands the
    registration back to them (the next of them to run derives it again). Only the two columns
    are written, so what an import wrote meanwhile into the rest of the row stays. No side
    effects (no follow-up: one per person)."""
    now = now or timezone.now()
    by_hand = attendance != Attendance.UNKNOWN
    Registration.objects.filter(pk=registration.pk).update(
        attendance=attendance, attendance_by_hand=by_hand, updated_at=now
    )
    registration.attendance = attendance
    registration.attendance_by_hand = by_hand
    registration.updated_at = now
    return registration


def decide_attendance(
    *, registration: Registration, attendance: str, by, now: dt.datetime | None = None
) -> Registration:
    """An organiser records by hand whether the person came (the caller checked ``by`` organises
    the event): someone who came but was never checked in, a participant report's row nobody could
    match, a no-show the door let in by mistake. Once the event has begun, and only for a confirmed
    registration: nobody else holds a place that could have been used. The decision stands against
    the automatic sources (:func:`decide_attendance_by_hand`); "not yet known" hands it back to them
    (for an in-person event whose attendance is final, the door's record decides again at once:
    nothing else would run).

    Side effects: the event's action log. No message (the follow-ups go once, with finalisation).
    """
    now = now or timezone.now()
    if attendance not in Attendance.values:
        raise RegistrationError(_("Choose attended, no-show or not yet known."), "invalid_attendance")
    with transaction.atomic():
        # the event and the registration as they stand, not the request's copies: finalisation
        # holds the event's row while it runs, so "not yet known" sent as it commits waits, then
        # sees the record final (read before, it was left unknown for good: nothing runs again)
        event = Event.objects.select_for_update(no_key=True).get(pk=registration.event_id)
        registration.event = event
        registration.status = Registration.objects.filter(pk=registration.pk).values_list("status", flat=True).get()
        if event.start > now:
            raise Conflict(_("Attendance is recorded once the event has begun."), "event_not_started")
        if registration.status != RegistrationStatus.CONFIRMED:
            raise Conflict(_("Only a confirmed registration has an attendance to record."), "not_confirmed")
        decide_attendance_by_hand(registration=registration, attendance=attendance, now=now)
        door_final = event.attendance_finalised_at is not None and event.format == EventFormat.IN_PERSON
        if attendance == Attendance.UNKNOWN and door_final:
            # handed back to the door, whose record is final: no automatic source would run again, so
            # it decides now, as finalisation did (checked in: attended; otherwise a no-show)
            came = CheckIn.objects.filter(registration_id=registration.pk, undone_at__isnull=True).exists()
            derived = Attendance.ATTENDED if came else Attendance.NO_SHOW
            record_attendance(
                registrations=Registration.objects.filter(pk=registration.pk), attendance=derived, now=now
            )
            registration.attendance = derived
        log_action(
            by=by,
            action="registration.attendance_decided",
            event=event,
            subject=registration,
            data={"attendance": attendance},
        )
    return registration
