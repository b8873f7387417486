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
    assert client.get("/manage/dashboard/").status_code == 302
    signed_in(client, factories.UserFactory())
    assert client.get("/manage/dashboard/").status_code == 403
    assert client.get("/manage/dashboard/registrations.csv").status_code == 403


def test_old_dashboard_addresses_redirect_into_the_workspace(client):
    assert client.get("/dashboard/?kind=webinar")["Location"] == "/manage/dashboard/?kind=webinar"
    assert client.get("/dashboard/").status_code == 301
    assert (
        client.get("/dashboard/registrations.csv?event=3")["Location"] == "/manage/dashboard/registrations.csv?event=3"
    )


def test_dashboard_counts_upcoming_registrations_waiting_and_check_ins(organiser_web, organiser, sign_up):
    # this afternoon: upcoming, and its door is open (from a day before)
    event = factories.EventFactory(
        title="CV workshop", capacity=1, organisers=[organiser], start=now() + dt.timedelta(hours=1)
    )
    factories.EventFactory(title="Somebody else's event")
    first = sign_up(event, email="one@example.org")
    sign_up(event, email="two@example.org")
    check_in(event_id=event.pk, secret=ticket_payload(first), by=organiser)

    response = organiser_web.get("/manage/dashboard/")

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

    response = organiser_web.get("/manage/dashboard/")

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
        response = organiser_web.get("/manage/dashboard/")

    assert len(response.context["upcoming"]) == count
    assert len(queries) == QUERIES_FOR_DASHBOARD, "\n".join(q["sql"][:150] for q in queries.captured_queries)


def test_past_events_count_the_figures_of_the_listed_events_only(organiser):
    """The dashboard lists the latest 50 events held; an organiser's history is thousands (5,000:
    the figures of all of them took half a second at each opening of the page). The statement
    that counts picks the latest first, then counts theirs, with the same figures."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from attendance import dashboard

    held = []
    for days in (40, 30, 20, 10):
        start = now() - dt.timedelta(days=days)
        event = factories.EventFactory(organisers=[organiser], start=start, end=start + dt.timedelta(hours=2))
        for number in range(days // 10):
            factories_registration(event, f"{days}-{number}", Attendance.ATTENDED)
        held.append(event)

    with CaptureQueriesContext(connection) as queries:
        listed = dashboard.past_events(organiser, limit=2)
    counting = [query["sql"] for query in queries.captured_queries if "COUNT(DISTINCT" in query["sql"]]

    assert [(event.pk, event.confirmed_count) for event in listed] == [(held[3].pk, 1), (held[2].pk, 2)]
    assert len(counting) == 1
    assert re.search(r"IN \(SELECT .+ LIMIT 2\)", counting[0]), counting[0]


# session, user, organiser role, speaker profile (header); upcoming + organisers; past + organisers;
# the two charts (three queries: the attended counted by event, the live check-ins by event, the
# events' months and groups); the figures at the top (3); the programmes; the regions of the filter;
# one's kept background exports (with their event and region)
QUERIES_FOR_DASHBOARD = 17


def test_registrations_csv_has_own_events_only_and_defuses_formulas(organiser_web, organiser, sign_up):
    event = factories.EventFactory(organisers=[organiser])
    sign_up(event, name="=HYPERLINK(1)", email="one@example.org")
    sign_up(event, name="\uff1dHYPERLINK(2)", email="three@example.org")  # a fullwidth equals sign
    sign_up(factories.EventFactory(), name="Not Mine", email="two@example.org")

    response = organiser_web.get("/manage/dashboard/registrations.csv")

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows[0][:5] == ["event_id", "event", "event_start", "registration_id", "name"]
    assert len(rows) == 3
    assert [row[4] for row in rows[1:]] == ["'=HYPERLINK(1)", "'\uff1dHYPERLINK(2)"]


@pytest.mark.parametrize("count", [1, 5])
def test_registrations_csv_reads_only_the_columns_it_writes(organiser_web, organiser, sign_up, count):
    """A year's export is tens of thousands of rows (65,000 took 15 s as model instances with
    every column of each registration and its event, JSON decoded): it counts them, then reads the
    columns of its own, in one statement whatever the number of rows, and never a ticket's secret."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    event = factories.EventFactory(organisers=[organiser])
    for number in range(count):
        sign_up(event, email=f"p{number}@example.org")

    with CaptureQueriesContext(connection) as queries:
        response = organiser_web.get("/manage/dashboard/registrations.csv")
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    statements = [query["sql"] for query in queries.captured_queries if "registrations_registration" in query["sql"]]
    # first a COUNT, which decides whether the request writes the file (attendance.exports)
    counting = [sql for sql in statements if sql.startswith("SELECT COUNT(*)")]
    reading = [sql for sql in statements if sql not in counting]

    assert len(rows) == count + 1
    assert len(counting) == 1, counting
    assert len(reading) == 1, reading
    for column in ("ticket_secret", "manage_token", "party_names", '"events_event"."description"', "reminder_offsets"):
        assert column not in reading[0]


