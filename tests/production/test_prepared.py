"""The hot path's prepared reads and one-statement inserts give what the ORM gives."""

import datetime as dt

import pytest
from django.db import DataError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Event, EventStatus
from events.selectors import events_visible_to
from events_project.prepared import PreparedGet, insert, insert_many
from notifications.models import OutboxMessage
from registrations.models import Registration
from registrations.services.registration import _PUBLIC_EVENT, _readable
from tests import factories

pytestmark = pytest.mark.django_db

FIELDS = [field.attname for field in Event._meta.concrete_fields]


def test_a_prepared_read_returns_the_orm_instance_with_its_annotation():
    event = factories.EventFactory(reminder_offsets=[1440, 60], capacity=30)
    factories.QuestionFactory(event=event)
    plain = factories.EventFactory()

    for wanted in (event, plain):
        prepared = _PUBLIC_EVENT.get(wanted.pk)
        expected = _readable(events_visible_to(None)).get(pk=wanted.pk)
        assert [getattr(prepared, name) for name in FIELDS] == [getattr(expected, name) for name in FIELDS]
        assert prepared.has_questions is expected.has_questions is (wanted == event)
        assert prepared.start.tzinfo is not None and prepared._state.adding is False


def test_a_prepared_read_keeps_the_selectors_wall():
    draft = factories.EventFactory(status=EventStatus.DRAFT, published_at=None)

    with pytest.raises(Event.DoesNotExist):
        _PUBLIC_EVENT.get(draft.pk)
    with pytest.raises(Event.DoesNotExist):
        _PUBLIC_EVENT.get(draft.pk + 1000)


def test_a_prepared_read_compiles_once_and_runs_one_statement():
    events = [factories.EventFactory() for _ in range(3)]
    calls = []
    prepared = PreparedGet("test_event", lambda: calls.append(1) or Event.objects.all())

    with CaptureQueriesContext(connection) as queries:
        read = [prepared.get(event.pk).title for event in events]

    assert read == [event.title for event in events]
    assert (len(calls), len(queries)) == (1, 3)


def test_a_prepared_read_refuses_relations():
    with pytest.raises(ValueError, match="no relations"):
        PreparedGet("test_relations", lambda: Event.objects.select_related("region")).get(1)


def test_a_prepared_read_refuses_parameters_in_what_it_selects():
    from django.db.models import Value

    with pytest.raises(ValueError, match="selects no parameters"):
        PreparedGet("test_value", lambda: Event.objects.annotate(flag=Value(False))).get(1)


