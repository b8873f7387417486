"""The attendance numbers organisers see, and series certificates.

- ``attendance_rate``: the one definition of an attendance rate, a fraction 0–1;
- ``event_attendance_figures`` / ``series_attendance``: per event and per series.
"""

import io

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from attendance.exceptions import NotCompleted
from attendance.services.finalisation import HELD_STATUSES
from events.models import Event, Series
from registrations.models import Attendance, Registration, RegistrationStatus

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
    from reportlab.lib.pagesizes import A4, landscape  # noqa: PLC0415 (reportlab loads slowly: only a PDF request pays for it)
    from reportlab.pdfgen import canvas  # noqa: PLC0415 (reportlab loads slowly: only a PDF request pays for it)

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
