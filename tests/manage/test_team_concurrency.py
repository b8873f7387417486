"""Two signed-out people follow one team link at the same moment, on PostgreSQL.

The first accepts inside a transaction the test keeps open: its new account (the invited
address) is written but not committed. The second, in another connection, tries to accept the
same link. It must wait for the first and then be told the link was used; without the lock it
went on to make an account of its own, waited on the address's unique index and was told 'An
account with this address exists: sign in to accept.' about a link it could not use anyway.
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from teams import services
from teams.models import TeamInvitation
from tests import factories
from tests.races import Racer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_second_of_two_people_signing_up_through_one_link_at_once_finds_it_used():
    organiser = factories.OrganiserFactory()
    event = factories.EventFactory(organisers=[organiser])
    invitation = services.invite_to_team(event=event, email="door@example.org", role="checkin", by=organiser)

    def second():
        services.accept_team_invitation(token=invitation.token, name="Second Person", password="door-keeper-2030")
        return "accepted"

    with transaction.atomic():
        first = services.accept_team_invitation(
            token=invitation.token, name="First Person", password="door-keeper-2030"
        )
        racer = Racer(second)

    assert racer.waited, f"the second acceptance did not wait for the first: {racer.outcome()}"
    assert racer.outcome() == "invitation_used"
    assert TeamInvitation.objects.get(pk=invitation.pk).used_by == first
    assert list(get_user_model().objects.filter(email="door@example.org")) == [first]
    assert list(event.checkin_staff.all()) == [first]


def test_one_person_invited_twice_at_once_has_one_live_link():
    """Only the newest link works: the second invitation withdraws the first. Sent at the same
    moment (a double click, two organisers), neither saw the other and both links worked."""
    organiser = factories.OrganiserFactory()
    event = factories.EventFactory(organisers=[organiser])

    def second():
        return services.invite_to_team(event=event, email="door@example.org", role="checkin", by=organiser).pk

    with transaction.atomic():
        first = services.invite_to_team(event=event, email="door@example.org", role="checkin", by=organiser)
        racer = Racer(second)

    assert racer.waited, f"the second invitation did not wait for the first: {racer.outcome()}"
    # the second's answer first: it joins its thread, so its commit is in what is read next (read
    # before it, the list raced that commit and now and then held the first link alone)
    second_link = racer.outcome()
    live = TeamInvitation.objects.filter(event=event, used_at__isnull=True, revoked_at__isnull=True)
    assert list(live.values_list("pk", flat=True)) == [second_link]
    assert TeamInvitation.objects.get(pk=first.pk).revoked_at is not None


def test_a_link_withdrawn_as_it_is_accepted_is_one_or_the_other():
    """The organiser withdraws a link (the Team tab read it a moment before) while its reader
    accepts it: the withdrawal waits for the acceptance and says the link was accepted. It wrote
    'withdrawn' over the accepted link, and the person stayed in the team beside it."""
    organiser = factories.OrganiserFactory()
    event = factories.EventFactory(organisers=[organiser])
    invitation = services.invite_to_team(event=event, email="door@example.org", role="checkin", by=organiser)
    as_the_team_tab_read_it = TeamInvitation.objects.get(pk=invitation.pk)

    def withdraw():
        services.revoke_team_invitation(invitation=as_the_team_tab_read_it, by=organiser)
        return "withdrawn"

    with transaction.atomic():
        accepted_by = services.accept_team_invitation(
            token=invitation.token, name="Door Keeper", password="door-keeper-2030"
        )
        racer = Racer(withdraw)

    assert racer.waited, f"the withdrawal did not wait for the acceptance: {racer.outcome()}"
    assert racer.outcome() == "invitation_used"
    stored = TeamInvitation.objects.get(pk=invitation.pk)
    assert (stored.used_by, stored.revoked_at) == (accepted_by, None)
    assert list(event.checkin_staff.all()) == [accepted_by]


def test_a_series_link_withdrawn_as_it_is_accepted_is_one_or_the_other():
    """The same for a series' door link: accepted, it stays accepted (the series' door staff gets
    the person); the withdrawal that met it says so instead of writing 'withdrawn' beside it."""
    organiser = factories.OrganiserFactory()
    series = factories.SeriesFactory()
    series.organisers.add(organiser)
    invitation = services.invite_to_series_door(series=series, email="door@example.org", by=organiser)
    as_the_page_read_it = TeamInvitation.objects.get(pk=invitation.pk)

    def withdraw():
        services.revoke_team_invitation(invitation=as_the_page_read_it, by=organiser)
        return "withdrawn"

    with transaction.atomic():
        accepted_by = services.accept_team_invitation(
            token=invitation.token, name="Door Keeper", password="door-keeper-2030"
        )
        racer = Racer(withdraw)

    assert racer.waited, f"the withdrawal did not wait for the acceptance: {racer.outcome()}"
    assert racer.outcome() == "invitation_used"
    stored = TeamInvitation.objects.get(pk=invitation.pk)
    assert (stored.used_by, stored.revoked_at) == (accepted_by, None)
    assert list(series.checkin_staff.all()) == [accepted_by]


def test_a_co_organiser_removed_as_their_request_runs_removes_nobody():
    """A co-organiser's request to take someone off the team was checked before it took the event's
    lock: removed from the organisers a moment before, by a change holding that lock, it went on."""
    organiser = factories.OrganiserFactory()
    colleague = factories.OrganiserFactory()
    door = factories.UserFactory()
    event = factories.EventFactory(organisers=[organiser, colleague])
    event.checkin_staff.add(door)
    as_their_request_read_it = type(event).objects.prefetch_related("organisers").get(pk=event.pk)
    list(as_their_request_read_it.organisers.all())

    def colleagues_request():
        services.remove_from_team(event=as_their_request_read_it, user=door, role="checkin", by=colleague)
        return "removed"

    with transaction.atomic():
        services.remove_from_team(event=event, user=colleague, role="organiser", by=organiser)
        racer = Racer(colleagues_request)

    assert racer.waited, f"the colleague's request did not wait: {racer.outcome()}"
    assert racer.outcome() == "not_event_organiser"
    assert list(event.checkin_staff.all()) == [door]
