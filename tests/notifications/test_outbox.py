from django.core import mail

from notifications import kinds
from notifications.models import OutboxMessage, OutboxStatus
from notifications.services import queue_message


def test_queue_message_sends_after_commit(registration, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_message(
            kind=kinds.REGISTRATION_PENDING,
            recipient_email=registration.email,
            recipient_name=registration.name,
            about=registration,
            event=registration.event,
        )

    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["Aysel Mammadova <aysel@example.org>"]
    assert "CV clinic" in mail.outbox[0].subject


def test_queue_message_twice_returns_the_same_row(registration, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue_message(kind=kinds.REGISTRATION_PENDING, recipient_email=registration.email, about=registration)
        second = queue_message(kind=kinds.REGISTRATION_PENDING, recipient_email=registration.email, about=registration)

    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1
    assert len(mail.outbox) == 1
