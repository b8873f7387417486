"""The demo programme loads with a populated journey and report, and loading it again changes nothing."""

import datetime as dt
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from events.demo import programme_start
from events.models import Event
from programmes import journeys, reports
from programmes.demo import programme_title
from programmes.models import Certificate, Enrolment, MissedSessionsAlert, Programme
from registrations.models import Registration
from speakers.models import Speaker

pytestmark = pytest.mark.django_db


def test_demo_programme_is_populated_and_idempotent():
    printed = io.StringIO()
    call_command("load_demo", stdout=printed)
    counts = (Enrolment.objects.count(), Registration.objects.count(), Certificate.objects.count())

    call_command("load_demo", stdout=None)

    assert (Enrolment.objects.count(), Registration.objects.count(), Certificate.objects.count()) == counts
    programme = Programme.objects.get(title=programme_title())
    assert programme.cohorts.get().enrolments.count() == 12
    # dated relative to today (events.demo): sessions are held and sessions are to come, every day of the year
    assert Event.objects.filter(series__title="Mentoring circle", end__lte=timezone.now()).count() >= 3
    assert Event.objects.filter(series__title="Mentoring circle", start__gt=timezone.now()).count() >= 8
    report = reports.impact_report(programme=programme)
    assert report["totals"]["events_held"] >= 2 and report["totals"]["attended"] > 0
    zahra = Enrolment.objects.select_related("cohort__programme").get(name="Zahra Guliyeva")
    assert journeys.participant_journey(enrolment=zahra).current_streak.outcome == "missed"
    assert MissedSessionsAlert.objects.filter(enrolment=zahra).count() == 1
    # every demo person one can sign in as is printed with a login that works
    logins = re.findall(r"^(\w+) login: (\S+) / (\S+)$", printed.getvalue(), re.MULTILINE)
    assert [role for role, _, _ in logins] == ["Organiser", "Speaker", "Mentor"]
    users = get_user_model().objects
    assert all(users.get(username=username).check_password(password) for _, username, password in logins)
    assert Speaker.objects.get(user__username=logins[1][1]).name == "Aysel Mammadova"


@pytest.mark.parametrize(
    ("today", "start"),
    [("2027-01-15", "2026-11-01"), ("2026-03-31", "2026-01-01"), ("2026-11-27", "2026-09-01")],
)
def test_demo_year_starts_two_months_before_today(today, start):
    assert programme_start(dt.date.fromisoformat(today)) == dt.date.fromisoformat(start)


def test_demo_never_counts_an_attendee_who_was_not_followed_up_where_others_were():
    """Where the demo's attendance was finalised with follow-ups, everyone counted as attending
    got one: nobody is added to an event after its attendance closed."""
    from notifications import kinds
    from notifications.models import OutboxMessage

    call_command("load_demo", stdout=None)

    followed_up = set(
        OutboxMessage.objects.filter(kind__in=kinds.FOLLOW_UPS).values_list("event_id", "recipient_email")
    )
    events_with_follow_ups = {event_id for event_id, _ in followed_up}
    attended = Registration.objects.filter(event_id__in=events_with_follow_ups, attendance="attended")

    assert events_with_follow_ups
    assert [r.email for r in attended if (r.event_id, r.email) not in followed_up] == []


def test_demo_certificates_only_where_the_rules_give_them_and_the_mentor_has_sessions_to_come(client):
    """The mentoring year runs until programme_end(): nobody holds its certificate yet. The coding
    club that ended before it has them, for those at or above its threshold. The mentor login
    speaks at circle sessions still to come (its speaker area was empty of them)."""
    from django.contrib.auth import get_user_model

    from programmes.demo import MENTOR_USERNAME, club_title

    call_command("load_demo", stdout=None)

    running = Programme.objects.get(title=programme_title())
    club = Programme.objects.get(title=club_title())
    assert running.ends_on > timezone.localdate() > club.ends_on
    assert not Certificate.objects.filter(enrolment__cohort__programme=running).exists()
    holders = Certificate.objects.filter(enrolment__cohort__programme=club, revoked_at__isnull=True)
    assert sorted(holders.values_list("enrolment__name", flat=True)) == [
        "Aysu Mammadli",
        "Aytaj Babayeva",
        "Nuray Aliyeva",
        "Rena Abbasova",
    ]
    assert Certificate.objects.count() == 4

    client.force_login(get_user_model().objects.get(username=MENTOR_USERNAME))
    area = client.get("/speaker/")
    upcoming = area.context["upcoming"]
    assert len(upcoming) >= 3
    assert {assignment.event.series.title for assignment in upcoming} == {"Mentoring circle"}
    assert all(assignment.event.start > timezone.now() for assignment in upcoming)
    # the mentor speaks at sessions of the cohort whose mentees they are paired with
    mentees = Enrolment.objects.filter(mentor__user__username=MENTOR_USERNAME, cohort__programme=running)
    assert mentees.count() == 3
