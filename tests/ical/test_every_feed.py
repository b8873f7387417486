"""Every kind of feed, expanded by an independent client library (recurring-ical-events), gives
exactly the events the database has: dates, timezones, statuses and SEQUENCE."""

import datetime as dt
import zoneinfo

import pytest
import recurring_ical_events
from django.db.models import F
from django.utils import timezone
from rest_framework.test import APIClient

from events import ical, services
from events.models import Event
from feeds import services as feed_services
from registrations.models import Registration
from tests import factories
from tests.ical.conftest import parse

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")

pytestmark = pytest.mark.django_db

STATUS = {"published": "CONFIRMED", "completed": "CONFIRMED", "cancelled": "CANCELLED", "draft": "TENTATIVE"}


@pytest.fixture
def programme(organiser):
    """Events of every shape: timed in two zones across DST, all-day over three days, moved
    (SEQUENCE 1), cancelled (SEQUENCE 1), a series occurrence, and a draft."""
    from speakers.models import Speaker, SpeakerAssignment

    attendee = factories.UserFactory()
    speaker_user = factories.UserFactory()
    speaker = Speaker.objects.create(name="Speaker", email="speaker@example.org", user=speaker_user)
    baku = factories.WebinarFactory(organisers=[organiser])
    berlin = factories.EventFactory(
        timezone="Europe/Berlin", organisers=[organiser],
        start=dt.datetime(2027, 3, 27, 18, 30, tzinfo=BERLIN), end=dt.datetime(2027, 3, 28, 10, 0, tzinfo=BERLIN),
    )  # fmt: skip
    all_day = factories.EventFactory(all_day=True, organisers=[organiser],
                                     start=dt.datetime(2027, 5, 3, tzinfo=zoneinfo.ZoneInfo("Asia/Baku")),
                                     end=dt.datetime(2027, 5, 6, tzinfo=zoneinfo.ZoneInfo("Asia/Baku")))  # fmt: skip
    moved = factories.EventFactory(organisers=[organiser])
    services.update_event(event=moved, start=moved.start + dt.timedelta(days=1), end=moved.end + dt.timedelta(days=1))
    cancelled = factories.WebinarFactory(organisers=[organiser])
    series = factories.SeriesFactory(published=True, rrule="FREQ=WEEKLY;COUNT=2")
    services.sync_series_occurrences(series=series)
    Event.objects.filter(series=series).first().organisers.add(organiser)
    factories.EventFactory(status="draft", published_at=None, organisers=[organiser])
    public = [baku, berlin, all_day, moved, cancelled, *Event.objects.filter(series=series)]
    for event in public:
        Event.objects.filter(pk=event.pk).update(seats_taken=F("seats_taken") + 1)
        Registration.objects.create(event=event, user=attendee, name="A", email=attendee.email, status="confirmed",
                                    seats_held=1, consent_data_processing=True)  # fmt: skip
        SpeakerAssignment.objects.create(event=event, speaker=speaker, status="accepted", invited_at=timezone.now(),
                                         response_deadline=timezone.now() + dt.timedelta(days=1))  # fmt: skip
    services.cancel_event(event=cancelled)
    return {"organiser": organiser, "attendee": attendee, "speaker_user": speaker_user, "series": series}


def _expected(events):
    rows = []
    for event in events:
        if event.all_day:
            start, end = event.local_start.date(), event.local_end.date()
        else:
            start, end = event.start, event.end
        rows.append((ical.event_uid(event), start, end, event.timezone if not event.all_day else None,
                     STATUS[event.status], event.sequence))  # fmt: skip
    return sorted(rows, key=lambda row: row[0])


def _expanded(body):
    calendar = parse(body)
    rows = []
    for occurrence in recurring_ical_events.of(calendar).between(dt.date(2020, 1, 1), dt.date(2035, 1, 1)):
        start = occurrence.start
        zone = getattr(start, "tzinfo", None)
        rows.append((str(occurrence["UID"]), start, occurrence.end, zone.key if zone else None,
                     str(occurrence["STATUS"]), int(occurrence["SEQUENCE"])))  # fmt: skip
    return sorted(rows, key=lambda row: row[0])


def _private(client, user, scope):
    feed = feed_services.create_feed(user=user, scope=scope)
    return client.get(feed_services.feed_path(feed))


@pytest.mark.parametrize("kind", ["public", "public_webinars", "series", "attendee", "speaker", "organiser"])
def test_every_feed_expands_to_the_database(client, programme, kind):
    public = Event.objects.exclude(status="draft")
    if kind == "public":
        response, events = client.get("/calendar/events.ics"), public
    elif kind == "public_webinars":
        response, events = client.get("/calendar/events.ics?kind=webinar"), public.filter(kind="webinar")
    elif kind == "series":
        series = programme["series"]
        response, events = client.get(f"/calendar/series/{series.pk}.ics"), public.filter(series=series)
    elif kind == "attendee":
        response, events = _private(client, programme["attendee"], "attendee"), public
    elif kind == "speaker":
        response, events = _private(client, programme["speaker_user"], "speaker"), public
    else:
        organiser = programme["organiser"]
        response, events = _private(client, organiser, "organiser"), Event.objects.filter(organisers=organiser)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"

    assert _expanded(response) == _expected(events)
    assert len(_expected(events)) >= 2


def test_every_event_download_expands_to_the_database(client, programme):
    for event in Event.objects.exclude(status="draft"):
        response = client.get(f"/api/events/{event.pk}/ics/")

        assert _expanded(response) == _expected([event])


def test_the_organiser_download_of_a_draft_expands_to_the_database(programme):
    draft = Event.objects.get(status="draft")
    api = APIClient()
    api.force_authenticate(programme["organiser"])

    assert _expanded(api.get(f"/api/events/{draft.pk}/ics/")) == _expected([draft])
