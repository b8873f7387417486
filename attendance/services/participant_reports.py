"""Webinar participant reports: an organiser's CSV from Zoom, Microsoft Teams or a plain
``name,email,duration`` file sets ``minutes_attended`` and attendance by email, all or nothing.

- ``parse_participant_report`` finds the participant table (Zoom and Teams put meeting details
  above it) and reads it into rows; anything it cannot read raises ``ImportFailed`` with a code.
- ``upload_participant_report`` stores the file; the same file for the same event is the same
  import (SHA-256), and a job applies it after commit. From the workspace it waits as a preview:
  parsed and matched once (``prepare_preview``, a job for a big file), the result stored in
  ``AttendanceImport.preview`` for the page to read (``stored_plan``).
- ``import_participant_report`` matches rows to confirmed registrations by email, merges each
  person's rows, marks attended above the threshold, lists unmatched rows, and finalises an
  event that is over (see :mod:`attendance.services.finalisation`).
"""

import csv
import datetime as dt
import hashlib
import io
import itertools
import logging
import math
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from attendance.exceptions import ImportFailed
from attendance.models import AttendanceImport
from attendance.services.finalisation import (
    finalise_event_attendance,
    needs_report,
    queue_attendance_corrections,
    queue_follow_ups,
)
from events.models import Event
from events.services import log_action
from events_project.typed_text import tidy_email
from notifications.jobs import enqueue
from registrations.models import Attendance, CheckIn, Registration, RegistrationStatus
from registrations.services.attendance import decided_by_hand, record_attendance

logger = logging.getLogger(__name__)

# A participant report of a large meeting is a few hundred kilobytes; anything far larger is not one.
MAX_REPORT_BYTES = 5 * 1024 * 1024
# Zoom and Teams put their participant table's header within the first few dozen lines (after
# the meeting's details); a file with none there is not a report, however long it goes on.
HEADER_WITHIN_ROWS = 200
# ... and within the file's first characters: a row (a meeting's topic) is never megabytes long.
HEADER_WITHIN_CHARS = 64 * 1024
# Rows of one report: a meeting of several thousand people, each joining a few times. Every
# row is matched for the preview (once: its page reads the stored result) and again when recorded,
# and kept when it is not matched: a 5 MB
# file of 400,000 one-line rows held the preview page for six minutes and made it 370 MB.
MAX_REPORT_ROWS = 20_000
# Lines of the table, blank ones included (skipped, not rows): a report has a few, never millions.
MAX_REPORT_LINES = 2 * MAX_REPORT_ROWS
# Columns of a row: Zoom's widest export has about fifteen.
MAX_REPORT_COLUMNS = 100
# A row claiming more than a week in one meeting is not a duration we can believe.
MAX_ROW_MINUTES = 7 * 24 * 60
# A report waiting for its preview is parsed and matched in the upload's request up to this size
# (a few hundred rows, a fraction of a second); a bigger one by a job (``prepare_preview``), as
# the matching of a 2,000-row report against 2,000 registrations took 1.9 s under load.
PREVIEW_IN_REQUEST_BYTES = 32 * 1024
# An import still queued after this long lost its job (a worker was killed): hand it out again ...
RETRY_QUEUED_AFTER = dt.timedelta(minutes=10)
# ... and after this long give up and say so, so no import stays "queued" for ever.
GIVE_UP_QUEUED_AFTER = dt.timedelta(hours=2)


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


