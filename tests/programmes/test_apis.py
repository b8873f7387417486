"""Programmes API: enrolling, skipping and leaving through HTTP, who sees what, query counts."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from programmes import certificates
from programmes.models import SessionSkip
from tests import factories
from tests.programmes.conftest import client_for, record, session

pytestmark = pytest.mark.django_db

_days = itertools.count()


def test_organiser_creates_programme_cohort_and_enrols(organiser, mentoring_series, future, mentor):
    session(mentoring_series, future[0])
    client = client_for(organiser)

    period = {"starts_on": "2027-01-01", "ends_on": "2027-06-30"}
    programme = client.post("/api/programmes/", {"title": "Mentoring 2027", **period, "series": [mentoring_series.pk]})
    cohort = client.post(
        "/api/cohorts/", {"programme": programme.json()["id"], "series": mentoring_series.pk, "name": "Spring"}
    )
    enrolled = client.post(
        f"/api/cohorts/{cohort.json()['id']}/enrol/",
        {"name": "Fidan Karimova", "email": "fidan@example.org", "age_group": "18_24", "mentor": mentor.pk},
    )

    assert (programme.status_code, cohort.status_code, enrolled.status_code) == (201, 201, 201)
    assert programme.json()["organisers"] == [organiser.pk]
    assert enrolled.json()["mentor_name"] == "Nigar Aliyeva"
    journey = client.get(enrolled.json()["journey_url"]).json()
    assert [entry["outcome"] for entry in journey["entries"]] == ["upcoming"]


def test_a_programmes_title_and_a_cohorts_name_are_kept_on_one_line(organiser, mentoring_series):
    client = client_for(organiser)
    period = {"starts_on": "2027-01-01", "ends_on": "2027-06-30"}

    programme = client.post(
        "/api/programmes/",
        {"title": "Mentoring\r\nBcc: someone@example.org", **period, "series": [mentoring_series.pk]},
        format="json",
    )
    cohort = client.post(
        "/api/cohorts/",
        {"programme": programme.json()["id"], "series": mentoring_series.pk, "name": "Spring\n\tgroup"},
        format="json",
    )
    again = client.post("/api/cohorts/", {"programme": programme.json()["id"], "name": "Spring group"}, format="json")

    assert programme.json()["title"] == "Mentoring Bcc: someone@example.org"
    assert cohort.json()["name"] == "Spring group"
    # the name is compared as it is kept
    assert (again.status_code, again.json()["code"]) == (409, "cohort_name_taken")


def test_programme_must_end_after_it_starts(organiser):
    response = client_for(organiser).post(
        "/api/programmes/", {"title": "Backwards", "starts_on": "2027-06-01", "ends_on": "2027-01-01"}
    )

    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert "ends_on" in response.json()["errors"]


def test_cohort_series_must_belong_to_the_programme(organiser, programme):
    stray = factories.SeriesFactory()
    stray.organisers.add(organiser)

    response = client_for(organiser).post("/api/cohorts/", {"programme": programme.pk, "series": stray.pk, "name": "X"})

    assert (response.status_code, response.json()["code"]) == (400, "series_not_in_programme")


def test_programme_takes_only_series_and_events_the_caller_organises(organiser):
    """Organiser B cannot put A's series or events into his programme (and then read their report)."""
    others_series = factories.SeriesFactory()
    others_event = factories.EventFactory()
    client = client_for(organiser)
    period = {"title": "Mine", "starts_on": "2027-01-01", "ends_on": "2027-06-30"}

    by_series = client.post("/api/programmes/", {**period, "series": [others_series.pk]})
    by_event = client.post("/api/programmes/", {**period, "events": [others_event.pk]})

    assert (by_series.status_code, by_series.json()["code"], list(by_series.json()["errors"])) == (
        400,
        "invalid",
        ["series"],
    )
    assert (by_event.status_code, list(by_event.json()["errors"])) == (400, ["events"])


def test_programme_update_refuses_another_organisers_event(organiser, programme):
    response = client_for(organiser).patch(
        f"/api/programmes/{programme.pk}/", {"events": [factories.EventFactory().pk]}, format="json"
    )

    assert (response.status_code, list(response.json()["errors"])) == (400, ["events"])
    assert list(programme.events.all()) == []


