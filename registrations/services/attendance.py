"""Who came: attendance finalisation, webinar participant reports, attendance figures.

- ``finalise_event_attendance``: once an event is over (plus a grace period), checked-in
  registrations become attended and the other confirmed ones no-shows, exactly once
  (a conditional update on ``event.attendance_finalised_at``), and the follow-ups go out.
- ``import_participant_report``: an organiser's CSV from Zoom, Microsoft Teams or a plain
  ``name,email,duration`` file sets ``minutes_attended`` and attendance by email, all or
  nothing. The same file uploaded twice is the same import.
- ``event_attendance_figures`` / ``series_attendance``: the numbers organisers see.
"""

import csv
import datetime as dt
import hashlib
import io
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from events.models import Event, EventStatus, Series
from notifications import kinds
from notifications.exceptions import ImportFailed, NotCompleted
from notifications.jobs import enqueue
from notifications.models import AttendanceImport
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
            transaction.on_commit(lambda: enqueue("events.programmes.tasks.review_missed_sessions_for_event", event_id))
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
    done = []
    for event in candidates:
        if event.end + grace_for(event) <= now:
            finalise_event_attendance(event=event, now=now)
            done.append(event.pk)
    return done


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


# --- participant reports -------------------------------------------------------------------


@dataclass
class ReportRow:
    line: int
    name: str
    email: str
    minutes: float | None = None
    joined: dt.datetime | None = None
    left: dt.datetime | None = None


@dataclass
class ParsedReport:
    format: str
    rows: list[ReportRow] = field(default_factory=list)


def _decode(content: bytes) -> str:
    # Teams writes UTF-16 with a BOM; Zoom and spreadsheets UTF-8, often with a BOM.
    if content[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return content.decode("utf-16")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return content.decode("cp1252")
        except UnicodeDecodeError:
            raise ImportFailed("The file is not a text (CSV) file.", "not_csv") from None


def _norm(header: str) -> str:
    return re.sub(r"\s+", " ", header.strip().strip('"').lower())


TIME_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y, %I:%M:%S %p",
    "%m/%d/%y, %I:%M:%S %p",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d.%m.%Y, %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
)


def _parse_time(value: str) -> dt.datetime | None:
    value = value.strip()
    if not value:
        return None
    for fmt in TIME_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


TEAMS_DURATION = re.compile(
    r"(?:(\d+)\s*h(?:ours?|rs?)?)?\s*(?:(\d+)\s*m(?:in(?:utes?)?)?)?\s*(?:(\d+)\s*s(?:ec(?:onds?)?)?)?"
)


def _parse_minutes(value: str, line: int) -> float:
    text = value.strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    # Teams: "1h 5m 3s", "45m 12s", "12s"
    match = re.fullmatch(
        r"(?:(\d+)\s*h(?:ours?|rs?)?)?\s*(?:(\d+)\s*m(?:in(?:utes?)?)?)?\s*(?:(\d+)\s*s(?:ec(?:onds?)?)?)?", text
    )
    if text and match and any(match.groups()):
        hours, minutes, seconds = (int(group or 0) for group in match.groups())
        return hours * 60 + minutes + seconds / 60
    # "01:05:03"
    match = re.fullmatch(r"(\d+):(\d{2}):(\d{2})", text)
    if match:
        hours, minutes, seconds = (int(group) for group in match.groups())
        return hours * 60 + minutes + seconds / 60
    raise ImportFailed(f"Line {line}: {value!r} is not a duration.", "invalid_duration", extra={"line": line})


# Recognised header rows, by format: (required columns, column names to read)
ZOOM_COLUMNS = {
    "name": ("name (original name)", "name", "user name (original name)", "user name"),
    "email": ("user email", "email"),
    "joined": ("join time",),
    "left": ("leave time",),
    "minutes": ("duration (minutes)", "time in session (minutes)", "duration (mins)"),
}
# Teams gives one row per person with the total time present ("In-Meeting Duration"); its
# first-join/last-leave span would count the breaks, so only the duration is read.
TEAMS_COLUMNS = {
    "name": ("name", "full name"),
    "email": ("email",),
    # guests may have no Email but a UPN that is their address
    "email_alt": ("participant id (upn)",),
    "minutes": ("in-meeting duration",),
}
GENERIC_COLUMNS = {
    "name": ("name",),
    "email": ("email",),
    "minutes": ("duration", "minutes", "duration (minutes)", "minutes attended"),
}


