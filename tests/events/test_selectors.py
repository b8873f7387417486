import pytest
from django.contrib.auth.models import AnonymousUser

from events.models import Event
from events.permissions import can_check_in
from events.selectors import events_checked_in_by
from tests import factories

pytestmark = pytest.mark.django_db


def test_events_checked_in_by_is_each_events_organisers_and_check_in_staff():
    organiser, staff, both, stranger = factories.UserFactory.create_batch(4)
    superuser = factories.UserFactory(is_superuser=True)
    organised = factories.EventFactory(organisers=[organiser, both])
    staffed = factories.EventFactory()
    staffed.checkin_staff.add(staff, both)
    factories.EventFactory()

    def doors(user):
        return set(events_checked_in_by(user).values_list("pk", flat=True))

    assert doors(organiser) == {organised.pk}
    assert doors(staff) == {staffed.pk}
    assert doors(both) == {organised.pk, staffed.pk}
    assert doors(stranger) == doors(AnonymousUser()) == set()
    assert doors(superuser) == set(Event.objects.values_list("pk", flat=True))
    assert events_checked_in_by(both).count() == 2  # no duplicate rows


def test_can_check_in_answers_as_events_checked_in_by():
    organiser, another_organiser = factories.OrganiserFactory.create_batch(2)
    staff = factories.UserFactory()
    inactive_organiser = factories.OrganiserFactory(is_active=False)
    event = factories.EventFactory(organisers=[organiser, inactive_organiser])
    event.checkin_staff.add(staff)
    factories.EventFactory(organisers=[another_organiser])
    users = [organiser, staff, another_organiser, AnonymousUser(), inactive_organiser]

    answers = [can_check_in(user, event) for user in users]

    assert answers == [True, True, False, False, False]
    # the door's own list for each of them says the same
    assert [event in events_checked_in_by(user) for user in users] == answers


def test_a_series_counts_the_sessions_it_reaches_that_the_reader_may_see():
    """A published series' ``occurrence_count`` counted every row: strangers learnt how many
    drafts it held, and a session handed over to other organisers still counted as the series'."""
    from events.selectors import series_managed_by, series_visible_to

    owner, newcomer = factories.OrganiserFactory.create_batch(2)
    series = factories.SeriesFactory(published=True)
    series.organisers.set([owner])
    sessions = [factories.EventFactory(series=series, organisers=[owner]) for _ in range(3)]
    factories.EventFactory(series=series, organisers=[owner], status="draft", published_at=None)
    factories.EventFactory(series=series, organisers=[newcomer])  # handed over

    def count(selector, user):
        return selector(user).get(pk=series.pk).occurrence_count

    assert all(session.published_at for session in sessions)
    assert count(series_visible_to, AnonymousUser()) == 3
    assert count(series_visible_to, newcomer) == 3
    assert count(series_visible_to, owner) == 4
    assert count(series_managed_by, owner) == 4
