"""Organisers are tenants: a programme keeps the series and events its organiser chose, but once
that organiser no longer organises one (another organiser runs it now), the programme's cohorts
register nobody for it, whichever door they come through."""

import datetime as dt

import pytest
from django.utils import timezone

from events import services as event_services
from events.models import EventKind, EventStatus
from programmes import selectors, services
from programmes.exceptions import NotInCohort
from programmes.models import SessionSkip
from registrations.models import Registration
from tests import factories
from tests.pages.conftest import signed_in
from tests.programmes.conftest import client_for

pytestmark = pytest.mark.django_db


def registered_events(email):
    return set(Registration.objects.filter(email=email).values_list("event_id", flat=True))


@pytest.fixture
def other(db):
    """Organiser B, who runs what organiser A (``organiser``) handed over."""
    return factories.OrganiserFactory(username="organiser-b")


@pytest.fixture
def workshops(organiser, programme):
    """Two of A's one-off events in A's programme, one week and two weeks ahead."""
    soon = (timezone.now() + dt.timedelta(days=7)).replace(microsecond=0)
    kept, handed_over = (
        factories.EventFactory(title=title, start=soon + dt.timedelta(days=index * 7), organisers=[organiser])
        for index, title in enumerate(["A's workshop", "Workshop B runs now"])
    )
    programme.events.add(kept, handed_over)
    return kept, handed_over


@pytest.fixture
def everyone(programme):
    return services.create_cohort(programme=programme, name="Everyone")


def hand_over(event, *, to):
    event_services.update_event(event=event, organisers=[to])


def test_enrolling_through_the_api_registers_nobody_for_an_event_another_organiser_runs_now(
    organiser, other, workshops, everyone
):
    kept, handed_over = workshops
    hand_over(handed_over, to=other)

    response = client_for(organiser).post(
        f"/api/cohorts/{everyone.pk}/enrol/", {"name": "Fidan Karimova", "email": "fidan@example.org"}
    )

    assert response.status_code == 201
    assert registered_events("fidan@example.org") == {kept.pk}


def test_enrolling_on_the_cohort_page_registers_nobody_for_an_event_another_organiser_runs_now(
    client, organiser, other, workshops, everyone
):
    kept, handed_over = workshops
    hand_over(handed_over, to=other)

    signed_in(client, organiser).post(
        f"/manage/programmes/{everyone.programme_id}/cohorts/{everyone.pk}/",
        {"action": "enrol", "name": "Aynur Rzayeva", "email": "aynur@example.org"},
    )

    assert everyone.enrolments.filter(email="aynur@example.org").exists()
    assert registered_events("aynur@example.org") == {kept.pk}


def test_an_event_handed_over_is_no_longer_the_programmes_or_its_sessions_to_skip(
    organiser, other, programme, workshops, everyone
):
    kept, handed_over = workshops
    enrolment = services.enrol(cohort=everyone, name="Leyla", email="leyla@example.org")
    hand_over(handed_over, to=other)

    assert set(selectors.programme_events(programme)) == {kept}
    assert set(selectors.cohort_events(everyone)) == {kept}
    with pytest.raises(NotInCohort):
        services.skip_session(enrolment=enrolment, event=handed_over, by=organiser)
    with pytest.raises(NotInCohort):
        services.undo_skip(enrolment=enrolment, event=handed_over, by=organiser)
    assert not SessionSkip.objects.exists()


def test_an_event_published_after_it_was_handed_over_registers_none_of_the_programmes_members(
    organiser, other, programme, everyone, django_capture_on_commit_callbacks
):
    services.enrol(cohort=everyone, name="Leyla", email="leyla@example.org")
    draft = factories.EventFactory(status=EventStatus.DRAFT, published_at=None, organisers=[organiser])
    programme.events.add(draft)
    # a superuser manages every event (events_managed_by): a programme they organise keeps it
    admin = factories.UserFactory(username="admin", is_superuser=True, is_staff=True)
    admins = factories.ProgrammeFactory(organisers=[admin])
    admins.events.add(draft)
    admins_cohort = services.create_cohort(programme=admins, name="Everyone")
    services.enrol(cohort=admins_cohort, name="Kamran", email="kamran@example.org")
    hand_over(draft, to=other)

    with django_capture_on_commit_callbacks(execute=True):
        event_services.publish_event(event=draft)

    assert list(selectors.cohorts_following(draft)) == [admins_cohort]
    assert registered_events("leyla@example.org") == set()
    assert registered_events("kamran@example.org") == {draft.pk}


