"""Feeds parsed back with icalendar and compared with the database."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from events import ical, services
from events.models import Event, EventFormat, EventKind
from tests import factories
from tests.ical.conftest import parse, unfolded, vevents

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
BAKU = zoneinfo.ZoneInfo("Asia/Baku")

pytestmark = pytest.mark.django_db


def _public_feed(client, query=""):
    response = client.get(f"/calendar/events.ics{query}")
    assert response.status_code == 200, response.content
    return parse(response)


def _future(days, hour, minute=0, zone=BAKU):
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def test_public_feed_times_match_database_with_their_timezones(client):
    baku = factories.EventFactory(start=_future(10, 18, 30), end=_future(10, 20))
    berlin = factories.WebinarFactory(timezone="Europe/Berlin", start=_future(12, 9, zone=BERLIN),
                                      end=_future(12, 10, 30, zone=BERLIN))  # fmt: skip

    calendar = _public_feed(client)

    components = vevents(calendar)
    for event in (baku, berlin):
        component = components[ical.event_uid(event)]
        assert component.start == event.start
        assert component.end == event.end
        assert component["DTSTART"].params["TZID"] == event.timezone
        assert component.start.tzinfo.key == event.timezone
    assert {tz.tz_name for tz in calendar.timezones} == {"Asia/Baku", "Europe/Berlin"}
    assert calendar.get_missing_tzids() == set()


def test_vtimezone_offsets_follow_daylight_saving_in_berlin(client):
    winter = factories.EventFactory(timezone="Europe/Berlin", start=dt.datetime(2027, 3, 27, 18, 30, tzinfo=BERLIN),
                                    end=dt.datetime(2027, 3, 27, 20, tzinfo=BERLIN))  # fmt: skip
    summer = factories.EventFactory(timezone="Europe/Berlin", start=dt.datetime(2027, 3, 29, 18, 30, tzinfo=BERLIN),
                                    end=dt.datetime(2027, 3, 29, 20, tzinfo=BERLIN))  # fmt: skip

    calendar = _public_feed(client)

    # the VTIMEZONE itself (what Outlook uses), not only the TZID name, gives the right offsets
    vtimezone = next(tz for tz in calendar.timezones if tz.tz_name == "Europe/Berlin")
    from_vtimezone = vtimezone.to_tz()
    for event, offset in ((winter, 1), (summer, 2)):
        local = event.start.astimezone(BERLIN).replace(tzinfo=None)
        assert local.time() == dt.time(18, 30)
        assert from_vtimezone.utcoffset(local) == dt.timedelta(hours=offset)
    raw = {str(c["UID"]): c["DTSTART"].to_ical() for c in calendar.walk("VEVENT")}
    assert raw[ical.event_uid(winter)] == b"20270327T183000"
    assert raw[ical.event_uid(summer)] == b"20270329T183000"


def test_all_day_multi_day_event_uses_dates_with_exclusive_end(client):
    start = dt.datetime(2027, 5, 3, 0, 0, tzinfo=BAKU)
    # ends at the end of the 5th: three days, DTEND is the 6th
    event = factories.EventFactory(all_day=True, start=start, end=dt.datetime(2027, 5, 5, 23, 59, tzinfo=BAKU))
    midnight = factories.EventFactory(all_day=True, start=start, end=dt.datetime(2027, 5, 4, 0, 0, tzinfo=BAKU))

    components = vevents(_public_feed(client))

    component = components[ical.event_uid(event)]
    assert component.start == dt.date(2027, 5, 3)
    assert component.end == dt.date(2027, 5, 6)
    assert component["DTSTART"].to_ical() == b"20270503"
    assert component["DTSTART"].params.get("VALUE") == "DATE"
    assert components[ical.event_uid(midnight)].end == dt.date(2027, 5, 4)


def test_timed_multi_day_event_keeps_both_ends(client):
    event = factories.EventFactory(start=_future(20, 10), end=_future(22, 16))

    component = vevents(_public_feed(client))[ical.event_uid(event)]

    assert (component.start, component.end) == (event.start, event.end)
    assert "–" in str(component["DESCRIPTION"]).split("When: ")[1].split("\n")[0]


def test_vevent_carries_identity_status_and_links(client, organiser):
    event = factories.EventFactory(
        latitude="40.68280", longitude="46.36060", venue_address="Ataturk ave 1", city="Ganja",
        region=factories.region("ganja"), organisers=[organiser],
    )  # fmt: skip
    event = services.update_event(event=event, start=event.start + dt.timedelta(hours=1),
                                  end=event.end + dt.timedelta(hours=1))  # fmt: skip
    event.refresh_from_db()

    calendar = _public_feed(client)
    component = vevents(calendar)[ical.event_uid(event)]

    assert str(component["UID"]) == f"{event.uid}@127.0.0.1"
    assert component["SEQUENCE"] == event.sequence == 1
    assert str(component["STATUS"]) == "CONFIRMED"
    assert component["LAST-MODIFIED"].dt == event.updated_at.replace(microsecond=0)
    assert component["DTSTAMP"].dt == event.updated_at.replace(microsecond=0)
    assert str(component["URL"]) == f"http://127.0.0.1:8000/events/{event.pk}/"
    assert component["GEO"].latitude == pytest.approx(40.6828)
    assert component["GEO"].longitude == pytest.approx(46.3606)
    assert str(component["LOCATION"]) == "Innovation Centre, Ataturk ave 1, Ganja"
    assert str(component["ORGANIZER"]) == "mailto:events@example.org"
    assert component["ORGANIZER"].params["CN"] == "STEM Mentorship"
    description = str(component["DESCRIPTION"])
    assert description.startswith(event.description)
    assert f"Details: http://127.0.0.1:8000/events/{event.pk}/" in description
    assert str(calendar["X-WR-CALNAME"]) == "STEM Mentorship events"
    assert "X-WR-CALDESC" in calendar
    assert calendar["REFRESH-INTERVAL"].to_ical() == b"PT1H"
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert calendar["X-PUBLISHED-TTL"].to_ical() == b"PT1H"


def test_cancelled_event_stays_thirty_days_with_status_cancelled(client):
    recent = services.cancel_event(event=factories.EventFactory(), reason="Venue flooded")
    old = services.cancel_event(event=factories.EventFactory())
    Event.objects.filter(pk=old.pk).update(cancelled_at=timezone.now() - dt.timedelta(days=31))

    components = vevents(_public_feed(client))

    assert ical.event_uid(old) not in components
    component = components[ical.event_uid(recent)]
    assert str(component["STATUS"]) == "CANCELLED"
    assert component["SEQUENCE"] == recent.sequence == 1
    assert "Venue flooded" in str(component["DESCRIPTION"])


def test_drafts_and_join_urls_never_reach_the_public_feed(client):
    webinar = factories.WebinarFactory(join_url="https://zoom.example.org/j/secret-42")
    draft = factories.EventFactory(status="draft", published_at=None)

    response = client.get("/calendar/events.ics")
    components = vevents(parse(response))

    assert ical.event_uid(draft) not in components
    assert ical.event_uid(webinar) in components
    assert b"secret-42" not in unfolded(response)
    assert b"zoom.example.org" not in unfolded(response)


def test_public_feed_filters_by_kind_region_and_language(client):
    webinar = factories.WebinarFactory(language="en")
    visit = factories.EventFactory(kind=EventKind.OUTREACH_VISIT, region=factories.region("ganja"), language="az")
    elsewhere = factories.EventFactory(kind=EventKind.OUTREACH_VISIT, region=factories.region("shaki"), language="az")

    webinars = vevents(_public_feed(client, "?kind=webinar"))
    ganja = _public_feed(client, "?kind=outreach_visit&region=ganja")
    english = vevents(_public_feed(client, "?language=en"))

    assert set(webinars) == {ical.event_uid(webinar)}
    assert set(vevents(ganja)) == {ical.event_uid(visit)}
    assert ical.event_uid(elsewhere) not in vevents(ganja)
    assert "Ganja" in str(ganja["X-WR-CALNAME"])
    assert set(english) == {ical.event_uid(webinar)}


def test_public_feed_rejects_unknown_filter_value(client):
    response = client.get("/calendar/events.ics?kind=party")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_speakers_appear_in_the_description(client):
    from speakers.models import Speaker, SpeakerAssignment

    event = factories.WebinarFactory()
    accepted = Speaker.objects.create(name="Leyla Aliyeva", title="Data engineer", email="leyla@example.org")
    invited = Speaker.objects.create(name="Not Yet", email="notyet@example.org")
    deadline = timezone.now() + dt.timedelta(days=3)
    SpeakerAssignment.objects.create(event=event, speaker=accepted, role="keynote", status="accepted",
                                     invited_at=timezone.now(), response_deadline=deadline)  # fmt: skip
    SpeakerAssignment.objects.create(event=event, speaker=invited, status="invited",
                                     invited_at=timezone.now(), response_deadline=deadline)  # fmt: skip

    description = str(vevents(_public_feed(client))[ical.event_uid(event)]["DESCRIPTION"])

    assert "Speakers: Leyla Aliyeva, Data engineer (keynote)" in description
    assert "Not Yet" not in description
    assert "leyla@example.org" not in description


def test_event_format_online_has_no_geo(client):
    webinar = factories.WebinarFactory(latitude="40.1", longitude="49.8", format=EventFormat.ONLINE)

    component = vevents(_public_feed(client))[ical.event_uid(webinar)]

    assert "GEO" not in component
    assert str(component["LOCATION"]) == "Online (Zoom)"


def test_feed_from_cached_fragments_equals_a_fresh_rendering(organiser):
    from events import selectors
    from speakers import selectors as speaker_selectors

    factories.EventFactory(organisers=[organiser], latitude="40.1", longitude="49.8")
    factories.WebinarFactory(timezone="Europe/Berlin")
    factories.EventFactory(all_day=True)
    events = list(selectors.public_events())
    speakers = speaker_selectors.speaker_lines([event.pk for event in events])
    ical.fragments.clear()

    cold = ical.feed_ics(events, name="All", speakers=speakers)
    warm = ical.feed_ics(events, name="All", speakers=speakers)
    fresh = ical.event_calendar(events, name="All", speakers=speakers).to_ical()

    assert cold == warm == fresh


def test_cached_fragment_is_not_reused_after_the_event_changes(client):
    event = factories.EventFactory(title="Before")
    client.get("/calendar/events.ics")

    services.update_event(event=event, title="After")
    component = vevents(_public_feed(client))[ical.event_uid(event)]

    assert str(component["SUMMARY"]) == "After"


def test_organizer_is_the_programme_never_a_person(client, settings):
    """An organiser without a full name used to appear by username: ORGANIZER;CN=aysel.m."""
    settings.PROGRAMME_NAME = "STEM Mentorship Azerbaijan"
    organiser = factories.OrganiserFactory(username="aysel-m-login", first_name="", last_name="")
    event = factories.EventFactory(organisers=[organiser])

    feed = client.get("/calendar/events.ics").content.decode()
    single = client.get(f"/api/events/{event.pk}/ics/").content.decode()
    component = vevents(parse(feed.encode()))[ical.event_uid(event)]

    assert component["ORGANIZER"].params["CN"] == "STEM Mentorship Azerbaijan"
    assert ("aysel-m-login" in feed, "aysel-m-login" in single) == (False, False)


@pytest.mark.parametrize(
    ("language", "cancelled_line", "when", "summary"),
    [
        (
            "en",
            "CANCELLED: The speaker is ill",
            "When: Thursday 11 March 2027, 18:00–20:00, Baku time (UTC+4)",
            "Cancelled: Careers",
        ),
        ("az", "LƏĞV EDİLDİ: The speaker is ill", "Vaxt: ", "Ləğv edildi: Careers"),
    ],
)
def test_a_calendars_words_are_in_the_readers_language(client, language, cancelled_line, when, summary):
    start = dt.datetime(2027, 3, 11, 18, 0, tzinfo=BAKU)
    event = factories.EventFactory(title="Careers", start=start, end=start + dt.timedelta(hours=2))
    Event.objects.filter(pk=event.pk).update(status="cancelled", cancellation_reason="The speaker is ill")

    response = client.get(f"/api/events/{event.pk}/ics/", headers={"accept-language": language})
    component = vevents(parse(response))[ical.event_uid(event)]

    lines = str(component["DESCRIPTION"]).split("\n")
    assert lines[0] == cancelled_line
    assert any(line.startswith(when) for line in lines)
    assert str(component["SUMMARY"]) == summary
    if language == "az":  # the day and the month named in Azerbaijani, not "Thu ... Mar"
        when_line = next(line for line in lines if line.startswith("Vaxt: "))
        assert when_line == "Vaxt: 11 mart 2027, cümə axşamı, 18:00–20:00, Bakı vaxtı ilə (UTC+4)"


def test_one_events_file_is_an_event_to_add_not_a_calendar_to_subscribe_to(client):
    """A single event's download (the event's, a ticket's) and a mail's invitation carried a feed's
    name and polling interval (X-WR-CALNAME, REFRESH-INTERVAL): some calendar programs (Outlook)
    then offered it as a calendar of its own instead of an event to add."""
    from registrations.services.registration import register

    event = factories.EventFactory(title="Robotics workshop")
    registered = register(event=event, name="Aysel", email="aysel@example.org", consent_data_processing=True)
    files = {
        "event": client.get(f"/api/events/{event.pk}/ics/").content,
        "ticket": client.get(f"/registrations/manage/{registered.manage_token}/event.ics").content,
        "invitation": ical.invitation_ics(event=event, attendee_email="aysel@example.org", attendee_name="Aysel"),
    }

    for which, body in files.items():
        calendar = parse(body)
        assert ical.event_uid(event) in vevents(calendar), which
        for feed_only in ("NAME", "X-WR-CALNAME", "X-WR-CALDESC", "REFRESH-INTERVAL", "X-PUBLISHED-TTL"):
            assert feed_only not in calendar, (which, feed_only)
    # a feed is still named and polled
    assert "X-WR-CALNAME" in _public_feed(client) and "REFRESH-INTERVAL" in _public_feed(client)