def test_programme_refuses_an_event_outside_its_dates_as_its_page_does(organiser, programme):
    """A programme (begun three months ago) does not take in an event of December 2025, before its
    dates, created or edited (the same rule as the programme's page: services.add_programme_event)."""
    december = factories.EventFactory(
        organisers=[organiser],
        start=timezone.make_aware(dt.datetime(2025, 12, 10, 10)),
        end=timezone.make_aware(dt.datetime(2025, 12, 10, 12)),
    )
    client = client_for(organiser)
    period = {"title": "Mine", "starts_on": programme.starts_on.isoformat(), "ends_on": programme.ends_on.isoformat()}

    created = client.post("/api/programmes/", {**period, "events": [december.pk]}, format="json")
    edited = client.patch(f"/api/programmes/{programme.pk}/", {"events": [december.pk]}, format="json")

    assert (created.status_code, created.json()["code"]) == (400, "outside_programme_dates")
    assert (edited.status_code, edited.json()["code"]) == (400, "outside_programme_dates")
    assert list(programme.events.all()) == [] and list(organiser.organised_programmes.all()) == [programme]


def test_cohort_refuses_another_organisers_programme_and_series(organiser):
    others = factories.ProgrammeFactory(organisers=[factories.OrganiserFactory()])
    others_series = factories.SeriesFactory()
    client = client_for(organiser)

    response = client.post("/api/cohorts/", {"programme": others.pk, "series": others_series.pk, "name": "X"})

    assert (response.status_code, sorted(response.json()["errors"])) == (400, ["programme", "series"])


def test_other_organiser_cannot_add_a_cohort(programme):
    response = client_for(factories.OrganiserFactory()).post("/api/cohorts/", {"programme": programme.pk, "name": "X"})

    # someone else's programme is refused like an unknown one
    assert (response.status_code, list(response.json()["errors"])) == (400, ["programme"])


def test_participant_skips_and_leaves_through_the_api(cohort, mentoring_series, future):
    sessions = [session(mentoring_series, start) for start in future[:2]]
    user = factories.UserFactory(email="leyla@example.org")
    from programmes import services

    enrolment = services.enrol(cohort=cohort, name="Leyla", email=user.email, user=user)
    client = client_for(user)

    skipped = client.post(f"/api/enrolments/{enrolment.pk}/skip/", {"event": sessions[0].pk, "reason": "Exam"})
    left = client.post(f"/api/enrolments/{enrolment.pk}/leave/")

    assert skipped.status_code == 201
    assert (left.status_code, left.json()["status"]) == (200, "left")
    assert set(user.registrations.values_list("status", flat=True)) == {"cancelled"}


def test_participant_undoes_a_skip_through_the_api_and_is_registered_again(cohort, mentoring_series, future):
    upcoming = session(mentoring_series, future[0])
    user = factories.UserFactory(email="leyla@example.org")
    from programmes import services

    enrolment = services.enrol(cohort=cohort, name="Leyla", email=user.email, user=user)
    client = client_for(user)
    client.post(f"/api/enrolments/{enrolment.pk}/skip/", {"event": upcoming.pk, "reason": "Exam"})

    undone = client.post(f"/api/enrolments/{enrolment.pk}/undo-skip/", {"event": upcoming.pk})

    registration = user.registrations.get(event=upcoming, status="confirmed")
    assert (undone.status_code, undone.json()) == (
        200,
        {"event": upcoming.pk, "registration": registration.pk, "registration_status": "confirmed"},
    )
    assert not enrolment.skips.exists()


def test_undo_skip_has_the_walls_of_skip(cohort, organiser, mentor, mentoring_series, future, past):
    """Another organiser's enrolment is unknown to them (404), a mentor cannot act for a mentee
    (403), a session that has started keeps its skip (400 session_started)."""
    from programmes import services

    upcoming = session(mentoring_series, future[0])
    started = session(mentoring_series, timezone.now() - dt.timedelta(minutes=10))
    enrolment = services.enrol(cohort=cohort, name="Leyla", email="leyla@example.org", mentor=mentor)
    services.skip_session(enrolment=enrolment, event=upcoming)
    SessionSkip.objects.create(enrolment=enrolment, event=started)
    url = f"/api/enrolments/{enrolment.pk}/undo-skip/"

    foreign = client_for(factories.OrganiserFactory()).post(url, {"event": upcoming.pk})
    by_mentor = client_for(mentor.user).post(url, {"event": upcoming.pk})
    too_late = client_for(organiser).post(url, {"event": started.pk})

    assert (foreign.status_code, foreign.json()["code"]) == (404, "not_found")
    assert (by_mentor.status_code, by_mentor.json()["code"]) == (403, "forbidden")
    assert (too_late.status_code, too_late.json()["code"]) == (400, "session_started")
    assert set(enrolment.skips.values_list("event", flat=True)) == {upcoming.pk, started.pk}