# how an Excel workbook begins: .xlsx is a zip file, .xls an OLE2 compound document
SPREADSHEET_MARKS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def _decode(content: bytes) -> str:
    """The report's text; ``ImportFailed("not_csv")`` for bytes that are no text in any
    encoding a platform writes.

    Teams writes UTF-16 with a byte-order mark (sometimes without one); Zoom and spreadsheets
    UTF-8, often with a mark, and older spreadsheets their Windows code page (_decode_code_page).
    A UTF-16 file cut at an odd byte is not readable as UTF-16: it is refused, never half-read.
    """
    if content.startswith(SPREADSHEET_MARKS):
        # the report opened in Excel and saved as it opens: the organiser knows what to do if told
        raise ImportFailed(
            _(
                "This is a spreadsheet workbook (.xlsx or .xls), not a CSV file: open it, save it as CSV and "
                "upload that."
            ),
            "not_csv",
        )
    not_text = ImportFailed(_("The file is not a text (CSV) file, or it is cut off."), "not_csv")
    try:
        if content[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return content.decode("utf-16")
        if len(content) >= 4 and content[1:4:2] == b"\x00\x00" and content[0:4:2] != b"\x00\x00":
            return content.decode("utf-16-le")  # UTF-16 without its mark: every other byte NUL
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = _decode_code_page(content)
    except UnicodeDecodeError:
        raise not_text from None
    if "\x00" in text:
        raise not_text
    return text


HIGH_LETTER_FLAGS = bytes(int(byte >= 0xC0) for byte in range(256))


def _decode_code_page(content: bytes) -> str:
    """A file an older spreadsheet saved in its Windows code page: Cyrillic (1251: a Russian or
    Azerbaijani Cyrillic Windows) or Latin (1254, Azerbaijani and Turkish: Western 1252 but for
    ğ ı ş Ğ İ Ş, which 1252 reads as ð ý þ Ð Ý Þ; then 1252 itself, which has Ž and ž). Cyrillic
    words are all letters above 0xC0, Latin ones have one here and there: when most of those
    letters stand next to another, the file is Cyrillic."""
    # counted in C (bytes.translate, bytes.count): byte by byte in Python, a 5 MB file took
    # seconds. ``flags`` is 1 for a letter above 0xC0, 0 for any other byte; in a run of k such
    # letters k - 1 stand next to another, so the pairs are the letters less their runs.
    flags = content.translate(HIGH_LETTER_FLAGS)
    high = flags.count(1)
    paired = high - flags.count(b"\x00\x01") - flags.startswith(b"\x01")
    candidates = ("cp1251", "cp1254", "cp1252") if high and paired * 2 >= high else ("cp1254", "cp1252")
    for encoding in candidates:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError(candidates[-1], content, 0, len(content), "not text in a Windows code page")


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
    minutes = _read_minutes(value, line)
    if not math.isfinite(minutes) or minutes > MAX_ROW_MINUTES:
        raise ImportFailed(
            _("Line %(line)s: %(value)s is longer than a meeting can be."),
            "invalid_duration",
            params={"line": line, "value": repr(value[:40])},
            extra={"line": line},
        )
    return minutes


def _read_minutes(value: str, line: int) -> float:
    text = value.strip().lower()
    if len(text) > 40:
        raise ImportFailed(
            _("Line %(line)s: %(value)s… is not a duration."),
            "invalid_duration",
            params={"line": line, "value": repr(value[:40])},
            extra={"line": line},
        )
    if re.fullmatch(r"\d+([.,]\d+)?", text):
        return float(text.replace(",", "."))  # "44,6": a decimal comma
    # Teams: "1h 5m 3s", "45m 12s", "12s"
    match = TEAMS_DURATION.fullmatch(text)
    if text and match and any(match.groups()):
        hours, minutes, seconds = (int(group or 0) for group in match.groups())
        return hours * 60 + minutes + seconds / 60
    # "01:05:03"
    match = re.fullmatch(r"(\d+):(\d{2}):(\d{2})", text)
    if match:
        hours, minutes, seconds = (int(group) for group in match.groups())
        return hours * 60 + minutes + seconds / 60
    raise ImportFailed(
        _("Line %(line)s: %(value)s is not a duration."),
        "invalid_duration",
        params={"line": line, "value": repr(value[:40])},
        extra={"line": line},
    )


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


# Teams writes tabs, Zoom and most spreadsheets commas; a spreadsheet whose decimal mark is a
# comma (Azerbaijani, Russian, German Excel) writes semicolons.
DELIMITERS = ("\t", ",", ";")


def _participant_table(text: str) -> tuple[Iterator[list[str]], list[str] | None, int | None, str | None]:
    """The rows after the participant table's header, read with the delimiter under which a known
    header row appears within the first HEADER_WITHIN_ROWS rows of the first HEADER_WITHIN_CHARS
    characters (the likeliest delimiter first), the header, its index and the format;
    ``(rows, None, None, None)`` when no delimiter shows one. The rows are read as they are asked
    for, never all at once: a 5 MB file of one-character lines was read whole under each
    delimiter before its first rows were looked at (38 s and 660 MB for a file that was no report
    at all). ``newline=""``: csv itself splits lines, so old Macs' bare CRs and line breaks inside
    quoted cells are read as they are meant."""
    first_error = None
    head = text[:HEADER_WITHIN_CHARS]
    for delimiter in sorted(DELIMITERS, key=text.count, reverse=True):
        try:
            index = _header_index(head, delimiter)
            if index is None:
                continue
            # the whole file from the header on (the head ends somewhere in the table)
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            for _before in itertools.islice(reader, index):
                pass
            header = next(reader)
        except csv.Error as exc:  # a field beyond csv's size limit, a broken quote
            first_error = first_error or exc
            continue
        detected = _detect(header)
        if detected:
            return reader, header, index, detected
    if first_error is not None:
        raise _not_a_csv_table(first_error)
    return iter(()), None, None, None


def _header_index(head: str, delimiter: str) -> int | None:
    """Where a known header row is among the first HEADER_WITHIN_ROWS rows of ``head``."""
    rows = csv.reader(io.StringIO(head, newline=""), delimiter=delimiter)
    for index, row in enumerate(itertools.islice(rows, HEADER_WITHIN_ROWS)):
        # a row of thousands of cells ("," repeated) is no header: not looked at cell by cell
        if len(row) <= MAX_REPORT_COLUMNS and _detect(row):
            return index
    return None


def _not_a_csv_table(exc: csv.Error) -> ImportFailed:
    return ImportFailed(_("The file is not a readable CSV table (%(exc)s)."), "not_csv", params={"exc": str(exc)})


def _rows_after(reader: Iterator[list[str]]) -> Iterator[list[str]]:
    """The table's rows; a row csv cannot read (a field beyond its size limit, a broken quote)
    refuses the file, as it would have before the header."""
    try:
        yield from reader
    except csv.Error as exc:
        raise _not_a_csv_table(exc) from None


def parse_participant_report(content: bytes, *, expected_format: str = "auto") -> ParsedReport:
    """Read a participant report into rows; raise ImportFailed on anything it cannot read.

    Zoom and Teams exports begin with a block of meeting details before the participant
    table; the table is found by its header row.
    """
    text = _decode(content)
    if not text.strip():  # every line blank (str.strip takes what splitlines splits at)
        raise ImportFailed(_("The file is empty."), "empty_report")
    reader, header, header_at, detected = _participant_table(text)
    if header is None or header_at is None:
        raise ImportFailed(
            _(
                "No participant table found: expected a Zoom participants export, a Microsoft Teams attendance "
                "report, or a CSV with the columns name,email,duration."
            ),
            "unrecognised_format",
        )
    if expected_format not in ("", "auto", None) and expected_format != detected:
        raise ImportFailed(
            _("The file looks like a %(detected)s report, not %(expected_format)s."),
            "format_mismatch",
            params={"detected": detected, "expected_format": expected_format},
        )
    columns = {"zoom": ZOOM_COLUMNS, "teams": TEAMS_COLUMNS, "generic": GENERIC_COLUMNS}[detected]
    index = {key: _column_index(header, names) for key, names in columns.items()}
    if index["email"] is None and index.get("email_alt") is not None:
        index["email"] = index.pop("email_alt")
    if index["email"] is None or index["minutes"] is None:
        raise ImportFailed(_("The participant table has no email or duration column."), "missing_columns")

    parsed = ParsedReport(format=detected)
    for offset, row in enumerate(_rows_after(reader), start=header_at + 2):
        if offset - header_at - 1 > MAX_REPORT_LINES:
            # blank lines are skipped, not counted as rows: a table of millions of them still ends
            raise ImportFailed(
                _("A participant report has at most %(count)s rows.") % {"count": MAX_REPORT_ROWS},
                "too_many_rows",
            )
        if len(row) > MAX_REPORT_COLUMNS:
            raise ImportFailed(
                _("Line %(line)s: expected %(count)s columns."),
                "invalid_row",
                params={"line": offset, "count": len(header)},
                extra={"line": offset},
            )
        if not any(cell.strip() for cell in row):
            if detected == AttendanceImport.Format.TEAMS:
                break  # Teams: a blank line ends the participants section
            continue
        if detected == AttendanceImport.Format.TEAMS and re.match(r"^\d+\.\s", row[0].strip()):
            break  # the next numbered section ("3. In-Meeting Activities")
        if len(row) < len(header) and len(row) <= max(i for i in index.values() if i is not None):
            raise ImportFailed(
                _("Line %(line)s: expected %(count)s columns."),
                "invalid_row",
                params={"line": offset, "count": len(header)},
                extra={"line": offset},
            )

        if len(parsed.rows) >= MAX_REPORT_ROWS:
            raise ImportFailed(
                _("A participant report has at most %(count)s rows.") % {"count": MAX_REPORT_ROWS},
                "too_many_rows",
            )

        def cell(key, row=row):
            position = index.get(key)
            return row[position].strip() if position is not None and position < len(row) else ""

        parsed.rows.append(
            ReportRow(
                line=offset,
                name=cell("name"),
                email=tidy_email(cell("email") or (cell("email_alt") if "@" in cell("email_alt") else "")),
                minutes=_parse_minutes(cell("minutes"), offset) if cell("minutes") else None,
                joined=_parse_time(cell("joined")),
                left=_parse_time(cell("left")),
            )
        )
    if not parsed.rows:
        raise ImportFailed(_("The participant table has no rows."), "empty_report")
    return parsed


def merged_minutes(rows: list[ReportRow]) -> int:
    """Minutes one person was present, in the platform's own figures where the report has them.

    Rows whose join-to-leave times do not overlap (a rejoin) add up their own duration
    figures, so two Zoom rows of 39 and 48 minutes make 87, as Zoom's report says. Rows
    that overlap (a phone and a laptop at once) are one session: the span from the first
    join to the last leave, rounded up to the minute as Zoom rounds, and never less than
    the longest row's figure. Rows without times (Teams, the generic format) add up their
    durations. The total is rounded to the nearest minute.
    """
    if not all(row.joined and row.left and row.left >= row.joined for row in rows):
        return _whole_minutes(sum(row.minutes or 0 for row in rows))
    sessions = sorted(rows, key=lambda row: (row.joined, row.left))
    total = 0.0
    group, group_end = [sessions[0]], sessions[0].left
    for row in sessions[1:]:
        if row.joined < group_end:
            group.append(row)
            group_end = max(group_end, row.left)
        else:
            total += _session_minutes(group, group_end)
            group, group_end = [row], row.left
    total += _session_minutes(group, group_end)
    return _whole_minutes(total)


def _session_minutes(group: list[ReportRow], end: dt.datetime) -> float:
    if len(group) == 1 and group[0].minutes is not None:
        return group[0].minutes  # the platform's own figure
    span = math.ceil((end - group[0].joined).total_seconds() / 60)
    return max(span, *(row.minutes or 0 for row in group))


def _whole_minutes(minutes: float) -> int:
    return math.floor(minutes + 0.5)


def upload_participant_report(
    *,
    event: Event,
    content: bytes,
    filename: str = "",
    by=None,
    format: str = "auto",
    threshold_percent: int = 50,
    send_corrections: bool = False,
    record: bool = True,
) -> tuple[AttendanceImport, bool]:
    """Store an uploaded report and import it in the background.

    ``send_corrections``: when the event's follow-ups already went out, people whose
    attendance this report changes get one short correction (otherwise nothing is sent).
    ``record=False`` (the workspace): the import waits as a preview until ``record_import``; its
    preview is prepared here for a small file, by a job for a big one (``prepare_preview``).

    The same file for the same event returns the earlier import (``created`` False); if that
    import lost its job (still queued after ``RETRY_QUEUED_AFTER``) it is handed out again.
    A failed import does not hold the file: uploading it again is a new import.
    Side effect: an import job (or a preview job) after commit.
    """
    if not needs_report(event):
        # the page offers no upload for it: its attendance is the door's check-ins, and a
        # platform's report would mark everyone who came in person a no-show
        raise ImportFailed(
            _("An in-person event's attendance comes from the check-ins at the door; it takes no participant report."),
            "no_online_part",
        )
    if not content:
        raise ImportFailed(_("The file is empty."), "empty_report")
    if len(content) > MAX_REPORT_BYTES:
        raise ImportFailed(_("A participant report is at most 5 MB."), "file_too_large")
    if not 1 <= threshold_percent <= 100:
        raise ImportFailed(_("The threshold is a percentage between 1 and 100."), "invalid_threshold")
    digest = hashlib.sha256(content).hexdigest()
    existing = (
        AttendanceImport.objects.filter(event=event, content_sha256=digest)
        .exclude(status=AttendanceImport.Status.FAILED)
        .first()
    )
    if existing:
        return retry_import(report=existing), False
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
                send_corrections=send_corrections,
                status=AttendanceImport.Status.QUEUED if record else AttendanceImport.Status.PREVIEW,
            )
            if record:
                _enqueue_import(report.pk)
            else:
                _prepare_preview_soon(report)
    except IntegrityError:
        return (
            AttendanceImport.objects.filter(event=event, content_sha256=digest)
            .exclude(status=AttendanceImport.Status.FAILED)
            .get(),
            False,
        )
    return report, True


