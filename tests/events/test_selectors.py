import pytest
from django.contrib.auth.models import AnonymousUser

from events.permissions import can_check_in
from events.selectors import events_checked_in_by
from tests import factories

pytestmark = pytest.mark.django_db


def test_events_checked_in_by_follows_the_check_in_rule():
    organiser, staff, both, stranger = factories.UserFactory.create_batch(4)
    superuser = factories.UserFactory(is_superuser=True)
    organised = factories.EventFactory(organisers=[organiser, both])
    staffed = factories.EventFactory()
    staffed.checkin_staff.add(staff, both)
    factories.EventFactory()

    for user in (organiser, staff, both, stranger, superuser, AnonymousUser()):
        expected = {event.pk for event in (organised, staffed) if can_check_in(user, event)}
        if user.is_superuser:
            expected = set(factories.EventFactory._meta.model.objects.values_list("pk", flat=True))

        assert set(events_checked_in_by(user).values_list("pk", flat=True)) == expected, user
    assert events_checked_in_by(both).count() == 2  # no duplicate rows