@pytest.mark.parametrize("zone", ["Asia/Baku", "America/New_York"])
def test_registrations_csv_writes_every_time_in_the_events_zone_with_its_offset(
    organiser_web, organiser, sign_up, zone
):
    # registered_at and checked_in_at were written in UTC beside event_start in +04:00
    event = factories.EventFactory(organisers=[organiser], timezone=zone, start=now() + dt.timedelta(hours=1))
    registration = sign_up(event, email="one@example.org")
    check_in(event_id=event.pk, secret=ticket_payload(registration), by=organiser)
    offset = event.local_start.isoformat()[-6:]  # +04:00 in Baku; -05:00 or -04:00 in New York

    response = organiser_web.get(f"/manage/dashboard/registrations.csv?event={event.pk}")

    row = next(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    for column in ("event_start", "registered_at", "checked_in_at"):
        assert row[column].endswith(offset), (column, row[column])
        assert dt.datetime.fromisoformat(row[column]).microsecond == 0
    assert dt.datetime.fromisoformat(row["registered_at"]) == registration.created_at.replace(microsecond=0)
    assert zone != "Asia/Baku" or offset == "+04:00"


def test_attendance_csv_lists_rates(organiser_web, past_event):
    factories_registration(past_event, 1, Attendance.ATTENDED)
    factories_registration(past_event, 2, Attendance.NO_SHOW)
    past_event.attendance_finalised_at = now()
    past_event.save()

    response = organiser_web.get("/manage/dashboard/attendance.csv")

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0]["attendance_rate"] == "0.500"
    assert rows[0]["no_show_rate"] == "0.500"
    assert rows[0]["region"] == "Ganja"
    assert rows[0]["start"] == past_event.local_start.isoformat(timespec="seconds")
    assert rows[0]["start"].endswith("+04:00")


