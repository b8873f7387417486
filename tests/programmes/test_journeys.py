"""Journey figures on a seeded programme with known answers, and the missed-twice alert."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from notifications.models import OutboxMessage
from notifications.services.outbox import render_message
from programmes import journeys
from programmes.models import MissedSessionsAlert, SessionSkip
from programmes.tasks import review_missed_sessions_for_event
from tests import factories
from tests.programmes.conftest import client_for, record, session

pytestmark = pytest.mark.django_db

EMAIL = "leyla@example.org"


@pytest.fixture
def enrolment(cohort, mentor):
    return factories.EnrolmentFactory(cohort=cohort, name="Leyla Hasanova", email=EMAIL, mentor=mentor)


@pytest.fixture
def seeded(enrolment, mentoring_series, programme, past, future):
    """Mentoring: attended, missed, attended, missed, missed, skipped, upcoming; a webinar attended."""
    sessions = [session(mentoring_series, start) for start in past[:6]]
    for event, outcome in zip(sessions[:5], ["attended", "no_show", "attended", "no_show", "no_show"], strict=True):
        record(event, EMAIL, outcome)
    SessionSkip.objects.create(enrolment=enrolment, event=sessions[5])
    record(sessions[5], EMAIL, "unknown", status="cancelled")
    upcoming = session(mentoring_series, future[0])
    record(upcoming, EMAIL, "unknown")
    webinar = factories.WebinarFactory(
        title="Careers in data science",
        start=past[2],
        end=past[2] + dt.timedelta(hours=2),
        organisers=list(programme.organisers.all()),  # a programme takes only its organisers' events
    )
    programme.events.add(webinar)
    record(webinar, EMAIL, "attended", source="online")
    # someone else's attendance and an event outside the programme do not count
    record(sessions[0], "other@example.org", "no_show")
    record(factories.EventFactory(start=past[1], end=past[1] + dt.timedelta(hours=2)), EMAIL, "attended")
    return sessions, upcoming, webinar


def test_journey_counts_registered_attended_missed_and_skipped(enrolment, seeded):
    journey = journeys.participant_journey(enrolment=enrolment)

    assert (journey.registered, journey.attended, journey.missed, journey.skipped) == (7, 3, 3, 1)
    assert journey.rate == 0.5
    assert journey.completed is False


def test_journey_rates_per_series(enrolment, seeded, mentoring_series):
    journey = journeys.participant_journey(enrolment=enrolment)

    rates = {line.series_id: (line.attended, line.missed, line.rate) for line in journey.by_series}
    assert rates == {mentoring_series.pk: (2, 3, 0.4), None: (1, 0, 1.0)}


def test_journey_streaks_skip_neither_breaks_nor_extends(enrolment, seeded):
    sessions, upcoming, _ = seeded

    journey = journeys.participant_journey(enrolment=enrolment)

    assert journey.current_streak == journeys.Streak("missed", 2, sessions[3].pk, sessions[4].pk)
    assert (journey.longest_attended_streak, journey.longest_missed_streak) == (1, 2)
    outcomes = [entry.outcome for entry in journey.entries if entry.in_cohort]
    assert outcomes == ["attended", "missed", "attended", "missed", "missed", "skipped", "upcoming"]


def test_journey_api_for_the_participant(enrolment, seeded, api_client):
    user = factories.UserFactory(email=EMAIL)
    enrolment.user = user
    enrolment.save()
    api_client.force_authenticate(user)

    response = api_client.get(f"/api/enrolments/{enrolment.pk}/journey/")

    assert response.status_code == 200
    body = response.json()
    assert (body["attended"], body["missed"], body["rate"], body["threshold"]) == (3, 3, 0.5, 0.7)
    assert body["current_streak"]["outcome"] == "missed"
    assert len(body["entries"]) == 8


def alerts_sent() -> list[tuple[str, int]]:
    rows = OutboxMessage.objects.filter(kind="missed_sessions_alert").order_by("recipient_email", "id")
    return [(row.recipient_email, row.about_id) for row in rows]


def test_missed_twice_alerts_mentor_and_organisers_once_per_streak(enrolment, mentoring_series, organiser, past):
    sessions = [session(mentoring_series, start) for start in past[:7]]
    record(sessions[0], EMAIL, "attended")
    record(sessions[1], EMAIL, "no_show")
    assert journeys.review_missed_sessions(enrolment=enrolment) is None  # one miss is not a streak

    record(sessions[2], EMAIL, "no_show")
    first = journeys.review_missed_sessions(enrolment=enrolment)
    journeys.review_missed_sessions(enrolment=enrolment)
    record(sessions[3], EMAIL, "no_show")  # a third miss is the same streak
    same = journeys.review_missed_sessions(enrolment=enrolment)

    assert same.pk == first.pk
    assert first.first_missed_event_id == sessions[1].pk
    assert alerts_sent() == sorted([(organiser.email, enrolment.pk), ("nigar.private@example.org", enrolment.pk)])

    record(sessions[4], EMAIL, "attended")
    record(sessions[5], EMAIL, "no_show")
    record(sessions[6], EMAIL, "no_show")
    second = journeys.review_missed_sessions(enrolment=enrolment)

    assert second.first_missed_event_id == sessions[5].pk
    assert MissedSessionsAlert.objects.count() == 2
    assert len(alerts_sent()) == 4


def test_missed_alert_message_names_the_participant(enrolment, mentoring_series, past):
    sessions = [session(mentoring_series, start) for start in past[:2]]
    for event in sessions:
        record(event, EMAIL, "no_show")

    journeys.review_missed_sessions(enrolment=enrolment)

    message = OutboxMessage.objects.get(kind="missed_sessions_alert", recipient_email="nigar.private@example.org")
    text = render_message(message).body_text
    assert "Leyla Hasanova" in text
    assert "Mentoring circle" in text


def test_missed_alert_writes_each_session_in_its_zone_with_its_offset(enrolment, mentoring_series, past):
    # as the API writes an event's times (docs/reference/api.md), not the database's UTC
    sessions = [session(mentoring_series, start) for start in past[:2]]
    sessions[1].timezone = "Europe/Berlin"
    sessions[1].save()
    for event in sessions:
        record(event, EMAIL, "no_show")

    journeys.review_missed_sessions(enrolment=enrolment)

    context = OutboxMessage.objects.filter(kind="missed_sessions_alert").first().context
    starts = [(entry["start"], entry["zone"]) for entry in context["missed_sessions"]]
    assert starts == [
        (timezone.localtime(sessions[0].start, ZoneInfo("Asia/Baku")).isoformat(), "Asia/Baku"),
        (timezone.localtime(sessions[1].start, ZoneInfo("Europe/Berlin")).isoformat(), "Europe/Berlin"),
    ]
    assert starts[0][0].endswith("+04:00")
    assert dt.datetime.fromisoformat(starts[1][0]) == sessions[1].start


def test_missed_alert_reviewed_after_attendance_is_final(enrolment, mentoring_series, past):
    sessions = [session(mentoring_series, start) for start in past[:2]]
    for event in sessions:
        record(event, EMAIL, "no_show")
    other = factories.EnrolmentFactory(cohort=enrolment.cohort, email="other@example.org")
    record(sessions[1], other.email, "attended")

    created = review_missed_sessions_for_event(sessions[1].pk)
    again = review_missed_sessions_for_event(sessions[1].pk)

    assert (created, again) == (1, 1)
    assert MissedSessionsAlert.objects.get().enrolment == enrolment
    assert len(alerts_sent()) == 2


def test_one_participants_failing_review_after_an_event_leaves_the_others_reviewed(
    enrolment, mentoring_series, past, monkeypatch
):
    sessions = [session(mentoring_series, start) for start in past[:2]]
    other = factories.EnrolmentFactory(cohort=enrolment.cohort, email="other@example.org")
    for event in sessions:
        record(event, EMAIL, "no_show")
        record(event, other.email, "no_show")
    review = journeys.review_missed_sessions

    def failing_for_the_first(*, enrolment, now=None):
        if enrolment.email == EMAIL:
            raise ValueError("a bad row")
        return review(enrolment=enrolment, now=now)

    monkeypatch.setattr(journeys, "review_missed_sessions", failing_for_the_first)

    assert review_missed_sessions_for_event(sessions[1].pk) == 1
    assert list(MissedSessionsAlert.objects.values_list("enrolment__email", flat=True)) == [other.email]


def test_skipped_sessions_do_not_count_as_missed(enrolment, mentoring_series, past):
    sessions = [session(mentoring_series, start) for start in past[:3]]
    for event in sessions[:2]:
        SessionSkip.objects.create(enrolment=enrolment, event=event)
        record(event, EMAIL, "unknown", status="cancelled")
    record(sessions[2], EMAIL, "no_show")

    assert journeys.review_missed_sessions(enrolment=enrolment) is None
    assert journeys.participant_journey(enrolment=enrolment).missed == 1


def test_periodic_review_alerts_only_participants_in_a_streak(enrolment, cohort, mentoring_series, past):
    sessions = [session(mentoring_series, start) for start in past[:2]]
    steady = factories.EnrolmentFactory(cohort=cohort, email="steady@example.org")
    for event in sessions:
        record(event, EMAIL, "no_show")
        record(event, steady.email, "attended")

    assert journeys.review_all_missed_sessions() == 1
    assert journeys.review_all_missed_sessions() == 1

    assert list(MissedSessionsAlert.objects.values_list("enrolment_id", flat=True)) == [enrolment.pk]
    assert len(alerts_sent()) == 2


def test_finalising_attendance_alerts_after_the_second_miss(
    enrolment, mentoring_series, past, django_capture_on_commit_callbacks
):
    from attendance.services.finalisation import finalise_event_attendance

    sessions = [session(mentoring_series, start) for start in past[:2]]
    for event in sessions:
        record(event, EMAIL, "unknown")  # confirmed, never checked in

    with django_capture_on_commit_callbacks(execute=True):
        finalise_event_attendance(event=sessions[0])
    assert alerts_sent() == []

    with django_capture_on_commit_callbacks(execute=True):
        finalise_event_attendance(event=sessions[1])

    assert MissedSessionsAlert.objects.get().first_missed_event_id == sessions[0].pk
    assert len(alerts_sent()) == 2


def test_missed_alert_of_a_cohort_with_no_mentor_nor_organiser_goes_to_the_programmes_address(
    cohort, programme, mentoring_series, past, settings
):
    settings.PROGRAMME_CONTACT_EMAIL = "team@stem.example.org"
    enrolment = factories.EnrolmentFactory(cohort=cohort, name="Leyla Hasanova", email=EMAIL, mentor=None)
    for event in [session(mentoring_series, start) for start in past[:2]]:
        record(event, EMAIL, "no_show")
    # its organiser left: the account closed (still listed, so the programme's events stay its own)
    programme.organisers.update(is_active=False)

    journeys.review_missed_sessions(enrolment=enrolment)

    assert alerts_sent() == [("team@stem.example.org", enrolment.pk)]


def finalised(*events):
    from events.models import Event

    Event.objects.filter(pk__in=[event.pk for event in events]).update(attendance_finalised_at=timezone.now())


def test_a_streak_of_misses_long_over_is_not_alerted_when_first_seen(enrolment, cohort, mentoring_series, past):
    """Two misses in the cohort's first weeks, then several sessions held and finalised without
    the participant: the mentor got an alert about them months later, when the safety net first
    looked (or the participant was enrolled after the fact)."""
    sessions = [session(mentoring_series, start) for start in past[:5]]
    for event in sessions[:2]:
        record(event, EMAIL, "no_show")
    for event in sessions[2:]:
        record(event, "someone.else@example.org", "attended")
    finalised(*sessions)

    reviewed = journeys.review_missed_sessions(enrolment=enrolment)
    periodic = journeys.review_all_missed_sessions()

    assert (reviewed, periodic, alerts_sent()) == (None, 0, [])
    assert journeys.participant_journey(enrolment=enrolment).current_streak.length == 2  # still their last streak


def test_a_streak_reaching_the_latest_final_session_is_alerted_skips_and_late_reports_aside(
    enrolment, mentoring_series, past
):
    sessions = [session(mentoring_series, start) for start in past[:5]]
    for event in sessions[:2]:
        record(event, EMAIL, "no_show")
    SessionSkip.objects.create(enrolment=enrolment, event=sessions[2])  # excused: no news either way
    record(sessions[2], EMAIL, "unknown", status="cancelled")
    # sessions[3] is held but its report is not in yet; sessions[4] has not been finalised either
    finalised(*sessions[:3])

    alert = journeys.review_missed_sessions(enrolment=enrolment)

    assert alert.first_missed_event_id == sessions[0].pk
    assert len(alerts_sent()) == 2


def test_missed_alert_is_not_in_the_outbox_of_a_co_organiser_of_the_session_who_does_not_run_the_programme(
    enrolment, mentoring_series, past, client
):
    """The alert is about the programme's participant (cohort, rate, every session missed): a
    co-organiser invited to the last session alone is no organiser of the programme. Filed under
    that session, it was in their outbox (list, text, search), and they could send it again."""
    co_organiser = factories.OrganiserFactory()
    sessions = [session(mentoring_series, start) for start in past[:2]]
    sessions[1].organisers.add(co_organiser)
    for event in sessions:
        record(event, EMAIL, "no_show")

    journeys.review_missed_sessions(enrolment=enrolment)

    alert = OutboxMessage.objects.filter(kind="missed_sessions_alert").first()
    api = client_for(co_organiser)
    listed = api.get("/api/outbox/").json()["results"]
    opened = api.get(f"/api/outbox/{alert.pk}/")
    client.force_login(co_organiser)
    page = client.get("/manage/outbox/", {"q": "Leyla"})
    assert [message["kind"] for message in listed] == []
    assert opened.status_code == 404
    assert page.status_code == 200 and "Hasanova" not in page.content.decode()  # the subject names her


def test_a_journey_names_no_draft_series_of_a_session_taken_into_the_programme_on_its_own(
    enrolment, programme, organiser, past
):
    """A co-organiser of one session published on its own may take it into their programme; its
    series, never published, is someone else's and not public: the journey shows the session, not
    the series' name or id (the event page names no draft series either)."""
    draft = factories.SeriesFactory(title="Secret circle", published=False)
    draft.organisers.set([factories.OrganiserFactory()])
    published = factories.SeriesFactory(title="Open circle", published=True)
    published.organisers.set([factories.OrganiserFactory()])
    sessions = [
        session(series, start, organisers=[organiser, *series.organisers.all()])
        for series, start in ((draft, past[0]), (published, past[1]))
    ]
    for event in sessions:
        programme.events.add(event)
        record(event, EMAIL, "attended")

    journey = client_for(organiser).get(f"/api/enrolments/{enrolment.pk}/journey/").json()

    entries = {entry["event_id"]: (entry["series_id"], entry["series_title"]) for entry in journey["entries"]}
    assert entries == {sessions[0].pk: (None, ""), sessions[1].pk: (published.pk, "Open circle")}
    assert "Secret circle" not in {line["title"] for line in journey["by_series"]}


def test_a_session_cancelled_while_a_draft_is_no_part_of_a_journey(enrolment, mentoring_series, past):
    """Never published means never public: a draft cancelled before anyone saw it was listed in the
    participant's journey as a cancelled session (its title and date included)."""
    held = session(mentoring_series, past[0])
    record(held, EMAIL, "attended")
    # the cohort's members hold places in its sessions, drafts too: cancelling one cancels them
    draft = session(mentoring_series, past[1], status="cancelled", published_at=None)
    record(draft, EMAIL, "unknown", status="cancelled")

    journey = journeys.participant_journey(enrolment=enrolment)

    assert [entry.title for entry in journey.entries] == [held.title]
