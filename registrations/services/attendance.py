"""Who came: attendance finalisation, webinar participant reports, attendance figures.

- ``finalise_event_attendance``: once an event is over (plus a grace period), checked-in
  registrations become attended and the other confirmed ones no-shows, exactly once
  (a conditional update on ``event.attendance_finalised_at``), and the follow-ups go out.
- participant reports of webinars: :mod:`registrations.services.participant_reports`.
- ``event_attendance_figures`` / ``series_attendance``: the numbers organisers see.
"""

import datetime as dt
import io

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from events.models import Event, EventStatus, Series
from events_project.periodic import process_each
from notifications import kinds
from notifications.exceptions import NotCompleted
from notifications.jobs import enqueue
from notifications.services.outbox import MessageSpec, queue_messages
from registrations.models import Attendance, CheckIn, Registration, RegistrationStatus

HELD_STATUSES = (EventStatus.PUBLISHED, EventStatus.COMPLETED)
# Events that ended longer ago than this are history: turning the service on must not
# mail a year of follow-ups.
FINALISE_LOOKBACK = dt.timedelta(days=30)


def grace_for(event: Event) -> dt.timedelta:
    """How long after the end attendance stays open.

    Online and hybrid events wait longer by default: their attendance comes from the
    platform's participant report, which organisers upload after the event (an upload
    finalises at once).
    """
    minutes = getattr(settings, "ATTENDANCE_GRACE_MINUTES", 30)
    if event.is_online:
        minutes = getattr(settings, "ATTENDANCE_GRACE_MINUTES_ONLINE", 24 * 60)
    return dt.timedelta(minutes=minutes)


# --- finalisation ------------------------------------------------------------------------


def finalise_event_attendance(*, event: Event, now: dt.datetime | None = None) -> Event:
    """Close the attendance record of an event that is over. Runs once per event.

    Checked-in (live check-in) → attended; confirmed and still unknown → no-show; what a
    participant report already decided stays. Side effects: follow-up messages (thanks /
    we missed you) for every confirmed registration, sent after commit.
    """
    now = now or timezone.now()
    with transaction.atomic():
        won = Event.objects.filter(pk=event.pk, attendance_finalised_at__isnull=True, end__lte=now).update(
            attendance_finalised_at=now
        )
        if won:
            confirmed = Registration.objects.filter(event_id=event.pk, status=RegistrationStatus.CONFIRMED)
            checked_in = CheckIn.objects.filter(event_id=event.pk, undone_at__isnull=True).values("registration_id")
            confirmed.filter(pk__in=checked_in).update(attendance=Attendance.ATTENDED, updated_at=now)
            confirmed.filter(attendance=Attendance.UNKNOWN).update(attendance=Attendance.NO_SHOW, updated_at=now)
            event.refresh_from_db()
            queue_follow_ups(event=event, now=now)
            # cohort members who have now missed two sessions in a row: mentor and organisers are told
            event_id = event.pk
            transaction.on_commit(lambda: enqueue("programmes.tasks.review_missed_sessions_for_event", event_id))
    event.refresh_from_db()
    return event


