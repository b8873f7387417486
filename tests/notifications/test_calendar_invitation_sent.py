"""Which registrants were sent a calendar invitation: the outbox records what each message carried."""

import datetime as dt

import pytest
from django.core import mail

from events.services import update_event
from notifications import kinds
from notifications.models import OutboxMessage
from notifications.selectors import calendar_invitation_sent
from notifications.services import queue_message, resend_message
from registrations.services.messages import resend_ticket, tell_registrant
from registrations.services.registration import cancel_registration
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_resent_ticket_is_a_sent_invitation(django_capture_on_commit_callbacks):
    registration = factories.RegistrationFactory()

    # sent through the outbox (django-q2 in sync mode)
    with django_capture_on_commit_callbacks(execute=True):
        resend_ticket(registration=registration)

    sent = OutboxMessage.objects.get(kind=kinds.REGISTRATION_CONFIRMED)
    assert (sent.status, sent.calendar_invitation_sent) == ("sent", True)
    assert calendar_invitation_sent([registration]) == {registration.pk}


def test_a_cancellation_or_a_message_without_a_calendar_is_no_invitation(django_capture_on_commit_callbacks):
    cancelled = factories.RegistrationFactory(status="cancelled")
    waiting = factories.RegistrationFactory(status="waitlisted")

    with django_capture_on_commit_callbacks(execute=True):
        tell_registrant(cancelled, kinds.REGISTRATION_CANCELLED)
        tell_registrant(waiting, kinds.WAITING_LIST_JOINED, position=1)

    assert dict(OutboxMessage.objects.values_list("kind", "calendar_invitation_sent")) == {
        kinds.REGISTRATION_CANCELLED: False,
        kinds.WAITING_LIST_JOINED: False,
    }
    assert calendar_invitation_sent([cancelled, waiting]) == set()


def test_an_invitation_not_sent_yet_does_not_count():
    registration = factories.RegistrationFactory()

    # queued, its transaction not committed: nothing went out
    queue_message(
        kind=kinds.REGISTRATION_CONFIRMED,
        recipient_email=registration.email,
        about=registration,
        event=registration.event,
    )

    assert calendar_invitation_sent([registration]) == set()


def test_a_message_sent_again_keeps_its_first_sending(django_capture_on_commit_callbacks, organiser):
    registration = factories.RegistrationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        resend_ticket(registration=registration)
    message = OutboxMessage.objects.get(kind=kinds.REGISTRATION_CONFIRMED)

    # the organiser sends it again; until it goes, the first sending still stands
    resend_message(message=message, by=organiser)

    assert OutboxMessage.objects.get(pk=message.pk).status == "pending"
    assert calendar_invitation_sent([registration]) == {registration.pk}


@pytest.mark.parametrize("count", [1, 5])
def test_calendar_invitation_sent_is_one_query(count, django_assert_num_queries, django_capture_on_commit_callbacks):
    event = factories.EventFactory()
    registrations = [factories.RegistrationFactory(event=event) for _ in range(count)]
    invited = registrations[::2]
    with django_capture_on_commit_callbacks(execute=True):
        for registration in invited:
            resend_ticket(registration=registration)

    with django_assert_num_queries(1):
        found = calendar_invitation_sent(registrations)

    assert found == {registration.pk for registration in invited}
    assert calendar_invitation_sent([]) == set()


def test_a_resend_without_the_invitation_keeps_the_one_sent_before(django_capture_on_commit_callbacks, organiser):
    registration = factories.RegistrationFactory(event=factories.EventFactory(organisers=[organiser]))
    event = registration.event
    # the event moves while the place is confirmed: event_changed carries the updated invitation
    with django_capture_on_commit_callbacks(execute=True):
        update_event(
            event=event, by=organiser, start=event.start + dt.timedelta(hours=1), end=event.end + dt.timedelta(hours=1)
        )
    message = OutboxMessage.objects.get(kind=kinds.EVENT_CHANGED, about_id=registration.pk)
    assert (message.status, message.calendar_invitation_sent) == ("sent", True)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_registration(registration=registration)
    mail.outbox = []

    # sent again after the place was cancelled: a change notice is for those holding a place, so
    # it does not go (kinds.REGISTRATION_STATUSES_OF_KIND); the invitation sent before is still
    # in the person's calendar
    with django_capture_on_commit_callbacks(execute=True):
        resend_message(message=message, by=organiser)

    assert mail.outbox == []
    message.refresh_from_db()
    assert (message.status, message.calendar_invitation_sent) == ("cancelled", True)
    assert calendar_invitation_sent([registration]) == {registration.pk}