def test_skip_unknown_or_foreign_event_is_refused(cohort, organiser):
    enrolment = factories.EnrolmentFactory(cohort=cohort)
    client = client_for(organiser)

    unknown = client.post(f"/api/enrolments/{enrolment.pk}/skip/", {"event": 999999})
    foreign = client.post(f"/api/enrolments/{enrolment.pk}/skip/", {"event": factories.EventFactory().pk})

    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    assert (foreign.status_code, foreign.json()["code"]) == (400, "not_in_cohort")


def test_mentor_sees_their_mentees_attendance_only(cohort, mentor, mentoring_series, past):
    held = session(mentoring_series, past[0])
    mine = factories.EnrolmentFactory(cohort=cohort, name="Mine", mentor=mentor)
    theirs = factories.EnrolmentFactory(cohort=cohort, name="Theirs", mentor=factories.SpeakerFactory(roles=["mentor"]))
    record(held, mine.email, "attended")
    record(held, theirs.email, "no_show")
    client = client_for(mentor.user)

    mentees = client.get("/api/mentees/")
    own_journey = client.get(f"/api/enrolments/{mine.pk}/journey/")
    other_journey = client.get(f"/api/enrolments/{theirs.pk}/journey/")

    rows = mentees.json()["results"]
    assert [(row["name"], row["attendance"]["attended"], row["attendance"]["rate"]) for row in rows] == [
        ("Mine", 1, 1.0)
    ]
    assert (own_journey.status_code, other_journey.status_code) == (200, 404)
    assert not {"sector", "age_group", "region"} & set(rows[0])


def test_a_mentor_reads_no_mentees_profile_through_any_door(cohort, mentor, organiser):
    """Sector, age group and region are given for the programme's figures: /api/mentees/ leaves
    them out, and so do the enrolment itself, its journey, and the filters and ordering that
    would tell them row by row (?sector=government listed the mentees who said so)."""
    region = factories.region("ganja")
    said = {"sector": "government", "age_group": "18_24", "region": region}
    mine = factories.EnrolmentFactory(cohort=cohort, name="Mine", mentor=mentor, **said)
    other = factories.EnrolmentFactory(cohort=cohort, name="Other", mentor=mentor, sector="academia")
    client = client_for(mentor.user)

    listed = client.get("/api/enrolments/").json()["results"]
    opened = client.get(f"/api/enrolments/{mine.pk}/").json()
    journey = client.get(f"/api/enrolments/{mine.pk}/journey/").json()["enrolment"]
    by_sector = client.get("/api/enrolments/", {"sector": "government"}).json()["results"]
    mentees_by_age = client.get("/api/mentees/", {"age_group": "18_24"}).json()["results"]
    ordered = client.get("/api/enrolments/", {"ordering": "sector"})
    organisers = client_for(organiser).get(f"/api/enrolments/{mine.pk}/").json()

    profile = {"sector", "age_group", "region"}
    assert [row["name"] for row in listed] == ["Mine", "Other"]
    assert not profile & set(listed[0]) and not profile & set(opened) and not profile & set(journey)
    assert (by_sector, mentees_by_age) == ([], [])
    assert ordered.status_code == 400
    assert (organisers["sector"], organisers["age_group"], organisers["region"]) == ("government", "18_24", region.slug)
    assert other.sector == "academia"


def test_mentor_cannot_skip_or_leave_for_a_mentee(cohort, mentor, mentoring_series, future):
    upcoming = session(mentoring_series, future[0])
    mine = factories.EnrolmentFactory(cohort=cohort, mentor=mentor)

    response = client_for(mentor.user).post(f"/api/enrolments/{mine.pk}/skip/", {"event": upcoming.pk})

    assert (response.status_code, response.json()["code"]) == (403, "forbidden")


def test_non_mentor_has_no_mentees(db):
    response = client_for(factories.UserFactory()).get("/api/mentees/")

    assert (response.status_code, response.json()["code"]) == (403, "not_a_mentor")


