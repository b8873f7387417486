"""The workspace's attendance page: upload, preview, match by hand, record, finalise, follow-ups."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from attendance.models import AttendanceImport
from events.models import EventFormat
from notifications import kinds
from notifications.models import OutboxMessage
from registrations.models import Attendance
from tests import factories
from tests.notifications.conftest import make_registration

pytestmark = pytest.mark.django_db
ZOOM = (Path(__file__).parents[1] / "attendance" / "reports" / "zoom_participants.csv").read_bytes()


@pytest.fixture
def ended_webinar(organiser):
    # the day of the sample Zoom report (18:00 in Baku): a report of another day is refused
    start = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)
    event = factories.WebinarFactory(
        organisers=[organiser], title="Careers in data science", start=start, end=start + dt.timedelta(minutes=90)
    )
    for name in ("Aysel Mammadova", "Rauf Aliyev", "Nigar Hasanova", "Elvin Quliyev", "Leyla Karimova"):
        make_registration(event, name=name, email=f"{name.split()[0].lower()}@example.org")
    return event


def _upload(client, event, content=ZOOM, **fields):
    return client.post(
        f"/manage/events/{event.pk}/attendance/",
        {"action": "upload", "file": SimpleUploadedFile("zoom.csv", content), "format": "auto", "threshold_percent": 50}
        | fields,
    )


def test_an_online_event_waits_for_its_report(organiser_web, ended_webinar):
    response = organiser_web.get(f"/manage/events/{ended_webinar.pk}/attendance/")

    assert response.status_code == 200
    assert response.context["state"] == "waiting_for_report"
    assert "Finalise without a report" in response.content.decode()


def test_upload_shows_a_preview_and_records_nothing(organiser_web, ended_webinar, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = _upload(organiser_web, ended_webinar)
    report = AttendanceImport.objects.get()
    page = organiser_web.get(uploaded["Location"])

    plan = page.context["plan"]
    assert report.status == AttendanceImport.Status.PREVIEW
    assert (plan.needed, plan.duration) == (45, 90)
    assert [(p.registration.email, p.minutes, p.attended) for p in plan.matched] == [
        ("aysel@example.org", 87, True),
        ("elvin@example.org", 20, False),
        ("nigar@example.org", 90, True),
        ("rauf@example.org", 91, True),
    ]
    assert [(row.email, row.reason) for row in plan.unmatched] == [
        ("organiser@example.org", "not_registered"),
        ("guest@example.org", "not_registered"),
        ("", "no_email"),
    ]
    # Leyla's row has no email: her registration is offered, not applied
    leyla = ended_webinar.registrations.get(email="leyla@example.org")
    assert plan.unmatched[2].suggestion.pk == leyla.pk
    assert set(ended_webinar.registrations.values_list("attendance", flat=True)) == {Attendance.UNKNOWN}
    assert OutboxMessage.objects.count() == 0


def test_match_by_hand_then_record_and_see_the_follow_ups(
    organiser_web, ended_webinar, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(organiser_web, ended_webinar)
    report = AttendanceImport.objects.get()
    leyla = ended_webinar.registrations.get(email="leyla@example.org")
    url = f"/manage/events/{ended_webinar.pk}/attendance/imports/{report.pk}/"
    line = organiser_web.get(url).context["plan"].unmatched[2].line

    organiser_web.post(url, {"action": "match", "line": line, "registration": leyla.pk})
    matched = organiser_web.get(url).context["plan"]
    with django_capture_on_commit_callbacks(execute=True):
        organiser_web.post(url, {"action": "record"})

    report.refresh_from_db()
    leyla.refresh_from_db()
    ended_webinar.refresh_from_db()
    assert [p.registration.email for p in matched.matched if p.by_hand] == ["leyla@example.org"]
    assert (report.status, report.matched, report.attended) == (AttendanceImport.Status.DONE, 5, 4)
    assert (leyla.attendance, leyla.minutes_attended) == (Attendance.ATTENDED, 75)
    assert ended_webinar.attendance_finalised_at is not None
    page = organiser_web.get(f"/manage/events/{ended_webinar.pk}/attendance/")
    follow_ups = page.context["follow_ups"]
    assert sorted(m.recipient_email for m in follow_ups["attended"]) == [
        "aysel@example.org",
        "leyla@example.org",
        "nigar@example.org",
        "rauf@example.org",
    ]
    assert [m.recipient_email for m in follow_ups["no_show"]] == ["elvin@example.org"]


def test_finalise_without_a_report(organiser_web, ended_webinar, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        organiser_web.post(f"/manage/events/{ended_webinar.pk}/attendance/", {"action": "finalise_without_report"})

    ended_webinar.refresh_from_db()
    assert ended_webinar.attendance_finalised_at is not None
    assert OutboxMessage.objects.filter(kind=kinds.FOLLOW_UP_NO_SHOW).count() == 5


def test_a_broken_file_fails_with_its_reason(organiser_web, ended_webinar):
    uploaded = _upload(organiser_web, ended_webinar, content=b"\xff\xfe\x41")
    page = organiser_web.get(uploaded["Location"])

    report = AttendanceImport.objects.get()
    assert (report.status, report.error_code) == (AttendanceImport.Status.FAILED, "not_csv")
    # the same bytes fail the same way: the page offers another file, not "Try again with the same file"
    content = page.content.decode()
    assert "Try again with the same file" not in content
    assert f'href="/manage/events/{ended_webinar.pk}/attendance/#upload"' in content
    assert 'id="upload"' in organiser_web.get(f"/manage/events/{ended_webinar.pk}/attendance/").content.decode()


def test_a_workbook_is_not_offered_the_same_file_again(organiser_web, ended_webinar):
    """An .xlsx was told 'save it as CSV and upload that' above a button 'Try again with the same file'."""
    uploaded = _upload(organiser_web, ended_webinar, content=b"PK\x03\x04" + b"\x00" * 40)
    content = organiser_web.get(uploaded["Location"]).content.decode()

    assert AttendanceImport.objects.get().error_code == "not_csv"
    assert "save it as CSV" in content
    assert "Try again with the same file" not in content
    assert "Upload another file" in content


@pytest.mark.parametrize("code", ["import_timeout", "import_error"])
def test_a_failed_job_is_offered_the_same_file_again(organiser_web, ended_webinar, code):
    report = AttendanceImport.objects.create(
        event=ended_webinar,
        content=ZOOM,
        content_sha256="zoom",
        status=AttendanceImport.Status.FAILED,
        error="The import did not finish; upload the file again to retry.",
        error_code=code,
    )

    content = organiser_web.get(f"/manage/events/{ended_webinar.pk}/attendance/imports/{report.pk}/").content.decode()

    assert "Try again with the same file" in content
    assert "Upload another file" not in content


@pytest.mark.parametrize(
    ("rows", "said"), [(1, "1 row read (name,email,duration)."), (2, "2 rows read (name,email,duration).")]
)
def test_the_preview_counts_its_rows_in_words(
    organiser_web, ended_webinar, django_capture_on_commit_callbacks, rows, said
):
    """It read '1 rows read (generic).': no plural, and the format's code instead of its name."""
    lines = ["Name,Email,Duration"] + [f"Person {n},person{n}@example.org,60" for n in range(rows)]
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = _upload(organiser_web, ended_webinar, content="\n".join(lines).encode())

    content = organiser_web.get(uploaded["Location"]).content.decode()

    assert AttendanceImport.objects.get().status == AttendanceImport.Status.PREVIEW
    assert said in content


