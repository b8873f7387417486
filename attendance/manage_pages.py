"""Workspace pages of attendance: an event's attendance after it ended. Upload a Zoom or Teams
report, check the preview (matched, unmatched with the reason, minutes, the threshold), match rows
by hand, record, finalise (or finalise without a report), and see which follow-up went to whom."""

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from attendance.exceptions import DomainError
from attendance.manage_forms import ReportUploadForm
from attendance.models import AttendanceImport
from attendance.selectors import imports_managed_by, registrant_named, registrants_to_match
from attendance.services import figures, finalisation, participant_reports
from events.workspace import back_to_row, managed_event, no_store, organiser_required, posted_id
from events_project.people import person_name
from notifications import kinds
from notifications.selectors import outbox_managed_by
from registrations.checkin.services import door_counts
from registrations.models import Registration, RegistrationStatus
from registrations.services.attendance import decided_by_hand

RECENT_IMPORTS = 10
UNMATCHED_SHOWN = 100
# registrants found in a report, listed in its preview (all are recorded): a 2,000-person
# webinar's report listed every one, 700 KB
MATCHED_SHOWN = 100
# follow-ups named on the attendance tab in each group (thanks, "we missed you", corrections):
# the rest are counted, and the outbox lists them a page at a time
FOLLOW_UPS_SHOWN = 20
# registrants offered to choose from: one list for every row (a <datalist>), so many at most; a
# search narrows it and any registrant's email can be typed in
CHOICES_SHOWN = 200


def _state(event, now) -> str:
    if event.attendance_finalised_at is not None:
        return "finalised"
    if event.end > now:
        return "not_over"
    if finalisation.needs_report(event) and not finalisation.has_imported_report(event):
        return "waiting_for_report"
    return "open"


FOLLOW_UP_GROUPS = {
    kinds.FOLLOW_UP_ATTENDED: "attended",
    kinds.FOLLOW_UP_NO_SHOW: "no_show",
    kinds.ATTENDANCE_CORRECTED: "corrected",
}


def _follow_ups(request, event) -> tuple[dict, dict]:
    """The follow-ups of the event in their groups: the first FOLLOW_UPS_SHOWN of each (by
    address) and how many each group has; a query a group, whatever the number sent."""
    sent = outbox_managed_by(request.user).filter(event=event, kind__in=list(FOLLOW_UP_GROUPS))
    counted = dict(sent.order_by().values_list("kind").annotate(count=Count("id")))
    counts = {group: counted.get(kind, 0) for kind, group in FOLLOW_UP_GROUPS.items()}
    shown = {
        group: list(sent.filter(kind=kind).order_by("recipient_email", "created_at")[:FOLLOW_UPS_SHOWN])
        if counts[group]
        else []
        for kind, group in FOLLOW_UP_GROUPS.items()
    }
    return shown, counts


@organiser_required
@require_http_methods(["GET", "POST"])
def event_attendance(request, pk: int):
    event = managed_event(request, pk)
    now = timezone.now()
    form = ReportUploadForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "upload":
                form = ReportUploadForm(request.POST, request.FILES)
                if form.is_valid():
                    upload = form.cleaned_data["file"]
                    report, created = participant_reports.upload_participant_report(
                        event=event,
                        content=upload.read(),
                        filename=upload.name or "",
                        by=request.user,
                        format=form.cleaned_data["format"],
                        threshold_percent=form.cleaned_data["threshold_percent"],
                        record=False,
                    )
                    if not created:
                        messages.info(request, _("This file was uploaded before: here is that import."))
                    return redirect("manage-event-attendance-import", pk=event.pk, import_id=report.pk)
            elif action in ("finalise", "finalise_without_report"):
                finalisation.close_event_attendance(event=event, without_report=action == "finalise_without_report")
                messages.success(request, _("Attendance is final; the follow-ups are on their way."))
                return redirect("manage-event-attendance", pk=event.pk)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("manage-event-attendance", pk=event.pk)
    event.refresh_from_db()
    state = _state(event, now)
    follow_ups, follow_up_counts = _follow_ups(request, event)
    context = {
        "event": event,
        "state": state,
        # until attendance is final its figures count nobody in: the door's own count says who is
        # in so far (the figures read "0 attended" while the door had checked people in)
        "door": door_counts(event=event) if state in ("not_over", "open") and event.has_venue else None,
        "needs_report": finalisation.needs_report(event),
        # once the event has begun, a person's attendance is also recorded by hand, on the
        # Registrations tab (registrations.services.attendance.decide_attendance): said here too
        "begun": event.start <= now,
        "by_hand": decided_by_hand(
            Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED)
        ).count()
        if event.start <= now
        else 0,
        "figures": figures.event_attendance_figures(event=event),
        "form": form,
        "imports": imports_managed_by(request.user).filter(event=event).order_by("-created_at", "-id")[:RECENT_IMPORTS],
        "follow_ups": follow_ups,
        "follow_up_counts": follow_up_counts,
        "follow_ups_not_shown": {group: count - len(follow_ups[group]) for group, count in follow_up_counts.items()},
    }
    return no_store(render(request, "attendance/manage/attendance.html", context))