def kept_connection(monkeypatch):
    """Connections kept between requests, as in production (CONN_MAX_AGE), from a new session."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    connection.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_prepared_read_on_a_kept_connection_returns_the_orm_instance(monkeypatch):
    kept_connection(monkeypatch)
    event = factories.EventFactory(reminder_offsets=[1440, 60], capacity=30)
    factories.QuestionFactory(event=event)
    plain = factories.EventFactory()

    with CaptureQueriesContext(connection) as queries:
        prepared = [_PUBLIC_EVENT.get(wanted.pk) for wanted in (event, plain, event)]

    for read, wanted in zip(prepared, (event, plain, event), strict=True):
        expected = _readable(events_visible_to(None)).get(pk=wanted.pk)
        assert [getattr(read, name) for name in FIELDS] == [getattr(expected, name) for name in FIELDS]
        assert read.has_questions is expected.has_questions is (wanted == event)
    assert [query["sql"].split()[0] for query in queries.captured_queries] == [
        "DEALLOCATE", "PREPARE", "EXECUTE", "EXECUTE", "EXECUTE"
    ]  # fmt: skip


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_stale_plan_after_a_migration_is_prepared_again(monkeypatch):
    """A column's type changed while connections were kept: the statement's plan no longer fits.
    Inside a transaction the caller hears 503 "retry"; the next read prepares it again."""
    from django.db import OperationalError, transaction

    kept_connection(monkeypatch)
    event = factories.EventFactory(title="Robotics")
    assert _PUBLIC_EVENT.get(event.pk).title == "Robotics"
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE events_event ALTER COLUMN title TYPE varchar(300)")
    try:
        with pytest.raises(OperationalError, match="retry"), transaction.atomic():
            _PUBLIC_EVENT.get(event.pk)
        assert _PUBLIC_EVENT.get(event.pk).title == "Robotics"  # in a transaction of its own
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE events_event ALTER COLUMN title TYPE varchar(200)")
        assert _PUBLIC_EVENT.get(event.pk).title == "Robotics"  # outside one: prepared again at once
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE events_event ALTER COLUMN title TYPE varchar(200)")


def test_insert_writes_the_row_save_would_write():
    event = factories.EventFactory()
    now = timezone.now()
    fields = {
        "event": event,
        "name": "Aysel Aliyeva",
        "email": "aysel@example.org",
        "party_names": ["Leyla"],
        "party_size": 2,
        "consented_at": now,
        "confirmed_at": now + dt.timedelta(seconds=1),
    }
    inserted = insert(Registration(**fields))
    saved = Registration(**{**fields, "email": "nigar@example.org"})
    saved.save(force_insert=True)

    stored = Registration.objects.get(pk=inserted.pk)
    compared = [field.attname for field in Registration._meta.concrete_fields]
    different = {"id", "email", "manage_token", "ticket_secret", "created_at", "updated_at"}
    assert {name: getattr(stored, name) for name in compared if name not in different} == {
        name: getattr(Registration.objects.get(pk=saved.pk), name) for name in compared if name not in different
    }
    assert inserted._state.adding is False and stored.ticket_secret == inserted.ticket_secret
    assert stored.created_at is not None


def test_insert_many_writes_the_rows_bulk_create_would_write():
    event = factories.EventFactory()
    start = timezone.now() + dt.timedelta(days=1)
    rows = [
        {
            "kind": "reminder",
            "recipient_email": f"person{number}@example.org",
            "recipient_name": f"Person {number}",
            "context": {"starts_in": "tomorrow", "offset_minutes": 1440, "names": ["Aysel", number]},
            "event_id": event.pk,
            "event_start": start,
            "attempts": number,
            "dedup_key": f"inserted:{number}",
        }
        for number in range(3)
    ]

    keys = insert_many(OutboxMessage, rows)
    created = OutboxMessage.objects.bulk_create(
        [OutboxMessage(**{**row, "dedup_key": f"created:{index}"}) for index, row in enumerate(rows)]
    )

    compared = [field.attname for field in OutboxMessage._meta.concrete_fields]
    different = {"id", "dedup_key", "handed_out_at", "created_at", "updated_at"}
    inserted = list(OutboxMessage.objects.filter(pk__in=keys).order_by("pk"))
    bulk = list(OutboxMessage.objects.filter(pk__in=[row.pk for row in created]).order_by("pk"))
    assert len(keys) == 3
    assert [{name: getattr(row, name) for name in compared if name not in different} for row in inserted] == [
        {name: getattr(row, name) for name in compared if name not in different} for row in bulk
    ]
    assert {row.dedup_key for row in inserted} == {"inserted:0", "inserted:1", "inserted:2"}
    assert all(row.created_at and row.handed_out_at and row.updated_at for row in inserted)


def test_insert_many_writes_long_lists_in_several_statements():
    rows = [{"kind": "reminder", "recipient_email": f"p{n}@example.org", "dedup_key": f"many:{n}"} for n in range(1200)]

    with CaptureQueriesContext(connection) as queries:
        keys = insert_many(OutboxMessage, rows)

    assert sorted(keys) == sorted(
        OutboxMessage.objects.filter(dedup_key__startswith="many:").values_list("pk", flat=True)
    )
    assert len(keys) == 1200
    assert len([query for query in queries if query["sql"].startswith("INSERT")]) >= 3


@pytest.mark.postgres
def test_insert_many_refuses_a_shared_value_too_long_as_bulk_create_does():
    rows = [{"kind": "k" * 41, "recipient_email": f"p{n}@example.org", "dedup_key": f"long:{n}"} for n in range(2)]

    with pytest.raises(DataError):
        insert_many(OutboxMessage, rows)


def test_insert_raises_the_integrity_error_save_raises():
    message = factories.OutboxMessageFactory()
    duplicate = OutboxMessage(kind=message.kind, recipient_email="b@example.org", dedup_key=message.dedup_key)

    with pytest.raises(IntegrityError):
        insert(duplicate)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_registration_prepares_its_statements_once_per_kept_connection(monkeypatch):
    """With kept connections (CONN_MAX_AGE, as in production) the event read, the seat UPDATE
    and the two INSERTs of a registration's transaction (here every registration's: the one-statement
    way is switched off) are prepared on a connection's first registration and then only executed; a
    session that lost them prepares them again; every registration is written as before."""
    from rest_framework.test import APIClient

    from registrations.services import registration as service

    kept_connection(monkeypatch)
    monkeypatch.setattr(service, "_one_statement_possible", lambda **kwargs: False)
    event = factories.EventFactory(capacity=10)
    client = APIClient()

    def register(number, answer=201):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                f"/api/events/{event.pk}/registrations/",
                {"name": f"Pupil {number}", "email": f"pupil{number}@example.org", "consent_data_processing": True},
                format="json",
            )
        assert response.status_code == answer
        return [query["sql"].split()[0] for query in queries.captured_queries]

    first, second = register(1), register(2)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    register(3, answer=503)  # a transaction that finds its statement lost rolls back: "retry"
    fourth = register(4)  # the next one prepares them again

    assert first.count("PREPARE") == 4 and second.count("PREPARE") == 0
    assert second.count("EXECUTE") == 4
    assert fourth.count("PREPARE") == 4 and fourth.count("EXECUTE") == 4
    assert list(Registration.objects.filter(event=event).values_list("name", flat=True).order_by("id")) == [
        "Pupil 1", "Pupil 2", "Pupil 4"
    ]  # fmt: skip
    event.refresh_from_db()
    assert event.seats_taken == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_one_statement_registration_prepares_its_two_statements_once_per_kept_connection(monkeypatch):
    """The rush's way (registrations.services.registration._register_in_one_statement): the event
    read and the one statement writing seat, registration and message, prepared on a connection's
    first registration and then only executed. Outside a transaction a session that lost them
    prepares them again at once: the registration goes through."""
    from rest_framework.test import APIClient

    kept_connection(monkeypatch)
    event = factories.EventFactory(capacity=10)
    client = APIClient()

    def register(number):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                f"/api/events/{event.pk}/registrations/",
                {"name": f"Pupil {number}", "email": f"pupil{number}@example.org", "consent_data_processing": True},
                format="json",
            )
        assert response.status_code == 201
        return [query["sql"].split()[0] for query in queries.captured_queries]

    first, second = register(1), register(2)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    third, fourth = register(3), register(4)

    assert (first.count("PREPARE"), first.count("EXECUTE")) == (2, 2)
    # then the message is sent in the request (django-q2's sync mode in tests): no prepared statements
    for later in (second, fourth):
        assert later[:2] == ["EXECUTE", "EXECUTE"] and (later.count("PREPARE"), later.count("EXECUTE")) == (0, 2)
    # the first EXECUTE finds its statement gone: the session starts afresh, both are prepared again
    assert (third.count("PREPARE"), third.count("EXECUTE")) == (2, 3)
    assert list(Registration.objects.filter(event=event).values_list("name", flat=True).order_by("id")) == [
        "Pupil 1", "Pupil 2", "Pupil 3", "Pupil 4"
    ]  # fmt: skip
    assert OutboxMessage.objects.filter(event=event).count() == 4
    event.refresh_from_db()
    assert event.seats_taken == 4


UPDATE_TITLE = "UPDATE events_event SET title = %s, updated_at = %s WHERE id = %s AND status = %s"


@pytest.mark.postgres
def test_a_direct_statement_writes_what_the_cursor_writes_and_says_how_many_rows():
    from events_project.prepared import execute_direct

    event, other = factories.EventFactory(title="Robotics"), factories.EventFactory(title="Chess")
    now = timezone.now()

    with CaptureQueriesContext(connection) as queries:
        changed = [
            execute_direct(connection, name="test_title", sql=UPDATE_TITLE, params=[title, now, pk, "published"])
            for title, pk in (("Robótica — ümid", event.pk), ("Şahmat", other.pk), ("Nobody", -1))
        ]

    assert changed == [1, 1, 0]
    event.refresh_from_db()
    other.refresh_from_db()
    assert (event.title, event.updated_at, other.title) == ("Robótica — ümid", now, "Şahmat")
    # the query log lists each run (DEBUG, the bench's statement counts)
    assert [query["sql"] for query in queries.captured_queries] == [f"{UPDATE_TITLE} -- prepared as test_title"] * 3


@pytest.mark.postgres
def test_a_direct_statement_raises_the_errors_a_cursor_raises():
    from events_project.prepared import execute_direct

    event = factories.EventFactory()

    # each in a savepoint of its own, as a cursor's statement would need: after the first error the
    # test's transaction takes no statement (the second's PREPARE, when this session has none yet)
    with pytest.raises(IntegrityError), transaction.atomic():
        execute_direct(
            connection, name="test_no_title", sql=UPDATE_TITLE, params=[None, timezone.now(), event.pk, "published"]
        )
    with pytest.raises(DataError, match="NUL"), transaction.atomic():
        execute_direct(connection, name="test_title", sql=UPDATE_TITLE, params=["a\x00b", timezone.now(), 1, "x"])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_direct_statement_the_session_lost_is_prepared_again():
    from events_project.prepared import execute_direct

    event = factories.EventFactory(title="Robotics")
    run = lambda title: execute_direct(  # noqa: E731
        connection, name="test_title", sql=UPDATE_TITLE, params=[title, timezone.now(), event.pk, "published"]
    )
    assert run("Chess") == 1
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")

    assert run("Go") == 1  # outside a transaction: prepared again at once
    event.refresh_from_db()
    assert event.title == "Go"
