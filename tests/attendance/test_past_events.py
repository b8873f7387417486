"""Past events get no confirmations, invitations or reminders: a person added by hand after the end
is recorded, and told nothing about a place at an event that is over."""

import datetime as dt

from django.core import mail
from django.utils import timezone

from notifications import kinds
from notifications.models import OutboxMessage
from registrations.models import RegistrationStatus
from registrations.services import invitations, registration, reminders
from tests import factories


def _webinar(*, start, minutes=90):
    return factories.WebinarFactory(start=start, end=start + dt.timedelta(minutes=minutes), capacity=50)


def test_a_person_added_after_the_end_gets_no_confirmation(db, django_capture_on_commit_callbacks):
    event = _webinar(start=timezone.now() - dt.timedelta(days=2))
    organiser = factories.OrganiserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        added = registration.add_registration(
            event=event, by=organiser, name="Aysel Mammadova", email="aysel@example.org"
        ).registration

    assert added.status == RegistrationStatus.CONFIRMED
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []


def test_a_person_added_during_the_event_is_still_confirmed(db, django_capture_on_commit_callbacks):
    event = _webinar(start=timezone.now() - dt.timedelta(minutes=30))
    organiser = factories.OrganiserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        registration.add_registration(event=event, by=organiser, name="Rauf Aliyev", email="rauf@example.org")

    assert list(OutboxMessage.objects.values_list("kind", flat=True)) == [kinds.REGISTRATION_CONFIRMED]


def test_no_invitation_code_for_an_event_that_is_over(db, django_capture_on_commit_callbacks):
    event = _webinar(start=timezone.now() - dt.timedelta(days=1))
    organiser = factories.OrganiserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        invitations.create_invitation(event=event, by=organiser, email="nigar@example.org", name="Nigar Hasanova")

    assert OutboxMessage.objects.count() == 0


def test_no_reminder_for_an_event_that_is_over(db, django_capture_on_commit_callbacks):
    event = _webinar(start=timezone.now() - dt.timedelta(hours=3))
    organiser = factories.OrganiserFactory()
    registration.add_registration(event=event, by=organiser, name="Elvin Quliyev", email="elvin@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        queued = reminders.queue_due_reminders(now=timezone.now())

    assert queued == 0
    assert OutboxMessage.objects.filter(kind=kinds.REMINDER).count() == 0
