"""The registration's hot path, counted: statements and commits of one registration.

A count test, not a timing test: bench/run.py measures the rush. The job queue is a list in
memory here (in production Redis, which runs no SQL), so what is counted is what the request
itself asks of the database; django-q2 sync mode (which would send the mail inside the
request) is switched off.
"""

import json
import os

import pytest
from django.db import connections
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_q.conf import Conf
from rest_framework.test import APIClient

from events.models import Event
from notifications import jobs
from notifications.models import OutboxMessage
from registrations.models import Registration
from registrations.serializers import OwnRegistrationSerializer, own_registration_data
from registrations.services.registration import register as register_service
from tests import factories

# the statements the code runs; the transaction's own BEGIN and COMMIT are not among them
MAX_STATEMENTS = 6
TRANSACTION_CONTROL = ("BEGIN", "COMMIT")


class MemoryBroker:
    """The job queue as a list (a stand-in for Redis, which is outside this process)."""

    list_key = "memory"

    def __init__(self):
        self.tasks = []

    def enqueue(self, task):
        self.tasks.append(task)
        return len(self.tasks)


@pytest.fixture
def queue(monkeypatch):
    memory = MemoryBroker()
    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(jobs, "_brokers", {os.getpid(): memory})
    return memory


class Tally:
    """Statements and commits on the default connection, as bench/middleware.py counts them."""

    def __init__(self, connection):
        self.connection = connection
        self.commits = 0

    def __enter__(self):
        commit = self.connection.commit

        def counting_commit():
            self.commits += 1
            return commit()

        self.connection.commit = counting_commit
        self.captured = CaptureQueriesContext(self.connection).__enter__()
        return self

    def __exit__(self, *exc):
        self.captured.__exit__(*exc)
        del self.connection.commit

    @property
    def statements(self) -> list[str]:
        return [
            query["sql"] for query in self.captured.captured_queries if not query["sql"].startswith(TRANSACTION_CONTROL)
        ]


def register(client, event, number):
    body = {"name": f"Rusher {number}", "email": f"rusher{number}@example.org", "consent_data_processing": True}
    return client.post(f"/api/events/{event.pk}/registrations/", body, format="json")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("earlier", [1, 5])
def test_register_is_one_transaction_of_few_statements(queue, earlier):
    event = factories.EventFactory(capacity=100)
    client = APIClient()
    for number in range(earlier):
        register(client, event, number)

    with Tally(connections["default"]) as tally:
        response = register(client, event, "new")

    assert response.status_code == 201
    if connections["default"].vendor == "postgresql":
        # the event's read, then seat, row and message in one statement, committed by itself:
        # no BEGIN and COMMIT round trips (registrations.services.registration._register_in_one_statement)
        assert tally.commits == 0
        assert len(tally.statements) == 2, "\n".join(tally.statements)
    else:
        assert tally.commits == 1
        assert len(tally.statements) <= MAX_STATEMENTS, "\n".join(tally.statements)
    # the commit handed the message to the queue
    assert len(queue.tasks) == earlier + 1
    assert OutboxMessage.objects.filter(recipient_email="rushernew@example.org").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("waiting", [1, 5])
def test_joining_the_waiting_list_costs_the_same_whatever_its_length(queue, waiting):
    event = factories.EventFactory(capacity=1)
    client = APIClient()
    for number in range(1 + waiting):
        register(client, event, number)

    with Tally(connections["default"]) as tally:
        response = register(client, event, "new")

    assert (response.json()["status"], response.json()["waiting_position"]) == ("waitlisted", waiting + 1)
    assert tally.commits == 1
    # the seat UPDATE, the counter's UPDATE ... RETURNING: no count of the people ahead
    assert len(tally.statements) <= MAX_STATEMENTS + 1, "\n".join(tally.statements)
    assert not any("COUNT(" in sql.upper() for sql in tally.statements)
    assert Event.objects.get(pk=event.pk).waiting_count == waiting + 1


# what differs between two registrations whatever the way they were written
DIFFERING = {
    "id", "name", "search_name", "email", "ticket_secret", "manage_token", "created_at", "updated_at", "confirmed_at",
    "consented_at", "recipient_email", "recipient_name", "message_id", "about_id", "dedup_key", "handed_out_at",
}  # fmt: skip


