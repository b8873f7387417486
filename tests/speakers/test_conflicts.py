"""Conflicts across all events: overlap, declared unavailability, travel between regions."""

import datetime as dt
import zoneinfo

import pytest

from events.models import EventKind
from registrations.services.privacy import erase_personal_data
from speakers import conflicts, services
from speakers.models import SpeakerAssignment, SpeakerUnavailability
from tests import factories
from tests.speakers.conftest import client_for

pytestmark = pytest.mark.django_db

BAKU = zoneinfo.ZoneInfo("Asia/Baku")
LONDON = zoneinfo.ZoneInfo("Europe/London")


def at(zone, day, hour, minute=0):
    return dt.datetime(2027, 3, day, hour, minute, tzinfo=zone)


def event_at(start, hours=2, **fields):
    return factories.EventFactory(start=start, end=start + dt.timedelta(hours=hours), **fields)


def outreach(start, slug, hours=3, **fields):
    return event_at(start, hours=hours, kind=EventKind.OUTREACH_VISIT, region=factories.region(slug), **fields)


def codes(speaker, event):
    return [conflict.code for conflict in conflicts.conflicts_for(speaker_id=speaker.pk, event=event, viewer=None)]


def test_overlapping_events_conflict(speaker_a):
    first = factories.SpeakerAssignmentFactory(speaker=speaker_a, event=event_at(at(BAKU, 10, 10))).event

    assert codes(speaker_a, event_at(at(BAKU, 10, 11))) == [conflicts.OVERLAP]
    assert codes(speaker_a, event_at(at(BAKU, 10, 12))) == []  # back to back is fine
    assert first.pk


def test_overlap_across_timezones_compares_instants(speaker_a):
    # 18:00-20:00 in Baku is 14:00-16:00 in London (UTC+4 vs UTC+0 in March)
    factories.SpeakerAssignmentFactory(speaker=speaker_a, event=event_at(at(BAKU, 10, 18), timezone="Asia/Baku"))

    same_instant = event_at(at(LONDON, 10, 15), timezone="Europe/London")
    same_wall_clock = event_at(at(LONDON, 10, 18), timezone="Europe/London")

    assert codes(speaker_a, same_instant) == [conflicts.OVERLAP]
    assert codes(speaker_a, same_wall_clock) == []


def test_declined_withdrawn_and_cancelled_hold_no_time(speaker_a):
    for status in ["declined", "withdrawn"]:
        factories.SpeakerAssignmentFactory(speaker=speaker_a, status=status, event=event_at(at(BAKU, 10, 10)))
    factories.SpeakerAssignmentFactory(speaker=speaker_a, event=event_at(at(BAKU, 10, 10), status="cancelled"))

    assert codes(speaker_a, event_at(at(BAKU, 10, 10))) == []


def test_unavailable_period_conflicts(speaker_a):
    SpeakerUnavailability.objects.create(speaker=speaker_a, start=at(BAKU, 12, 0), end=at(BAKU, 14, 0))

    assert codes(speaker_a, event_at(at(BAKU, 13, 9))) == [conflicts.UNAVAILABLE]
    assert codes(speaker_a, event_at(at(BAKU, 14, 9))) == []


def test_two_regions_same_day_is_a_travel_conflict(speaker_a):
    factories.SpeakerAssignmentFactory(speaker=speaker_a, event=outreach(at(BAKU, 10, 9), "ganja"))

    assert codes(speaker_a, outreach(at(BAKU, 10, 16), "shaki")) == [conflicts.TRAVEL]
    assert codes(speaker_a, outreach(at(BAKU, 10, 16), "ganja")) == []  # same region
    assert codes(speaker_a, outreach(at(BAKU, 11, 9), "shaki")) == []  # next day


