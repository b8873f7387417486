"""The CSV exports of the organisers' dashboard (the page itself: programmes.manage_pages),
under /manage/dashboard/ (attendance.manage_urls)."""

import csv

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from attendance import dashboard
from attendance.manage_forms import DashboardEventFilterForm
from events.models import Event
from events.workspace import organiser_required
from events_project import limits


class Echo:
    def write(self, value):
        return value


def safe_cell(value):
    """Keep spreadsheet programs from running a cell as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_response(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    writer = csv.writer(Echo())

    def lines():
        yield "\ufeff"  # so that Excel reads UTF-8 (Azerbaijani letters)
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([safe_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _event_id(request) -> int | None:
    """``?event=<id>`` narrows the export to one event; ``ValueError`` for anything that is not
    an id (read as "no event", it used to export every event instead of the one asked for)."""
    raw = request.GET.get("event", "")
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= limits.MAX_ID):
        raise ValueError(raw)
    return int(raw)


@organiser_required
@require_safe
def registrations_csv(request):
    try:
        event_id = _event_id(request)
    except ValueError:
        return render(request, "400.html", status=400)
    # the dashboard's filters, by the page's own form (its links carry them)
    events = DashboardEventFilterForm(request.GET).narrow(Event.objects.all())
    rows = dashboard.registration_rows(request.user, event_id=event_id, events=events)
    name = f"registrations-{event_id}.csv" if event_id else "registrations.csv"
    return csv_response(name, dashboard.REGISTRATION_COLUMNS, rows)


@organiser_required
@require_safe
def attendance_csv(request):
    events = DashboardEventFilterForm(request.GET).narrow(Event.objects.all())
    rows = dashboard.attendance_rows(request.user, events=events)
    return csv_response("attendance.csv", dashboard.ATTENDANCE_COLUMNS, rows)
