"""The CSV exports of the organisers' dashboard (the page itself: programmes.manage_pages),
under /manage/dashboard/ (attendance.manage_urls).

A registrations export of up to ``REGISTRATIONS_CSV_IN_REQUEST`` rows is written in the request;
a bigger one (a year of events: 65,000 rows held a worker for 9 s) is asked for with a button (a
POST to /manage/dashboard/exports/) and written by a background job (attendance.services.exports),
whose page refreshes until its file is ready. Export pages and files are their requester's only:
404 for anyone else.
"""

from django.conf import settings
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from attendance import dashboard
from attendance.csv_files import csv_lines
from attendance.manage_forms import DashboardEventFilterForm
from attendance.models import ExportStatus
from attendance.services import exports
from events.models import Event
from events.permissions import is_organiser
from events.workspace import asked_id, managed_event, organiser_required


def csv_response(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _export_filename(event_id: int | None) -> str:
    return f"registrations-{event_id}.csv" if event_id else "registrations.csv"


@organiser_required
@require_safe
def registrations_csv(request):
    """The file, when it is small; otherwise a page that counts the rows and offers to prepare
    it in the background (:func:`prepare_registrations_export`)."""
    event_id = asked_id(request, "event")
    if event_id is not None:
        managed_event(request, event_id)  # someone else's event: 404, never a file of headers only
    # the dashboard's filters, by the page's own form (its links carry them)
    filters = DashboardEventFilterForm(request.GET)
    events = filters.narrow(Event.objects.all())
    count = dashboard.registration_count(request.user, event_id=event_id, events=events)
    if count <= settings.REGISTRATIONS_CSV_IN_REQUEST:
        header, rows = dashboard.registration_export(request.user, event_id=event_id, events=events)
        return csv_response(_export_filename(event_id), header, rows)
    context = {
        "rows": count,
        "event": events.filter(pk=event_id).first() if event_id else None,
        "latest": exports.latest_export(request.user, event_id=event_id, **filters.chosen()),
        "asked": _asked(event_id, filters),
    }
    response = render(request, "attendance/manage/registrations_export.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


def _asked(event_id: int | None, filters: DashboardEventFilterForm) -> str:
    chosen = filters.chosen()
    return exports.asked_key(event_id=event_id, kind=chosen["kind"], region_id=getattr(chosen["region"], "pk", None))


@organiser_required
@require_POST
def prepare_registrations_export(request):
    """*Prepare the file* (the same ``?event=``, ``?kind=``, ``?region=`` as the CSV's link): the
    background export, new or the one already being prepared, then its page."""
    event_id = asked_id(request, "event")
    if event_id is not None:
        managed_event(request, event_id)  # someone else's event: 404, never an export of every event
    filters = DashboardEventFilterForm(request.GET)
    # *Prepare it again* on an export's page: a file newer than that one, never the same one
    newer_than = asked_id(request, "newer_than")
    export = exports.request_registrations_export(
        user=request.user, event_id=event_id, newer_than=newer_than, **filters.chosen()
    )
    return redirect("dashboard-registrations-export", export.pk)


def _own_export(request, pk: int):
    """The export's page is its requester's only: a 404 for anyone else, signed in or not."""
    export = exports.export_of(request.user, pk) if is_organiser(request.user) else None
    if export is None:
        raise Http404
    return export


@require_safe
def registrations_export(request, pk: int):
    """A background export: being prepared (the page refreshes itself), ready, or failed."""
    export = _own_export(request, pk)
    if export.status == ExportStatus.PREPARING:
        exports.watch_export(export=export)
    context = {"export": export, "preparing": export.status == ExportStatus.PREPARING, "ask_again": export.asked}
    response = render(request, "attendance/manage/registrations_export.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def registrations_export_file(request, pk: int):
    export = exports.downloadable_export(request.user, pk) if is_organiser(request.user) else None
    if export is None:
        raise Http404
    response = FileResponse(
        exports.open_export_file(export), as_attachment=True, filename=_export_filename(export.event_id),
        content_type="text/csv; charset=utf-8",
    )  # fmt: skip
    response["Cache-Control"] = "private, no-store"
    return response


@organiser_required
@require_safe
def attendance_csv(request):
    events = DashboardEventFilterForm(request.GET).narrow(Event.objects.all())
    rows = dashboard.attendance_rows(request.user, events=events)
    return csv_response("attendance.csv", dashboard.ATTENDANCE_COLUMNS, rows)