def test_finalising_an_event_not_over_is_refused(organiser_web, organiser):
    event = factories.WebinarFactory(organisers=[organiser])

    response = organiser_web.post(
        f"/manage/events/{event.pk}/attendance/", {"action": "finalise_without_report"}, follow=True
    )

    event.refresh_from_db()
    assert event.attendance_finalised_at is None
    # the service would not finalise it anyway: the organiser is told why
    assert [str(message) for message in response.context["messages"]] == ["The event has not ended yet."]


def test_another_organisers_event_and_import_are_404(organiser_web, ended_webinar, django_capture_on_commit_callbacks):
    other = factories.WebinarFactory(organisers=[factories.OrganiserFactory()])
    report = AttendanceImport.objects.create(event=other, content=ZOOM, content_sha256="x")

    assert organiser_web.get(f"/manage/events/{other.pk}/attendance/").status_code == 404
    assert organiser_web.get(f"/manage/events/{other.pk}/attendance/imports/{report.pk}/").status_code == 404
    assert organiser_web.get(f"/manage/events/{ended_webinar.pk}/attendance/imports/{report.pk}/").status_code == 404


def test_in_person_event_can_be_finalised_now(organiser_web, organiser, django_capture_on_commit_callbacks):
    start = timezone.now() - dt.timedelta(hours=3)
    event = factories.EventFactory(organisers=[organiser], start=start, end=start + dt.timedelta(hours=1))
    make_registration(event, email="a@example.org")
    assert event.format == EventFormat.IN_PERSON

    with django_capture_on_commit_callbacks(execute=True):
        organiser_web.post(f"/manage/events/{event.pk}/attendance/", {"action": "finalise"})

    event.refresh_from_db()
    assert event.attendance_finalised_at is not None