def _enqueue_import(import_id: int, *, now: dt.datetime | None = None) -> None:
    AttendanceImport.objects.filter(pk=import_id).update(handed_out_at=now or timezone.now())
    transaction.on_commit(lambda: enqueue("attendance.tasks.import_participant_report", import_id))


def is_stuck(report: AttendanceImport, *, now: dt.datetime | None = None) -> bool:
    """Queued, and its job handed out longer ago than a job takes: the job was lost."""
    now = now or timezone.now()
    handed_out = report.handed_out_at or report.created_at
    return report.status == AttendanceImport.Status.QUEUED and handed_out <= now - RETRY_QUEUED_AFTER


# failures the same file may get past: the job was lost or broke, not the file. A file the
# parser refused (not_csv, missing_columns, ...) fails again byte for byte: upload another one.
RETRYABLE_FAILURES = frozenset({"import_timeout", "import_error"})


def retry_may_help(report: AttendanceImport, *, now: dt.datetime | None = None) -> bool:
    """Whether running the same file again can end otherwise: a stuck import, or one whose job failed."""
    if report.status == AttendanceImport.Status.FAILED:
        return report.error_code in RETRYABLE_FAILURES
    return is_stuck(report, now=now) or preview_is_stuck(report, now=now)


def retry_import(*, report: AttendanceImport, now: dt.datetime | None = None) -> AttendanceImport:
    """Run a failed or stuck import again with the same file; a done or running one is left alone.

    A failed import is queued again only while no other import of the same file holds it
    (the file's uniqueness); otherwise that import is returned. Side effect: an import job.
    """
    now = now or timezone.now()
    if report.status == AttendanceImport.Status.FAILED:
        holder = (
            AttendanceImport.objects.filter(event_id=report.event_id, content_sha256=report.content_sha256)
            .exclude(status=AttendanceImport.Status.FAILED)
            .first()
        )
        if holder is not None:
            return holder
        try:
            with transaction.atomic():
                AttendanceImport.objects.filter(pk=report.pk, status=AttendanceImport.Status.FAILED).update(
                    status=AttendanceImport.Status.QUEUED,
                    error="",
                    error_params={},
                    error_code="",
                    finished_at=None,
                    created_at=now,
                )
                _enqueue_import(report.pk)
        except IntegrityError:  # the same file was uploaded again meanwhile
            pass
    elif is_stuck(report, now=now):
        with transaction.atomic():
            # handed_out_at restarts the retry clock; created_at keeps the give-up clock running
            _enqueue_import(report.pk, now=now)
    elif preview_is_stuck(report, now=now):
        with transaction.atomic():
            _enqueue_preview(report.pk, now=now)
    report.refresh_from_db()
    return report