def _detect(header: list[str]) -> str | None:
    names = {_norm(column) for column in header}
    if "in-meeting duration" in names and names & {"email", "participant id (upn)"}:
        return AttendanceImport.Format.TEAMS
    # Zoom puts a meeting-details table (with "User Email" and "Duration (Minutes)" of the
    # host) above the participants; only the participants' header has "Join Time".
    if names & {"user email", "email"} and "join time" in names and names & set(ZOOM_COLUMNS["minutes"]):
        return AttendanceImport.Format.ZOOM
    if "email" in names and names & set(GENERIC_COLUMNS["minutes"]) and "name" in names:
        return AttendanceImport.Format.GENERIC
    return None


def _column_index(header: list[str], candidates: tuple[str, ...]) -> int | None:
    names = [_norm(column) for column in header]
    for candidate in candidates:
        if candidate in names:
            return names.index(candidate)
    return None


def parse_participant_report(content: bytes, *, expected_format: str = "auto") -> ParsedReport:
    """Read a participant report into rows; raise ImportFailed on anything it cannot read.

    Zoom and Teams exports begin with a block of meeting details before the participant
    table; the table is found by its header row.
    """
    text = _decode(content)
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise ImportFailed("The file is empty.", "empty_report")
    delimiter = "\t" if text.count("\t") > text.count(",") else ","
    reader = list(csv.reader(io.StringIO(text), delimiter=delimiter))

    header_at, detected = None, None
    for index, row in enumerate(reader):
        detected = _detect(row)
        if detected:
            header_at = index
            break
    if header_at is None:
        raise ImportFailed(
            "No participant table found: expected a Zoom participants export, a Microsoft Teams attendance "
            "report, or a CSV with the columns name,email,duration.",
            "unrecognised_format",
        )
    if expected_format not in ("", "auto", None) and expected_format != detected:
        raise ImportFailed(f"The file looks like a {detected} report, not {expected_format}.", "format_mismatch")
    header = reader[header_at]
    columns = {"zoom": ZOOM_COLUMNS, "teams": TEAMS_COLUMNS, "generic": GENERIC_COLUMNS}[detected]
    index = {key: _column_index(header, names) for key, names in columns.items()}
    if index["email"] is None and index.get("email_alt") is not None:
        index["email"] = index.pop("email_alt")
    if index["email"] is None or index["minutes"] is None:
        raise ImportFailed("The participant table has no email or duration column.", "missing_columns")

    parsed = ParsedReport(format=detected)
    for offset, row in enumerate(reader[header_at + 1 :], start=header_at + 2):
        if not any(cell.strip() for cell in row):
            if detected == AttendanceImport.Format.TEAMS:
                break  # Teams: a blank line ends the participants section
            continue
        if detected == AttendanceImport.Format.TEAMS and re.match(r"^\d+\.\s", row[0].strip()):
            break  # the next numbered section ("3. In-Meeting Activities")
        if len(row) < len(header) and len(row) <= max(i for i in index.values() if i is not None):
            raise ImportFailed(f"Line {offset}: expected {len(header)} columns.", "invalid_row", extra={"line": offset})

        def cell(key, row=row):
            position = index.get(key)
            return row[position].strip() if position is not None and position < len(row) else ""

        parsed.rows.append(
            ReportRow(
                line=offset,
                name=cell("name"),
                email=(cell("email") or (cell("email_alt") if "@" in cell("email_alt") else "")).lower(),
                minutes=_parse_minutes(cell("minutes"), offset) if cell("minutes") else None,
                joined=_parse_time(cell("joined")),
                left=_parse_time(cell("left")),
            )
        )
    if not parsed.rows:
        raise ImportFailed("The participant table has no rows.", "empty_report")
    return parsed


def merged_minutes(rows: list[ReportRow]) -> int:
    """Minutes one person was present, counting overlapping sessions (two devices) once.

    With join and leave times on every row the intervals are merged; otherwise the
    rows' durations are added up.
    """
    if all(row.joined and row.left and row.left >= row.joined for row in rows):
        intervals = sorted((row.joined, row.left) for row in rows)
        total = dt.timedelta()
        current_start, current_end = intervals[0]
        for start, end in intervals[1:]:
            if start <= current_end:
                current_end = max(current_end, end)
            else:
                total += current_end - current_start
                current_start, current_end = start, end
        total += current_end - current_start
        return round(total.total_seconds() / 60)
    return round(sum(row.minutes or 0 for row in rows))