def test_stranger_sees_no_enrolments_or_certificates(cohort):
    factories.EnrolmentFactory(cohort=cohort)
    client = client_for(factories.UserFactory())

    assert client.get("/api/enrolments/").json()["count"] == 0
    assert client.get("/api/certificates/").json()["count"] == 0
    assert client.get("/api/programmes/").status_code == 403


def test_certificate_below_threshold_is_a_409(cohort, organiser, mentoring_series, past):
    enrolment = factories.EnrolmentFactory(cohort=cohort)
    record(session(mentoring_series, past[0]), enrolment.email, "no_show")

    response = client_for(organiser).post(f"/api/enrolments/{enrolment.pk}/certificate/")

    assert (response.status_code, response.json()["code"]) == (409, "below_threshold")
    assert response.json()["threshold"] == 0.7


def test_certificate_for_a_participant_who_left_is_a_409(cohort, organiser, mentoring_series, past):
    enrolment = factories.EnrolmentFactory(cohort=cohort)
    record(session(mentoring_series, past[0]), enrolment.email, "attended")
    client_for(organiser).post(f"/api/enrolments/{enrolment.pk}/leave/")

    response = client_for(organiser).post(f"/api/enrolments/{enrolment.pk}/certificate/")

    assert (response.status_code, response.json()["code"]) == (409, "left_cohort")


# --- query counts ----------------------------------------------------------------------


def _programme(organiser):
    programme = factories.ProgrammeFactory(organisers=[organiser])
    programme.series.add(factories.SeriesFactory())
    programme.events.add(factories.EventFactory())
    return programme


def _cohort(organiser):
    return factories.CohortFactory(programme=factories.ProgrammeFactory(organisers=[organiser]))


def _enrolment(organiser, cohort):
    return factories.EnrolmentFactory(cohort=cohort, mentor=factories.SpeakerFactory(roles=["mentor"]))


def _past_session(series):
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=10 + next(_days))
    return session(series, start)


def _certificate(organiser, cohort):
    enrolment = factories.EnrolmentFactory(cohort=cohort)
    record(_past_session(cohort.series), enrolment.email, "attended")
    return certificates.issue_certificate(enrolment=enrolment)


def _mentee(mentor, cohort):
    enrolment = factories.EnrolmentFactory(cohort=cohort, mentor=mentor)
    record(_past_session(cohort.series), enrolment.email, "attended")
    return enrolment


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.parametrize("endpoint", ["programmes", "cohorts", "enrolments", "certificates"])
def test_list_query_count_does_not_grow_with_items(endpoint, organiser, cohort):
    make = {
        "programmes": lambda: _programme(organiser),
        "cohorts": lambda: _cohort(organiser),
        "enrolments": lambda: _enrolment(organiser, cohort),
        "certificates": lambda: _certificate(organiser, cohort),
    }[endpoint]
    client = client_for(organiser)
    make()
    client.get(f"/api/{endpoint}/")  # the organiser's role is looked up once per user
    one = count_queries(client, f"/api/{endpoint}/")
    for _ in range(4):
        make()

    five = count_queries(client, f"/api/{endpoint}/")

    assert client.get(f"/api/{endpoint}/").json()["count"] >= 5
    assert five == one


@pytest.mark.parametrize("count", [1, 5])
def test_mentee_list_query_count_is_constant(count, mentor, cohort, django_assert_num_queries):
    for _ in range(count):
        _mentee(mentor, cohort)
    client = client_for(mentor.user)

    # auth and speaker lookup, count + page, then six fixed reads for all journeys (one: which events each
    # programme still runs)
    with django_assert_num_queries(MENTEE_LIST_QUERIES):
        response = client.get("/api/mentees/")

    assert response.json()["count"] == count


MENTEE_LIST_QUERIES = 9


HUGE = 10**30