@pytest.mark.parametrize("online", [False, True])
def test_only_an_event_with_an_online_part_is_offered_a_participant_report(organiser_web, organiser, online):
    """An outreach visit's attendance page offered "Upload a participant report" with Zoom's and
    Teams' menus, and once final said "A report uploaded now corrects the figures": an in-person
    event's attendance is its door's check-ins (attendance.md), it has no platform report."""
    start = timezone.now() - dt.timedelta(days=2)
    make = factories.WebinarFactory if online else factories.EventFactory
    event = make(organisers=[organiser], start=start, end=start + dt.timedelta(hours=1))
    make_registration(event, email="a@example.org")
    finalise = "finalise_without_report" if online else "finalise"
    organiser_web.post(f"/manage/events/{event.pk}/attendance/", {"action": finalise})

    page = organiser_web.get(f"/manage/events/{event.pk}/attendance/").content.decode()

    assert ("Upload a participant report" in page) is online
    assert ("Zoom: Reports" in page) is online
    assert ("A report uploaded now corrects the figures" in page) is online
    assert "Attendance is final since" in page


def test_a_failure_stored_in_english_reads_in_the_readers_language(organiser_web, ended_webinar):
    """The job (and a preview opened in English) stores its failure in English: an Azerbaijani
    organiser read "This is a spreadsheet workbook …" in English on an Azerbaijani page."""
    report = AttendanceImport.objects.create(
        event=ended_webinar,
        content=b"PK\x03\x04",
        content_sha256="workbook",
        status=AttendanceImport.Status.FAILED,
        error=(
            "This is a spreadsheet workbook (.xlsx or .xls), not a CSV file: open it, save it as CSV and upload that."
        ),
        error_code="not_csv",
    )

    page = organiser_web.get(
        f"/manage/events/{ended_webinar.pk}/attendance/imports/{report.pk}/", HTTP_ACCEPT_LANGUAGE="az"
    ).content.decode()

    assert "This is a spreadsheet workbook" not in page
    assert "Bu, CSV faylı deyil, cədvəl kitabıdır" in page