def written(registration_id):
    row = Registration.objects.filter(pk=registration_id).values().get()
    message = OutboxMessage.objects.filter(about_id=registration_id).values().get()
    same = {key: value for key, value in row.items() if key not in DIFFERING}
    same_message = {key: value for key, value in message.items() if key not in DIFFERING}
    return same, same_message, message["dedup_key"].replace(str(registration_id), "ID").replace(row["email"], "EMAIL")


@pytest.mark.django_db(transaction=True)
def test_one_statement_writes_what_the_transaction_writes(queue, monkeypatch):
    from registrations.services import registration as service  # noqa: PLC0415

    event = factories.EventFactory(capacity=100)
    client = APIClient()
    with translation.override("az"):
        fast = register(client, event, "fast").json()
        monkeypatch.setattr(service, "_one_statement_possible", lambda **kwargs: False)
        slow = register(client, event, "slow").json()

    fast_id, slow_id = (Registration.objects.get(email=f"rusher{who}@example.org").pk for who in ("fast", "slow"))
    assert written(fast_id) == written(slow_id)
    assert Event.objects.get(pk=event.pk).seats_taken == 2
    assert len(queue.tasks) == 2
    assert answer_shape(fast) == answer_shape(slow)


def answer_shape(body):
    shape = json.loads(json.dumps(body).replace(body["manage_token"], "TOKEN"))
    for key in ("name", "email", "created_at", "confirmed_at"):
        shape.pop(key)
    return shape


@pytest.mark.django_db(transaction=True)
def test_repeated_registration_returns_the_first_and_frees_nothing(queue):
    event = factories.EventFactory(capacity=100)
    client = APIClient()
    register(client, event, 1)

    response = register(client, event, 1)

    assert (response.status_code, response.json()["code"]) == (200, "already_registered")
    assert Registration.objects.filter(event=event).count() == 1
    assert Event.objects.get(pk=event.pk).seats_taken == 1
    # the confirmation, and the private link sent again to the address (whoever asked again)
    kinds = OutboxMessage.objects.filter(recipient_email="rusher1@example.org").values_list("kind", flat=True)
    assert sorted(kinds) == ["registration_confirmed", "ticket_links"]


def test_the_broker_is_made_once_per_process(db):
    assert jobs.broker() is jobs.broker()


def test_thirty_jobs_travel_over_one_redis_connection(redis_queue):
    for number in range(30):
        jobs.enqueue("notifications.tasks.send_messages", [number])

    assert redis_queue.connection.llen(redis_queue.list_key) == 30
    assert redis_queue.connection.connection_pool._created_connections == 1


@pytest.mark.django_db
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("zone", ["Asia/Baku", "UTC", "America/St_Johns"])
def test_answer_built_by_hand_equals_the_serializers(full, zone):
    # times in the event's zone: an offset, UTC's "Z", a half-hour offset
    event = factories.WebinarFactory(capacity=1, timezone=zone)
    question = factories.QuestionFactory(event=event, label="Sector?")
    if full:
        register_service(event=event, name="First", email="first@example.org", consent_data_processing=True)
    registration = register_service(
        event=event, name="Leyla", email="leyla@example.org", consent_data_processing=True,
        answers={str(question.pk): "academia"}, party_size=1,
    )  # fmt: skip
    fresh = Registration.objects.get(pk=registration.pk)

    assert own_registration_data(registration) == OwnRegistrationSerializer(fresh).data


@pytest.mark.django_db
def test_questions_are_read_only_when_the_event_asks_some(queue):
    event = factories.EventFactory(capacity=10)
    question = factories.QuestionFactory(event=event, label="Sector?", required=True)
    client = APIClient()

    unanswered = register(client, event, 1)
    body = {"name": "B", "email": "b@example.org", "consent_data_processing": True, "answers": {question.pk: "x"}}
    answered = client.post(f"/api/events/{event.pk}/registrations/", body, format="json")

    assert (unanswered.status_code, unanswered.json()["code"]) == (400, "answer_required")
    assert answered.status_code == 201
    assert answered.json()["answers"] == [{"question": question.pk, "question_label": "Sector?", "value": "x"}]


@pytest.mark.django_db(transaction=True)
def test_a_registration_is_saved_when_someone_listens_to_its_saving(queue):
    saved = []

    def receiver(sender, instance, created, **kwargs):
        saved.append((instance.email, created))

    post_save.connect(receiver, sender=Registration)
    try:
        response = register(APIClient(), factories.EventFactory(capacity=10), "heard")
    finally:
        post_save.disconnect(receiver, sender=Registration)

    assert response.status_code == 201
    assert saved == [("rusherheard@example.org", True)]
