"""An organiser records a webinar's attendance in headless Chromium, through the pages alone: upload
the Zoom report, check the preview, match a row without an email by hand (the same-name registrant is
only a suggestion), record, and see which follow-up went to whom. Every page passes axe-core, fits
390 px and stays under its weight budget (``check``)."""

import datetime as dt
from pathlib import Path

import pytest

from attendance.models import AttendanceImport
from notifications import kinds
from notifications.models import OutboxMessage
from registrations.models import Attendance
from tests import factories
from tests.manage.test_workspace_browser import (  # noqa: F401 (fixtures)
    axe,
    browser,
    check,
    organiser_account,
    page,
    playwright_driver,
)
from tests.notifications.conftest import make_registration
from tests.pages.test_browser import CHROMIUM, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no browser at {CHROMIUM}"),
]
ZOOM = Path(__file__).parents[1] / "attendance" / "reports" / "zoom_participants.csv"


def test_organiser_records_a_webinars_attendance_from_the_zoom_report(page, live_server, axe):  # noqa: F811
    organiser = organiser_account()
    # the day of the sample Zoom report (18:00 in Baku): a report of another day is refused
    start = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)
    event = factories.WebinarFactory(
        organisers=[organiser], title="Careers in data science", start=start, end=start + dt.timedelta(minutes=90)
    )
    for name in ("Aysel Mammadova", "Rauf Aliyev", "Nigar Hasanova", "Elvin Quliyev", "Leyla Karimova"):
        make_registration(event, name=name, email=f"{name.split()[0].lower()}@example.org")

    sign_in(page, live_server, organiser, f"/manage/events/{event.pk}/")
    page.click("nav.event-tabs >> text=Attendance")
    page.wait_for_selector("[data-testid=attendance-state][data-state=waiting_for_report]")
    check(page, axe)

    page.set_input_files("#id_file", str(ZOOM))
    page.click("button:has-text('Upload and preview')")
    page.wait_for_selector("[data-testid=matched]")
    check(page, axe)
    assert page.locator("[data-testid=threshold]").inner_text().startswith("Attended from 45 minutes")
    assert page.locator("[data-testid=matched] tbody tr").count() == 4
    assert page.locator("[data-testid=unmatched] tbody tr").count() == 3
    assert AttendanceImport.objects.get().status == AttendanceImport.Status.PREVIEW
    assert set(event.registrations.values_list("attendance", flat=True)) == {Attendance.UNKNOWN}

    row = page.locator("[data-testid=unmatched] tr[data-reason=no_email]")
    assert "same name, suggested" in row.inner_text()
    # one shared list of registrants (a <datalist>) behind each row's field, the suggestion filled in
    field = row.locator("input[name=registration]")
    assert field.get_attribute("list") == "registrants"
    assert field.input_value().endswith("@example.org")
    assert page.locator("datalist#registrants option").count() == 1  # the one registrant not found yet
    # on a phone the field and its button fit the screen, and the keyboard alone matches the row
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = field.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    field.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=matched] >> text=matched by you")
    check(page, axe)
    assert page.locator("[data-testid=unmatched] tbody tr").count() == 2

    page.click("button:has-text('Record attendance of 5 registrants')")
    page.wait_for_selector("[data-testid=import-status][data-status=done]")
    check(page, axe)

    page.click("text=Back to attendance")
    page.wait_for_selector("[data-testid=follow-ups-attended]")
    check(page, axe)
    attended = page.locator("[data-testid=follow-ups-attended] li").all_inner_texts()
    no_show = page.locator("[data-testid=follow-ups-no-show] li").all_inner_texts()
    assert [text.split("\n")[0].split(" ")[0] for text in sorted(attended)] == ["Aysel", "Leyla", "Nigar", "Rauf"]
    assert len(no_show) == 1 and no_show[0].startswith("Elvin Quliyev")
    assert page.locator("[data-testid=attendance-state]").get_attribute("data-state") == "finalised"
    assert dict(OutboxMessage.objects.values_list("recipient_email", "kind")) == {
        "aysel@example.org": kinds.FOLLOW_UP_ATTENDED,
        "leyla@example.org": kinds.FOLLOW_UP_ATTENDED,
        "nigar@example.org": kinds.FOLLOW_UP_ATTENDED,
        "rauf@example.org": kinds.FOLLOW_UP_ATTENDED,
        "elvin@example.org": kinds.FOLLOW_UP_NO_SHOW,
    }