def test_a_failure_with_values_reads_in_each_readers_language(organiser_web, organiser, ended_webinar):
    """A failure with placeholders was stored worded in the language of whoever opened the preview:
    "Line 2: 'soon' is not a duration." stayed English for an Azerbaijani colleague (and the API)."""
    from rest_framework.test import APIClient

    uploaded = _upload(organiser_web, ended_webinar, content=b"name,email,duration\nAysel,aysel@example.org,soon\n")
    organiser_web.get(uploaded["Location"], HTTP_ACCEPT_LANGUAGE="en")  # the preview fails, in English
    report = AttendanceImport.objects.get()
    api = APIClient()
    api.force_authenticate(organiser)

    page = organiser_web.get(uploaded["Location"], HTTP_ACCEPT_LANGUAGE="az").content.decode()
    in_english = organiser_web.get(uploaded["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    from_api = api.get(f"/api/attendance-imports/{report.pk}/", HTTP_ACCEPT_LANGUAGE="az").json()

    assert "Sətir 2: &#x27;soon&#x27; müddət deyil." in page and "is not a duration" not in page
    assert "Line 2: &#x27;soon&#x27; is not a duration." in in_english
    assert from_api["error"] == "Sətir 2: 'soon' müddət deyil."
    assert (report.status, report.error_code) == (AttendanceImport.Status.FAILED, "invalid_duration")


def test_the_preview_gives_a_match_form_to_so_many_unmatched_rows_at_most(
    organiser_web, ended_webinar, django_capture_on_commit_callbacks
):
    """Each unmatched row had its form with every registrant to choose from: a report of
    400,000 strangers held the page for six minutes and made it 370 MB."""
    from attendance.manage_pages import UNMATCHED_SHOWN

    lines = ["Name,Email,Duration"] + [f"Stranger {n},stranger{n}@example.org,60" for n in range(UNMATCHED_SHOWN + 3)]
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = _upload(organiser_web, ended_webinar, content="\n".join(lines).encode())

    page = organiser_web.get(uploaded["Location"])
    content = page.content.decode()

    assert len(page.context["plan"].unmatched) == UNMATCHED_SHOWN + 3
    assert content.count('name="action" value="match"') == UNMATCHED_SHOWN
    assert "And 3 more rows not matched, not listed here." in content


def test_a_recorded_report_lists_so_many_unmatched_rows_at_most(organiser_web, ended_webinar):
    """Once recorded, the page listed every row not matched: a report of 20,000 strangers made
    it 2 MB and held the worker for 2.6 s (the preview already showed so many at most)."""
    from attendance.manage_pages import UNMATCHED_SHOWN

    report = AttendanceImport.objects.create(
        event=ended_webinar,
        content=ZOOM,
        content_sha256="many",
        status=AttendanceImport.Status.DONE,
        rows=UNMATCHED_SHOWN + 3,
        unmatched_rows=[
            {"line": n, "name": f"Stranger {n}", "email": f"stranger{n}@example.org", "minutes": 60}
            for n in range(UNMATCHED_SHOWN + 3)
        ],
    )

    content = organiser_web.get(f"/manage/events/{ended_webinar.pk}/attendance/imports/{report.pk}/").content.decode()

    assert content.count("stranger") == UNMATCHED_SHOWN
    assert f"Stranger {UNMATCHED_SHOWN - 1}" in content and f"Stranger {UNMATCHED_SHOWN}<" not in content
    assert "And 3 more rows not matched, not listed here." in content


def test_during_an_in_person_event_the_page_counts_the_door_and_says_where_attendance_comes_from(
    organiser_web, organiser
):
    # it read "0 attended" and "Come back afterwards to record who came" while the door had
    # checked people in, and an in-person event's attendance is those check-ins, nothing to record
    from registrations.checkin import services as door

    now = timezone.now()
    event = factories.EventFactory(
        organisers=[organiser], start=now - dt.timedelta(hours=1), end=now + dt.timedelta(hours=2)
    )
    came = make_registration(event, name="Aytac Quliyeva", email="aytac@example.org", party_size=3)
    make_registration(event, name="Kamilla Rzayeva", email="kamilla@example.org")
    door.check_in(event_id=event.pk, secret=came.ticket_secret, by=organiser)

    page = organiser_web.get(f"/manage/events/{event.pk}/attendance/").content.decode()
    page_az = organiser_web.get(f"/manage/events/{event.pk}/attendance/", HTTP_ACCEPT_LANGUAGE="az").content.decode()

    assert "Checked in at the door so far: 3 people." in page
    assert "Its attendance is the check-ins at the door" in page and "record who came" not in page
    assert "İndiyədək girişdə qeydə alınıb: 3 nəfər." in page_az


def test_the_preview_offers_the_registrants_once_for_every_row(
    organiser_web, ended_webinar, django_capture_on_commit_callbacks
):
    """Each unmatched row's form listed every confirmed registrant as its own <option>s: 100 rows
    of an event of thousands made a page of tens of megabytes. One shared list, so many at most."""
    from attendance.manage_pages import CHOICES_SHOWN, UNMATCHED_SHOWN

    Registration = ended_webinar.registrations.model
    Registration.objects.bulk_create(
        Registration(
            event=ended_webinar,
            name=f"Guest {n}",
            email=f"guest{n}@example.org",
            status="confirmed",
            seats_held=1,
            consent_data_processing=True,
        )
        for n in range(CHOICES_SHOWN + 50)
    )
    lines = ["Name,Email,Duration"] + [f"Stranger {n},stranger{n}@example.org,60" for n in range(UNMATCHED_SHOWN)]
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = _upload(organiser_web, ended_webinar, content="\n".join(lines).encode())
    url = uploaded["Location"]

    content = organiser_web.get(url).content.decode()
    found = organiser_web.get(url, {"q": "guest7"}).content.decode()
    organiser_web.post(url, {"action": "match", "line": 2, "registration": "GUEST249@example.org "})
    unknown = organiser_web.post(url, {"action": "match", "line": 3, "registration": "nobody@example.org"}, follow=True)
    matched = organiser_web.get(url).context["plan"]

    datalist = content[content.index("<datalist") : content.index("</datalist>")]
    assert datalist.count("<option") == CHOICES_SHOWN
    assert content.count("<option") < CHOICES_SHOWN + 10  # the rest: the page's language picker
    assert content.count('list="registrants"') == UNMATCHED_SHOWN
    assert content.count("<datalist") == 1
    assert len(content.encode()) < 200_000
    assert f"{CHOICES_SHOWN} of {CHOICES_SHOWN + 50 + 5} registrants offered" in content
    found_list = found[found.index("<datalist") : found.index("</datalist>")]
    assert found_list.count("<option") == 11  # guest7, guest70 to guest79
    assert '<option value="guest7@example.org">Guest 7</option>' in found_list
    assert [p.registration.email for p in matched.matched if p.by_hand] == ["guest249@example.org"]
    assert "No confirmed registrant of this event has this email." in unknown.content.decode()


def test_a_match_made_from_a_search_comes_back_to_the_same_search(
    organiser_web, ended_webinar, django_capture_on_commit_callbacks
):
    """The match forms post to the page's own address; the answer kept the rows but dropped the
    search, so the next row had to be searched for again from the whole list."""
    with django_capture_on_commit_callbacks(execute=True):
        _upload(organiser_web, ended_webinar)
    report = AttendanceImport.objects.get()
    leyla = ended_webinar.registrations.get(email="leyla@example.org")
    url = f"/manage/events/{ended_webinar.pk}/attendance/imports/{report.pk}/"
    line = organiser_web.get(url).context["plan"].unmatched[2].line

    searched = organiser_web.post(f"{url}?q=ley la", {"action": "match", "line": line, "registration": leyla.pk})
    plain = organiser_web.post(url, {"action": "match", "line": line, "registration": leyla.pk})

    assert searched["Location"] == f"{url}?q=ley+la#unmatched"
    assert plain["Location"] == f"{url}#unmatched"


# --- at a big webinar's volume: every list on the pages has a bound ---------------------------


def _many_registrants(event, count):
    from registrations.models import Registration

    return Registration.objects.bulk_create(
        [
            Registration(
                event=event,
                name=f"Participant with a rather long name number {number}",
                email=f"participant.number.{number}@example.org",
                status="confirmed",
                seats_held=1,
                consent_data_processing=True,
                confirmed_at=timezone.now(),
            )
            for number in range(count)
        ]
    )


def test_the_follow_ups_of_thousands_are_counted_and_a_few_named(organiser_web, ended_webinar):
    """2,000 thanks were 2,000 lines on the attendance tab, past the page's 200 KB: now each group
    is counted, its first names listed, and the outbox (paginated) has the rest."""
    from attendance.manage_pages import FOLLOW_UPS_SHOWN

    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                kind=kinds.FOLLOW_UP_ATTENDED if number % 4 else kinds.FOLLOW_UP_NO_SHOW,
                recipient_email=f"participant.number.{number}@example.org",
                recipient_name=f"Participant with a rather long name number {number}",
                subject="Thank you for coming",
                dedup_key=f"follow-up:{number}",
                event=ended_webinar,
            )
            for number in range(2000)
        ]
    )

    page = organiser_web.get(f"/manage/events/{ended_webinar.pk}/attendance/")

    assert page.status_code == 200 and len(page.content) < 200 * 1024
    follow_ups = page.context["follow_ups"]
    assert (len(follow_ups["attended"]), len(follow_ups["no_show"])) == (FOLLOW_UPS_SHOWN, FOLLOW_UPS_SHOWN)
    assert page.context["follow_up_counts"] == {"attended": 1500, "no_show": 500, "corrected": 0}
    assert "Thanks to 1500 attendees" in page.text and "“We missed you” to 500 people" in page.text
    assert "and 1480 more: see the outbox" in page.text
    assert f'href="/manage/outbox/?event={ended_webinar.pk}"' in page.text


