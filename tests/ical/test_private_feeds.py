"""Private feeds behind tokens, and the API that manages them."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from events import ical, services
from events.models import Event
from feeds import services as feed_services
from feeds.models import CalendarFeed
from registrations.models import Registration
from tests import factories
from tests.ical.conftest import parse, unfolded, vevents

pytestmark = pytest.mark.django_db


def _register(event, user, status="confirmed"):
    seats = 1 if status in ("confirmed", "offered") else 0
    # the seat counter must agree with the rows: cancelling the event frees these seats
    Event.objects.filter(pk=event.pk).update(seats_taken=F("seats_taken") + seats)
    return Registration.objects.create(event=event, user=user, name=user.get_full_name() or user.username,
                                       email=user.email.lower(), status=status, seats_held=seats,
                                       consent_data_processing=True)  # fmt: skip


def _client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _feed_url(feed):
    return feed_services.feed_path(feed)


@pytest.fixture
def attendee(db):
    return factories.UserFactory()


def test_attendee_feed_has_join_urls_the_public_feed_never_has(client, attendee):
    confirmed = factories.WebinarFactory(join_url="https://zoom.example.org/j/confirmed-1")
    waiting = factories.WebinarFactory(join_url="https://zoom.example.org/j/waiting-2")
    in_person = factories.EventFactory()
    not_mine = factories.WebinarFactory(join_url="https://zoom.example.org/j/other-3")
    _register(confirmed, attendee)
    _register(waiting, attendee, status="waitlisted")
    _register(in_person, attendee)
    feed = feed_services.create_feed(user=attendee, scope="attendee")

    private = client.get(_feed_url(feed))
    public = client.get("/calendar/events.ics")

    assert private.status_code == 200
    components = vevents(parse(private))
    assert set(components) == {ical.event_uid(e) for e in (confirmed, waiting, in_person)}
    assert ical.event_uid(not_mine) not in components
    assert "https://zoom.example.org/j/confirmed-1" in str(components[ical.event_uid(confirmed)]["DESCRIPTION"])
    assert str(components[ical.event_uid(confirmed)]["CONFERENCE"]) == "https://zoom.example.org/j/confirmed-1"
    assert b"waiting-2" not in unfolded(private)  # no seat, no link
    assert str(components[ical.event_uid(waiting)]["STATUS"]) == "TENTATIVE"
    assert "On the waiting list" in str(components[ical.event_uid(waiting)]["DESCRIPTION"])
    assert b"zoom.example.org/j/" not in unfolded(public)
    assert "private" in private["Cache-Control"]
    assert "public" not in private["Cache-Control"]


def test_attendee_feed_keeps_a_cancelled_event_and_drops_a_cancelled_registration(client, attendee):
    cancelled_event = factories.EventFactory()
    left = factories.EventFactory()
    _register(cancelled_event, attendee)
    registration = _register(left, attendee)
    feed = feed_services.create_feed(user=attendee, scope="attendee")
    services.cancel_event(event=cancelled_event)
    Registration.objects.filter(pk=registration.pk).update(status="cancelled", seats_held=0)

    components = vevents(parse(client.get(_feed_url(feed))))

    assert set(components) == {ical.event_uid(cancelled_event)}
    assert str(components[ical.event_uid(cancelled_event)]["STATUS"]) == "CANCELLED"


def test_attendee_feed_is_200_again_after_the_registration_changes(client, attendee):
    event = factories.WebinarFactory()
    registration = _register(event, attendee, status="waitlisted")
    feed = feed_services.create_feed(user=attendee, scope="attendee")
    first = client.get(_feed_url(feed))

    unchanged = client.get(_feed_url(feed), HTTP_IF_NONE_MATCH=first["ETag"])
    registration.status = "confirmed"
    registration.save()
    promoted = client.get(_feed_url(feed), HTTP_IF_NONE_MATCH=first["ETag"])

    assert unchanged.status_code == 304
    assert promoted.status_code == 200
    assert event.join_url.encode() in unfolded(promoted)


def test_guest_feed_by_email(client):
    event = factories.WebinarFactory()
    Registration.objects.create(event=event, name="Guest", email="guest@example.org", status="confirmed",
                                seats_held=1, consent_data_processing=True)  # fmt: skip
    feed = feed_services.create_feed(scope="attendee", email="Guest@Example.org")

    components = vevents(parse(client.get(_feed_url(feed))))

    assert set(components) == {ical.event_uid(event)}


def test_revoked_and_unknown_tokens_are_404(client, attendee):
    feed = feed_services.create_feed(user=attendee, scope="attendee")
    feed_services.revoke_feed(feed=feed)

    revoked = client.get(_feed_url(feed))
    unknown = client.get("/calendar/private/not-a-real-token.ics")

    assert revoked.status_code == 404
    assert revoked.json()["code"] == "feed_not_found"
    assert unknown.status_code == 404


def test_rotated_token_replaces_the_old_url(client, attendee):
    feed = feed_services.create_feed(user=attendee, scope="attendee")
    old_url = _feed_url(feed)

    feed = feed_services.rotate_feed(feed=feed)

    assert client.get(old_url).status_code == 404
    assert client.get(_feed_url(feed)).status_code == 200


def test_fetch_is_stamped_at_most_hourly(client, attendee):
    feed = feed_services.create_feed(user=attendee, scope="attendee")

    client.get(_feed_url(feed))
    feed.refresh_from_db()
    first = feed.last_fetched_at
    client.get(_feed_url(feed))
    feed.refresh_from_db()

    assert first is not None
    assert feed.last_fetched_at == first


def test_speaker_feed_has_accepted_events_with_join_urls(client):
    from speakers.models import Speaker, SpeakerAssignment

    user = factories.UserFactory()
    speaker = Speaker.objects.create(name="Aysel", email="aysel@example.org", user=user)
    accepted = factories.WebinarFactory()
    declined = factories.WebinarFactory()
    for event, status in ((accepted, "accepted"), (declined, "declined")):
        SpeakerAssignment.objects.create(event=event, speaker=speaker, status=status, invited_at=timezone.now(),
                                         response_deadline=timezone.now() + dt.timedelta(days=2))  # fmt: skip
    feed = feed_services.create_feed(user=user, scope="speaker")

    response = client.get(_feed_url(feed))

    components = vevents(parse(response))
    assert set(components) == {ical.event_uid(accepted)}
    assert accepted.join_url.encode() in unfolded(response)


def test_speaker_feed_serves_nothing_once_the_account_is_unlinked(client):
    """A private feed serves what its owner may see now: a former speaker's join URLs stop."""
    from speakers.models import Speaker, SpeakerAssignment

    user = factories.UserFactory()
    speaker = Speaker.objects.create(name="Aysel", email="aysel@example.org", user=user)
    accepted = factories.WebinarFactory()
    SpeakerAssignment.objects.create(event=accepted, speaker=speaker, status="accepted", invited_at=timezone.now(),
                                     response_deadline=timezone.now() + dt.timedelta(days=2))  # fmt: skip
    feed = feed_services.create_feed(user=user, scope="speaker")
    assert ical.event_uid(accepted) in vevents(parse(client.get(_feed_url(feed))))

    speaker.user = None
    speaker.save()
    response = client.get(_feed_url(feed))

    assert vevents(parse(response)) == {}
    assert accepted.join_url.encode() not in unfolded(response)