def sweep_stuck_imports(*, now: dt.datetime | None = None) -> dict:
    """Hand out again imports whose job was lost; fail those queued far too long.

    Runs with the attendance finalisation job, so every import ends ``done`` or ``failed``.
    """
    now = now or timezone.now()
    queued = AttendanceImport.objects.filter(status=AttendanceImport.Status.QUEUED)
    given_up = queued.filter(created_at__lte=now - GIVE_UP_QUEUED_AFTER).update(
        status=AttendanceImport.Status.FAILED,
        # stored in English, shown in the reader's language (failure_text)
        error=gettext_noop("The import did not finish; upload the file again to retry."),
        error_params={},
        error_code="import_timeout",
        finished_at=now,
    )
    retried = 0
    lost = queued.filter(
        Q(handed_out_at__lte=now - RETRY_QUEUED_AFTER)
        | Q(handed_out_at__isnull=True, created_at__lte=now - RETRY_QUEUED_AFTER)
    )
    for report in lost.defer("content"):
        retry_import(report=report, now=now)
        retried += 1
    # previews whose job was lost (or that were uploaded before previews were stored)
    waiting = AttendanceImport.objects.filter(status=AttendanceImport.Status.PREVIEW, preview__isnull=True).filter(
        Q(handed_out_at__lte=now - RETRY_QUEUED_AFTER) | Q(handed_out_at__isnull=True)
    )
    for report in waiting.defer("content"):
        if preview_is_stuck(report, now=now):
            with transaction.atomic():
                _enqueue_preview(report.pk, now=now)
            retried += 1
    return {"retried": retried, "failed": given_up}