def finalise_due_events(*, now: dt.datetime | None = None) -> list[int]:
    """Finalise every event whose end plus grace has passed; returns their ids."""
    now = now or timezone.now()
    candidates = Event.objects.filter(
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


def next_related_events(*, event: Event, now: dt.datetime, limit: int = 3) -> list[Event]:
    """What a no-show could come to next: the series' next sessions, else the same kind."""
    upcoming = Event.objects.filter(status=EventStatus.PUBLISHED, start__gt=now).exclude(pk=event.pk)
    related = list(upcoming.filter(series_id=event.series_id)[:limit]) if event.series_id else []
    if len(related) < limit:
        related += list(
            upcoming.filter(kind=event.kind).exclude(pk__in=[e.pk for e in related])[: limit - len(related)]
        )
    return related


def queue_follow_ups(*, event: Event, now: dt.datetime | None = None) -> list[int]:
    """Thanks (resources, recording, feedback) to attendees; "we missed you" with what is
    coming next to no-shows. Idempotent: one of each per registration."""
    now = now or timezone.now()
    registrations = Registration.objects.filter(
        event_id=event.pk,
        status=RegistrationStatus.CONFIRMED,
        attendance__in=(Attendance.ATTENDED, Attendance.NO_SHOW),
    ).order_by("pk")
    next_events = [
        {
            "title": upcoming.title,
            "when": timezone.localtime(upcoming.start, upcoming.zone).strftime("%d.%m.%Y %H:%M"),
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


# --- figures --------------------------------------------------------------------------------


def _rate(attended: int, no_show: int) -> float | None:
    return round(attended / (attended + no_show), 4) if attended + no_show else None


def event_attendance_figures(*, event: Event) -> dict:
    counts = Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED).aggregate(
        registered=Count("pk"),
        attended=Count("pk", filter=Q(attendance=Attendance.ATTENDED)),
        no_show=Count("pk", filter=Q(attendance=Attendance.NO_SHOW)),
        unknown=Count("pk", filter=Q(attendance=Attendance.UNKNOWN)),
    )
    return {
        "event": event.pk,
        "title": event.title,
        "finalised_at": event.attendance_finalised_at,
        **counts,
        "rate": _rate(counts["attended"], counts["no_show"]),
    }


def completion_threshold() -> float:
    return getattr(settings, "SERIES_COMPLETION_THRESHOLD", 0.75)


def series_attendance(*, series: Series, threshold: float | None = None) -> dict:
    """Each participant's attendance across the series' sessions that have been held.

    A session counts once its attendance is finalised; a participant's rate is the share
    of those sessions they attended, and they complete the series at ``threshold``.
    """
    threshold = completion_threshold() if threshold is None else threshold
    sessions = list(
        series.occurrences.filter(status__in=HELD_STATUSES, attendance_finalised_at__isnull=False).order_by("start")
    )
    session_ids = [session.pk for session in sessions]
    rows = (
        Registration.objects.filter(event_id__in=session_ids, status=RegistrationStatus.CONFIRMED)
        .values("email")
        .annotate(
            registered=Count("pk"),
            attended=Count("pk", filter=Q(attendance=Attendance.ATTENDED)),
            no_show=Count("pk", filter=Q(attendance=Attendance.NO_SHOW)),
        )
        .order_by("email")
    )
    names = dict(
        Registration.objects.filter(event_id__in=session_ids, status=RegistrationStatus.CONFIRMED)
        .order_by("email", "-created_at")
        .values_list("email", "name")
    )
    held = len(sessions)
    participants = []
    for row in rows:
        rate = round(row["attended"] / held, 4) if held else 0.0
        participants.append(
            {
                "email": row["email"],
                "name": names.get(row["email"], ""),
                "registered": row["registered"],
                "attended": row["attended"],
                "no_show": row["no_show"],
                "rate": rate,
                "completed": held > 0 and rate >= threshold,
            }
        )
    totals = Registration.objects.filter(event_id__in=session_ids, status=RegistrationStatus.CONFIRMED).aggregate(
        registered=Count("pk"),
        attended=Count("pk", filter=Q(attendance=Attendance.ATTENDED)),
        no_show=Count("pk", filter=Q(attendance=Attendance.NO_SHOW)),
    )
    return {
        "series": series.pk,
        "title": series.title,
        "sessions_held": held,
        "threshold": threshold,
        **totals,
        "rate": _rate(totals["attended"], totals["no_show"]),
        "participants": participants,
    }


def participant_series_record(*, series: Series, email: str, threshold: float | None = None) -> dict:
    email = email.strip().lower()
    figures = series_attendance(series=series, threshold=threshold)
    for participant in figures["participants"]:
        if participant["email"] == email:
            return {**participant, "sessions_held": figures["sessions_held"], "threshold": figures["threshold"]}
    raise NotCompleted("This person has no attendance in the series.", "not_a_participant")


def certificate_pdf(*, series: Series, email: str) -> bytes:
    """A certificate of attendance for a participant who completed the series."""
    from reportlab.lib.pagesizes import A4, landscape  # noqa: PLC0415 (reportlab and qrcode load slowly: only a PDF request pays for them)
    from reportlab.pdfgen import canvas  # noqa: PLC0415 (reportlab and qrcode load slowly: only a PDF request pays for them)

    record = participant_series_record(series=series, email=email)
    if not record["completed"]:
        raise NotCompleted(
            f"Attendance {record['rate']:.0%} is below the {record['threshold']:.0%} needed for a certificate.",
            "not_completed",
        )
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"Certificate of attendance: {series.title}")
    pdf.setFont("Helvetica-Bold", 30)
    pdf.drawCentredString(width / 2, height - 150, "Certificate of Attendance")
    pdf.setFont("Helvetica", 16)
    pdf.drawCentredString(width / 2, height - 210, "This certifies that")
    pdf.setFont("Helvetica-Bold", 24)
    pdf.drawCentredString(width / 2, height - 250, record["name"] or record["email"])
    pdf.setFont("Helvetica", 16)
    pdf.drawCentredString(width / 2, height - 290, "took part in")
    pdf.setFont("Helvetica-Bold", 20)
    pdf.drawCentredString(width / 2, height - 325, series.title)
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(
        width / 2,
        height - 365,
        f"attending {record['attended']} of {record['sessions_held']} sessions ({record['rate']:.0%})",
    )
    pdf.drawCentredString(width / 2, 90, f"STEM Mentorship Programme · {timezone.localdate():%d %B %Y}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