@pytest.mark.parametrize("scope", ["attendee", "speaker", "organiser"])
def test_a_deactivated_accounts_feeds_are_404(client, scope):
    """An account switched off (someone who left the team) keeps no door open: its private
    feeds stop as its sign-in does, join URLs included."""
    from speakers.models import Speaker, SpeakerAssignment

    user = factories.OrganiserFactory()
    speaker = Speaker.objects.create(name="Aysel", email="aysel@example.org", user=user)
    event = factories.WebinarFactory(organisers=[user])
    SpeakerAssignment.objects.create(event=event, speaker=speaker, status="accepted", invited_at=timezone.now(),
                                     response_deadline=timezone.now() + dt.timedelta(days=2))  # fmt: skip
    _register(event, user)
    feed = feed_services.create_feed(user=user, scope=scope)
    assert event.join_url.encode() in unfolded(client.get(_feed_url(feed)))

    user.is_active = False
    user.save()
    response = client.get(_feed_url(feed))

    assert response.status_code == 404
    assert response.json()["code"] == "feed_not_found"


def test_organiser_feed_has_own_events_and_drafts(client, organiser):
    own = factories.WebinarFactory(organisers=[organiser])
    draft = factories.EventFactory(status="draft", published_at=None, organisers=[organiser])
    other = factories.EventFactory()
    feed = feed_services.create_feed(user=organiser, scope="organiser")

    response = client.get(_feed_url(feed))

    components = vevents(parse(response))
    assert set(components) == {ical.event_uid(own), ical.event_uid(draft)}
    assert ical.event_uid(other) not in components
    assert str(components[ical.event_uid(draft)]["STATUS"]) == "TENTATIVE"
    assert own.join_url.encode() in unfolded(response)