def _fail(report: AttendanceImport, *, message: str, code: str, now: dt.datetime, params: dict | None = None) -> None:
    """``message``: the English text, ``params`` its placeholders' values, so that each reader
    reads it in their own language (``failure_text``), not in the uploader's or the job's."""
    AttendanceImport.objects.filter(pk=report.pk).exclude(status=AttendanceImport.Status.DONE).update(
        status=AttendanceImport.Status.FAILED,
        error=message,
        error_params=params or {},
        error_code=code,
        finished_at=now,
    )


def failure_text(report: AttendanceImport) -> str:
    """Why ``report`` failed, in the active language (the reader's): its stored English text
    translated, then its placeholders filled from ``error_params``. A row stored worded (before
    the parameters were kept) reads as stored, translated when it has no placeholders."""
    if not report.error:
        return ""
    text = gettext(report.error)
    if not report.error_params:
        return text
    try:
        return text % report.error_params
    except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder: the English then
        return report.error % report.error_params


def import_participant_report(*, report: AttendanceImport, now: dt.datetime | None = None) -> AttendanceImport:
    """Apply a stored report: all rows or none. Safe to run twice (it sets, never adds).

    Whatever the bytes, the import ends ``done`` or ``failed`` with a code and a message:
    the whole job is guarded, not only the parsing.
    Side effects: when the event is over, attendance is finalised (follow-ups go out). A
    report after finalisation (a correction) changes the figures and sends nothing that
    contradicts a follow-up already sent: people with no follow-up yet get theirs, and, if
    the organiser chose it, those whose status changed get one short correction.
    """
    now = now or timezone.now()
    if report.status != AttendanceImport.Status.QUEUED:
        return report  # done, failed, or waiting for the organiser's preview
    event = report.event
    changed: list[int] = []
    try:
        changed = _apply_report(report=report, event=event, now=now)
    except ImportFailed as exc:
        # nothing of the file was applied (the atomic block rolled back); say why
        _fail(report, message=exc.template, params=exc.params, code=exc.code, now=now)
    except Exception:
        logger.exception("Attendance import %s failed unexpectedly", report.pk)
        _fail(
            report,
            message=gettext_noop(
                "The report could not be imported; nothing was changed. Try again, or check the file."
            ),
            code="import_error",
            now=now,
        )
    report.refresh_from_db()
    if report.status == AttendanceImport.Status.DONE:
        if event.attendance_finalised_at is None and event.end <= now:
            finalise_event_attendance(event=event, now=now)
        elif event.attendance_finalised_at is not None:
            queue_follow_ups(event=event, now=now)
            if report.send_corrections and changed:
                queue_attendance_corrections(event=event, registration_ids=changed)
    return report


@dataclass
class MatchedPerson:
    registration: Registration  # a StoredRegistrant in a stored preview
    rows: list[ReportRow]
    minutes: int
    attended: bool
    by_hand: bool
    checked_in: bool = False  # at the door: attended whatever their minutes online
    # the attendance an administrator decided by hand, which the report leaves (registrations.services.attendance);
    # "" when the report's decision is recorded
    kept: str = ""

    @property
    def kept_label(self) -> str:
        return Attendance(self.kept).label if self.kept else ""


@dataclass
class UnmatchedRow:
    line: int
    name: str
    email: str
    minutes: int
    reason: str  # no_email, not_registered, not_confirmed, outside_event
    # a registrant of the same name: offered, never applied (a StoredRegistrant in a stored preview)
    suggestion: Registration | None = None
    # not_confirmed: the status of the place this address holds instead (on the waiting list, cancelled, ...)
    status: str = ""

    @property
    def status_label(self) -> str:
        return RegistrationStatus(self.status).label if self.status else ""

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "name": self.name,
            "email": self.email,
            "minutes": self.minutes,
            "reason": self.reason,
            "status": self.status,
        }


