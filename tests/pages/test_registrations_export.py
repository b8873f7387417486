"""The registrations export too big for a request: asked for with a button, written by a job
(django-q2 in sync mode, run from the on-commit callbacks), downloaded by its requester only."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from attendance import dashboard
from attendance.models import ExportStatus, RegistrationExport, private_storage
from attendance.services.exports import request_registrations_export, tidy_registration_exports
from tests import factories
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db

CSV_URL = "/manage/dashboard/registrations.csv"
EXPORTS_URL = "/manage/dashboard/exports/"


@pytest.fixture
def small_limit(settings, tmp_path):
    """Two rows at most in a request; files in a storage of the test's own."""
    settings.REGISTRATIONS_CSV_IN_REQUEST = 2
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": None},
        },
    }
    return settings


@pytest.fixture
def event(organiser, sign_up):
    event = factories.EventFactory(organisers=[organiser], title="Big fair")
    sign_up(event, name="=HYPERLINK(1)", email="one@example.org")
    sign_up(event, name="Aysel Aliyeva", email="two@example.org")
    sign_up(event, name="@Leyla", email="three@example.org")
    return event


def _export_id(response) -> int:
    assert response.status_code == 302, response.status_code
    return int(response["Location"].rstrip("/").split("/")[-1])


def test_a_big_export_is_offered_to_prepare_without_reading_its_rows(organiser_web, event, small_limit):
    with CaptureQueriesContext(connection) as queries:
        response = organiser_web.get(f"{CSV_URL}?event={event.pk}")
    on_registrations = [q["sql"] for q in queries.captured_queries if "registrations_registration" in q["sql"]]

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b'data-testid="export-prepare"' in response.content
    assert f'action="{EXPORTS_URL}?event={event.pk}"'.encode() in response.content
    # the rows are counted, never read: one COUNT is all the request asks of the registrations
    assert len(on_registrations) == 1
    assert on_registrations[0].startswith("SELECT COUNT(*)")


def test_a_small_export_is_still_written_in_the_request(organiser_web, event, small_limit):
    small_limit.REGISTRATIONS_CSV_IN_REQUEST = 3

    response = organiser_web.get(f"{CSV_URL}?event={event.pk}")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert len(list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))) == 4


def test_the_background_file_is_the_file_the_request_writes(
    organiser_web, event, small_limit, django_capture_on_commit_callbacks
):
    small_limit.REGISTRATIONS_CSV_IN_REQUEST = 1000
    in_request = b"".join(organiser_web.get(f"{CSV_URL}?event={event.pk}").streaming_content)
    small_limit.REGISTRATIONS_CSV_IN_REQUEST = 2

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        export_id = _export_id(organiser_web.post(f"{EXPORTS_URL}?event={event.pk}"))
    page = organiser_web.get(f"/manage/dashboard/exports/{export_id}/")
    download = organiser_web.get(f"/manage/dashboard/exports/{export_id}/registrations.csv")

    assert len(callbacks) == 2  # the job, and the send of the ready notice it queued
    assert b'data-status="ready"' in page.content
    assert b"http-equiv" not in page.content  # nothing left to wait for
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"] == f'attachment; filename="registrations-{event.pk}.csv"'
    assert download["Cache-Control"] == "private, no-store"
    written = b"".join(download.streaming_content)
    assert written == in_request
    rows = list(csv.reader(io.StringIO(written.decode("utf-8-sig"))))
    assert [row[4] for row in rows[1:]] == ["'=HYPERLINK(1)", "Aysel Aliyeva", "'@Leyla"]


def test_one_events_file_has_a_column_for_each_of_its_questions_with_the_answers(
    organiser_web, organiser, sign_up, small_limit, django_capture_on_commit_callbacks
):
    """The registration form asked "Which stage are you at?"; the organisers' file had every
    registrant but none of their answers."""
    event = factories.EventFactory(organisers=[organiser], title="CV clinic")
    stage = factories.QuestionFactory(event=event, label="Which stage are you at?", position=1)
    needs = factories.QuestionFactory(event=event, label="Anything we should know?", position=2)
    factories.QuestionFactory(label="Another event's question")
    sign_up(event, name="Aysel Aliyeva", email="one@example.org", answers={stage.pk: "University", needs.pk: "=1+1"})
    sign_up(event, name="Leyla Hasanova", email="two@example.org", answers={stage.pk: "First job"})
    sign_up(event, name="Nigar Aliyeva", email="three@example.org")
    small_limit.REGISTRATIONS_CSV_IN_REQUEST = 1000

    in_request = b"".join(organiser_web.get(f"{CSV_URL}?event={event.pk}").streaming_content)
    small_limit.REGISTRATIONS_CSV_IN_REQUEST = 2
    with django_capture_on_commit_callbacks(execute=True):
        export_id = _export_id(organiser_web.post(f"{EXPORTS_URL}?event={event.pk}"))
    prepared = b"".join(organiser_web.get(f"/manage/dashboard/exports/{export_id}/registrations.csv").streaming_content)

    header, *rows = csv.reader(io.StringIO(in_request.decode("utf-8-sig")))
    assert header[-3:] == ["minutes_attended", "Which stage are you at?", "Anything we should know?"]
    assert [(row[4], row[-2], row[-1]) for row in rows] == [
        ("Aysel Aliyeva", "University", "'=1+1"),
        ("Leyla Hasanova", "First job", ""),
        ("Nigar Aliyeva", "", ""),
    ]
    assert prepared == in_request