@pytest.mark.parametrize("scope", ["attendee", "speaker", "organiser"])
def test_private_feed_queries_do_not_grow_with_events(client, organiser, scope):
    from speakers.models import Speaker, SpeakerAssignment

    speaker = Speaker.objects.create(name="Nigar", email="nigar@example.org", user=organiser)
    feed = feed_services.create_feed(user=organiser, scope=scope)

    def add_events(n):
        for _ in range(n):
            event = factories.WebinarFactory(organisers=[organiser])
            _register(event, organiser)
            SpeakerAssignment.objects.create(event=event, speaker=speaker, status="accepted",
                                             invited_at=timezone.now(),
                                             response_deadline=timezone.now() + dt.timedelta(days=2))  # fmt: skip
        CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=None)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_feed_url(feed))
        return len(queries), len(parse(response).walk("VEVENT"))

    one = add_events(1)
    five = add_events(4)

    assert (one[1], five[1]) == (1, 5)
    assert one[0] == five[0]


# --- token management API -------------------------------------------------------------


def test_api_creates_one_feed_per_scope_and_returns_it_again(attendee):
    api = _client_for(attendee)

    created = api.post("/api/me/calendar-feeds/", {"scope": "attendee"}, format="json")
    again = api.post("/api/me/calendar-feeds/", {"scope": "attendee"}, format="json")

    assert created.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == created.json()["id"]
    token = CalendarFeed.objects.get(pk=created.json()["id"]).token
    assert created.json()["url"] == f"http://testserver/calendar/private/{token}.ics"
    assert created.json()["webcal_url"] == f"webcal://testserver/calendar/private/{token}.ics"
    assert len(token) >= 40


def test_api_rotate_and_revoke(client, attendee):
    api = _client_for(attendee)
    feed_id = api.post("/api/me/calendar-feeds/", {"scope": "attendee"}, format="json").json()["id"]
    old_url = api.get(f"/api/me/calendar-feeds/{feed_id}/").json()["url"]

    rotated = api.post(f"/api/me/calendar-feeds/{feed_id}/rotate/")
    revoked = api.post(f"/api/me/calendar-feeds/{feed_id}/revoke/")
    rotate_revoked = api.post(f"/api/me/calendar-feeds/{feed_id}/rotate/")

    assert rotated.status_code == 200
    assert rotated.json()["url"] != old_url
    assert revoked.status_code == 200
    assert revoked.json()["url"] == ""
    assert revoked.json()["revoked_at"] is not None
    assert rotate_revoked.status_code == 400
    assert rotate_revoked.json()["code"] == "feed_revoked"
    assert client.get(rotated.json()["url"]).status_code == 404


def test_api_speaker_feed_needs_a_speaker_profile(attendee):
    from speakers.models import Speaker

    api = _client_for(attendee)
    refused = api.post("/api/me/calendar-feeds/", {"scope": "speaker"}, format="json")
    Speaker.objects.create(name="Linked", email="linked@example.org", user=attendee)
    allowed = api.post("/api/me/calendar-feeds/", {"scope": "speaker"}, format="json")

    assert refused.status_code == 403
    assert refused.json()["code"] == "not_a_speaker"
    assert allowed.status_code == 201


def test_api_organiser_feed_needs_the_organiser_role(attendee, organiser_client):
    refused = _client_for(attendee).post("/api/me/calendar-feeds/", {"scope": "organiser"}, format="json")
    allowed = organiser_client.post("/api/me/calendar-feeds/", {"scope": "organiser"}, format="json")

    assert refused.status_code == 403
    assert refused.json()["code"] == "not_an_organiser"
    assert allowed.status_code == 201


def test_api_rejects_unknown_scope_and_anonymous_users(api_client, attendee):
    bad = _client_for(attendee).post("/api/me/calendar-feeds/", {"scope": "everyone"}, format="json")
    anonymous = api_client.get("/api/me/calendar-feeds/")

    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid"
    assert anonymous.status_code in (401, 403)


def test_api_never_shows_another_users_feeds(attendee):
    other = factories.UserFactory()
    other_feed = feed_services.create_feed(user=other, scope="attendee")
    api = _client_for(attendee)

    listing = api.get("/api/me/calendar-feeds/")
    detail = api.get(f"/api/me/calendar-feeds/{other_feed.pk}/")
    revoke = api.post(f"/api/me/calendar-feeds/{other_feed.pk}/revoke/")

    assert listing.json()["results"] == []
    assert detail.status_code == 404
    assert revoke.status_code == 404
    other_feed.refresh_from_db()
    assert other_feed.revoked_at is None


@pytest.mark.parametrize("count", [1, 5])
def test_api_feed_list_queries_are_constant(organiser, count, django_assert_num_queries):
    for _ in range(count):
        feed = feed_services.create_feed(user=organiser, scope="attendee")
        feed_services.revoke_feed(feed=feed)
    api = _client_for(organiser)

    with django_assert_num_queries(2):  # count + page
        response = api.get("/api/me/calendar-feeds/?scope=attendee")

    assert response.json()["count"] == count


