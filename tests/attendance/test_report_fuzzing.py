"""Whatever the bytes, a participant report is read or refused with a code, and an import
ends ``done`` or ``failed``: truncations at every offset of real-shaped Zoom and Teams
exports, random bytes, other encodings, empty and huge files. Runs in a few seconds."""

import datetime as dt
import random
import time
from pathlib import Path

import pytest

from attendance.exceptions import ImportFailed
from attendance.models import AttendanceImport
from attendance.services import participant_reports
from tests import factories
from tests.notifications.conftest import make_registration

REPORTS = Path(__file__).parent / "reports"
ZOOM = (REPORTS / "zoom_participants.csv").read_bytes()
TEAMS = (REPORTS / "teams_attendance.csv").read_bytes()
CODES = {
    "not_csv",
    "empty_report",
    "unrecognised_format",
    "missing_columns",
    "invalid_row",
    "invalid_duration",
    "format_mismatch",
    "file_too_large",
    "too_many_rows",
}
START = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)


def _read(content: bytes):
    """The parser's answer: the rows read, or the code it refused with. Nothing else may escape."""
    try:
        parsed = participant_reports.parse_participant_report(content)
    except ImportFailed as exc:
        assert exc.code in CODES, exc.code
        assert exc.message
        return exc.code
    for row in parsed.rows:
        minutes = participant_reports.merged_minutes([row])
        assert 0 <= minutes <= participant_reports.MAX_ROW_MINUTES
    return parsed


def test_the_sample_reports_are_read_whole():
    assert _read(ZOOM).format == "zoom"
    assert len(_read(ZOOM).rows) == 9
    assert _read(TEAMS).format == "teams"
    assert len(_read(TEAMS).rows) == 6


@pytest.mark.parametrize("sample", [ZOOM, TEAMS], ids=["zoom", "teams"])
def test_a_report_cut_at_any_byte_is_read_or_refused_with_a_code(sample):
    answers = [_read(sample[:offset]) for offset in range(len(sample) + 1)]

    # a Teams file cut at an odd byte is not UTF-16: refused, never half-read
    if sample is TEAMS:
        assert {answers[offset] for offset in range(3, len(sample), 2)} == {"not_csv"}
    assert answers[0] == "empty_report"
    assert answers[-1].format in ("zoom", "teams")


def test_random_bytes_are_refused_with_a_code():
    generator = random.Random(15)
    blobs = [bytes(generator.getrandbits(8) for _ in range(generator.randint(1, 400))) for _ in range(300)]
    # random bytes behind a real header, and random mutations of the real files
    blobs += [b"name,email,duration\n" + blob for blob in blobs[:100]]
    for sample in (ZOOM, TEAMS):
        for _ in range(150):
            mutated = bytearray(sample)
            for _ in range(generator.randint(1, 8)):
                mutated[generator.randrange(len(mutated))] = generator.getrandbits(8)
            blobs.append(bytes(mutated))

    for blob in blobs:
        _read(blob)


def test_the_bytes_from_the_issue_are_refused():
    assert _read(b"\xff\xfe\x41") == "not_csv"


@pytest.mark.parametrize(
    ("encoding", "readable"),
    [
        ("utf-8", True),
        ("utf-8-sig", True),
        ("utf-16", True),
        ("utf-16-le", True),  # no byte-order mark
        ("utf-16-be", False),  # no mark, big-endian: no platform writes it; refused
        ("cp1252", True),
        ("latin-1", True),
        ("utf-32", False),
    ],
)
def test_other_encodings_are_read_or_refused(encoding, readable):
    text = ZOOM.decode("utf-8").replace("Aysel Mammadova", "Aysel Məmmədova").replace("Məmmədova", "Mammadová")

    answer = _read(text.encode(encoding))

    if readable:
        assert answer.format == "zoom"
        assert len(answer.rows) == 9
    else:
        assert isinstance(answer, str)


def test_empty_and_blank_files_are_empty():
    assert [_read(content) for content in (b"", b"\n\n", b"\xef\xbb\xbf", "\n".encode("utf-16"))] == [
        "empty_report"
    ] * 4


def test_huge_files_are_refused_or_read_quickly():
    one_field = b"name,email,duration\nA,a@example.org," + b"9" * 300_000 + b"\n"
    huge_minutes = b"name,email,duration\nA,a@example.org," + b"9" * 400 + b"\n"
    many = participant_reports.MAX_REPORT_ROWS
    many_rows = b"name,email,duration\n" + b"".join(b"P%d,p%d@example.org,45\n" % (n, n) for n in range(many))
    too_many_rows = many_rows + b"One more,one.more@example.org,45\n"

    assert _read(one_field) == "not_csv"  # beyond csv's field limit
    assert _read(huge_minutes) == "invalid_duration"
    assert len(_read(many_rows).rows) == many
    assert _read(too_many_rows) == "too_many_rows"


