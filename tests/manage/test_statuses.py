"""The workspace shows statuses as the public pages do (docs/reference/pages.md, "Statuses"): a
colour and an icon, never colour alone. Its tabs wrote them as plain grey tags, so a confirmed
registration and one awaiting approval, or an accepted speaker and one still invited, looked alike."""

import re

import pytest

from events.models import EventStatus
from tests import factories

pytestmark = pytest.mark.django_db


def badges(response) -> list[tuple[str, str, str]]:
    """(level, status, label) of each status badge, in page order; every badge has its icon."""
    found = re.findall(r'<span class="status (\w+) (\w+)" data-status="\w+"><svg [^>]*>.*?</svg>([^<]+)</span>',
                       response.content.decode(), re.S)  # fmt: skip
    return [(level, status, label.strip()) for level, status, label in found]


def test_registrations_tab_marks_each_status_with_its_colour_and_icon(organiser_web, own_event):
    factories.RegistrationFactory(event=own_event, name="Aysel Aliyeva", status="confirmed")
    factories.RegistrationFactory(event=own_event, name="Leyla Huseynova", status="pending")
    factories.RegistrationFactory(event=own_event, name="Nigar Karimova", status="cancelled")

    response = organiser_web.get(f"/manage/events/{own_event.pk}/registrations/")

    assert sorted(badges(response)) == [
        ("bad", "cancelled", "Cancelled"),
        ("neutral", "pending", "Awaiting approval"),
        ("ok", "confirmed", "Confirmed"),
    ]


def test_speakers_tab_marks_accepted_invited_and_declined_apart(organiser_web, own_event):
    for status in ("accepted", "invited", "declined"):
        factories.SpeakerAssignmentFactory(event=own_event, status=status)

    response = organiser_web.get(f"/manage/events/{own_event.pk}/speakers/")

    assert sorted(badges(response)) == [
        ("bad", "declined", "Declined"),
        ("ok", "accepted", "Accepted"),
        ("warn", "invited", "Invited"),
    ]


def test_events_list_overview_and_series_mark_draft_and_published_apart(organiser_web, organiser, own_event):
    draft = factories.EventFactory(organisers=[organiser], status=EventStatus.DRAFT)
    series = factories.SeriesFactory(published=False)
    series.organisers.add(organiser)
    factories.EventFactory(organisers=[organiser], series=series, status=EventStatus.DRAFT)

    listed = organiser_web.get("/manage/?show=all")
    overview = organiser_web.get(f"/manage/events/{draft.pk}/")
    sessions = organiser_web.get(f"/manage/series/{series.pk}/")

    assert {status for _, status, _ in badges(listed)} == {"draft", "published"}
    assert ("ok", "published", "Published") in badges(listed)
    assert badges(overview) == [("neutral", "draft", "Draft")]
    assert badges(sessions) == [("neutral", "draft", "Draft")]
