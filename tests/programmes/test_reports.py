"""The impact report against a hand-counted programme."""

import csv
import datetime as dt
import io
import zoneinfo

import pytest

from events.models import EventKind, EventStatus
from programmes import reports
from tests import factories
from tests.programmes.conftest import client_for, record, session

pytestmark = pytest.mark.django_db

BAKU = zoneinfo.ZoneInfo("Asia/Baku")
NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def at(month, day, hour=14):
    return dt.datetime(2026, month, day, hour, tzinfo=BAKU)


@pytest.fixture
def counted(programme, cohort, mentoring_series):
    """Three events held (webinar in Sept; outreach visit to Ganja and a mentoring session in Baku
    in Oct), one cancelled, one draft, one still to come."""

    def in_programme(event):
        event.organisers.set(programme.organisers.all())  # a programme takes only its organisers' events
        programme.events.add(event)
        return event

    webinar = in_programme(factories.WebinarFactory(start=at(9, 10), end=at(9, 10, 16)))
    record(webinar, "a@example.org", "attended", source="online")
    record(webinar, "b@example.org", "no_show", source="online")
    record(webinar, "c@example.org", "attended", source="online")
    record(webinar, "d@example.org", "unknown", status="cancelled", source="online")

    visit = in_programme(
        factories.EventFactory(
            kind=EventKind.OUTREACH_VISIT,
            region=factories.region("ganja"),
            audience="pupils",
            start=at(10, 5, 11),
            end=at(10, 5, 13),
        )
    )
    record(visit, "p1@example.org", "attended", party_size=3, sector="government", source="online")
    record(visit, "p2@example.org", "attended", waiting_since=at(9, 30), source="online")
    record(visit, "p3@example.org", "no_show", source="online")
    record(visit, "w1@example.org", "unknown", status="waitlisted", waiting_since=at(10, 1), source="online")

    mentoring = session(mentoring_series, at(10, 20, 18), region=factories.region("baku"))
    record(mentoring, "a@example.org", "attended")
    record(mentoring, "e@example.org", "attended")

    cancelled = in_programme(factories.EventFactory(status=EventStatus.CANCELLED, start=at(10, 25), end=at(10, 25, 16)))
    record(cancelled, "a@example.org", "unknown", status="cancelled")
    draft = in_programme(factories.EventFactory(status=EventStatus.DRAFT, start=at(10, 26), end=at(10, 26, 16)))
    record(draft, "a@example.org", "attended")
    upcoming = in_programme(factories.EventFactory(start=at(12, 10), end=at(12, 10, 16)))
    record(upcoming, "a@example.org", "unknown")
    # outside the programme entirely
    record(factories.EventFactory(start=at(10, 7), end=at(10, 7, 16)), "x@example.org", "attended")

    first, second, invited = (factories.SpeakerFactory() for _ in range(3))
    factories.SpeakerAssignmentFactory(event=webinar, speaker=first, status="accepted")
    factories.SpeakerAssignmentFactory(event=visit, speaker=first, status="accepted")
    factories.SpeakerAssignmentFactory(event=visit, speaker=second, status="accepted")
    factories.SpeakerAssignmentFactory(event=mentoring, speaker=invited, status="invited")

    factories.EnrolmentFactory(cohort=cohort, email="a@example.org", sector="student", age_group="18_24")
    factories.EnrolmentFactory(cohort=cohort, email="e@example.org", sector="private_sector")
    factories.EnrolmentFactory(cohort=cohort, email="z@example.org", status="left")
    return programme


def test_report_totals_match_the_hand_count(counted):
    totals = reports.impact_report(programme=counted, now=NOW)["totals"]

    assert totals == {
        "events": 3,
        "events_held": 3,
        "events_cancelled": 1,
        "registrations": 9,
        "attended": 6,
        "no_show": 2,
        "attendance_rate": 0.75,
        "no_show_rate": 0.25,
        "people_met": 8,
        "participants_reached": 5,
        "speakers_involved": 2,
        "regions_visited": 2,
        "waiting_list_joined": 2,
        "waiting_list_unserved": 1,
        "enrolled_participants": 3,
        "active_participants": 2,
        "certificates_issued": 0,
    }


