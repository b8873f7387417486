"""Every factory makes a row the models accept, and the written-directly registration keeps the
event's counters right (so a test built on it sees what the services would have left)."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db

FACTORIES = [
    factories.RegistrationFactory,
    factories.CheckInFactory,
    factories.OutboxMessageFactory,
    factories.CalendarFeedFactory,
    factories.TeamInvitationFactory,
    factories.AttendanceImportFactory,
    factories.SpeakerUnavailabilityFactory,
    factories.CertificateFactory,
]


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda factory: factory.__name__)
def test_factory_makes_a_valid_row(factory):
    row = factory()

    row.full_clean()
    assert type(row).objects.filter(pk=row.pk).exists()


def test_registration_factory_keeps_the_event_counters():
    event = factories.EventFactory(capacity=5)

    factories.RegistrationFactory(event=event, party_size=3)
    factories.RegistrationFactory(event=event, status="waitlisted", party_size=4)

    event.refresh_from_db()
    assert (event.seats_taken, event.waiting_count) == (3, 1)
