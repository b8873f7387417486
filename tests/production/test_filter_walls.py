"""A list filtered by the id of someone else's event, series, programme, cohort or speaker is a 404, as
an unknown id is: an empty list read as "nobody registered", "no message failed" of an object
that has them (events_project.filters.IdFilter's ``scope``)."""

import pytest
from rest_framework.test import APIClient

from tests import factories

pytestmark = pytest.mark.django_db


def _event(owner):
    return factories.EventFactory(organisers=[owner] if owner else [])


def _draft_series(owner):
    series = factories.SeriesFactory(published=False)
    if owner:
        series.organisers.add(owner)
    return series


def _programme(owner):
    return factories.ProgrammeFactory(organisers=[owner] if owner else [])


def _cohort(owner):
    return factories.CohortFactory(programme=_programme(owner))


# (list, its filter, an object of that filter's kind for an owner: None is someone else's)
FILTERS = [
    ("/api/attendance-imports/", "event", _event),
    ("/api/speaker-assignments/", "event", _event),
    ("/api/outbox/", "event", _event),
    ("/api/message-templates/", "event", _event),
    ("/api/events/", "series", _draft_series),
    ("/api/cohorts/", "programme", _programme),
    ("/api/cohorts/", "series", _draft_series),
    ("/api/enrolments/", "cohort", _cohort),
    ("/api/enrolments/", "programme", _programme),
    ("/api/certificates/", "programme", _programme),
]


@pytest.mark.parametrize(("url", "name", "make"), FILTERS, ids=[f"{url}?{name}" for url, name, _ in FILTERS])
def test_a_list_filtered_by_someone_elses_object_is_a_404(organiser, organiser_client, url, name, make):
    mine, theirs = make(organiser), make(None)

    assert organiser_client.get(url, {name: mine.pk}).status_code == 200
    assert organiser_client.get(url, {name: theirs.pk}).status_code == 404
    assert organiser_client.get(url, {name: 999_999_999}).status_code == 404
    assert organiser_client.get(url, {name: "abc"}).status_code == 400


def test_a_participant_filters_their_own_enrolments_by_their_cohort_and_programme():
    participant = factories.UserFactory()
    enrolment = factories.EnrolmentFactory(user=participant)
    client = APIClient()
    client.force_authenticate(participant)

    by_cohort = client.get("/api/enrolments/", {"cohort": enrolment.cohort_id})
    by_programme = client.get("/api/enrolments/", {"programme": enrolment.cohort.programme_id})

    assert [row["id"] for row in by_cohort.json()["results"]] == [enrolment.pk]
    assert [row["id"] for row in by_programme.json()["results"]] == [enrolment.pk]
    assert client.get("/api/enrolments/", {"cohort": factories.CohortFactory().pk}).status_code == 404


def test_the_public_feed_of_a_draft_series_is_a_404(organiser):
    published = factories.SeriesFactory(published=True)
    client = APIClient()

    assert client.get("/calendar/events.ics", {"series": published.pk}).status_code == 200
    assert client.get("/calendar/events.ics", {"series": _draft_series(organiser).pk}).status_code == 404
    assert client.get("/calendar/events.ics", {"series": 999_999_999}).status_code == 404
    assert client.get("/calendar/events.ics", {"series": "abc"}).status_code == 400


# ids of people: the roster is shared, so an organiser may name any speaker there is (an
# unknown one is a 404, not an empty list); a participant names the speakers on the public
# roster and their own mentor, another unlisted speaker is a 404 as an unknown one is
PEOPLE_FILTERS = [("/api/speaker-assignments/", "speaker"), ("/api/enrolments/", "mentor")]


@pytest.mark.parametrize(("url", "name"), PEOPLE_FILTERS, ids=[f"{url}?{name}" for url, name in PEOPLE_FILTERS])
def test_a_list_filtered_by_an_unknown_person_is_a_404(organiser_client, url, name):
    speaker = factories.SpeakerFactory(listed=False)

    assert organiser_client.get(url, {name: speaker.pk}).status_code == 200
    assert organiser_client.get(url, {name: 999_999_999}).status_code == 404
    assert organiser_client.get(url, {name: "abc"}).status_code == 400


def test_a_participant_filters_their_enrolments_by_their_own_mentor_not_by_an_unlisted_stranger():
    mentor, stranger = factories.SpeakerFactory(listed=False), factories.SpeakerFactory(listed=False)
    participant = factories.UserFactory()
    enrolment = factories.EnrolmentFactory(user=participant, mentor=mentor)
    client = APIClient()
    client.force_authenticate(participant)

    by_mentor = client.get("/api/enrolments/", {"mentor": mentor.pk})

    assert [row["id"] for row in by_mentor.json()["results"]] == [enrolment.pk]
    assert client.get("/api/enrolments/", {"mentor": factories.SpeakerFactory(listed=True).pk}).status_code == 200
    assert client.get("/api/enrolments/", {"mentor": stranger.pk}).status_code == 404