def pick(rows, key, *fields):
    return {row[key]: tuple(row[field] for field in fields) for row in rows}


def test_report_counts_no_draft_cancelled_before_it_was_published(counted):
    # a draft called off was an organiser's unpublished plan (a fellow organiser's too): nobody
    # registered, nothing was cancelled on anyone; counting it told co-organisers of the plan
    fellow = factories.OrganiserFactory()
    counted.organisers.add(fellow)
    called_off = factories.EventFactory(
        status=EventStatus.CANCELLED, published_at=None, start=at(10, 27), end=at(10, 27, 16)
    )
    called_off.organisers.set([fellow])
    counted.events.add(called_off)

    totals = reports.impact_report(programme=counted, now=NOW)["totals"]

    assert totals["events_cancelled"] == 1


def test_report_breaks_down_by_kind_region_audience_and_month(counted):
    report = reports.impact_report(programme=counted, now=NOW)

    figures = ("events", "attended", "no_show", "people_met")
    assert pick(report["by_kind"], "kind", *figures) == {
        "webinar": (1, 2, 1, 2),
        "outreach_visit": (1, 2, 1, 4),
        "mentoring_session": (1, 2, 0, 2),
    }
    assert pick(report["by_region"], "region", *figures) == {
        "ganja": (1, 2, 1, 4),
        "baku": (1, 2, 0, 2),
        "not_given": (1, 2, 1, 2),
    }
    assert pick(report["by_audience"], "audience", "events", "people_met") == {"public": (2, 4), "pupils": (1, 4)}
    assert pick(report["by_month"], "month", *figures, "waiting_list_joined") == {
        "2026-09": (1, 2, 1, 2, 0),
        "2026-10": (2, 4, 1, 6, 2),
    }


def test_report_sector_and_age_group_only_where_given(counted):
    report = reports.impact_report(programme=counted, now=NOW)

    assert [(row["sector"], row["participants"]) for row in report["by_sector"]] == [
        ("not_given", 2),
        ("government", 1),
        ("private_sector", 1),
        ("student", 1),
    ]
    assert [(row["age_group"], row["participants"]) for row in report["by_age_group"]] == [
        ("not_given", 4),
        ("18_24", 1),
    ]


def test_report_api_for_the_programmes_organiser(counted, organiser):
    response = client_for(organiser).get(f"/api/programmes/{counted.pk}/report/")

    assert response.status_code == 200
    assert response.json()["totals"]["attended"] == 6


def test_report_generated_at_is_given_in_the_site_zone_with_its_offset_as_every_api_time(counted, organiser):
    """The API gives its times with an offset, in the site's zone (TIME_ZONE, Asia/Baku) where no
    event's zone applies, as DRF renders them: the programme's created_at is one. The report's
    generated_at was the one time in UTC."""
    client = client_for(organiser)
    report = client.get(f"/api/programmes/{counted.pk}/report/").json()
    programme = client.get(f"/api/programmes/{counted.pk}/").json()

    generated_at = dt.datetime.fromisoformat(report["generated_at"])
    created_at = dt.datetime.fromisoformat(programme["created_at"])
    assert report["generated_at"].endswith("+04:00")
    assert generated_at.utcoffset() == created_at.utcoffset() == dt.timedelta(hours=4)
    assert generated_at - created_at < dt.timedelta(minutes=1)
    assert reports.impact_report(programme=counted, now=NOW)["generated_at"] == "2026-11-01T04:00:00+04:00"