def test_the_preview_of_a_report_of_thousands_lists_a_few_of_those_found(
    organiser_web, ended_webinar, django_capture_on_commit_callbacks
):
    """A Zoom report of a 2,000-person webinar listed every registrant found: 700 KB."""
    from attendance.manage_pages import MATCHED_SHOWN

    _many_registrants(ended_webinar, 2000)
    lines = ["Name,Email,Duration"] + [
        f"Participant {number},participant.number.{number}@example.org,{30 + number % 60}" for number in range(2000)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = _upload(organiser_web, ended_webinar, content="\n".join(lines).encode())

    page = organiser_web.get(uploaded["Location"])

    assert page.status_code == 200 and len(page.content) < 200 * 1024
    assert len(page.context["plan"].matched) == 2000
    assert page.text.count("<tr data-email=") == MATCHED_SHOWN
    assert "2000 registrants found" in page.text
    assert f"And {2000 - MATCHED_SHOWN} more registrants found, recorded with the others." in page.text
    assert "Record attendance of 2000 registrants" in page.text


def test_a_recorded_report_of_thousands_of_strangers_lists_a_few(organiser_web, organiser, ended_webinar):
    from attendance.manage_pages import UNMATCHED_SHOWN

    report = AttendanceImport.objects.create(
        event=ended_webinar,
        uploaded_by=organiser,
        filename="zoom.csv",
        content=b"",
        content_sha256="0" * 64,
        status=AttendanceImport.Status.DONE,
        rows=3000,
        unmatched_rows=[
            {"line": n + 2, "name": f"Stranger named {n}", "email": f"stranger.{n}@example.org", "minutes": 40}
            for n in range(3000)
        ],
    )

    page = organiser_web.get(f"/manage/events/{ended_webinar.pk}/attendance/imports/{report.pk}/")

    assert page.status_code == 200 and len(page.content) < 200 * 1024
    assert page.text.count("stranger.") == UNMATCHED_SHOWN
    assert f"And {3000 - UNMATCHED_SHOWN} more rows not matched, not listed here." in page.text


def test_a_row_is_matched_only_to_a_confirmed_registrant_of_the_event_by_address_or_id(ended_webinar):
    """What the import page's match field may name (``attendance.selectors.registrant_named``, the
    reads the page did itself before): a confirmed registrant of this event, by address in any
    case or by id; empty undoes the match; anything else is ``not_a_registrant``."""
    from attendance.exceptions import NotFound
    from attendance.selectors import registrant_named

    leyla = ended_webinar.registrations.get(email="leyla@example.org")
    elsewhere = make_registration(factories.WebinarFactory(), name="Leyla Karimova", email="leyla@example.org")
    waiting = make_registration(ended_webinar, name="Samir Waits", email="samir@example.org", status="waitlisted")

    assert registrant_named(event=ended_webinar, value=" LEYLA@example.org ") == leyla
    assert registrant_named(event=ended_webinar, value=str(leyla.pk)) == leyla
    assert registrant_named(event=ended_webinar, value="  ") is None
    for value in (str(elsewhere.pk), str(waiting.pk), "samir@example.org", "nobody@example.org", "12x", "٣", "0"):
        with pytest.raises(NotFound) as refused:
            registrant_named(event=ended_webinar, value=value)
        assert refused.value.code == "not_a_registrant"


def test_the_generic_formats_columns_are_named_as_the_file_must_name_them_in_every_language(
    organiser_web, ended_webinar
):
    # in Azerbaijani the format read "ad,e-poçt,müddət": a file with those headers is not recognised
    # (the importer reads name,email,duration, as its own refusal says in both languages)
    page = organiser_web.get(f"/manage/events/{ended_webinar.pk}/attendance/", HTTP_ACCEPT_LANGUAGE="az").text
    uploaded = _upload(organiser_web, ended_webinar, content="ad,e-poçt,müddət\nAysel,aysel@example.org,55\n".encode())
    refused = organiser_web.get(uploaded["Location"], HTTP_ACCEPT_LANGUAGE="az").text

    assert "name,email,duration sütunlu CSV" in page and "ad,e-poçt,müddət" not in page
    assert "name,email,duration sütunları olan CSV gözlənilirdi" in refused


def _report_of(count):
    lines = ["Name,Email,Duration"] + [
        f"Participant {number},participant.number.{number}@example.org,{30 + number % 60}" for number in range(count)
    ]
    return "\n".join(lines).encode()


def test_the_preview_reads_what_the_upload_matched_not_the_file(
    organiser_web, ended_webinar, django_capture_on_commit_callbacks
):
    """The preview of a 2,001-row report re-read and re-matched the file at each opening (1.9 s under
    load): it is matched once, at upload, and the page reads what was stored."""
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = _upload(organiser_web, ended_webinar)
    first = organiser_web.get(uploaded["Location"]).context["plan"]
    # the file is no longer read: bytes that are no report change nothing on the page
    AttendanceImport.objects.update(content=b"not a report at all")

    page = organiser_web.get(uploaded["Location"])

    plan = page.context["plan"]
    assert AttendanceImport.objects.get().status == AttendanceImport.Status.PREVIEW
    assert [(p.registration.email, p.minutes, p.attended) for p in plan.matched] == [
        (p.registration.email, p.minutes, p.attended) for p in first.matched
    ]
    assert [(r.line, r.email, r.reason, r.suggestion) for r in plan.unmatched] == [
        (r.line, r.email, r.reason, r.suggestion) for r in first.unmatched
    ]
    assert plan.unmatched[2].suggestion.email == "leyla@example.org"
    assert "4 registrants found" in page.text and "3 rows not matched" in page.text


@pytest.mark.parametrize("rows", [30, 600])
def test_the_preview_takes_as_many_statements_whatever_the_rows(
    organiser_web, ended_webinar, django_capture_on_commit_callbacks, django_assert_max_num_queries, rows
):
    _many_registrants(ended_webinar, rows)
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = _upload(organiser_web, ended_webinar, content=_report_of(rows))
    organiser_web.get(uploaded["Location"])  # the session's and the page's first reads

    with django_assert_max_num_queries(14):
        page = organiser_web.get(uploaded["Location"])

    assert len(page.context["plan"].matched) == rows


def test_a_big_reports_preview_is_matched_by_a_job_and_the_page_waits_for_it(
    organiser_web, ended_webinar, django_capture_on_commit_callbacks
):
    from attendance.services.participant_reports import PREVIEW_IN_REQUEST_BYTES

    _many_registrants(ended_webinar, 2000)
    content = _report_of(2000)
    assert len(content) > PREVIEW_IN_REQUEST_BYTES
    with django_capture_on_commit_callbacks() as jobs:
        uploaded = _upload(organiser_web, ended_webinar, content=content)

    waiting = organiser_web.get(uploaded["Location"])
    for job in jobs:
        job()
    ready = organiser_web.get(uploaded["Location"])

    assert waiting.context["plan"] is None and waiting.context["preparing"]
    assert 'data-updates-itself="2"' in waiting.text and "Matching the report" in waiting.text
    assert len(ready.context["plan"].matched) == 2000 and not ready.context["preparing"]
    assert "data-updates-itself" not in ready.text


def test_a_match_on_a_big_report_is_shown_once_matched_again(
    organiser_web, ended_webinar, django_capture_on_commit_callbacks
):
    _many_registrants(ended_webinar, 2000)
    content = _report_of(2000) + b"\nLeyla K,,80"
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = _upload(organiser_web, ended_webinar, content=content)
    url = uploaded["Location"]
    leyla = ended_webinar.registrations.get(email="leyla@example.org")
    line = organiser_web.get(url).context["plan"].unmatched[0].line

    with django_capture_on_commit_callbacks() as jobs:
        organiser_web.post(url, {"action": "match", "line": line, "registration": leyla.pk})
    before_the_job = organiser_web.get(url).context["plan"]
    for job in jobs:
        job()
    after = organiser_web.get(url).context["plan"]

    # the preview of the matches before is never shown as the current one
    assert before_the_job is None
    assert [p.registration.email for p in after.matched if p.by_hand] == ["leyla@example.org"]
    assert len(after.matched) == 2001 and after.unmatched == []


def test_recording_matches_the_registrations_of_then_not_those_of_the_preview(
    organiser_web, ended_webinar, django_capture_on_commit_callbacks
):
    """The preview is stored at upload; a registrant who cancels before the organiser records is
    not marked, and one who registered since with a row's address is."""
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = _upload(organiser_web, ended_webinar)
    previewed = organiser_web.get(uploaded["Location"]).context["plan"]
    aysel = ended_webinar.registrations.get(email="aysel@example.org")
    aysel.status = "cancelled"
    aysel.save()
    guest = make_registration(ended_webinar, name="A Guest", email="guest@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        organiser_web.post(uploaded["Location"], {"action": "record"})

    report = AttendanceImport.objects.get()
    aysel.refresh_from_db()
    guest.refresh_from_db()
    assert "aysel@example.org" in [p.registration.email for p in previewed.matched]
    assert report.status == AttendanceImport.Status.DONE and report.matched == 4
    assert aysel.attendance == Attendance.UNKNOWN
    assert guest.attendance != Attendance.UNKNOWN
    assert [row["reason"] for row in report.unmatched_rows if row["email"] == "aysel@example.org"] == ["not_confirmed"]


def test_a_preview_whose_job_was_lost_is_prepared_again_by_the_sweep(
    organiser, ended_webinar, django_capture_on_commit_callbacks
):
    """A preview waiting for a job that never ran (or uploaded before previews were stored) is
    handed out again with the other lost imports; a stored one is left alone."""
    from attendance.services.participant_reports import sweep_stuck_imports

    report = AttendanceImport.objects.create(
        event=ended_webinar,
        uploaded_by=organiser,
        content=ZOOM,
        content_sha256="1" * 64,
        status=AttendanceImport.Status.PREVIEW,
    )

    with django_capture_on_commit_callbacks(execute=True):
        swept = sweep_stuck_imports(now=timezone.now() + dt.timedelta(minutes=11))
    again = sweep_stuck_imports(now=timezone.now() + dt.timedelta(minutes=30))

    report.refresh_from_db()
    assert swept["retried"] == 1 and again["retried"] == 0
    assert report.status == AttendanceImport.Status.PREVIEW and report.preview["rows"] > 0


def test_the_preview_and_the_result_say_which_attendance_decided_by_hand_stays(
    organiser_web, ended_webinar, django_capture_on_commit_callbacks
):
    """An administrator decided two registrants' attendance by hand: the preview says the report
    leaves them, and how many; recording leaves them and the result counts them (en and az)."""
    from registrations.services.attendance import decide_attendance_by_hand

    with django_capture_on_commit_callbacks(execute=True):
        uploaded = _upload(organiser_web, ended_webinar)
    report = AttendanceImport.objects.get()
    aysel = ended_webinar.registrations.get(email="aysel@example.org")  # 87 minutes: attended, by the report
    elvin = ended_webinar.registrations.get(email="elvin@example.org")  # 20 minutes: a no-show, by the report
    decide_attendance_by_hand(registration=aysel, attendance=Attendance.NO_SHOW)
    decide_attendance_by_hand(registration=elvin, attendance=Attendance.ATTENDED)

    preview = organiser_web.get(uploaded["Location"], HTTP_ACCEPT_LANGUAGE="en")
    in_azerbaijani = organiser_web.get(uploaded["Location"], HTTP_ACCEPT_LANGUAGE="az").content.decode()

    assert [(p.registration.email, p.kept) for p in preview.context["plan"].matched if p.kept] == [
        ("aysel@example.org", Attendance.NO_SHOW),
        ("elvin@example.org", Attendance.ATTENDED),
    ]
    content = preview.content.decode()
    assert "stays “No-show”: decided by hand" in content
    assert "2 registrants' attendance was decided by hand: recording leaves it" in content
    assert "“Gəlməyib” olaraq qalır: əl ilə qeyd edilib" in in_azerbaijani
    assert "2 nəfərin iştirakı əl ilə qeyd edilib" in in_azerbaijani

    with django_capture_on_commit_callbacks(execute=True):
        organiser_web.post(uploaded["Location"], {"action": "record"})

    report.refresh_from_db()
    aysel.refresh_from_db()
    elvin.refresh_from_db()
    assert (aysel.attendance, aysel.minutes_attended) == (Attendance.NO_SHOW, 87)
    assert (elvin.attendance, elvin.minutes_attended) == (Attendance.ATTENDED, 20)
    assert (report.matched, report.attended, report.kept_by_hand) == (4, 2, 2)
    result = organiser_web.get(uploaded["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2 registrants kept the attendance decided by hand." in result
    result_az = organiser_web.get(uploaded["Location"], HTTP_ACCEPT_LANGUAGE="az").content.decode()
    assert "2 nəfərin əl ilə qeyd edilmiş iştirakı olduğu kimi saxlanıldı." in result_az
