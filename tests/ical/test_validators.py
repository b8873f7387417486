"""Feeds never answer 304 for a changed body, and Last-Modified never goes back.

A calendar client is played by :class:`Poller`: it keeps the validators of its last copy and
asks again with only one of them (If-None-Match, or If-Modified-Since as many clients do).
After every kind of change the next poll must bring the new body; with no change, a 304.
"""

import datetime as dt

import pytest
from django.test import Client
from django.utils.http import parse_http_date

from events import services as event_services
from feeds import services as feed_services
from registrations.services.registration import cancel_registration, register
from speakers import services as speaker_services
from tests import factories

pytestmark = pytest.mark.django_db

MODES = ["etag", "since"]


class Poller:
    def __init__(self, url: str, mode: str, client: Client | None = None):
        self.url, self.mode, self.client = url, mode, client or Client()
        self.body = None
        self.etag = self.last_modified = None
        self.last_modified_seen = []

    def _remember(self, response):
        self.etag = response["ETag"]
        self.last_modified = response["Last-Modified"]
        self.last_modified_seen.append(parse_http_date(self.last_modified))

    def fetch(self) -> bytes:
        response = self.client.get(self.url)
        assert response.status_code == 200
        self.body = response.content
        self._remember(response)
        return self.body

    def poll(self) -> int:
        headers = {"If-None-Match": self.etag} if self.mode == "etag" else {"If-Modified-Since": self.last_modified}
        response = self.client.get(self.url, headers=headers)
        assert response.status_code in (200, 304)
        if response.status_code == 200:
            assert response.content != self.body, "a 200 with the same body: validators moved for nothing"
            self.body = response.content
        self._remember(response)
        assert self.last_modified_seen == sorted(self.last_modified_seen), "Last-Modified went back"
        return response.status_code

    def assert_sees_change(self):
        assert self.poll() == 200
        assert self.poll() == 304


def _accepted(event, **speaker_fields):
    speaker = factories.SpeakerFactory(**speaker_fields)
    return factories.SpeakerAssignmentFactory(event=event, speaker=speaker, status="accepted")


# --- the public feed ------------------------------------------------------------------------


@pytest.fixture
def public(organiser):
    older = factories.EventFactory(organisers=[organiser], title="Older")
    newest = factories.EventFactory(organisers=[organiser], title="Newest")
    return older, newest


def _edit(events, organiser):
    event_services.update_event(event=events[0], title="Renamed")


def _cancel(events, organiser):
    event_services.cancel_event(event=events[0])


def _delete_newest(events, organiser):
    # the newest change leaves the feed: a Last-Modified taken from the data would go back
    events[1].delete()


def _rename_speaker(events, organiser):
    speaker_services.update_speaker(speaker=events[0].speakers_for_test[0].speaker, by=organiser, name="Leyla Renamed")


def _accept_speaker(events, organiser):
    assignment = factories.SpeakerAssignmentFactory(event=events[0], status="invited")
    speaker_services.accept_invitation(assignment=assignment)


def _withdraw_speaker(events, organiser):
    speaker_services.withdraw_assignment(assignment=events[0].speakers_for_test[0], by=organiser)