def test_report_csv_has_the_same_figures(counted, organiser):
    response = client_for(organiser).get(f"/api/programmes/{counted.pk}/report/csv/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_group = {(row["section"], row["group"]): row for row in rows}
    assert by_group[("totals", "all")]["attended"] == "6"
    assert by_group[("totals", "participants_reached")]["value"] == "5"
    assert by_group[("region", "ganja")]["people_met"] == "4"
    assert by_group[("month", "2026-10")]["no_show"] == "1"


def test_report_csv_never_runs_a_title_as_a_formula(counted, organiser):
    """The dashboard's CSVs guarded against CSV injection; the impact report's did not."""
    type(counted).objects.filter(pk=counted.pk).update(title='=HYPERLINK("http://evil.example","Open")')

    response = client_for(organiser).get(f"/api/programmes/{counted.pk}/report/csv/")

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["label"] == '\'=HYPERLINK("http://evil.example","Open")'


def sign_in(client, user):
    user.refresh_from_db()  # the factory sets a password it never saves; the session checks the saved one
    client.force_login(user)


def test_report_page_is_printable_for_the_organiser(counted, organiser, client):
    sign_in(client, organiser)

    response = client.get(f"/programmes/{counted.pk}/report/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Impact report: STEM mentoring 2026/27" in page
    assert "Ganja" in page and "October 2026" in page
    assert '<button type="button" data-print>' in page  # pages.js prints; no inline script (CSP)
    assert "onclick" not in page and "style=" not in page


def test_report_page_in_azerbaijani_translates_its_rows(counted, organiser, client):
    sign_in(client, organiser)

    page = client.get(f"/programmes/{counted.pk}/report/", headers={"accept-language": "az"}).content.decode()

    assert '<html lang="az">' in page
    assert "Təsir hesabatı: STEM mentoring 2026/27" in page
    assert "oktyabr 2026" in page and "sentyabr 2026" in page
    assert "Gəncə" in page and "Bakı" in page and "Ganja" not in page
    assert "Göstərilməyib" in page and "Not given" not in page
    assert "Vebinar" in page


def test_report_is_only_for_the_programmes_organisers(counted, client):
    other_organiser = factories.OrganiserFactory()
    participant = factories.UserFactory()
    sign_in(client, other_organiser)

    assert client_for(other_organiser).get(f"/api/programmes/{counted.pk}/report/").status_code == 404
    assert client_for(participant).get(f"/api/programmes/{counted.pk}/report/").json()["code"] == "permission_denied"
    assert client.get(f"/programmes/{counted.pk}/report/").status_code == 404


def test_report_page_asks_anonymous_visitors_to_sign_in(counted, client):
    response = client.get(f"/programmes/{counted.pk}/report/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_report_query_count_does_not_grow_with_events(programme, mentoring_series, organiser):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add_held_event(day):
        event = session(mentoring_series, at(10, day, 18), region=factories.region("baku"))
        record(event, f"p{day}@example.org", "attended")
        factories.SpeakerAssignmentFactory(event=event, status="accepted")

    client = client_for(organiser)
    add_held_event(1)
    client.get(f"/api/programmes/{programme.pk}/report/")
    with CaptureQueriesContext(connection) as one:
        client.get(f"/api/programmes/{programme.pk}/report/")
    for day in range(2, 6):
        add_held_event(day)

    with CaptureQueriesContext(connection) as five:
        response = client.get(f"/api/programmes/{programme.pk}/report/")

    assert response.json()["totals"]["events_held"] == 5
    assert len(five) == len(one)


def test_report_page_of_a_programme_with_nothing_held_says_so_in_a_sentence(programme, cohort, organiser, client):
    # ten totals of "0" and "–" and five tables of "–" stood where nothing had happened yet
    factories.EnrolmentFactory(cohort=cohort, name="Aysel Aliyeva")
    sign_in(client, organiser)

    page = client.get(f"/programmes/{programme.pk}/report/").content.decode()
    page_az = client.get(f"/programmes/{programme.pk}/report/", headers={"accept-language": "az"}).content.decode()

    assert "Nothing to report yet: none of the programme's events has been held." in page
    assert "Hələ hesabat veriləcək heç nə yoxdur" in page_az
    assert "–</td>" not in page and "events held" not in page and "By region" not in page
    assert "enrolled (1 active)" in page
    # nor a CSV of those zeros to download: the sentence is all there is
    assert "/report/csv/" not in page and "Download CSV" not in page


def test_report_page_with_an_event_held_shows_its_figures_not_the_nothing_yet_sentence(counted, organiser, client):
    sign_in(client, organiser)

    page = client.get(f"/programmes/{counted.pk}/report/").content.decode()

    assert "events held" in page and "By region" in page and "Nothing to report yet" not in page
    assert f'<a href="/api/programmes/{counted.pk}/report/csv/">Download CSV</a>' in page