def test_travel_day_is_the_day_in_baku_whatever_the_event_timezone(speaker_a):
    factories.SpeakerAssignmentFactory(speaker=speaker_a, event=outreach(at(BAKU, 10, 9), "ganja"))
    # 21:30 London on the 10th is 01:30 on the 11th in Baku: another day, no travel clash
    late_london = outreach(at(LONDON, 10, 21, 30), "shaki", hours=1, timezone="Europe/London")
    # 19:30 London on the 10th is 23:30 in Baku: the same day
    evening_london = outreach(at(LONDON, 10, 19, 30), "shaki", hours=0.5, timezone="Europe/London")

    assert codes(speaker_a, late_london) == []
    assert codes(speaker_a, evening_london) == [conflicts.TRAVEL]


def test_conflicts_for_assignments_bulk_matches_single(speaker_a, speaker_b):
    ganja = factories.SpeakerAssignmentFactory(speaker=speaker_a, event=outreach(at(BAKU, 10, 9), "ganja"))
    shaki = factories.SpeakerAssignmentFactory(speaker=speaker_a, event=outreach(at(BAKU, 10, 15), "shaki"))
    alone = factories.SpeakerAssignmentFactory(speaker=speaker_b, event=ganja.event)

    superuser = factories.UserFactory(is_superuser=True, is_staff=True)
    found = conflicts.conflicts_for_assignments([ganja, shaki, alone], viewer=superuser)

    assert [c.code for c in found[ganja.pk]] == [conflicts.TRAVEL]
    assert found[ganja.pk][0].other_event == shaki.event
    assert [c.code for c in found[shaki.pk]] == [conflicts.TRAVEL]
    assert found[alone.pk] == []


def test_override_keeps_the_warning_visible(organiser, speaker_a, clients):
    first = event_at(at(BAKU, 10, 10), organisers=[organiser])
    second = event_at(at(BAKU, 10, 11), organisers=[organiser])
    factories.SpeakerAssignmentFactory(speaker=speaker_a, event=first)
    assignment = factories.SpeakerAssignmentFactory(speaker=speaker_a, event=second)

    response = clients["organiser"].post(
        f"/api/speaker-assignments/{assignment.pk}/override-conflicts/", {"reason": "Only the opening"}
    )

    assert response.status_code == 200
    body = response.json()
    assert [c["code"] for c in body["conflicts"]] == ["overlap"]
    assert body["conflicts"][0]["other_event"]["id"] == first.pk
    assert body["conflict_override_reason"] == "Only the opening"
    assert body["conflict_overridden_by"]


def test_override_without_reason_is_refused(organiser, speaker_a):
    assignment = factories.SpeakerAssignmentFactory(
        speaker=speaker_a, event=event_at(at(BAKU, 10, 10), organisers=[organiser])
    )

    with pytest.raises(services.SpeakerError) as error:
        services.override_conflicts(assignment=assignment, by=organiser, reason="  ")

    assert error.value.code == "reason_required"


def test_an_override_by_an_account_erased_since_names_it_so(organiser, speaker_a, clients):
    first = event_at(at(BAKU, 10, 10), organisers=[organiser])
    second = event_at(at(BAKU, 10, 11), organisers=[organiser])
    factories.SpeakerAssignmentFactory(speaker=speaker_a, event=first)
    assignment = factories.SpeakerAssignmentFactory(speaker=speaker_a, event=second)
    colleague = factories.OrganiserFactory()
    second.organisers.add(colleague)
    services.override_conflicts(assignment=assignment, by=colleague, reason="Only the opening")
    erase_personal_data(user=colleague)

    body = clients["organiser"].get(f"/api/speaker-assignments/{assignment.pk}/").json()

    assert body["conflict_overridden_by"] == "an erased account"