def test_while_being_prepared_the_page_refreshes_and_clicks_queue_no_second_job(
    organiser_web, event, small_limit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = _export_id(organiser_web.post(f"{EXPORTS_URL}?event={event.pk}"))
        second = _export_id(organiser_web.post(f"{EXPORTS_URL}?event={event.pk}"))
    page = organiser_web.get(f"/manage/dashboard/exports/{first}/")

    assert first == second
    assert len(callbacks) == 1
    assert RegistrationExport.objects.count() == 1
    assert b'data-status="preparing"' in page.content
    # coming back by the dashboard's link finds it
    again = organiser_web.get(f"{CSV_URL}?event={event.pk}")
    assert f'href="/manage/dashboard/exports/{first}/"'.encode() in again.content
    # read again by the page's script, not a timed refresh of the page (axe's meta-refresh)
    assert b'data-updates-itself="3"' in page.content and b"http-equiv" not in page.content
    assert organiser_web.get(f"/manage/dashboard/exports/{first}/registrations.csv").status_code == 404


@pytest.mark.parametrize("whose", ["another organiser's", "nobody's"])
def test_preparing_an_event_one_does_not_organise_is_a_404(organiser_web, small_limit, whose):
    event_id = factories.EventFactory().pk if whose == "another organiser's" else 999_999

    response = organiser_web.post(f"{EXPORTS_URL}?event={event_id}")

    assert response.status_code == 404
    assert not RegistrationExport.objects.exists()


def test_a_second_click_once_ready_gets_the_same_file_then_a_new_one_after_a_minute(
    organiser, event, small_limit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = request_registrations_export(user=organiser, event_id=event.pk)
    again = request_registrations_export(user=organiser, event_id=event.pk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        later = request_registrations_export(
            user=organiser, event_id=event.pk, now=timezone.now() + dt.timedelta(minutes=2)
        )

    assert again.pk == first.pk
    assert later.pk != first.pk
    assert len(callbacks) == 1


@pytest.fixture
def ready_export(organiser_web, event, small_limit, django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return _export_id(organiser_web.post(f"{EXPORTS_URL}?event={event.pk}"))


def test_nobody_but_the_requester_sees_the_export_or_its_file(organiser, event, ready_export):
    co_organiser = factories.OrganiserFactory()
    event.organisers.add(co_organiser)
    staff = factories.UserFactory()
    event.checkin_staff.add(staff)
    others = {
        "anonymous": Client(),
        "another organiser": signed_in(Client(), factories.OrganiserFactory()),
        "a co-organiser of the event": signed_in(Client(), co_organiser),
        "the event's door staff": signed_in(Client(), staff),
    }

    for url in (
        f"/manage/dashboard/exports/{ready_export}/",
        f"/manage/dashboard/exports/{ready_export}/registrations.csv",
    ):
        for who, client in others.items():
            assert client.get(url).status_code == 404, (who, url)
        assert signed_in(Client(), organiser).get(url).status_code == 200


def test_an_organiser_taken_off_an_event_can_no_longer_download_its_export_nor_see_its_page(
    organiser_web, organiser, event, ready_export
):
    assert organiser_web.get(f"/manage/dashboard/exports/{ready_export}/").status_code == 200
    event.organisers.add(factories.OrganiserFactory())
    event.organisers.remove(organiser)

    assert organiser_web.get(f"/manage/dashboard/exports/{ready_export}/registrations.csv").status_code == 404
    # its page told how many registrations the event had: no longer theirs to know
    assert organiser_web.get(f"/manage/dashboard/exports/{ready_export}/").status_code == 404


def test_the_dashboards_filters_go_with_the_export(
    organiser_web, organiser, sign_up, small_limit, django_capture_on_commit_callbacks
):
    webinar = factories.EventFactory(organisers=[organiser], kind="webinar", title="Webinar")
    workshop = factories.EventFactory(organisers=[organiser], kind="workshop", title="Workshop")
    for number in range(3):
        sign_up(webinar, email=f"w{number}@example.org")
        sign_up(workshop, email=f"s{number}@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        export_id = _export_id(organiser_web.post(f"{EXPORTS_URL}?kind=webinar"))
    download = organiser_web.get(f"/manage/dashboard/exports/{export_id}/registrations.csv")

    rows = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert {row["event"] for row in rows} == {"Webinar"}
    assert len(rows) == 3
    assert RegistrationExport.objects.get(pk=export_id).asked == "kind=webinar"


def test_tidying_fails_lost_jobs_then_deletes_exports_with_their_files_after_a_day(
    organiser, event, small_limit, ready_export, django_capture_on_commit_callbacks
):
    ready = RegistrationExport.objects.get(pk=ready_export)
    with django_capture_on_commit_callbacks(execute=False):
        lost = request_registrations_export(user=organiser, kind="webinar")  # its job never runs
    storage = private_storage()
    stray = storage.save("registration-exports/left-over.csv", io.BytesIO(b"x"))  # its export was deleted

    soon = tidy_registration_exports(now=timezone.now() + dt.timedelta(minutes=15))

    assert soon == {"failed": 1, "deleted": 0, "strays": 1}
    assert RegistrationExport.objects.get(pk=lost.pk).status == ExportStatus.FAILED
    assert storage.exists(ready.file_name)
    assert not storage.exists(stray)

    next_day = tidy_registration_exports(now=timezone.now() + dt.timedelta(hours=25))

    assert next_day == {"failed": 0, "deleted": 2, "strays": 0}
    assert not RegistrationExport.objects.exists()
    assert not storage.exists(ready.file_name)


@pytest.mark.parametrize("whose", ["another organiser's", "nobody's"])
def test_the_csv_of_an_event_one_does_not_organise_is_a_404(organiser_web, sign_up, whose):
    event_id = 999_999
    if whose == "another organiser's":
        theirs = factories.EventFactory()
        sign_up(theirs, name="Aysel Aliyeva", email="aysel@example.org")
        event_id = theirs.pk

    response = organiser_web.get(f"{CSV_URL}?event={event_id}")

    # never a file of the columns' headers only, as if the event had nobody registered
    assert response.status_code == 404


def test_prepare_it_again_right_after_a_file_makes_a_newer_one(
    organiser_web, event, sign_up, ready_export, django_capture_on_commit_callbacks
):
    page = organiser_web.get(f"/manage/dashboard/exports/{ready_export}/")
    assert f'action="{EXPORTS_URL}?event={event.pk}&amp;newer_than={ready_export}"'.encode() in page.content
    sign_up(event, name="Late Comer", email="late@example.org")

    # within the minute a second click of *Prepare the file* is handed the file just written ...
    assert _export_id(organiser_web.post(f"{EXPORTS_URL}?event={event.pk}")) == ready_export
    # ... but *Prepare it again* on that file's page asked for the registrations since
    with django_capture_on_commit_callbacks(execute=True):
        again = _export_id(organiser_web.post(f"{EXPORTS_URL}?event={event.pk}&newer_than={ready_export}"))
    download = organiser_web.get(f"/manage/dashboard/exports/{again}/registrations.csv")

    assert again != ready_export
    assert "Late Comer" in b"".join(download.streaming_content).decode("utf-8-sig")
    assert organiser_web.post(f"{EXPORTS_URL}?event={event.pk}&newer_than=x").status_code == 400


def test_the_dashboard_leads_back_to_ones_own_kept_exports(
    organiser, organiser_web, event, ready_export, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        preparing = request_registrations_export(user=organiser, kind="webinar")
    taken_off = factories.EventFactory(organisers=[organiser], title="Handed over")
    with django_capture_on_commit_callbacks(execute=True):
        handed_over = request_registrations_export(user=organiser, event_id=taken_off.pk)
    taken_off.organisers.set([factories.OrganiserFactory()])
    someone_elses = factories.OrganiserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        theirs = request_registrations_export(user=someone_elses)

    page = organiser_web.get("/manage/dashboard/").content.decode()
    listed = page.split('data-testid="recent-exports"')[1].split("</ul>")[0]

    assert f'href="/manage/dashboard/exports/{ready_export}/"' in listed and "Big fair" in listed
    assert f'href="/manage/dashboard/exports/{preparing.pk}/"' in listed and "Webinar" in listed
    assert "Being prepared" in listed and "Ready" in listed
    # two files of the same minute told apart: the ready one's rows, and which is the newest
    assert "3 rows" in listed
    items = listed.split("<li>")[1:]
    assert f"/exports/{preparing.pk}/" in items[0] and "newest" in items[0]
    assert all("newest" not in item for item in items[1:])
    # an event no longer theirs, and another organiser's file, are not listed
    assert f"/exports/{handed_over.pk}/" not in listed and "Handed over" not in listed
    assert f"/exports/{theirs.pk}/" not in listed
    fresh = signed_in(Client(), factories.OrganiserFactory()).get("/manage/dashboard/")
    assert fresh.status_code == 200 and b'data-testid="recent-exports"' not in fresh.content


def _prepared(organiser_web, event, callbacks_fixture, *, watch=False):
    """Ask for the file; the job (django-q2 in sync mode) and the mail it queues run after commit,
    ``watch``: the export's page is looked at before the job runs (the requester waits on it)."""
    with callbacks_fixture(execute=False) as callbacks:
        export_id = _export_id(organiser_web.post(f"{EXPORTS_URL}?event={event.pk}"))
    if watch:
        organiser_web.get(f"/manage/dashboard/exports/{export_id}/")
    with callbacks_fixture(execute=True):
        for callback in callbacks:
            callback()
    return export_id


@pytest.mark.parametrize(("language", "subject"), [("az", "Qeydiyyat faylınız hazırdır"), ("en", "Your registrations")])
def test_a_file_ready_is_mailed_to_its_requester_once_in_their_language(
    language, subject, organiser, organiser_web, event, small_limit, django_capture_on_commit_callbacks
):
    from django.core import mail  # noqa: PLC0415

    from attendance import tasks  # noqa: PLC0415
    from notifications.services import preferences  # noqa: PLC0415

    preferences.set_language(email=organiser.email, language=language)
    mail.outbox.clear()

    export_id = _prepared(organiser_web, event, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.build_registrations_export(export_id)  # the job delivered twice: no second mail

    (message,) = mail.outbox
    assert organiser.email in message.to[0]
    assert message.subject.startswith(subject)
    assert message.extra_headers["Content-Language"] == language
    assert "Big fair" in message.body and ("3 rows" in message.body or "3 sətir" in message.body)
    link = "http://127.0.0.1:8000/manage/dashboard/#recent-exports"
    assert link in message.body and f'href="{link}"' in message.alternatives[0][0]
    # the link leads through the sign-in to the requester's own files, and the file stays theirs
    assert Client().get("/manage/dashboard/").status_code == 302
    listed = organiser_web.get("/manage/dashboard/").content.decode().split('data-testid="recent-exports"')[1]
    assert f'href="/manage/dashboard/exports/{export_id}/"' in listed.split("</ul>")[0]
    assert organiser_web.get(f"/manage/dashboard/exports/{export_id}/registrations.csv").status_code == 200
    other = signed_in(Client(), factories.OrganiserFactory())
    assert other.get(f"/manage/dashboard/exports/{export_id}/registrations.csv").status_code == 404


def test_a_requester_still_on_the_exports_page_is_not_mailed(
    organiser, organiser_web, event, small_limit, django_capture_on_commit_callbacks
):
    from django.core import mail  # noqa: PLC0415

    mail.outbox.clear()

    watched = _prepared(organiser_web, event, django_capture_on_commit_callbacks, watch=True)
    left = _prepared(
        organiser_web,
        factories.EventFactory(organisers=[organiser], title="Quiet fair"),
        django_capture_on_commit_callbacks,
    )

    assert RegistrationExport.objects.get(pk=watched).status == ExportStatus.READY
    (message,) = mail.outbox  # only the file whose page nobody was looking at
    assert "Quiet fair" in message.body and left != watched


def test_no_ready_mail_when_it_is_turned_off(
    organiser, organiser_web, event, small_limit, django_capture_on_commit_callbacks
):
    from django.core import mail  # noqa: PLC0415

    small_limit.EXPORT_READY_MAIL = False
    mail.outbox.clear()

    export_id = _prepared(organiser_web, event, django_capture_on_commit_callbacks)
    assert RegistrationExport.objects.get(pk=export_id).status == ExportStatus.READY
    assert mail.outbox == []

    small_limit.EXPORT_READY_MAIL = True  # the default
    _prepared(
        organiser_web,
        factories.EventFactory(organisers=[organiser], title="Quiet fair"),
        django_capture_on_commit_callbacks,
    )
    assert len(mail.outbox) == 1


def test_a_question_label_that_is_a_formula_is_defused_in_the_header(
    organiser_web, organiser, sign_up, small_limit, django_capture_on_commit_callbacks
):
    """A question's label is typed by an organiser and became a header cell as it was: a label
    '=HYPERLINK(...)' (or its fullwidth '＝') ran in the co-organisers' spreadsheet, as the answers
    and names never do."""
    event = factories.EventFactory(organisers=[organiser], title="CV clinic")
    factories.QuestionFactory(event=event, label='=HYPERLINK("http://x.example","Stage")', position=1)
    factories.QuestionFactory(event=event, label="＋1 guests?", position=2)
    sign_up(event, name="Aysel Aliyeva", email="one@example.org")
    small_limit.REGISTRATIONS_CSV_IN_REQUEST = 1000

    in_request = b"".join(organiser_web.get(f"{CSV_URL}?event={event.pk}").streaming_content)
    small_limit.REGISTRATIONS_CSV_IN_REQUEST = 0
    with django_capture_on_commit_callbacks(execute=True):
        export_id = _export_id(organiser_web.post(f"{EXPORTS_URL}?event={event.pk}"))
    prepared = b"".join(organiser_web.get(f"/manage/dashboard/exports/{export_id}/registrations.csv").streaming_content)

    header, *_rows = csv.reader(io.StringIO(in_request.decode("utf-8-sig")))
    assert header[-2:] == ['\'=HYPERLINK("http://x.example","Stage")', "'＋1 guests?"]
    assert prepared == in_request


def test_the_answers_stay_under_their_question_when_one_is_deleted_as_the_file_is_written(
    organiser_web, organiser, sign_up, small_limit
):
    """The header and the rows each read the event's questions: one deleted (or added) between the
    two reads shifted every answer after it under the wrong question's label."""
    event = factories.EventFactory(organisers=[organiser], title="CV clinic")
    stage = factories.QuestionFactory(event=event, label="Which stage are you at?", position=1)
    needs = factories.QuestionFactory(event=event, label="Anything we should know?", position=2)
    sign_up(event, name="Aysel Aliyeva", email="one@example.org", answers={stage.pk: "University", needs.pk: "Ramp"})
    small_limit.REGISTRATIONS_CSV_IN_REQUEST = 1000

    response = organiser_web.get(f"{CSV_URL}?event={event.pk}")
    stream = iter(response.streaming_content)
    start = b"".join([next(stream), next(stream)])  # the byte order mark and the header, as sent first
    stage.delete()  # an organiser edits the form while the file is downloading
    body = start + b"".join(stream)

    header, *rows = csv.reader(io.StringIO(body.decode("utf-8-sig")))
    assert [dict(zip(header, row, strict=True))["Anything we should know?"] for row in rows] == ["Ramp"]


def test_the_answers_are_read_with_their_rows_a_chunk_at_a_time(
    organiser_web, organiser, sign_up, small_limit, monkeypatch
):
    """Read whole before the first row, the answers of every registrant of a big event were held at
    once (a fair of 20,000 registrants and 30 questions: 600,000); each chunk of rows now reads its
    own answers, and the file is the same."""
    event = factories.EventFactory(organisers=[organiser], title="CV clinic")
    stage = factories.QuestionFactory(event=event, label="Which stage are you at?", position=1)
    for n in range(5):
        sign_up(event, name=f"Person {n}", email=f"p{n}@example.org", answers={stage.pk: f"Stage {n}"})
    small_limit.REGISTRATIONS_CSV_IN_REQUEST = 1000
    monkeypatch.setattr(dashboard, "EXPORT_CHUNK", 2)

    with CaptureQueriesContext(connection) as queries:
        body = b"".join(organiser_web.get(f"{CSV_URL}?event={event.pk}").streaming_content)
    on_answers = [q["sql"] for q in queries.captured_queries if 'FROM "registrations_answer"' in q["sql"]]

    header, *rows = csv.reader(io.StringIO(body.decode("utf-8-sig")))
    assert [(row[4], row[-1]) for row in rows] == [(f"Person {n}", f"Stage {n}") for n in range(5)]
    assert len(on_answers) == 3
    assert all('"registrations_answer"."registration_id" IN' in sql for sql in on_answers), on_answers