@dataclass
class ImportPlan:
    """What recording a report would do: shown as the preview, then applied as it is."""

    format: str
    rows: int
    duration: int
    needed: int
    matched: list[MatchedPerson]
    unmatched: list[UnmatchedRow]

    @property
    def attended(self) -> int:
        """Registrants the report records as attended (not those whose decision by hand stands)."""
        return sum(person.attended and not person.kept for person in self.matched)

    @property
    def kept_by_hand(self) -> int:
        """Registrants found whose attendance, decided by hand, the report leaves as it is."""
        return sum(bool(person.kept) for person in self.matched)


def note_hand_decisions(plan: ImportPlan, *, event_id: int) -> ImportPlan:
    """Mark the registrants of ``plan`` whose attendance was decided by hand: recording leaves
    them (``MatchedPerson.kept``). Read now, not when the preview was stored: a decision made by
    hand since then is shown. One query."""
    decided = dict(
        decided_by_hand(Registration.objects.filter(event_id=event_id, status=RegistrationStatus.CONFIRMED))
        .order_by()
        .values_list("pk", "attendance")
    )
    for person in plan.matched:
        person.kept = decided.get(person.registration.pk, "")
    return plan


def _name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _outside_the_event(rows: list[ReportRow], event: Event) -> list[ReportRow]:
    """The rows (of a report with join times: Zoom's) that joined on another day than the event's.

    A platform writes its times in its account's zone, not always the event's, so a row counts
    as the event's from the day before its start to the day after its end (in the event's zone):
    what this catches is another meeting's report, a week's session for the next one. When no
    row at all is on the event's days, the file is refused (``outside_event``): recorded, it
    would make everyone a no-show and tell them so."""
    first_day = timezone.localtime(event.start, event.zone).date() - dt.timedelta(days=1)
    last_day = timezone.localtime(event.end, event.zone).date() + dt.timedelta(days=1)
    timed = [row for row in rows if row.joined is not None]
    outside = [row for row in timed if not first_day <= row.joined.date() <= last_day]
    if timed and len(outside) == len(timed):
        days = sorted({row.joined.date() for row in timed})
        raise ImportFailed(
            _(
                "The report's people joined on %(days)s, not on the day of this event (%(day)s): "
                "is it the report of another meeting?"
            ),
            "outside_event",
            params={
                "days": days[0].isoformat() if len(days) == 1 else f"{days[0].isoformat()}–{days[-1].isoformat()}",
                "day": timezone.localtime(event.start, event.zone).date().isoformat(),
            },
        )
    return outside


def plan_import(*, report: AttendanceImport, registrations=None) -> ImportPlan:
    """Match a report's rows to the event's confirmed registrations; change nothing.

    By email (case-insensitive), then the organiser's matches by hand (``manual_matches``,
    line → registration). A row without an email, or with an address nobody registered
    with, stays unmatched with its reason; when its name is exactly one unmatched
    registrant's name, that registrant is a *suggestion* for the organiser, never a guess.
    Someone checked in at the door (a hybrid event) attended whatever minutes the meeting's
    report gives them. Raises ImportFailed when the file cannot be read.
    """
    event = report.event
    parsed = parse_participant_report(bytes(report.content), expected_format=report.format)
    if registrations is None:
        registrations = Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED)
    by_pk = {registration.pk: registration for registration in registrations}
    by_email = {registration.email.lower(): registration for registration in by_pk.values()}
    by_hand = {int(line): pk for line, pk in (report.manual_matches or {}).items() if pk in by_pk}

    outside = _outside_the_event(parsed.rows, event)
    outside_lines = {row.line for row in outside}
    groups: dict[int, list[ReportRow]] = defaultdict(list)
    hand_matched: set[int] = set()
    loose: dict[str, list[ReportRow]] = defaultdict(list)
    for row in parsed.rows:
        if row.line in outside_lines:
            continue  # another day's row: listed, never counted
        registration = by_email.get(row.email) if row.email else None
        if registration is None and row.line in by_hand:
            registration = by_pk[by_hand[row.line]]
            hand_matched.add(registration.pk)
        if registration is not None:
            groups[registration.pk].append(row)
        else:
            loose[row.email or f"line:{row.line}"].append(row)

    checked_in = set(
        CheckIn.objects.filter(event_id=event.pk, undone_at__isnull=True, registration_id__in=list(groups)).values_list(
            "registration_id", flat=True
        )
    )
    duration = max(math.ceil((event.end - event.start).total_seconds() / 60), 1)
    needed = math.ceil(duration * report.threshold_percent / 100)
    matched = []
    for pk, rows in groups.items():
        minutes = merged_minutes(rows)
        # checked in at the door (a hybrid event): there, whatever the meeting's report says of them
        at_the_door = pk in checked_in
        matched.append(
            MatchedPerson(by_pk[pk], rows, minutes, minutes >= needed or at_the_door, pk in hand_matched, at_the_door)
        )
    matched.sort(key=lambda person: (person.registration.name.casefold(), person.registration.pk))

    unclaimed = defaultdict(list)
    for registration in by_pk.values():
        if registration.pk not in groups:
            unclaimed[_name_key(registration.name)].append(registration)
    # an address registered without a confirmed place (on the waiting list, cancelled, awaiting
    # approval) is not "not registered": the organiser is told what its place is
    other_places = {
        email.lower(): status
        for email, status in Registration.objects.filter(event_id=event.pk)
        .exclude(status=RegistrationStatus.CONFIRMED)
        .order_by("created_at", "pk")
        .values_list("email", "status")
    }
    unmatched = []
    for key, rows in loose.items():
        first = rows[0]
        same_name = unclaimed.get(_name_key(first.name), [])
        status = "" if key.startswith("line:") else other_places.get(key, "")
        unmatched.append(
            UnmatchedRow(
                line=first.line,
                name=first.name,
                email=first.email,
                minutes=merged_minutes(rows),
                reason="no_email" if key.startswith("line:") else ("not_confirmed" if status else "not_registered"),
                suggestion=same_name[0] if len(same_name) == 1 else None,
                status=status,
            )
        )
    unmatched += [
        UnmatchedRow(
            line=row.line,
            name=row.name,
            email=row.email,
            minutes=merged_minutes([row]),
            reason="outside_event",
        )
        for row in outside
    ]
    unmatched.sort(key=lambda row: row.line)
    return ImportPlan(
        format=parsed.format,
        rows=len(parsed.rows),
        duration=duration,
        needed=needed,
        matched=matched,
        unmatched=unmatched,
    )