# the largest file stored, in shapes that are no participant table: each took 15 to 40 s and
# some 660 MB to refuse (every line read under each delimiter before the first was looked at, the
# bytes counted one by one in Python), in the worker's job and in the workspace's preview alike
LARGEST = participant_reports.MAX_REPORT_BYTES
HEADER = b"name,email,duration\n"
NO_TABLES = {
    "one-character lines": (b"x\n" * (LARGEST // 2), "unrecognised_format"),
    "one row of delimiters": (b"a;\t," * (LARGEST // 4), "unrecognised_format"),
    "blank lines under a header": (HEADER + b"\n" * (LARGEST - len(HEADER)), "too_many_rows"),
    "a row of empty cells under a header": (HEADER + b"," * (LARGEST - len(HEADER)), "invalid_row"),
    "a code page's letters": (HEADER + b"\xc7\xfd\n" * ((LARGEST - len(HEADER)) // 3), "invalid_row"),
}


@pytest.mark.parametrize("shape", NO_TABLES)
def test_the_largest_file_that_is_no_table_is_refused_at_once(shape):
    content, code = NO_TABLES[shape]
    assert len(content) <= participant_reports.MAX_REPORT_BYTES

    started = time.monotonic()
    answer = _read(content)
    took = time.monotonic() - started

    assert answer == code
    assert took < 3, f"{shape}: {took:.1f} s"


def test_a_table_whose_header_is_near_the_end_of_the_first_characters_is_read_whole():
    details = b"Topic," + b"t" * (participant_reports.HEADER_WITHIN_CHARS - 1_000) + b"\n"
    header = b"Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\n"
    rows = [b"P%d,p%d@example.org,11/20/2026 02:00:00 PM,11/20/2026 03:00:00 PM,60\n" % (n, n) for n in range(100)]

    answer = _read(details + header + b"".join(rows))

    assert (answer.format, len(answer.rows), answer.rows[-1].email) == ("zoom", 100, "p99@example.org")


def test_a_file_over_the_limit_is_not_stored(db):
    event = factories.WebinarFactory(start=START, end=START + dt.timedelta(minutes=90))

    with pytest.raises(ImportFailed) as error:
        participant_reports.upload_participant_report(
            event=event, content=b"x" * (participant_reports.MAX_REPORT_BYTES + 1)
        )

    assert error.value.code == "file_too_large"
    assert AttendanceImport.objects.count() == 0


# --- the whole job ----------------------------------------------------------------------


@pytest.fixture
def webinar(db):
    event = factories.WebinarFactory(start=START, end=START + dt.timedelta(minutes=90))
    for name in ("Aysel Mammadova", "Rauf Aliyev", "Nigar Hasanova", "Elvin Quliyev"):
        make_registration(event, name=name, email=f"{name.split()[0].lower()}@example.org")
    return event


def _upload(event, content, capture, **kwargs):
    with capture(execute=True):
        report, created = participant_reports.upload_participant_report(event=event, content=content, **kwargs)
    report.refresh_from_db()
    return report, created


def test_every_import_ends_done_or_failed_whatever_the_bytes(webinar, django_capture_on_commit_callbacks):
    generator = random.Random(16)
    contents = [ZOOM[:offset] for offset in range(1, len(ZOOM), 97)]
    contents += [TEAMS[:offset] for offset in range(1, len(TEAMS), 83)]
    contents += [b"\xff\xfe\x41", bytes(generator.getrandbits(8) for _ in range(200))]

    outcomes = [_upload(webinar, content, django_capture_on_commit_callbacks)[0] for content in contents]

    for report in outcomes:
        assert report.status in (AttendanceImport.Status.DONE, AttendanceImport.Status.FAILED)
        if report.status == AttendanceImport.Status.FAILED:
            assert report.error_code in CODES
            assert report.error
    assert not AttendanceImport.objects.filter(status=AttendanceImport.Status.QUEUED).exists()


def test_the_cut_teams_file_fails_and_can_be_uploaded_again(webinar, django_capture_on_commit_callbacks):
    cut = TEAMS[:777]

    first, _ = _upload(webinar, cut, django_capture_on_commit_callbacks)
    again, created = _upload(webinar, cut, django_capture_on_commit_callbacks)

    assert (first.status, first.error_code) == (AttendanceImport.Status.FAILED, "not_csv")
    assert created and again.pk != first.pk
    assert (again.status, again.error_code) == (AttendanceImport.Status.FAILED, "not_csv")


def test_an_unexpected_error_fails_the_import_with_a_code(webinar, django_capture_on_commit_callbacks, monkeypatch):
    def broken(rows):  # stands in for any bug past the parser
        raise ZeroDivisionError

    monkeypatch.setattr(participant_reports, "merged_minutes", broken)

    report, _ = _upload(webinar, ZOOM, django_capture_on_commit_callbacks)

    assert (report.status, report.error_code) == (AttendanceImport.Status.FAILED, "import_error")
    assert report.error
    assert set(webinar.registrations.values_list("minutes_attended", flat=True)) == {None}

    monkeypatch.undo()
    retried, created = _upload(webinar, ZOOM, django_capture_on_commit_callbacks)

    assert created
    assert retried.status == AttendanceImport.Status.DONE


def test_a_failed_import_is_retried_with_its_own_file(webinar, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(participant_reports, "merged_minutes", lambda rows: 1 / 0)
    failed, _ = _upload(webinar, ZOOM, django_capture_on_commit_callbacks)
    monkeypatch.undo()

    with django_capture_on_commit_callbacks(execute=True):
        retried = participant_reports.retry_import(report=failed)
    retried.refresh_from_db()

    assert retried.pk == failed.pk
    assert retried.status == AttendanceImport.Status.DONE


def test_a_stuck_import_is_handed_out_again(webinar, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the worker died: the job never ran
        stuck, _ = participant_reports.upload_participant_report(event=webinar, content=ZOOM)
    eleven_minutes_ago = stuck.created_at - dt.timedelta(minutes=11)
    AttendanceImport.objects.filter(pk=stuck.pk).update(created_at=eleven_minutes_ago, handed_out_at=eleven_minutes_ago)

    again, created = _upload(webinar, ZOOM, django_capture_on_commit_callbacks)

    assert not created
    assert again.pk == stuck.pk
    assert again.status == AttendanceImport.Status.DONE


def test_the_sweep_retries_lost_jobs_and_gives_up_on_old_ones(webinar, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        lost, _ = participant_reports.upload_participant_report(event=webinar, content=ZOOM)
        ancient, _ = participant_reports.upload_participant_report(event=webinar, content=TEAMS)
    now = lost.created_at
    AttendanceImport.objects.filter(pk=lost.pk).update(
        created_at=now - dt.timedelta(minutes=20), handed_out_at=now - dt.timedelta(minutes=20)
    )
    # handed out again and again, but never done: after two hours it fails
    AttendanceImport.objects.filter(pk=ancient.pk).update(
        created_at=now - dt.timedelta(hours=3), handed_out_at=now - dt.timedelta(minutes=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        swept = participant_reports.sweep_stuck_imports(now=now)

    lost.refresh_from_db()
    ancient.refresh_from_db()
    assert swept == {"retried": 1, "failed": 1}
    assert lost.status == AttendanceImport.Status.DONE
    assert (ancient.status, ancient.error_code) == (AttendanceImport.Status.FAILED, "import_timeout")


def test_the_api_retries_a_failed_import(
    webinar, organiser, organiser_client, django_capture_on_commit_callbacks, monkeypatch
):
    webinar.organisers.add(organiser)
    monkeypatch.setattr(participant_reports, "merged_minutes", lambda rows: 1 / 0)
    failed, _ = _upload(webinar, ZOOM, django_capture_on_commit_callbacks)
    monkeypatch.undo()

    with django_capture_on_commit_callbacks(execute=True):
        retried = organiser_client.post(f"/api/attendance-imports/{failed.pk}/retry/")
    again = organiser_client.post(f"/api/attendance-imports/{failed.pk}/retry/")

    failed.refresh_from_db()
    assert retried.status_code == 202
    assert failed.status == AttendanceImport.Status.DONE
    assert (again.status_code, again.json()["code"]) == (409, "import_not_retryable")


@pytest.mark.parametrize(
    ("encoding", "names"),
    [
        # a Russian (or Azerbaijani Cyrillic) Windows spreadsheet
        ("cp1251", ["Айсель Мамедова", "Рауф Алиев"]),
        # an Azerbaijani or Turkish Latin Windows spreadsheet (ə has no place in it)
        ("cp1254", ["Aydın Ağayev", "Şirin Qasımova"]),
        ("cp1252", ["Zoë Brontë", "José Müller"]),
    ],
)
def test_a_spreadsheets_own_code_page_gives_the_names_as_written(encoding, names):
    text = "name;email;duration\n" + "".join(f"{name};p{n}@example.org;45\n" for n, name in enumerate(names))

    answer = _read(text.encode(encoding))

    assert [row.name for row in answer.rows] == names
