"""The drain: registrations written in one statement ask for one send job of their kind until it
starts (a ``SET NX`` on Redis), not a job each; no row is left without a job to send it."""

import datetime as dt

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.signing import SignedPackage
from rest_framework.test import APIClient

from notifications import kinds
from notifications.models import OutboxMessage, OutboxStatus
from notifications.services import outbox
from tests import factories


def queued(queue) -> list[tuple[str, tuple]]:
    """The jobs in the queue, taken out of it: (function, arguments)."""
    tasks = []
    while (task := queue.connection.lpop(queue.list_key)) is not None:
        package = SignedPackage.loads(task)
        tasks.append((package["func"], package["args"]))
    return tasks


def register(client, event, who):
    body = {"name": f"Rusher {who}", "email": f"rusher{who}@example.org", "consent_data_processing": True}
    response = client.post(f"/api/events/{event.pk}/registrations/", body, format="json")
    assert response.status_code == 201, response.content
    return response


def run(tasks):
    for func, args in tasks:
        import_string(func)(*args)


def sent_to(email: str) -> int:
    return sum(email in message.to[0] for message in mail.outbox)


pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the one-statement registration (and its drain) is PostgreSQL's"
)


@pytest.mark.django_db(transaction=True)
def test_a_rush_asks_for_one_drain_and_it_sends_every_confirmation_once(redis_queue):
    event = factories.EventFactory(capacity=100)
    client = APIClient()

    for number in range(30):
        register(client, event, number)

    tasks = queued(redis_queue)
    assert tasks == [(outbox.DRAIN_TASK, (kinds.REGISTRATION_CONFIRMED,))]
    run(tasks)
    assert [sent_to(f"rusher{number}@example.org") for number in range(30)] == [1] * 30
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
    # a drain run again finds nothing left to send
    run(tasks)
    assert len(mail.outbox) == 30


@pytest.mark.django_db(transaction=True)
def test_a_row_written_while_the_drain_sends_asks_for_a_drain_of_its_own(redis_queue, monkeypatch):
    # the race: the drain has looked at the rows and is sending them when someone registers.
    # Had the drain given up its wake-up after sending, that newcomer's row would wait for the sweep.
    event = factories.EventFactory(capacity=100)
    client = APIClient()
    register(client, event, "first")
    first_drain = queued(redis_queue)
    send = EmailBackend.send_messages

    def send_while_someone_registers(backend, messages):
        if not OutboxMessage.objects.filter(recipient_email="rusherlate@example.org").exists():
            register(client, event, "late")
        return send(backend, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_while_someone_registers)
    run(first_drain)

    assert (sent_to("rusherfirst@example.org"), sent_to("rusherlate@example.org")) == (1, 0)
    second_drain = queued(redis_queue)
    assert second_drain == [(outbox.DRAIN_TASK, (kinds.REGISTRATION_CONFIRMED,))]
    run(second_drain)
    assert (sent_to("rusherfirst@example.org"), sent_to("rusherlate@example.org")) == (1, 1)


@pytest.mark.django_db(transaction=True)
def test_a_lost_drain_is_asked_for_again_when_its_wake_up_runs_out(redis_queue):
    event = factories.EventFactory(capacity=100)
    client = APIClient()
    register(client, event, 1)
    queued(redis_queue)  # the drain's job is lost (a cluster killed after taking it)
    register(client, event, 2)
    assert queued(redis_queue) == []

    # the wake-up runs out after DRAIN_WAKE_SECONDS
    wake = f"{redis_queue.list_key}:wake:{kinds.REGISTRATION_CONFIRMED}"
    assert 0 < redis_queue.connection.ttl(wake) <= outbox.DRAIN_WAKE_SECONDS
    redis_queue.connection.delete(wake)
    register(client, event, 3)

    drain = queued(redis_queue)
    assert drain == [(outbox.DRAIN_TASK, (kinds.REGISTRATION_CONFIRMED,))]
    run(drain)
    assert [sent_to(f"rusher{number}@example.org") for number in (1, 2, 3)] == [1, 1, 1]


@pytest.mark.django_db(transaction=True)
def test_a_drain_sends_in_batches_and_leaves_other_messages_alone(redis_queue, settings):
    settings.OUTBOX_BATCH_SIZE = 2
    event = factories.EventFactory(capacity=100)
    client = APIClient()
    for number in range(5):
        register(client, event, number)
    queued(redis_queue)
    later = OutboxMessage.objects.get(recipient_email="rusher4@example.org")
    OutboxMessage.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + dt.timedelta(hours=1), attempts=1)

    outcome = outbox.drain_outbox(kind=kinds.REGISTRATION_CONFIRMED)

    assert outcome["sent"] == 4
    assert [sent_to(f"rusher{number}@example.org") for number in range(5)] == [1, 1, 1, 1, 0]
    # the one waiting for its retry stays for the sweep
    assert OutboxMessage.objects.get(pk=later.pk).status == OutboxStatus.PENDING