# --- the stored preview ---------------------------------------------------------------------
# What the preview page shows of a report waiting for the organiser, matched once and kept in
# ``AttendanceImport.preview``: the page reads it instead of parsing and matching the file at each
# opening. Recording does not use it: ``_apply_report`` matches the file against the registrations
# as they are then (someone who cancelled since the upload is not marked).


def _preview_data(plan: ImportPlan, manual_matches: dict) -> dict:
    def person(registration: Registration | None) -> list | None:
        return None if registration is None else [registration.pk, registration.name, registration.email]

    return {
        "manual_matches": manual_matches,
        "format": plan.format,
        "rows": plan.rows,
        "duration": plan.duration,
        "needed": plan.needed,
        "matched": [[*person(p.registration), p.minutes, p.attended, p.by_hand, p.checked_in] for p in plan.matched],
        "unmatched": [
            [row.line, row.name, row.email, row.minutes, row.reason, row.status, person(row.suggestion)]
            for row in plan.unmatched
        ],
    }


@dataclass(frozen=True)
class StoredRegistrant:
    """A registrant as the preview stored them: what the page shows, not read from the database
    (a model instance for each of 2,000 registrants cost more than the rest of the page)."""

    pk: int
    name: str
    email: str


def _preview_is_current(report: AttendanceImport) -> bool:
    data = report.preview
    return bool(data) and data.get("manual_matches") == (report.manual_matches or {})


def stored_plan(report: AttendanceImport) -> ImportPlan | None:
    """The preview stored for ``report``, or None while it is being prepared (none yet, or one of
    the organiser's matches before the last). Its registrants are ``StoredRegistrant``s; those
    whose attendance is decided by hand are marked as they are now (:func:`note_hand_decisions`)."""
    if not _preview_is_current(report):
        return None
    data = report.preview
    plan = ImportPlan(
        format=data["format"],
        rows=data["rows"],
        duration=data["duration"],
        needed=data["needed"],
        matched=[
            MatchedPerson(StoredRegistrant(pk, name, email), [], minutes, attended, by_hand, checked_in)
            for pk, name, email, minutes, attended, by_hand, checked_in in data["matched"]
        ],
        unmatched=[
            UnmatchedRow(
                line=line,
                name=name,
                email=email,
                minutes=minutes,
                reason=reason,
                status=status,
                suggestion=StoredRegistrant(*suggestion) if suggestion else None,
            )
            for line, name, email, minutes, reason, status, suggestion in data["unmatched"]
        ],
    )
    return note_hand_decisions(plan, event_id=report.event_id)


def prepare_preview(*, report: AttendanceImport, now: dt.datetime | None = None) -> AttendanceImport:
    """Parse and match a report waiting for the organiser, and store what its preview shows (the
    job's work, or the upload's for a small file). Safe to run twice; a preview of matches the
    organiser changed meanwhile is not stored (the change prepares its own). A file that cannot be
    read fails the import with its code."""
    now = now or timezone.now()
    report.refresh_from_db(fields=["status", "manual_matches", "format", "threshold_percent"])
    if report.status != AttendanceImport.Status.PREVIEW:
        return report
    matches = dict(report.manual_matches or {})
    try:
        plan = plan_import(report=report)
    except ImportFailed as exc:
        _fail(report, message=exc.template, params=exc.params, code=exc.code, now=now)
    else:
        data = _preview_data(plan, matches)
        with transaction.atomic():
            current = (
                AttendanceImport.objects.select_for_update()
                .filter(pk=report.pk, status=AttendanceImport.Status.PREVIEW)
                .values_list("manual_matches", flat=True)
                .first()
            )
            if current is not None and dict(current or {}) == matches:
                AttendanceImport.objects.filter(pk=report.pk).update(preview=data, detected_format=plan.format)
    report.refresh_from_db()
    return report


