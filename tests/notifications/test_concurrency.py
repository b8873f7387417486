"""Two workers handed the same messages at the same moment: the claim lets each row out once.

The control test runs the same race against a naive sender (read pending rows, send, mark
sent) and shows the duplicates the claim prevents, so the main test can fail.
"""

import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from notifications import kinds
from notifications.models import OutboxMessage, OutboxStatus
from notifications.services import outbox, send_outbox_messages
from tests import factories

COUNT = 30


def _queued_ids(event) -> list[int]:
    specs = [
        outbox.MessageSpec(kind=kinds.REMINDER, recipient_email=f"p{n}@example.org", event=event, dedup_key=f"race:{n}")
        for n in range(COUNT)
    ]
    # no on-commit hand-out in this test: the two "workers" below are the only senders
    return outbox.queue_messages(specs)


def _race(send) -> list[BaseException]:
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            barrier.wait(timeout=10)
            send()
        except BaseException as exc:  # noqa: BLE001 -- reported to the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_batch_send_each_message_once(monkeypatch):
    monkeypatch.setattr(outbox, "enqueue", lambda *args, **options: None)
    ids = _queued_ids(factories.EventFactory())

    errors = _race(lambda: send_outbox_messages(message_ids=ids))

    assert errors == []
    assert len(mail.outbox) == COUNT
    assert sorted(email.to[0] for email in mail.outbox) == sorted(f"p{n}@example.org" for n in range(COUNT))
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {(OutboxStatus.SENT, 1)}


@pytest.mark.django_db(transaction=True)
def test_control_without_the_claim_the_race_sends_duplicates(monkeypatch):
    from django.core.mail import EmailMessage, get_connection

    monkeypatch.setattr(outbox, "enqueue", lambda *args, **options: None)
    _queued_ids(factories.EventFactory())
    barrier = threading.Barrier(2)

    def naive_send():
        rows = list(OutboxMessage.objects.filter(status=OutboxStatus.PENDING))
        barrier.wait(timeout=10)  # both have read the pending rows before either marks one
        get_connection().send_messages(
            [EmailMessage(row.subject, row.body_text, to=[row.recipient_email]) for row in rows]
        )
        OutboxMessage.objects.filter(pk__in=[row.pk for row in rows]).update(
            status=OutboxStatus.SENT, sent_at=timezone.now()
        )

    errors = _race(naive_send)

    assert errors == []
    assert len(mail.outbox) == 2 * COUNT
