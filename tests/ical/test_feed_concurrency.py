"""A feed rotated and switched off at the same moment (two tabs, a click on each button).

The rotation used to decide on the feed as its caller had read it: it wrote a new token over a
feed switched off a moment before and answered with a subscription URL that never worked (the
feed stayed off: ``save(update_fields=...)`` left ``revoked_at`` as the switch wrote it)."""

import pytest
from django.db import transaction

from feeds import services as feed_services
from feeds.models import CalendarFeed
from tests import factories
from tests.races import Racer


@pytest.mark.django_db
def test_a_feed_switched_off_after_it_was_read_is_not_rotated(client):
    user = factories.UserFactory()
    feed = feed_services.create_feed(user=user, scope="attendee")
    as_the_other_tab_read_it = CalendarFeed.objects.get(pk=feed.pk)
    feed_services.revoke_feed(feed=feed)

    with pytest.raises(feed_services.FeedError) as refused:
        feed_services.rotate_feed(feed=as_the_other_tab_read_it)

    assert refused.value.code == "feed_revoked"
    stored = CalendarFeed.objects.get(pk=feed.pk)
    assert stored.revoked_at is not None
    assert stored.token == feed.token


@pytest.mark.django_db
def test_revoking_twice_keeps_the_first_moment():
    user = factories.UserFactory()
    feed = feed_services.create_feed(user=user, scope="attendee")
    as_the_other_tab_read_it = CalendarFeed.objects.get(pk=feed.pk)
    first = feed_services.revoke_feed(feed=feed).revoked_at

    second = feed_services.revoke_feed(feed=as_the_other_tab_read_it)

    assert second.revoked_at == first
    assert CalendarFeed.objects.get(pk=feed.pk).revoked_at == first


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_rotation_meeting_a_switch_off_waits_and_is_refused():
    user = factories.UserFactory()
    feed = feed_services.create_feed(user=user, scope="attendee")
    as_the_other_tab_read_it = CalendarFeed.objects.get(pk=feed.pk)

    def rotate():
        return feed_services.rotate_feed(feed=as_the_other_tab_read_it).token

    with transaction.atomic():
        feed_services.revoke_feed(feed=feed)
        racer = Racer(rotate)

    assert racer.waited, f"the rotation did not wait for the switch-off: {racer.outcome()}"
    assert racer.outcome() == "feed_revoked"
    stored = CalendarFeed.objects.get(pk=feed.pk)
    assert (stored.token, stored.revoked_at is not None) == (feed.token, True)