def _prepare_preview_soon(report: AttendanceImport) -> None:
    """The preview of ``report``: here for a small file, by a job after commit for a big one."""
    if len(report.content) <= PREVIEW_IN_REQUEST_BYTES:
        prepare_preview(report=report)
    else:
        _enqueue_preview(report.pk)


def _enqueue_preview(import_id: int, *, now: dt.datetime | None = None) -> None:
    AttendanceImport.objects.filter(pk=import_id).update(handed_out_at=now or timezone.now())
    transaction.on_commit(lambda: enqueue("attendance.tasks.prepare_report_preview", import_id))


def preview_is_stuck(report: AttendanceImport, *, now: dt.datetime | None = None) -> bool:
    """Waiting for its preview, and its job handed out longer ago than a job takes (or never)."""
    if report.status != AttendanceImport.Status.PREVIEW or _preview_is_current(report):
        return False
    now = now or timezone.now()
    return report.handed_out_at is None or report.handed_out_at <= now - RETRY_QUEUED_AFTER


def match_row(*, report: AttendanceImport, line: int, registration: Registration | None, by=None) -> AttendanceImport:
    """The organiser says who an unmatched row is (``None`` undoes it). Only before recording."""
    if report.status != AttendanceImport.Status.PREVIEW:
        raise ImportFailed(_("This report is already recorded; upload it again to change it."), "import_recorded")
    if registration is not None and (
        registration.event_id != report.event_id or registration.status != RegistrationStatus.CONFIRMED
    ):
        raise ImportFailed(_("Match rows to confirmed registrations of this event only."), "not_a_registrant")
    matches = dict(report.manual_matches or {})
    if registration is None:
        matches.pop(str(line), None)
    else:
        matches[str(line)] = registration.pk
    with transaction.atomic():
        AttendanceImport.objects.filter(pk=report.pk).update(manual_matches=matches, preview=None)
        log_action(by=by, action="attendance.row_matched", event=report.event, subject=report, data={"line": line})
        report.refresh_from_db()
        # the stored preview is of the matches before: matched again (here, or by a job for a big file)
        _prepare_preview_soon(report)
    report.refresh_from_db()
    return report


def record_import(*, report: AttendanceImport, send_corrections: bool | None = None) -> AttendanceImport:
    """Record a previewed import as the organiser saw it. Side effect: the import job after commit."""
    with transaction.atomic():
        changes = {"status": AttendanceImport.Status.QUEUED, "created_at": timezone.now()}
        if send_corrections is not None:
            changes["send_corrections"] = send_corrections
        won = AttendanceImport.objects.filter(pk=report.pk, status=AttendanceImport.Status.PREVIEW).update(**changes)
        if won:
            _enqueue_import(report.pk)
    report.refresh_from_db()
    return report


def _apply_report(*, report: AttendanceImport, event: Event, now: dt.datetime) -> list[int]:
    """Set minutes and attendance from the report's plan; returns the registrations whose
    attendance changed from one known value to another.

    Minutes are the report's for everyone found; attendance is written by the one rule of the
    automatic sources (``registrations.services.attendance.record_attendance``): a decision made by
    hand stands, and is counted (``kept_by_hand``)."""
    changed = []
    with transaction.atomic():
        # the event's registrations locked: the plan, the hand decisions and the writes agree
        confirmed = Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED)
        registrations = list(confirmed.select_for_update())
        plan = note_hand_decisions(plan_import(report=report, registrations=registrations), event_id=event.pk)
        decided: dict[str, list[int]] = {Attendance.ATTENDED: [], Attendance.NO_SHOW: []}
        for person in plan.matched:
            registration = person.registration
            outcome = Attendance.ATTENDED if person.attended else Attendance.NO_SHOW
            if not person.kept and registration.attendance not in (Attendance.UNKNOWN, outcome):
                changed.append(registration.pk)
            decided[outcome].append(registration.pk)
            registration.minutes_attended = person.minutes
            registration.updated_at = now
        Registration.objects.bulk_update(
            [person.registration for person in plan.matched], ["minutes_attended", "updated_at"], batch_size=500
        )
        for outcome, pks in decided.items():
            for start in range(0, len(pks), 500):
                batch = pks[start : start + 500]
                record_attendance(registrations=confirmed.filter(pk__in=batch), attendance=outcome, now=now)
        AttendanceImport.objects.filter(pk=report.pk).update(
            status=AttendanceImport.Status.DONE,
            detected_format=plan.format,
            rows=plan.rows,
            matched=len(plan.matched),
            attended=plan.attended,
            kept_by_hand=plan.kept_by_hand,
            unmatched_rows=[row.as_dict() for row in plan.unmatched],
            preview=None,  # recorded: the page shows what was recorded
            error="",
            error_params={},
            error_code="",
            finished_at=now,
        )
    return changed