@pytest.mark.parametrize("count", [1, 5])
def test_attendance_csv_reads_one_statement_of_its_own_columns_whatever_the_events(organiser_web, organiser, count):
    """Every event an organiser ever held is a row (5,000 took 3 s with their organisers prefetched
    and every column of each event loaded): one statement of the columns it writes, with the figures."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for number in range(count):
        start = now() - dt.timedelta(days=10 + number)
        event = factories.EventFactory(
            organisers=[organiser], region=factories.region("ganja"), start=start, end=start + dt.timedelta(hours=2)
        )
        factories_registration(event, number, Attendance.ATTENDED)

    with CaptureQueriesContext(connection) as queries:
        response = organiser_web.get("/manage/dashboard/attendance.csv")
        rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    reading = [query["sql"] for query in queries.captured_queries if "events_event" in query["sql"]]

    assert [(row["region"], row["confirmed"]) for row in rows] == [("Ganja", "1")] * count
    assert len(reading) == 1, reading  # no organisers prefetched: the export does not write them
    for column in ("description", "reminder_offsets", "sectors", "events_series"):
        assert column not in reading[0]


def test_dashboard_stays_under_the_page_budget(organiser_web, organiser, first_load):
    for _ in range(30):
        factories.EventFactory(organisers=[organiser])

    assert first_load(organiser_web.get("/manage/dashboard/")) < PAGE_BUDGET


def test_attendance_chart_covers_the_last_twelve_months(organiser):
    from attendance.dashboard import attendance_by_month_grouped

    months, series = attendance_by_month_grouped(organiser, months=12, groups=("kind",))

    assert len(months) == 12
    assert months[-1] == localdate().replace(day=1)
    assert series == {"kind": {}}


def test_dashboard_names_regions_in_azerbaijani(organiser_web, past_event):
    factories_registration(past_event, 1, Attendance.ATTENDED)

    page = organiser_web.get("/manage/dashboard/", headers={"accept-language": "az"}).text

    assert "Regiona səfər · Gəncə</span>" in page  # the table
    assert page.count("Gəncə") >= 2  # and the chart of attendance by region
    assert "· Ganja" not in page


def test_dashboard_figures_at_the_top(organiser_web, organiser, past_event, sign_up):
    event = factories.EventFactory(title="CV workshop", capacity=3, organisers=[organiser])
    sign_up(event, email="one@example.org", party_size=2)
    sign_up(event, email="two@example.org", party_size=3)  # waits with the two she brings
    for number, attendance in enumerate([Attendance.ATTENDED, Attendance.ATTENDED, Attendance.ATTENDED, "no_show"]):
        factories_registration(past_event, number, attendance)
    past_event.attendance_finalised_at = now()
    past_event.save()

    summary = organiser_web.get("/manage/dashboard/").context["summary"]

    assert summary == {"upcoming_events": 1, "seats_taken": 2, "waiting": 3, "no_show_rate": 0.25}


def test_dashboard_filters_by_kind_region_and_programme(organiser_web, organiser):
    webinar = factories.WebinarFactory(title="Careers in data", organisers=[organiser])
    visit = factories.EventFactory(
        title="Visit Shaki", kind="outreach_visit", region=factories.region("shaki"), organisers=[organiser]
    )
    programme = factories.ProgrammeFactory(title="STEM 2027", organisers=[organiser])
    programme.events.add(visit)

    def titles(query):
        return [event.title for event in organiser_web.get(f"/manage/dashboard/{query}").context["upcoming"]]

    assert titles("?kind=webinar") == [webinar.title]
    assert titles(f"?region={visit.region_id}") == [visit.title]
    assert titles(f"?programme={programme.pk}") == [visit.title]
    assert sorted(titles("?kind=nonsense")) == sorted([webinar.title, visit.title])
    page = organiser_web.get("/manage/dashboard/").text
    assert f'href="/programmes/{programme.pk}/report/"' in page


def test_dashboard_shows_only_my_programmes(organiser_web, organiser):
    factories.ProgrammeFactory(title="Somebody else's programme", organisers=[factories.OrganiserFactory()])
    page = organiser_web.get("/manage/dashboard/").text
    assert "Somebody else" not in page


def test_chart_leaves_out_months_without_data_and_keeps_text_readable():
    from attendance.charts import FONT_SIZE, WIDTH, stacked_bars_svg

    months = [dt.date(2026, month, 1) for month in range(1, 7)]
    svg = stacked_bars_svg(
        months=months,
        series={"Webinar": [0, 4, 0, 0, 2, 0], "Outreach visit": [0, 1, 0, 0, 0, 0]},
        title="People",
        month_labels=["Jan", "Feb", "Mar", "Apr", "May", "Jun"],
    )

    assert ">Feb<" in svg and ">May<" in svg
    assert not any(f">{month}<" in svg for month in ("Jan", "Mar", "Apr", "Jun"))
    # shown at most 30rem and at least a 390 px phone's 358 px: never under 12 px
    assert FONT_SIZE * 358 / WIDTH >= 12
    assert stacked_bars_svg(months=months, series={}, title="People", month_labels=["x"] * 6) == ""


def test_csv_exports_of_a_filtered_dashboard_follow_its_filters_within_own_events(
    organiser_web, organiser, past_event, sign_up
):
    # the exports used to list every event whatever the page showed
    shaki = factories.region("shaki")
    visit = factories.EventFactory(title="Visit Shaki", kind="outreach_visit", region=shaki, organisers=[organiser])
    webinar = factories.WebinarFactory(title="Careers in data", organisers=[organiser])
    others = factories.EventFactory(title="Not mine", kind="outreach_visit", region=shaki)
    for number, event in enumerate([visit, webinar, others]):
        sign_up(event, email=f"person{number}@example.org")
    factories_registration(past_event, 1, Attendance.ATTENDED)

    page = organiser_web.get(f"/manage/dashboard/?kind=outreach_visit&region={shaki.pk}")
    links = {
        name: next(a for a in page.text.split('href="')[1:] if a.startswith(f"/manage/dashboard/{name}"))
        .split('"')[0]
        .replace("&amp;", "&")
        for name in ("registrations.csv", "attendance.csv")
    }

    def rows(url):
        response = organiser_web.get(url)
        return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))

    assert links["registrations.csv"] == f"/manage/dashboard/registrations.csv?kind=outreach_visit&region={shaki.pk}"
    assert [row["event"] for row in rows(links["registrations.csv"])] == ["Visit Shaki"]
    assert [row["event"] for row in rows(links["attendance.csv"])] == ["Visit Shaki"]
    # and a page with no filter still exports everything of one's own
    assert {row["event"] for row in rows("/manage/dashboard/attendance.csv")} == {
        "Visit Shaki", "Careers in data", past_event.title
    }  # fmt: skip
    assert {row["event"] for row in rows("/manage/dashboard/attendance.csv?kind=nonsense")} == {
        "Visit Shaki", "Careers in data", past_event.title
    }  # fmt: skip


@pytest.mark.parametrize("event", ["abc", "1e400", "-1", "0", "17.0", "99999999999999999999"])
def test_registrations_csv_refuses_an_event_that_is_no_id_instead_of_exporting_every_event(
    organiser_web, organiser, sign_up, event
):
    # ?event= asks for one event's registrations: a malformed one used to export all of them
    sign_up(factories.EventFactory(organisers=[organiser]), email="one@example.org")

    response = organiser_web.get(f"/manage/dashboard/registrations.csv?event={event}")

    assert response.status_code == 400
    assert "one@example.org" not in response.text


def test_registrations_csv_of_one_event(organiser_web, organiser, sign_up):
    mine = factories.EventFactory(organisers=[organiser])
    sign_up(mine, email="one@example.org")
    sign_up(factories.EventFactory(organisers=[organiser]), email="two@example.org")

    response = organiser_web.get(f"/manage/dashboard/registrations.csv?event={mine.pk}")

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response["Content-Disposition"] == f'attachment; filename="registrations-{mine.pk}.csv"'
    assert "one@example.org" in body
    assert "two@example.org" not in body


def test_dashboard_shows_the_newest_programmes_reports_and_links_to_every_programme(organiser_web, organiser):
    from programmes.manage_pages import REPORTS_SHOWN

    programmes = [
        factories.ProgrammeFactory(
            title=f"Programme of {2000 + n}",
            organisers=[organiser],
            starts_on=dt.date(2000 + n, 9, 1),
            ends_on=dt.date(2001 + n, 5, 31),
        )
        for n in range(30)
    ]

    response = organiser_web.get("/manage/dashboard/")

    assert [p.title for p in response.context["programmes"]] == [
        f"Programme of {2029 - n}" for n in range(REPORTS_SHOWN)
    ]
    assert response.text.count('/report/"') == REPORTS_SHOWN
    assert f"{30 - REPORTS_SHOWN} older programmes: see every programme" in response.text
    # the filter still offers every one
    assert f'value="{programmes[0].pk}"' in response.text


def test_dashboard_of_a_programme_one_may_not_see_is_a_404_and_no_id_a_400(organiser_web, organiser):
    factories.WebinarFactory(title="Careers in data", organisers=[organiser])
    theirs = factories.ProgrammeFactory(title="Their programme")

    # never the unfiltered dashboard, as if no programme had been asked for
    assert organiser_web.get(f"/manage/dashboard/?programme={theirs.pk}").status_code == 404
    assert organiser_web.get("/manage/dashboard/?programme=999999").status_code == 404
    assert organiser_web.get("/manage/dashboard/?programme=x").status_code == 400
