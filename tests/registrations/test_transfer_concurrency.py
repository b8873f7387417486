"""Places passed to the same colleague at the same moment, with real simultaneous connections on
PostgreSQL: one colleague holds one place, and the other delegate is told so (never a 500)."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from registrations.models import Registration, RegistrationStatus
from registrations.services.registration import transfer_registration
from tests import factories
from tests.races import Racer
from tests.registrations.conftest import sign_up

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_delegates_passing_their_places_to_one_colleague_at_once_give_her_one():
    event = factories.EventFactory(
        capacity=10, registration_mode="invitation", kind="roundtable",
        rsvp_deadline=timezone.now() + dt.timedelta(days=3),
    )  # fmt: skip
    first, second = factories.InvitationFactory(event=event), factories.InvitationFactory(event=event)
    one = sign_up(event, email=first.email, invitation_code=first.code)
    other = sign_up(event, email=second.email, invitation_code=second.code)

    with transaction.atomic():
        transfer_registration(registration=one, name="Samira Valiyeva", email="samira@example.org")
        rival = Racer(
            lambda: transfer_registration(registration=other, name="Samira Valiyeva", email="samira@example.org")
        )

    assert (rival.waited, rival.outcome()) == (True, "already_registered")
    other.refresh_from_db()
    assert other.status == RegistrationStatus.CONFIRMED  # the refused delegate keeps her place
    active = Registration.objects.filter(event=event, email="samira@example.org", status=RegistrationStatus.CONFIRMED)
    assert active.count() == 1