def test_conflict_names_another_organisers_event_to_nobody_but_its_own(organiser, speaker_a, clients):
    """The roster is shared, the events are not: a draft of another organiser, or an invitation
    there, is 'another engagement' to this organiser, named only to those who may see it."""
    elsewhere = factories.OrganiserFactory(username="elsewhere")
    draft = event_at(at(BAKU, 10, 10), organisers=[elsewhere], title="Secret draft launch", status="draft")
    theirs = factories.SpeakerAssignmentFactory(speaker=speaker_a, event=draft, status="invited")
    mine = event_at(at(BAKU, 10, 11), organisers=[organiser])

    refused = clients["organiser"].post(
        "/api/speaker-assignments/", {"event": mine.pk, "speaker": speaker_a.pk}, format="json"
    )
    assert refused.status_code == 409
    assert refused.json()["conflicts"] == [
        {"code": "overlap", "detail": "Overlaps with another of the speaker's engagements.", "other_event": None}
    ]

    assigned = clients["organiser"].post(
        "/api/speaker-assignments/",
        {"event": mine.pk, "speaker": speaker_a.pk, "conflict_override_reason": "Short slot"},
        format="json",
    )
    assert assigned.status_code == 201
    assert "Secret draft" not in assigned.content.decode()
    listed = clients["organiser"].get("/api/speaker-assignments/").json()["results"]
    assert [c["other_event"] for c in listed[0]["conflicts"]] == [None]
    page = client_for(organiser)
    page.force_login(organiser)
    workspace = page.get(f"/manage/events/{mine.pk}/speakers/").content.decode()
    assert "Overlaps with another of the speaker&#x27;s engagements." in workspace
    assert "Secret draft" not in workspace

    # each organiser sees the other's event unnamed; the speaker sees both named
    by_its_organiser = conflicts.conflicts_for_assignments([theirs], viewer=elsewhere)[theirs.pk]
    assert [c.other_event for c in by_its_organiser] == [None]
    mine_assignment = SpeakerAssignment.objects.get(event=mine)
    by_me = conflicts.conflicts_for_assignments([mine_assignment], viewer=organiser)[mine_assignment.pk]
    assert [c.other_event for c in by_me] == [None]
    by_the_speaker = conflicts.conflicts_for_assignments([mine_assignment], viewer=speaker_a.user)
    assert [c.other_event for c in by_the_speaker[mine_assignment.pk]] == [draft]


def test_conflict_names_a_published_event_the_speaker_accepted(organiser, speaker_a):
    """What the public event page lists (an accepted speaker of a published event) is named."""
    elsewhere = factories.OrganiserFactory(username="elsewhere")
    listed = event_at(at(BAKU, 10, 10), organisers=[elsewhere], title="Open forum")
    factories.SpeakerAssignmentFactory(speaker=speaker_a, event=listed, status="accepted")
    invited_only = event_at(at(BAKU, 10, 10), organisers=[elsewhere], title="Quiet talk")
    factories.SpeakerAssignmentFactory(speaker=speaker_a, event=invited_only, status="invited")

    found = conflicts.conflicts_for(speaker_id=speaker_a.pk, event=event_at(at(BAKU, 10, 11)), viewer=organiser)

    assert sorted(c.detail for c in found) == [
        "Overlaps with another of the speaker's engagements.",
        "Overlaps with “Open forum”.",
    ]


def test_conflicts_are_said_in_the_readers_language(organiser, speaker_a, clients):
    elsewhere = factories.OrganiserFactory(username="elsewhere")
    factories.SpeakerAssignmentFactory(
        speaker=speaker_a, event=event_at(at(BAKU, 10, 10), organisers=[elsewhere]), status="invited"
    )
    mine = event_at(at(BAKU, 10, 11), organisers=[organiser])

    refused = clients["organiser"].post(
        "/api/speaker-assignments/",
        {"event": mine.pk, "speaker": speaker_a.pk},
        format="json",
        HTTP_ACCEPT_LANGUAGE="az",
    )

    assert [c["detail"] for c in refused.json()["conflicts"]] == [
        "Məruzəçinin başqa bir öhdəliyi ilə vaxtı üst-üstə düşür."
    ]
