"""The two organisers of an event close their accounts at the same moment."""

import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from events_project.exceptions import Conflict
from registrations.services import privacy
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(monkeypatch):
    first, second = factories.OrganiserFactory(), factories.OrganiserFactory()
    factories.EventFactory(organisers=[first, second])
    anonymise = privacy._anonymise_registrations

    def slow_anonymise(*args, **kwargs):
        time.sleep(0.5)  # widen the window between checking for a co-organiser and closing the account
        return anonymise(*args, **kwargs)

    monkeypatch.setattr(privacy, "_anonymise_registrations", slow_anonymise)
    barrier = threading.Barrier(2)
    outcomes = []

    def erase(user):
        try:
            barrier.wait()
            privacy.erase_personal_data(user=user)
            outcomes.append("erased")
        except Conflict as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=erase, args=(user,)) for user in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    active = get_user_model().objects.filter(pk__in=[first.pk, second.pk], is_active=True).count()
    return sorted(outcomes), active


def test_two_organisers_erasing_at_once_leave_one_to_run_the_event(monkeypatch):
    outcomes, active = _race(monkeypatch)

    assert outcomes == ["erased", "sole_organiser"]
    assert active == 1


def test_control_without_the_lock_both_are_erased_and_nobody_runs_the_event(monkeypatch):
    monkeypatch.setattr(privacy, "_lock_organised_events", lambda user: None)

    outcomes, active = _race(monkeypatch)

    assert outcomes == ["erased", "erased"]
    assert active == 0