@organiser_required
@require_http_methods(["GET", "POST"])
def attendance_import(request, pk: int, import_id: int):
    event = managed_event(request, pk)
    # the file is not read: the preview is the stored one (participant_reports.stored_plan)
    report = get_object_or_404(
        imports_managed_by(request.user).filter(event=event).defer(None).defer("content"), pk=import_id
    )
    if request.method == "POST":
        action = request.POST.get("action")
        row = None  # a row matched leaves the list of those not matched: back at its heading
        try:
            if action == "match":
                registration = registrant_named(event=event, value=request.POST.get("registration", ""))
                line = posted_id(request.POST.get("line"))
                participant_reports.match_row(report=report, line=line, registration=registration, by=request.user)
                if registration is None:
                    messages.success(request, _("Line %(line)s is left unmatched.") % {"line": line})
                else:
                    said = _("Line %(line)s is %(name)s now.")
                    messages.success(request, said % {"line": line, "name": person_name(registration.name)})
            elif action == "record":
                participant_reports.record_import(
                    report=report, send_corrections=request.POST.get("send_corrections") == "on"
                )
                messages.success(request, _("Recording the attendance of this report."))
            elif action == "retry":
                participant_reports.retry_import(report=report)
        except DomainError as error:
            messages.error(request, error.message)
            if action == "match":
                row = f"line-{posted_id(request.POST.get('line'))}"  # refused: the row is still there
        # the form posts to the page's own address: a match made from a search result comes back to
        # the same search, with the rows still to match beside it
        next_page = reverse("manage-event-attendance-import", args=(event.pk, report.pk))
        query = request.GET.get("q", "").strip()[:100]
        url = f"{next_page}?{urlencode({'q': query})}" if query else next_page
        if action != "match":
            return redirect(url)
        return back_to_row(request, url, row, heading="unmatched")

    plan = None
    choices = []
    choices_total = 0
    query = request.GET.get("q", "").strip()[:100]
    preparing = False
    if report.status == AttendanceImport.Status.PREVIEW:
        plan = participant_reports.stored_plan(report)
        preparing = plan is None
        if plan is not None:
            taken = {person.registration.pk for person in plan.matched}
            candidates = registrants_to_match(event=event, taken=taken, query=query)
            choices_total = candidates.count()
            choices = list(candidates.only("pk", "name", "email")[:CHOICES_SHOWN])
    follow_ups_sent = outbox_managed_by(request.user).filter(event=event, kind__in=kinds.FOLLOW_UPS).exists()
    context = {
        "event": event,
        "report": report,
        "plan": plan,
        # a form (with every registrant to choose from) for so many rows at most: a report of
        # thousands of strangers made a page of hundreds of megabytes
        "matched_shown": plan.matched[:MATCHED_SHOWN] if plan else [],
        "matched_not_shown": max(len(plan.matched) - MATCHED_SHOWN, 0) if plan else 0,
        "unmatched_shown": plan.unmatched[:UNMATCHED_SHOWN] if plan else [],
        "unmatched_not_shown": max(len(plan.unmatched) - UNMATCHED_SHOWN, 0) if plan else 0,
        "choices": choices,
        "choices_total": choices_total,
        "choices_not_shown": max(choices_total - len(choices), 0),
        "query": query,
        "follow_ups_sent": follow_ups_sent,
        "in_progress": report.status == AttendanceImport.Status.QUEUED or preparing,
        # a big file's preview, matched by a job
        "preparing": preparing,
        "stuck": participant_reports.is_stuck(report) or participant_reports.preview_is_stuck(report),
        "retry_may_help": participant_reports.retry_may_help(report),
        "failure": participant_reports.failure_text(report),
        # a recorded report's rows nobody was found for: so many listed, the rest counted (20,000
        # held the page for 2.6 s)
        "recorded_unmatched_shown": (report.unmatched_rows or [])[:UNMATCHED_SHOWN],
        "recorded_unmatched_not_shown": max(len(report.unmatched_rows or []) - UNMATCHED_SHOWN, 0),
        "plan_format": dict(AttendanceImport.Format.choices).get(plan.format, plan.format) if plan else "",
    }
    return no_store(render(request, "attendance/manage/import.html", context))
