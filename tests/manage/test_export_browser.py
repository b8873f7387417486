"""A page waiting for a background job in headless Chromium: the registrations export's page shows
its download link once the file is ready, without reloading the page (no timed refresh that takes
a screen reader back to the top: axe's meta-refresh), and passes axe-core at 390 px (``check``)."""

from pathlib import Path

import pytest
from django.utils import timezone

from attendance.models import ExportStatus, RegistrationExport
from tests import factories
from tests.manage.test_workspace_browser import (  # noqa: F401 (fixtures)
    axe,
    browser,
    check,
    organiser_account,
    page,
    playwright_driver,
)
from tests.pages.test_browser import CHROMIUM, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no browser at {CHROMIUM}"),
]


def test_the_export_page_shows_the_file_once_ready_without_reloading(page, live_server, axe):  # noqa: F811
    organiser = organiser_account()
    event = factories.EventFactory(organisers=[organiser], title="Careers in data science")
    export = RegistrationExport.objects.create(
        requested_by=organiser, event=event, asked=f"event={event.pk}", event_ids=[event.pk]
    )

    sign_in(page, live_server, organiser, f"/manage/dashboard/exports/{export.pk}/")
    page.wait_for_selector("[data-testid=export-status][data-status=preparing]")
    check(page, axe)
    assert page.locator("[data-check-again]").is_hidden()  # the script checks; the link is for pages without it
    page.evaluate("window.sameVisit = true")

    RegistrationExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.READY, rows=3, file_name="registrations.csv", finished_at=timezone.now()
    )
    page.wait_for_selector("[data-testid=export-download]", timeout=15_000)

    assert page.evaluate("window.sameVisit") is True  # the region changed, the page was not loaded again
    assert page.locator("[data-testid=export-status]").get_attribute("data-status") == "ready"
    check(page, axe)
