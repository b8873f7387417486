"""End to end through the registration services: the mails a registrant actually receives."""

import icalendar
from django.core import mail

from notifications.models import OutboxMessage, OutboxStatus
from registrations.services.registration import cancel_registration, register


def test_register_then_cancel_sends_ticket_then_calendar_cancel(event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(
            event=event, name="Aysel Mammadova", email="Aysel@Example.org", consent_data_processing=True
        )
    with django_capture_on_commit_callbacks(execute=True):
        cancel_registration(registration=registration)

    confirmation, cancellation = mail.outbox
    assert confirmation.to == cancellation.to == ["Aysel Mammadova <aysel@example.org>"]
    assert {name for name, *_ in confirmation.attachments} == {"ticket.png", "invite.ics"}
    assert f"/registrations/manage/{registration.manage_token}/" in confirmation.body
    (ics,) = [content for name, content, _ in cancellation.attachments if name == "invite.ics"]
    assert icalendar.Calendar.from_ical(ics)["METHOD"] == "CANCEL"
    assert set(OutboxMessage.objects.values_list("kind", "status")) == {
        ("registration_confirmed", OutboxStatus.SENT),
        ("registration_cancelled", OutboxStatus.SENT),
    }
