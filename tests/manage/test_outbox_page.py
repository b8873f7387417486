"""The workspace's outbox: messages about my events, failed ones with their reason, resend."""

import pytest
from django.core import mail

from notifications.models import OutboxMessage
from notifications.services import queue_message
from tests import factories

pytestmark = pytest.mark.django_db


def failed(event, email, error="SMTPRecipientsRefused: 550 mailbox unavailable"):
    message = queue_message(kind="reminder", recipient_email=email, event=event, context={"starts_in": "tomorrow"})
    OutboxMessage.objects.filter(pk=message.pk).update(status="failed", attempts=5, last_error=error)
    return message


def test_outbox_lists_my_events_messages_with_the_reason(organiser_web, own_event, other_event):
    failed(own_event, "aysel@example.org")
    failed(other_event, "stranger@example.org")

    response = organiser_web.get("/manage/outbox/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    page = response.content.decode()
    assert "aysel@example.org" in page and "550 mailbox unavailable" in page
    assert "stranger@example.org" not in page
    assert response.context["counts"]["failed"] == 1


def test_outbox_filters_by_status_event_and_text(organiser_web, organiser, own_event):
    second = factories.EventFactory(organisers=[organiser])
    failed(own_event, "aysel@example.org")
    failed(second, "leyla@example.org")
    queue_message(kind="reminder", recipient_email="nigar@example.org", event=own_event, context={"starts_in": "x"})

    def emails(query):
        return sorted(
            message.recipient_email for message in organiser_web.get(f"/manage/outbox/{query}").context["page"]
        )

    assert emails("?status=failed") == ["aysel@example.org", "leyla@example.org"]
    assert emails(f"?event={own_event.pk}") == ["aysel@example.org", "nigar@example.org"]
    assert emails("?q=leyla") == ["leyla@example.org"]
    assert organiser_web.get("/manage/outbox/?event=99999999").status_code == 404
    theirs = factories.EventFactory()
    failed(theirs, "stranger@example.org")
    assert organiser_web.get(f"/manage/outbox/?event={theirs.pk}").status_code == 404


@pytest.mark.parametrize("asked", ["abc", "-1", "1e400", str(2**63)])
def test_outbox_of_an_event_that_is_no_id_is_a_400(organiser_web, asked):
    # never read as "no event": the outbox of every event instead of the one asked for
    assert organiser_web.get(f"/manage/outbox/?event={asked}").status_code == 400


def test_outbox_leaves_out_only_a_filter_it_does_not_understand(organiser_web, own_event):
    """A status out of its choices (an old shared link) dropped the search as well."""
    failed(own_event, "aysel@example.org")
    failed(own_event, "leyla@example.org")

    page = organiser_web.get("/manage/outbox/?status=bogus&q=leyla").context["page"]

    assert [message.recipient_email for message in page] == ["leyla@example.org"]


def test_resend_sends_the_failed_message_again(organiser_web, own_event, django_capture_on_commit_callbacks):
    message = failed(own_event, "aysel@example.org")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_web.post("/manage/outbox/", {"message": message.pk, "back": "status=failed"})

    assert response.status_code == 302 and response["Location"] == "/manage/outbox/?status=failed#listed"
    message.refresh_from_db()
    assert (message.status, message.last_error) == ("sent", "")
    assert [sent.to for sent in mail.outbox] == [["aysel@example.org"]]


def test_resend_of_someone_elses_message_is_404(organiser_web, other_event):
    message = failed(other_event, "stranger@example.org")
    assert organiser_web.post("/manage/outbox/", {"message": message.pk}).status_code == 404
    assert organiser_web.post("/manage/outbox/", {"message": "x"}).status_code == 404
    message.refresh_from_db()
    assert message.status == "failed"


def test_outbox_is_for_organisers_only(client, django_user_model):
    user = django_user_model.objects.create_user("someone", password="pw")
    client.force_login(user)
    assert client.get("/manage/outbox/").status_code == 403


@pytest.mark.parametrize("count", [1, 5])
def test_outbox_query_count_does_not_grow_with_messages(organiser_web, organiser, count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for number in range(count):
        failed(factories.EventFactory(organisers=[organiser]), f"p{number}@example.org")

    with CaptureQueriesContext(connection) as queries:
        response = organiser_web.get("/manage/outbox/")

    assert len(response.context["page"]) == count
    assert len(queries) == QUERIES_FOR_OUTBOX, "\n".join(query["sql"][:120] for query in queries.captured_queries)


# session, user, organiser role, speaker profile (header); counts per status; the page's count and
# rows with their events
QUERIES_FOR_OUTBOX = 7


def test_every_kind_of_message_is_named_in_azerbaijani_in_the_outbox():
    """The outbox named messages the organiser cannot reword from their code ('Speaker invitation reminder')."""
    from django.utils import translation

    from notifications import kinds
    from notifications.manage_pages import kind_label

    with translation.override("en"):
        english = {kind: kind_label(kind) for kind in kinds.ALL_KINDS}
    with translation.override("az"):
        untranslated = [kind for kind in kinds.ALL_KINDS if kind_label(kind) == english[kind]]

    assert untranslated == []


def test_the_time_column_is_not_named_like_a_status_in_azerbaijani(organiser_web, own_event):
    """'Queued' heads the column of when a message was queued, and is also a status (an attendance
    import's): in Azerbaijani the two read differently ("Növbədədir" is "it is in the queue")."""
    import re

    from django.utils import translation

    from attendance.models import AttendanceImport
    from notifications.models import OutboxStatus

    failed(own_event, "aysel@example.org")

    page = organiser_web.get("/manage/outbox/", HTTP_ACCEPT_LANGUAGE="az").content.decode()

    headings = re.findall(r'<th scope="col">([^<]*)</th>', page)
    with translation.override("az"):
        statuses = {str(label) for label in [*OutboxStatus.labels, *AttendanceImport.Status.labels]}
    assert headings[3] not in statuses | {"Queued"}
    assert f'data-label="{headings[3]}"' in page


def test_why_a_message_was_not_sent_is_said_in_the_readers_language(organiser_web, own_event):
    """The reasons the service writes ("The registration is cancelled now; ...") stood in English
    on the Azerbaijani outbox; an error from the mail server still shows as it came."""
    from notifications.services.outbox import STALE_REGISTRATION, send_outbox_messages
    from registrations.models import Registration

    registration = factories.RegistrationFactory(event=own_event, email="aysel@example.org")
    confirmation = queue_message(
        kind="registration_confirmed", recipient_email="aysel@example.org", about=registration, event=own_event
    )
    Registration.objects.filter(pk=registration.pk).update(status="cancelled")
    failed(own_event, "leyla@example.org")
    send_outbox_messages(message_ids=[confirmation.pk])

    page = organiser_web.get("/manage/outbox/", HTTP_ACCEPT_LANGUAGE="az").content.decode()

    assert OutboxMessage.objects.filter(last_error=STALE_REGISTRATION["cancelled"]).exists()
    assert "Qeydiyyat indi ləğv edilib; bu məktub artıq doğru olmazdı." in page
    assert "SMTPRecipientsRefused: 550 mailbox unavailable" in page


def test_the_newest_messages_are_read_in_order_from_an_index(organiser, own_event):
    """The outbox only grows (50,000 messages a year): a page of the newest 50 must not sort every
    message of the organiser's events (200 ms at 50,000, growing with them), but read an index
    in the page's order and stop after 50."""
    from django.db import connection, transaction

    from notifications.selectors import outbox_managed_by

    for number in range(3):
        failed(own_event, f"p{number}@example.org")
    newest = outbox_managed_by(organiser).order_by("-created_at", "-id")[:50]  # the page's and the API's order

    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, OutboxMessage._meta.db_table)
    assert any(index["index"] and index["columns"] == ["created_at", "id"] for index in indexes.values())
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_sort = off")  # a sort is then chosen only when no index gives the order
            plan = newest.explain()
        assert "Sort" not in plan, plan


def test_a_deep_page_of_the_outbox_reads_its_own_messages_only(organiser_web, own_event, monkeypatch):
    """As the API's outbox (events_project.pagination.DeepPaginator): page 1,000 of 50,000
    messages took 0.8 s, the database sorting and skipping every message before it whole."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from events_project import pagination
    from notifications import manage_pages

    monkeypatch.setattr(pagination, "DEEP_OFFSET", 2)
    monkeypatch.setattr(manage_pages, "PER_PAGE", 2)
    for number in range(5):
        failed(own_event, f"p{number}@example.org")
    newest_first = list(OutboxMessage.objects.order_by("-created_at", "-id").values_list("pk", flat=True))

    with CaptureQueriesContext(connection) as queries:
        response = organiser_web.get("/manage/outbox/?page=2")

    assert [message.pk for message in response.context["page"]] == newest_first[2:4]
    rows = [query["sql"] for query in queries.captured_queries if '"recipient_email"' in query["sql"]]
    assert len(rows) == 1 and "OFFSET" not in rows[0], rows