def test_a_new_occurrence_of_a_series_the_programmes_organiser_no_longer_runs_registers_none_of_its_cohort(
    organiser, other, programme, django_capture_on_commit_callbacks
):
    series = event_services.create_series(
        by=organiser,
        title="Mentoring circle",
        kind=EventKind.MENTORING_SESSION,
        timezone="Asia/Baku",
        rrule="FREQ=WEEKLY;COUNT=2",
        first_start=(timezone.now() + dt.timedelta(days=7)).replace(microsecond=0),
        duration_minutes=90,
        venue_name="Innovation Centre",
        city="Baku",
        published=True,
    )
    programme.series.add(series)
    circle = services.create_cohort(programme=programme, name="Circle", series=series)
    services.enrol(cohort=circle, name="Leyla", email="leyla@example.org")
    everyone = services.create_cohort(programme=programme, name="Everyone")
    services.enrol(cohort=everyone, name="Kamran", email="kamran@example.org")
    first_two = set(series.occurrences.values_list("pk", flat=True))
    assert registered_events("leyla@example.org") == first_two == registered_events("kamran@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        event_services.update_series(series=series, by=other, organisers=[other], rrule="FREQ=WEEKLY;COUNT=3")

    (third,) = series.occurrences.exclude(pk__in=first_two)
    assert (third.status, list(third.organisers.all())) == (EventStatus.PUBLISHED, [other])
    assert registered_events("leyla@example.org") == first_two
    assert registered_events("kamran@example.org") == first_two
    assert set(selectors.cohort_events(circle)) == {event for event in series.occurrences.all() if event != third}


def test_a_journey_leaves_out_an_event_another_organiser_runs_now(organiser, other, workshops, everyone):
    """A participant's journey (the API's, the cohort page's, what certificates count) shows their
    place at each of the programme's events: an event handed over is someone else's, and what its
    registrant does there is not the programme's organiser's to read."""
    kept, handed_over = workshops
    enrolment = services.enrol(cohort=everyone, name="Leyla", email="leyla@example.org")
    hand_over(handed_over, to=other)

    journey = client_for(organiser).get(f"/api/enrolments/{enrolment.pk}/journey/").json()

    assert [entry["event_id"] for entry in journey["entries"]] == [kept.pk]


def test_a_journey_in_a_programme_a_superuser_organises_keeps_every_event(other, workshops):
    """A superuser manages every event (events_managed_by): their programme's events stay its own."""
    admin = factories.UserFactory(username="admin", is_superuser=True, is_staff=True)
    admins = factories.ProgrammeFactory(organisers=[admin])
    kept, handed_over = workshops
    admins.events.add(kept, handed_over)
    hand_over(handed_over, to=other)
    cohort = services.create_cohort(programme=admins, name="Everyone")
    enrolment = services.enrol(cohort=cohort, name="Kamran", email="kamran@example.org")

    journey = client_for(admin).get(f"/api/enrolments/{enrolment.pk}/journey/").json()

    assert [entry["event_id"] for entry in journey["entries"]] == [kept.pk, handed_over.pk]


def test_the_cohort_form_offers_only_series_the_organiser_runs(client, organiser, other, programme):
    """A cohort's series is chosen from what one organises (``series_managed_by``), on the page as
    in the API: a series of the programme now someone else's (handed over, renamed since, perhaps
    a draft) is neither offered nor taken when posted."""
    mine = factories.SeriesFactory(title="Mentoring circle", published=True)
    mine.organisers.set([organiser])
    theirs = factories.SeriesFactory(title="Robotics league (draft, renamed)", published=False)
    theirs.organisers.set([other])
    programme.series.add(mine, theirs)
    browser = signed_in(client, organiser)
    url = f"/manage/programmes/{programme.pk}/"

    page = browser.get(url)
    posted = browser.post(url, {"action": "cohort", "name": "League", "series": theirs.pk})

    choices = list(page.context["cohort_form"].fields["series"].queryset.values_list("pk", flat=True))
    assert choices == [mine.pk]
    assert posted.status_code == 400 and "series" in posted.context["cohort_form"].errors
    assert not programme.cohorts.exists()


def test_a_cohorts_messages_are_in_its_programmes_outbox_and_no_one_elses(
    client, organiser, other, workshops, everyone, django_capture_on_commit_callbacks
):
    """ "Enrolled" and "left the cohort" are about an enrolment, not an event: the programme's
    organisers see them (page, API, admin's selector); another organiser sees neither."""
    from notifications.models import OutboxMessage
    from notifications.selectors import outbox_managed_by, outbox_visible_to

    with django_capture_on_commit_callbacks(execute=True):
        enrolment = services.enrol(cohort=everyone, name="Fidan Karimova", email="fidan@example.org", by=organiser)
        services.leave_cohort(enrolment=enrolment, by=organiser)
    cohort_messages = set(
        OutboxMessage.objects.filter(recipient_email="fidan@example.org", event__isnull=True).values_list(
            "kind", flat=True
        )
    )
    assert cohort_messages == {"cohort_enrolled", "cohort_left"}
    factories.EventFactory(title="B's own", organisers=[other])

    for selector in (outbox_visible_to, outbox_managed_by):
        assert set(selector(organiser).filter(event__isnull=True).values_list("kind", flat=True)) == cohort_messages
        assert not selector(other).filter(recipient_email="fidan@example.org").exists()
    page = signed_in(client, organiser).get("/manage/outbox/", {"q": "fidan@example.org"})
    assert page.status_code == 200
    assert page.content.decode().count("fidan@example.org") >= 2
    assert client_for(other).get("/api/outbox/", {"search": "fidan"}).json()["count"] == 0
    listed = client_for(organiser).get("/api/outbox/").json()["results"]
    assert {row["kind"] for row in listed if row["recipient_email"] == "fidan@example.org"} == cohort_messages