def test_event_download_has_the_join_url_for_a_confirmed_attendee(attendee):
    webinar = factories.WebinarFactory(join_url="https://zoom.example.org/j/mine-9")
    waiting = factories.WebinarFactory(join_url="https://zoom.example.org/j/wait-9")
    _register(webinar, attendee)
    _register(waiting, attendee, status="waitlisted")
    api = _client_for(attendee)

    confirmed = api.get(f"/api/events/{webinar.pk}/ics/")
    waitlisted = api.get(f"/api/events/{waiting.pk}/ics/")

    assert str(vevents(parse(confirmed))[ical.event_uid(webinar)]["CONFERENCE"]) == webinar.join_url
    assert "CONFERENCE" not in vevents(parse(waitlisted))[ical.event_uid(waiting)]
    assert b"wait-9" not in waitlisted.content


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("guest", [False, True])
def test_asking_for_a_feed_twice_at_once_gives_one_feed_on_postgres(guest):
    """'Asking twice is harmless', at the same moment too: the lock on rows that did not exist
    yet locked nothing, and a double click made two live feeds (two tokens) for one person."""
    from tests.registrations.test_concurrency import rush

    attendee = factories.UserFactory()
    who = {"email": "guest@example.org"} if guest else {"user": attendee}

    results = rush(lambda i: feed_services.create_feed(scope="attendee", **who).pk, count=4)

    assert [r for r in results if isinstance(r, Exception)] == []
    assert len(set(results)) == 1
    assert CalendarFeed.objects.filter(revoked_at__isnull=True).count() == 1


@pytest.mark.parametrize(
    ("scope", "name", "description"),
    [
        (
            "attendee",
            "STEM Mentorluq tədbirlərim",
            "Qeydiyyatdan keçdiyiniz tədbirlər, onlayn tədbirlərə qoşulma linkləri ilə birlikdə.",
        ),
        (
            "speaker",
            "STEM Mentorluqda məruzəçi kimi çıxışlarım",
            "Məruzəçi kimi çıxış etməyə razılaşdığınız tədbirlər, onlayn tədbirlərə qoşulma linkləri ilə birlikdə.",
        ),
        (
            "organiser",
            "Təşkil etdiyim tədbirlər",
            "Təşkil etdiyiniz STEM Mentorluq tədbirləri, qaralamalar da daxil olmaqla.",
        ),
    ],
)
def test_a_private_feed_reads_in_the_readers_language(client, scope, name, description):
    """The private feeds' names and descriptions stayed English for an Azerbaijani reader, while
    the public feed's were translated."""
    from speakers.models import Speaker

    user = factories.OrganiserFactory()
    Speaker.objects.create(name="Aysel", email="aysel@example.org", user=user)
    feed = feed_services.create_feed(user=user, scope=scope)

    english = client.get(_feed_url(feed), HTTP_ACCEPT_LANGUAGE="en")
    azerbaijani = client.get(_feed_url(feed), HTTP_ACCEPT_LANGUAGE="az")

    assert str(parse(azerbaijani)["X-WR-CALNAME"]) == name
    assert str(parse(azerbaijani)["X-WR-CALDESC"]) == description
    assert str(parse(english)["X-WR-CALNAME"]) != name
    # another body, another ETag: a cache keyed on it never serves one language's text to the other
    assert english["ETag"] != azerbaijani["ETag"]


def test_organiser_feed_follows_a_move_between_teams_that_leaves_the_count(client, organiser):
    """Taken off one event's team and added to another's, an organiser organises as many events
    as before and no event was edited: the feed's version must still change, or its kept body
    goes on showing the event they left (its join link) and never the one they joined."""
    from teams import services as team_services

    owner = factories.OrganiserFactory()
    left = factories.WebinarFactory(organisers=[owner, organiser])
    joined = factories.WebinarFactory(organisers=[owner])
    factories.WebinarFactory(organisers=[organiser])  # the newest edit of the feed's events
    feed = feed_services.create_feed(user=organiser, scope="organiser")
    before = client.get(_feed_url(feed))
    assert ical.event_uid(left) in vevents(parse(before))

    team_services.remove_from_team(event=left, user=organiser, role="organiser", by=owner)
    invitation = team_services.invite_to_team(event=joined, email=organiser.email, role="organiser", by=owner)
    team_services.accept_team_invitation(token=invitation.token, user=organiser)
    after = client.get(_feed_url(feed))

    components = vevents(parse(after))
    assert after["ETag"] != before["ETag"]
    assert ical.event_uid(left) not in components
    assert left.join_url.encode() not in unfolded(after)
    assert ical.event_uid(joined) in components
