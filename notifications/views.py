"""The organisers' dashboard page and its CSV exports."""

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from events.models import EventKind
from events.permissions import is_organiser
from notifications import dashboard
from notifications.charts import stacked_bars_svg

CHART_MONTHS = 12


def organiser_only(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_organiser(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@organiser_only
def dashboard_page(request):
    now = timezone.now()
    kind_names = dict(EventKind.choices)
    months, by_kind = dashboard.attendance_by_month(request.user, months=CHART_MONTHS, group="kind")
    _months, by_region = dashboard.attendance_by_month(request.user, months=CHART_MONTHS, group="region")
    month_labels = [formats.date_format(month, "M y") for month in months]
    context = {
        "upcoming": list(dashboard.upcoming_events(request.user, now=now)[:50]),
        "past": dashboard.past_events(request.user, now=now),
        "kind_chart": stacked_bars_svg(
            months=months,
            series={str(kind_names.get(kind, kind)): values for kind, values in by_kind.items()},
            title=_("People attending per month, by kind of event"),
            month_labels=month_labels,
        ),
        "region_chart": stacked_bars_svg(
            months=months,
            series=by_region,
            title=_("People attending per month, by region"),
            month_labels=month_labels,
        ),
    }
    response = render(request, "notifications/pages/dashboard.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


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


@organiser_only
def registrations_csv(request):
    try:
        event_id = int(request.GET["event"]) if request.GET.get("event") else None
    except ValueError:
        event_id = None
    rows = dashboard.registration_rows(request.user, event_id=event_id)
    name = f"registrations-{event_id}.csv" if event_id else "registrations.csv"
    return csv_response(name, dashboard.REGISTRATION_COLUMNS, rows)


@organiser_only
def attendance_csv(request):
    return csv_response("attendance.csv", dashboard.ATTENDANCE_COLUMNS, dashboard.attendance_rows(request.user))
