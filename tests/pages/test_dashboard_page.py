import csv
import datetime as dt
import io

import pytest
from django.utils.timezone import localdate, now

from registrations.checkin.services import check_in
from registrations.models import Attendance
from registrations.services.tickets import ticket_payload
from tests import factories
from tests.pages.conftest import PAGE_BUDGET, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def past_event(organiser):
    start = now() - dt.timedelta(days=10)
    return factories.EventFactory(
        title="Role models visit Ganja",
        kind="outreach_visit",
        region=factories.region("ganja"),
        start=start,
        end=start + dt.timedelta(hours=3),
        organisers=[organiser],
        capacity=10,
    )


def test_dashboard_is_for_organisers_only(client):
    assert client.get("/dashboard/").status_code == 302
    signed_in(client, factories.UserFactory())
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/registrations.csv").status_code == 403


def test_dashboard_counts_upcoming_registrations_waiting_and_check_ins(organiser_web, organiser, sign_up):
    event = factories.EventFactory(title="CV workshop", capacity=1, organisers=[organiser])
    factories.EventFactory(title="Somebody else's event")
    first = sign_up(event, email="one@example.org")
    sign_up(event, email="two@example.org")
    check_in(event_id=event.pk, secret=ticket_payload(first), by=organiser)

    response = organiser_web.get("/dashboard/")

    row = response.context["upcoming"][0]
    assert (row.confirmed_count, row.waiting_count, row.checked_in_count) == (1, 1, 1)
    assert "Somebody else's event" not in response.text


def test_dashboard_attendance_and_no_show_rates_of_past_events(organiser_web, past_event):
    for number, attendance in enumerate(
        [Attendance.ATTENDED, Attendance.ATTENDED, Attendance.NO_SHOW, Attendance.ATTENDED]
    ):
        factories_registration(past_event, number, attendance)
    past_event.attendance_finalised_at = now()
    past_event.save()

    response = organiser_web.get("/dashboard/")

    row = response.context["past"][0]
    assert (row.confirmed_count, row.attended_figure, row.no_show_count) == (4, 3, 1)
    assert "75%" in response.text and "25%" in response.text
    assert "Outreach visit" in response.context["kind_chart"]
    assert "Ganja" in response.context["region_chart"]


def factories_registration(event, number, attendance):
    from registrations.models import Registration

    return Registration.objects.create(
        event=event, name=f"Pupil {number}", email=f"pupil{number}@example.org", status="confirmed",
        seats_held=1, attendance=attendance,
    )  # fmt: skip


@pytest.mark.parametrize("count", [1, 5])
def test_dashboard_query_count_does_not_grow_with_events(organiser_web, organiser, past_event, sign_up, count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for number in range(count):
        sign_up(factories.EventFactory(organisers=[organiser]), email=f"p{number}@example.org")

    with CaptureQueriesContext(connection) as queries:
        response = organiser_web.get("/dashboard/")

    assert len(response.context["upcoming"]) == count
    assert len(queries) == QUERIES_FOR_DASHBOARD


# session, user, organiser role, speaker profile (header); upcoming + organisers; past + organisers;
# the two charts
QUERIES_FOR_DASHBOARD = 10


def test_registrations_csv_has_own_events_only_and_defuses_formulas(organiser_web, organiser, sign_up):
    event = factories.EventFactory(organisers=[organiser])
    sign_up(event, name="=HYPERLINK(1)", email="one@example.org")
    sign_up(factories.EventFactory(), name="Not Mine", email="two@example.org")

    response = organiser_web.get("/dashboard/registrations.csv")

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows[0][:5] == ["event_id", "event", "event_start", "registration_id", "name"]
    assert len(rows) == 2
    assert rows[1][4] == "'=HYPERLINK(1)"


def test_attendance_csv_lists_rates(organiser_web, past_event):
    factories_registration(past_event, 1, Attendance.ATTENDED)
    factories_registration(past_event, 2, Attendance.NO_SHOW)
    past_event.attendance_finalised_at = now()
    past_event.save()

    response = organiser_web.get("/dashboard/attendance.csv")

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0]["attendance_rate"] == "0.500"
    assert rows[0]["no_show_rate"] == "0.500"
    assert rows[0]["region"] == "Ganja"


def test_dashboard_stays_under_the_page_budget(organiser_web, organiser, first_load):
    for _ in range(30):
        factories.EventFactory(organisers=[organiser])

    assert first_load(organiser_web.get("/dashboard/")) < PAGE_BUDGET


def test_attendance_chart_covers_the_last_twelve_months(organiser):
    from notifications.dashboard import attendance_by_month

    months, series = attendance_by_month(organiser, months=12)

    assert len(months) == 12
    assert months[-1] == localdate().replace(day=1)
    assert series == {}


def test_dashboard_names_regions_in_azerbaijani(organiser_web, past_event):
    factories_registration(past_event, 1, Attendance.ATTENDED)

    page = organiser_web.get("/dashboard/", headers={"accept-language": "az"}).text

    assert "Regiona səfər · Gəncə</span>" in page  # the table
    assert page.count("Gəncə") >= 2  # and the chart of attendance by region
    assert "· Ganja" not in page
