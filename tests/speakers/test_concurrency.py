"""Two organisers assign the same speaker to overlapping events at the same moment."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction

from notifications.models import OutboxMessage
from speakers import conflicts, services
from speakers.exceptions import SpeakerConflicts
from speakers.models import AssignmentStatus, Speaker, SpeakerAssignment
from tests import factories
from tests.races import Racer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(monkeypatch):
    organiser = factories.OrganiserFactory()
    speaker = factories.SpeakerFactory()
    first = factories.EventFactory(organisers=[organiser])
    second = factories.EventFactory(organisers=[organiser], start=first.start + dt.timedelta(hours=1))
    original = conflicts.conflicts_for

    def slow_conflicts_for(**kwargs):
        found = original(**kwargs)
        time.sleep(0.5)  # widen the window between checking and writing
        return found

    monkeypatch.setattr(conflicts, "conflicts_for", slow_conflicts_for)
    barrier = threading.Barrier(2)
    outcomes = []

    def assign(event):
        try:
            barrier.wait()
            services.assign_speaker(event=event, speaker=speaker, by=organiser)
            outcomes.append("assigned")
        except SpeakerConflicts as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=(event,)) for event in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes), SpeakerAssignment.objects.filter(speaker=speaker).count()


def test_concurrent_overlapping_assignments_one_is_refused(monkeypatch):
    outcomes, count = _race(monkeypatch)

    assert outcomes == ["assigned", "speaker_conflicts"]
    assert count == 1


def test_control_without_speaker_lock_both_get_through(monkeypatch):
    monkeypatch.setattr(services, "_lock_speaker", lambda speaker: None)

    outcomes, count = _race(monkeypatch)

    assert outcomes == ["assigned", "assigned"]
    assert count == 2


def _invite_new_twice():
    """The same new address invited to one event twice at once (a double click on Invite): the
    test's transaction has invited it and not committed when the second invitation comes in."""
    organiser = factories.OrganiserFactory()
    event = factories.EventFactory(organisers=[organiser])
    with transaction.atomic():
        services.invite_new_speaker(event=event, by=organiser, name="Nigar Aliyeva", email="nigar@example.org")
        second = Racer(
            lambda: (
                services.invite_new_speaker(
                    event=event, by=organiser, name="Nigar Aliyeva", email="Nigar@Example.org"
                ).status
            ),
            timeout=3,
        )
    return second.outcome(), Speaker.objects.filter(email="nigar@example.org").count()


def test_new_speaker_invited_twice_at_once_is_one_profile_invited_once():
    outcome, profiles = _invite_new_twice()

    assert (outcome, profiles) == ("already_invited", 1)
    assert SpeakerAssignment.objects.count() == 1
    assert OutboxMessage.objects.filter(kind="speaker_invitation", recipient_email="nigar@example.org").count() == 1


def test_control_without_address_lock_two_profiles_are_invited(monkeypatch):
    monkeypatch.setattr(services, "_lock_new_address", lambda email: None)

    outcome, profiles = _invite_new_twice()

    assert (outcome, profiles) == (AssignmentStatus.INVITED, 2)
