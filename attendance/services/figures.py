"""The attendance numbers organisers see. Certificates (programmes and series alike) are
``programmes.certificates``: signed, verifiable, revocable.

- ``event_attendance_figures`` / ``series_attendance``: per event and per series, with the
  rates of :mod:`attendance.rates`.
"""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from attendance.exceptions import NotCompleted
from attendance.rates import attendance_rate, reaches, series_completion_threshold
from attendance.services.finalisation import HELD_STATUSES
from events.models import Event, Series
from events.selectors import series_occurrences
from events_project.typed_text import tidy_email
from registrations.models import Attendance, Registration, RegistrationStatus

# --- figures --------------------------------------------------------------------------------


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
        "rate": attendance_rate(counts["attended"], counts["no_show"]),
    }


def series_attendance(*, series: Series, threshold: float | None = None) -> dict:
    """Each participant's attendance across the series' sessions that have been held (of those
    it still reaches, ``events.selectors.series_occurrences``).

    A session counts once its attendance is finalised; a participant's rate is the share
    of those sessions they attended, and they complete the series at ``threshold``.
    """
    threshold = series_completion_threshold() if threshold is None else threshold
    # only the sessions the series still reaches: one handed to other organisers is theirs
    sessions = list(
        series_occurrences(series)
        .filter(status__in=HELD_STATUSES, attendance_finalised_at__isnull=False)
        .order_by("start")
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
        # a session held that they did not attend counts against them, registered or not
        rate = attendance_rate(row["attended"], held - row["attended"]) or 0.0
        participants.append(
            {
                "email": row["email"],
                "name": names.get(row["email"], ""),
                "registered": row["registered"],
                "attended": row["attended"],
                "no_show": row["no_show"],
                "rate": rate,
                "completed": held > 0 and reaches(rate, threshold),
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
        "rate": attendance_rate(totals["attended"], totals["no_show"]),
        "participants": participants,
    }


def participant_series_record(*, series: Series, email: str, threshold: float | None = None) -> dict:
    email = tidy_email(email)
    figures = series_attendance(series=series, threshold=threshold)
    for participant in figures["participants"]:
        if participant["email"] == email:
            return {**participant, "sessions_held": figures["sessions_held"], "threshold": figures["threshold"]}
    raise NotCompleted(_("This person has no attendance in the series."), "not_a_participant")