PUBLIC_CHANGES = {
    "edit": _edit,
    "cancel": _cancel,
    "delete": _delete_newest,
    "speaker renamed": _rename_speaker,
    "speaker accepted": _accept_speaker,
    "speaker withdrawn": _withdraw_speaker,
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("change", sorted(PUBLIC_CHANGES))
def test_public_feed_validators_follow_every_change(public, organiser, change, mode):
    public[0].speakers_for_test = [_accepted(public[0], name="Leyla Speaker")]
    poller = Poller("/calendar/events.ics", mode)
    poller.fetch()
    assert poller.poll() == 304

    PUBLIC_CHANGES[change](public, organiser)

    poller.assert_sees_change()


@pytest.mark.parametrize("mode", MODES)
def test_public_feed_validators_follow_a_change_of_the_filtered_set(organiser, mode):
    webinar = factories.WebinarFactory(title="Webinar")
    factories.WebinarFactory(title="Newest webinar")
    poller = Poller("/calendar/events.ics?kind=webinar", mode)
    poller.fetch()

    # the event leaves the filtered feed by an edit: its new updated_at is not in the feed
    event_services.update_event(event=webinar, kind="workshop", format="in_person")

    poller.assert_sees_change()


# --- a series feed -------------------------------------------------------------------------


@pytest.fixture
def series_occurrences(organiser):
    series = factories.SeriesFactory(rrule="FREQ=WEEKLY;COUNT=3", published=True)
    series.organisers.add(organiser)
    event_services.sync_series_occurrences(series=series)
    occurrences = list(series.occurrences.order_by("start"))
    occurrences[0].speakers_for_test = [_accepted(occurrences[0], name="Leyla Speaker")]
    return series, occurrences


SERIES_CHANGES = {
    "edit": lambda events, organiser: event_services.update_event(event=events[0], title="Moved session"),
    "cancel": lambda events, organiser: event_services.cancel_event(event=events[1]),
    "delete": lambda events, organiser: events[2].delete(),
    "speaker renamed": _rename_speaker,
    "speaker withdrawn": _withdraw_speaker,
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("change", sorted(SERIES_CHANGES))
def test_series_feed_validators_follow_every_change(series_occurrences, organiser, change, mode):
    series, occurrences = series_occurrences
    poller = Poller(f"/calendar/series/{series.pk}.ics", mode)
    poller.fetch()
    assert poller.poll() == 304

    SERIES_CHANGES[change](occurrences, organiser)

    poller.assert_sees_change()


# --- private feeds -------------------------------------------------------------------------


def _registered(event, user):
    return register(event=event, name=user.get_full_name() or user.username, email=user.email, user=user,
                    consent_data_processing=True)  # fmt: skip


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("change", ["registration cancelled", "edit", "delete", "speaker renamed"])
def test_attendee_feed_validators_follow_every_change(organiser, change, mode):
    attendee = factories.UserFactory()
    older = factories.EventFactory(organisers=[organiser], title="Older")
    newest = factories.EventFactory(organisers=[organiser], title="Newest")
    older.speakers_for_test = [_accepted(older, name="Leyla Speaker")]
    _registered(older, attendee)
    newest_registration = _registered(newest, attendee)
    feed = feed_services.create_feed(user=attendee, scope="attendee")
    poller = Poller(feed_services.feed_path(feed), mode)
    poller.fetch()
    assert poller.poll() == 304

    if change == "registration cancelled":
        # the attendee's newest registration leaves the feed
        cancel_registration(registration=newest_registration)
    elif change == "edit":
        event_services.update_event(event=older, title="Renamed")
    elif change == "delete":
        newest.delete()
    else:
        _rename_speaker([older], organiser)

    poller.assert_sees_change()


@pytest.mark.parametrize("mode", MODES)
def test_organiser_feed_validators_follow_an_organiser_change(organiser, mode):
    colleague = factories.OrganiserFactory()
    kept = factories.EventFactory(organisers=[organiser], title="Kept")
    handed_over = factories.EventFactory(organisers=[organiser], title="Handed over")
    feed = feed_services.create_feed(user=organiser, scope="organiser")
    poller = Poller(feed_services.feed_path(feed), mode)
    poller.fetch()

    event_services.update_event(event=handed_over, organisers=[colleague])

    poller.assert_sees_change()
    assert b"Handed over" not in poller.body
    assert kept.title.encode() in poller.body


@pytest.mark.parametrize("mode", MODES)
def test_speaker_feed_validators_follow_a_withdrawal(organiser, mode):
    user = factories.UserFactory()
    speaker = factories.SpeakerFactory(user=user, name="Leyla Speaker")
    first = factories.EventFactory(organisers=[organiser], title="First talk")
    second = factories.EventFactory(organisers=[organiser], title="Second talk")
    factories.SpeakerAssignmentFactory(event=first, speaker=speaker, status="accepted")
    newest = factories.SpeakerAssignmentFactory(event=second, speaker=speaker, status="accepted")
    feed = feed_services.create_feed(user=user, scope="speaker")
    poller = Poller(feed_services.feed_path(feed), mode)
    poller.fetch()

    speaker_services.withdraw_assignment(assignment=newest, by=organiser)

    poller.assert_sees_change()
    assert b"Second talk" not in poller.body


# --- one event's .ics ---------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("change", ["edit", "speaker renamed"])
def test_event_ics_honours_both_validators(organiser, change, mode):
    event = factories.EventFactory(organisers=[organiser], title="Workshop")
    event.speakers_for_test = [_accepted(event, name="Leyla Speaker")]
    poller = Poller(f"/api/events/{event.pk}/ics/", mode)
    poller.fetch()
    assert poller.poll() == 304

    if change == "edit":
        event_services.update_event(event=event, title="Renamed workshop")
    else:
        PUBLIC_CHANGES[change]([event], organiser)

    poller.assert_sees_change()


def test_event_ics_last_modified_alone_answers_304_when_nothing_changed(organiser):
    event = factories.EventFactory(organisers=[organiser])
    first = Client().get(f"/api/events/{event.pk}/ics/")

    again = Client().get(f"/api/events/{event.pk}/ics/", headers={"If-Modified-Since": first["Last-Modified"]})

    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]


def test_first_served_moves_on_for_every_new_etag_even_within_a_second():
    stamps = [feed_services.first_served("test:validators", f'"{version}"') for version in range(3)]

    assert stamps[0] < stamps[1] < stamps[2]
    assert feed_services.first_served("test:validators", '"2"') == stamps[2]
    assert stamps[2] - stamps[0] >= dt.timedelta(seconds=2)