def upload_participant_report(
    *, event: Event, content: bytes, filename: str = "", by=None, format: str = "auto", threshold_percent: int = 50
) -> tuple[AttendanceImport, bool]:
    """Store an uploaded report and import it in the background.

    The same file for the same event returns the earlier import (``created`` False).
    Side effect: an import job after commit.
    """
    if not content:
        raise ImportFailed("The file is empty.", "empty_report")
    if not 1 <= threshold_percent <= 100:
        raise ImportFailed("The threshold is a percentage between 1 and 100.", "invalid_threshold")
    digest = hashlib.sha256(content).hexdigest()
    existing = (
        AttendanceImport.objects.filter(event=event, content_sha256=digest)
        .exclude(status=AttendanceImport.Status.FAILED)
        .first()
    )
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            report = AttendanceImport.objects.create(
                event=event,
                uploaded_by=by if getattr(by, "is_authenticated", False) else None,
                filename=filename[:255],
                content=content,
                content_sha256=digest,
                format=format or "auto",
                threshold_percent=threshold_percent,
            )
            transaction.on_commit(lambda: enqueue("notifications.tasks.import_participant_report", report.pk))
    except IntegrityError:
        return AttendanceImport.objects.get(event=event, content_sha256=digest, status__in=["queued", "done"]), False
    return report, True


def import_participant_report(*, report: AttendanceImport, now: dt.datetime | None = None) -> AttendanceImport:
    """Apply a stored report: all rows or none. Safe to run twice (it sets, never adds).

    Side effects: when the event is over, attendance is finalised (follow-ups go out).
    """
    now = now or timezone.now()
    if report.status == AttendanceImport.Status.DONE:
        return report
    event = report.event
    try:
        with transaction.atomic():
            parsed = parse_participant_report(bytes(report.content), expected_format=report.format)
            by_email = defaultdict(list)
            unmatched = []
            for row in parsed.rows:
                if row.email:
                    by_email[row.email].append(row)
                else:
                    unmatched.append({"line": row.line, "name": row.name, "email": "", "reason": "no_email"})
            registrations = {
                registration.email.lower(): registration
                for registration in Registration.objects.select_for_update().filter(
                    event=event, status=RegistrationStatus.CONFIRMED
                )
            }
            duration = max((event.end - event.start).total_seconds() / 60, 1)
            needed = math.ceil(duration * report.threshold_percent / 100)
            matched = attended = 0
            for email, rows in by_email.items():
                minutes = merged_minutes(rows)
                registration = registrations.get(email)
                if registration is None:
                    unmatched.append(
                        {
                            "line": rows[0].line,
                            "name": rows[0].name,
                            "email": email,
                            "minutes": minutes,
                            "reason": "not_registered",
                        }
                    )
                    continue
                matched += 1
                present = minutes >= needed
                attended += present
                registration.minutes_attended = minutes
                registration.attendance = Attendance.ATTENDED if present else Attendance.NO_SHOW
                registration.updated_at = now
            Registration.objects.bulk_update(
                [r for r in registrations.values() if r.email.lower() in by_email],
                ["minutes_attended", "attendance", "updated_at"],
                batch_size=500,
            )
            AttendanceImport.objects.filter(pk=report.pk).update(
                status=AttendanceImport.Status.DONE,
                detected_format=parsed.format,
                rows=len(parsed.rows),
                matched=matched,
                attended=attended,
                unmatched_rows=sorted(unmatched, key=lambda item: item["line"]),
                error="",
                error_code="",
                finished_at=now,
            )
    except ImportFailed as exc:
        # nothing of the file was applied (the atomic block rolled back); say why
        AttendanceImport.objects.filter(pk=report.pk).update(
            status=AttendanceImport.Status.FAILED, error=exc.message, error_code=exc.code, finished_at=now
        )
    report.refresh_from_db()
    if report.status == AttendanceImport.Status.DONE:
        if event.attendance_finalised_at is None and event.end <= now:
            finalise_event_attendance(event=event, now=now)
        elif event.attendance_finalised_at is not None:
            # a report that arrives after finalisation still earns attendees their thanks
            queue_follow_ups(event=event, now=now)
    return report


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
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

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