@pytest.mark.parametrize(
    ("method", "path", "data", "status", "code"),
    [
        ("get", f"/api/programmes/{HUGE}/", None, 404, "not_found"),
        ("post", "/api/enrolments/{enrolment}/skip/", {"event": HUGE}, 404, "not_found"),
        ("post", "/api/enrolments/{enrolment}/undo-skip/", {"event": HUGE}, 404, "not_found"),
        ("post", "/api/enrolments/{enrolment}/mentor/", {"mentor": HUGE}, 404, "speaker_not_found"),
        ("get", f"/api/enrolments/?cohort={HUGE}", None, 400, "invalid"),
        ("get", f"/api/certificates/?programme={HUGE}", None, 400, "invalid"),
        ("post", "/api/cohorts/", {"programme": "{programme}", "name": "Mentees 2026"}, 409, "cohort_name_taken"),
        ("post", "/api/cohorts/{cohort}/enrol/", {"name": "x" * 300, "email": "x@example.org"}, 400, "invalid"),
    ],
)
def test_bad_input_is_answered_with_a_code(method, path, data, status, code, organiser, cohort):
    ids = {"enrolment": factories.EnrolmentFactory(cohort=cohort).pk, "cohort": cohort.pk}
    ids["programme"] = cohort.programme_id
    if data:
        data = {key: int(value.format(**ids)) if value == "{programme}" else value for key, value in data.items()}
    send = getattr(client_for(organiser), method)

    response = send(path.format(**ids), data) if data else send(path.format(**ids))

    assert (response.status_code, response.json()["code"]) == (status, code)


def test_admin_lists_programme_models(admin_client, cohort, organiser):
    enrolment = factories.EnrolmentFactory(cohort=cohort)
    pages = ["programme", "cohort", "enrolment", "certificate", "missedsessionsalert"]

    responses = [admin_client.get(f"/admin/programmes/{page}/") for page in pages]
    detail = admin_client.get(f"/admin/programmes/enrolment/{enrolment.pk}/change/")

    assert [response.status_code for response in responses] == [200] * len(pages)
    assert detail.status_code == 200


def test_organiser_edits_their_programme_only(programme, organiser, mentoring_series):
    webinar = factories.WebinarFactory(organisers=[organiser])
    url = f"/api/programmes/{programme.pk}/"

    edited = client_for(organiser).patch(url, {"completion_threshold": 0.8, "events": [webinar.pk]})
    foreign = client_for(factories.OrganiserFactory()).patch(url, {"completion_threshold": 0.1})

    assert (edited.status_code, edited.json()["completion_threshold"], edited.json()["events"]) == (
        200,
        0.8,
        [webinar.pk],
    )
    assert edited.json()["series"] == [mentoring_series.pk]
    assert foreign.status_code == 404
    programme.refresh_from_db()
    assert programme.completion_threshold == 0.8


def test_a_series_a_cohort_follows_cannot_be_taken_out_of_the_programme(organiser, programme, mentoring_series, cohort):
    other = factories.SeriesFactory()
    other.organisers.add(organiser)
    client = client_for(organiser)

    refused = client.patch(f"/api/programmes/{programme.pk}/", {"series": [other.pk]}, format="json")
    kept = client.patch(f"/api/programmes/{programme.pk}/", {"series": [mentoring_series.pk, other.pk]}, format="json")

    assert (refused.status_code, refused.json()["code"]) == (400, "series_followed_by_cohort")
    assert kept.status_code == 200
    assert set(programme.series.all()) == {mentoring_series, other}


@pytest.mark.parametrize("method", ["patch", "put"])
def test_an_edit_through_the_api_keeps_a_co_organisers_series_and_events(
    organiser, programme, mentoring_series, method
):
    """A co-organiser put their own series and event into the programme; the organiser, who runs
    neither and so can name neither, edits the programme's series and events through the API:
    what they were never offered stays, as the workspace's form keeps it."""
    colleague = factories.OrganiserFactory()
    programme.organisers.add(colleague)
    theirs = factories.SeriesFactory()
    theirs.organisers.add(colleague)
    their_event = factories.EventFactory(organisers=[colleague])
    programme.series.add(theirs)
    programme.events.add(their_event)
    mine = factories.SeriesFactory()
    mine.organisers.add(organiser)
    period = {"title": programme.title, "starts_on": str(programme.starts_on), "ends_on": str(programme.ends_on)}
    body = {"series": [mentoring_series.pk, mine.pk], "events": []}

    response = getattr(client_for(organiser), method)(
        f"/api/programmes/{programme.pk}/", {**period, **body} if method == "put" else body, format="json"
    )

    assert response.status_code == 200
    assert set(programme.series.all()) == {mentoring_series, mine, theirs}
    assert list(programme.events.all()) == [their_event]
    assert sorted(response.json()["series"]) == sorted([mentoring_series.pk, mine.pk, theirs.pk])
