"""Server-rendered pages: the printable impact report and the public certificate check."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import formats
from django.views.decorators.http import require_GET

from events.workspace import no_store
from events_project.throttles import throttled
from programmes import certificates, reports, selectors
from programmes.exceptions import CertificateInvalid


@require_GET
@login_required
def report_page(request, pk):
    """Printable (and print-to-PDF) impact report; only the programme's organisers see it. Below
    it, on screen only, what was done to the programme, its cohorts, enrolments and certificates."""
    programme = get_object_or_404(selectors.programmes_visible_to(request.user), pk=pk)
    report = reports.impact_report(programme=programme)
    # bar lengths for the page's charts: people met, relative to the largest row of each table
    for section in ("by_month", "by_kind", "by_region", "by_audience"):
        largest = max((row["people_met"] for row in report[section]), default=0) or 1
        for row in report[section]:
            row["bar"] = round(100 * row["people_met"] / largest)
    for row in report["by_month"]:
        year, month = (int(part) for part in row["month"].split("-"))
        row["label"] = formats.date_format(dt.date(year, month, 1), "YEAR_MONTH_FORMAT")
    generated_at = dt.datetime.fromisoformat(report["generated_at"])
    context = {
        "programme": programme,
        "report": report,
        "generated_at": generated_at,
        "action_log": selectors.action_log_of_programme(programme),
        "time_zone": settings.TIME_ZONE,
    }
    return no_store(render(request, "programmes/report.html", context))


@require_GET
@throttled("token")
def verify_certificate_page(request, token):
    """Public: whether a certificate is genuine and still stands. Shows only what it prints."""
    try:
        certificate = certificates.verify_certificate(token=token)
    except CertificateInvalid:
        return render(request, "programmes/certificate_verify.html", {"certificate": None}, status=404)
    return render(request, "programmes/certificate_verify.html", {"certificate": certificate})
