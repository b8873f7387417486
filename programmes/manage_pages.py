"""Workspace pages of the programmes app.

The organiser's dashboard: figures, upcoming and past events, attendance charts, and a link to
each programme's impact report. The figures and charts are attendance's (attendance.dashboard,
attendance.charts, and the CSV exports in attendance.exports); the page lives in this app
because it also reads the programmes, which sit above attendance.

Programmes, their cohorts and the cohorts' members: each page parses its form and calls one of
:mod:`programmes.services` or :mod:`programmes.certificates`. What a page may touch comes only
from the ``*_managed_by`` selectors: another organiser's programme, cohort or enrolment is a 404.
"""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from attendance import dashboard
from attendance.charts import stacked_bars_svg
from attendance.services.exports import recent_exports
from events import when as when_rule
from events.models import Event, EventKind, EventStatus
from events.selectors import events_managed_by
from events.workspace import asked_id, back_to_listed_row, back_to_row, no_store, organiser_required, posted_id
from events_project import picker
from events_project.exceptions import DomainError
from events_project.people import person_name
from events_project.typed_text import tidy_email
from programmes import certificates, enrolment_lists, selectors, services
from programmes.exceptions import ProgrammeError, ProgrammeNotOver
from programmes.manage_forms import (
    CohortForm,
    DashboardFilterForm,
    EnrolForm,
    EnrolmentFilterForm,
    EnrolmentListForm,
    MentorForm,
    ProgrammeForm,
)
from programmes.models import Cohort, Enrolment, Programme, SessionSkip
from registrations.models import RegistrationStatus

# rows a list page shows at a time (programmes, a cohort's enrolments, a programme's one-off events)
PROGRAMMES_PER_PAGE = 25
PER_PAGE = 50
PROGRAMME_EVENTS_PER_PAGE = 25
# the programme's page holds the programme's form and the new cohort's: both have a "series"
COHORT_IDS = "cohort_%s"

CHART_MONTHS = 12
# impact reports on the dashboard, the newest programmes first (one a year for decades adds up)
REPORTS_SHOWN = 6


@require_GET
@organiser_required
def dashboard_page(request):
    now = timezone.now()
    # the programmes whose reports the organiser may read; their relations are not shown here
    visible = selectors.programmes_visible_to(request.user).prefetch_related(None)
    programmes = list(visible.order_by("-starts_on", "title"))
    # a programme one may not see is a 404 like an unknown one, never the unfiltered dashboard
    programme_id = asked_id(request, "programme")
    if programme_id is not None and all(programme.pk != programme_id for programme in programmes):
        raise Http404
    form = DashboardFilterForm(request.GET or None, programmes=programmes)
    events = form.narrow(Event.objects.all())
    filtered = form.is_valid() and any(form.cleaned_data.values())
    if form.chosen_programme() is not None:
        events = events.filter(pk__in=selectors.programme_events(form.chosen_programme()).values("pk"))
    kind_names = dict(EventKind.choices)
    months, by_group = dashboard.attendance_by_month_grouped(
        request.user, months=CHART_MONTHS, groups=("kind", "region"), events=events
    )
    by_kind, by_region = by_group["kind"], by_group["region"]
    month_labels = [when_rule.local_date(month, "CHART_MONTH_FORMAT") for month in months]
    context = {
        "form": form,
        "filtered": filtered,
        "query": request.GET.urlencode(),
        # the CSV exports apply the same kind and region filters (attendance.exports)
        "export_query": form.export_query(),
        # the background exports one asked for, kept a day: found again from here
        "recent_exports": recent_exports(request.user),
        "summary": dashboard.summary(request.user, now=now, events=events),
        # the newest programmes' reports; the programmes' page lists every one, a page at a time
        "programmes": programmes[:REPORTS_SHOWN],
        "programmes_not_shown": max(len(programmes) - REPORTS_SHOWN, 0),
        "upcoming": list(dashboard.upcoming_events(request.user, now=now, events=events)[:50]),
        "past": dashboard.past_events(request.user, now=now, events=events),
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
    return no_store(render(request, "programmes/manage/dashboard.html", context))


# --- programmes, cohorts, enrolments ----------------------------------------------------


def managed_programme(request, pk) -> Programme:
    """The programme ``pk`` if the user organises it; 404 otherwise (ids reveal nothing). Its
    series and events are not read ahead: a programme may hold thousands of one-off events, which
    its page lists a page at a time."""
    programme = selectors.programmes_managed_by(request.user).prefetch_related(None).filter(pk=posted_id(pk)).first()
    if programme is None:
        raise Http404
    return programme


def managed_cohort(request, programme: Programme, pk) -> Cohort:
    cohort = selectors.cohorts_managed_by(request.user).filter(programme=programme, pk=posted_id(pk)).first()
    if cohort is None:
        raise Http404
    return cohort


def managed_enrolment(request, cohort: Cohort, pk) -> Enrolment:
    enrolment = selectors.enrolments_managed_by(request.user).filter(cohort=cohort, pk=posted_id(pk)).first()
    if enrolment is None:
        raise Http404
    return enrolment


@require_GET
@organiser_required
def programme_list(request):
    """The programmes this organiser organises, newest first, each with its report."""
    programmes = selectors.programmes_managed_by(request.user).prefetch_related(None).order_by("-starts_on", "-id")
    page = Paginator(programmes, PROGRAMMES_PER_PAGE).get_page(request.GET.get("page"))
    return no_store(render(request, "programmes/manage/programme_list.html", {"page": page}))


def _save_programme(request, form, programme: Programme | None):
    """Create or update through the service; a model rule it refuses goes back on the form."""
    if programme is None:
        return form.save_through(lambda fields: services.create_programme(by=request.user, **fields))
    return form.save_through(lambda fields: services.update_programme(programme=programme, by=request.user, **fields))


@organiser_required
@require_http_methods(["GET", "POST"])
def programme_new(request):
    form = ProgrammeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        programme = _save_programme(request, form, None)
        if programme is not None:
            messages.success(request, _("The programme is created. Add its one-off events and cohorts below."))
            return redirect("manage-programme", pk=programme.pk)
    status = 400 if request.method == "POST" else 200
    return no_store(render(request, "programmes/manage/programme_new.html", {"form": form}, status=status))


def _issued_in_words(issued: list, before: set) -> str:
    new = [certificate for certificate in issued if certificate.pk not in before]
    if not issued:
        return _("Nobody has reached the attendance threshold yet: no certificate was issued.")
    if not new:
        return ngettext(
            "No new certificate: the %(count)s participant who reached the threshold already has one.",
            "No new certificate: the %(count)s participants who reached the threshold already have one.",
            len(issued),
        ) % {"count": len(issued)}
    return ngettext(
        "%(count)s certificate issued; each participant is emailed theirs.",
        "%(count)s certificates issued; each participant is emailed theirs.",
        len(new),
    ) % {"count": len(new)}


@organiser_required
@require_http_methods(["GET", "POST"])
def programme_detail(request, pk: int):
    """A programme: edit it, its cohorts and a new one, certificates for everyone eligible."""
    programme = managed_programme(request, pk)
    form = ProgrammeForm(user=request.user, programme=programme)
    cohort_form = CohortForm(programme=programme, user=request.user, auto_id=COHORT_IDS)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "edit":
            form = ProgrammeForm(request.POST, user=request.user, programme=programme)
            if form.is_valid() and _save_programme(request, form, programme) is not None:
                messages.success(request, _("The programme is saved."))
                return redirect("manage-programme", pk=programme.pk)
        elif action == "cohort":
            cohort_form = CohortForm(request.POST, programme=programme, user=request.user, auto_id=COHORT_IDS)
            if cohort_form.is_valid():
                try:
                    cohort = services.create_cohort(programme=programme, by=request.user, **cohort_form.cleaned_data)
                except ValidationError as error:
                    for message in error.messages:
                        cohort_form.add_error(None, message)
                except DomainError as error:
                    cohort_form.add_domain_error(error)
                else:
                    messages.success(request, _("Cohort created: “%(name)s”.") % {"name": cohort.name})
                    return redirect("manage-cohort", pk=programme.pk, cohort_pk=cohort.pk)
        elif action == "certificates":
            before = set(
                selectors.certificates_managed_by(request.user)
                .filter(enrolment__cohort__programme=programme, revoked_at__isnull=True)
                .values_list("pk", flat=True)
            )
            try:
                issued = certificates.issue_certificates(
                    programme=programme, by=request.user, before_end=bool(request.POST.get("early"))
                )
            except ProgrammeNotOver:
                # the service's rule, in the words of this page's form
                messages.error(
                    request,
                    _("The programme has not ended: tick the box to issue certificates now, before its end."),
                )
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _issued_in_words(issued, before))
            return redirect("manage-programme", pk=programme.pk)
        elif action in ("add_event", "remove_event"):
            _add_or_remove_event(request, programme, action)
            return redirect(_events_back(request, programme))
        else:
            raise Http404
    # the one-off events: the ones held a page at a time, the ones to add by search (a box for
    # each event the organiser ever ran weighed 400 KB at 2,500 events a year)
    held = Paginator(selectors.one_off_events_of(programme), PROGRAMME_EVENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    removable = set(
        events_managed_by(request.user)
        .prefetch_related(None)
        .filter(pk__in=[event.pk for event in held])
        .values_list("pk", flat=True)
    )
    found = picker.search_to_add(
        selectors.events_to_add(programme, user=request.user),
        text=request.GET.get("find"),
        fields=("title",),
        label=_event_label,
        badge=_event_badge,
    )
    context = {
        "programme": programme,
        "form": form,
        "cohort_form": cohort_form,
        "cohorts": selectors.cohorts_of(programme),
        "running": not programme.has_ended(),
        # before its first day no session has been held: "issue them now" would issue nothing
        "not_started": programme.starts_on > timezone.localdate(),
        # nor, its first day passed, while none of its events is over yet (each press was refused)
        "nothing_held": not selectors.held_events(selectors.programme_events(programme), now=timezone.now()).exists(),
        "held_events": held,
        "removable": removable,
        "found": found,
        "find_query": urlencode({"find": found.text}) if found.text else "",
        "events_page": held.number,
    }
    status = 400 if request.method == "POST" else 200
    return no_store(render(request, "programmes/manage/programme_detail.html", context, status=status))


def _event_label(event: Event) -> str:
    return f"{event.title} · {when_rule.card(event)}"


def _event_badge(event: Event) -> tuple[str, str] | None:
    # a draft and its published copy (same title, same time) read alike without it
    return ("draft", _("Draft")) if event.status == EventStatus.DRAFT else None


def _add_or_remove_event(request, programme: Programme, action: str) -> None:
    """Add one of the organiser's one-off events to the programme, or take one out; what the page
    says then. An event the organiser does not run (or, to take out, that the programme does not
    hold) is a 404, as every id of another organiser's."""
    event_pk = posted_id(request.POST.get("event"))
    if action == "add_event":
        event = events_managed_by(request.user).prefetch_related(None).filter(pk=event_pk).first()
    else:
        event = selectors.one_off_events_of(programme).filter(pk=event_pk).first()
    if event is None:
        raise Http404
    try:
        if action == "add_event":
            services.add_programme_event(programme=programme, event=event, by=request.user)
            done = _("“%(title)s” is in the programme now.")
        else:
            services.remove_programme_event(programme=programme, event=event, by=request.user)
            done = _("“%(title)s” is taken out of the programme.")
    except DomainError as error:
        messages.error(request, error.message, extra_tags="events")
    else:
        # shown beside the list the page is sent back to (#events), not at the top out of view
        messages.success(request, done % {"title": event.title}, extra_tags="events")


def _events_back(request, programme: Programme) -> str:
    """Back to the programme's one-off events as the organiser left them: the same search and page."""
    query = {"find": picker.search_text(request.POST.get("find"))}
    page = request.POST.get("page", "")
    if page.isdigit() and page != "1" and len(page) < 10:
        query["page"] = page
    query = {key: value for key, value in query.items() if value}
    url = reverse("manage-programme", args=[programme.pk])
    return f"{url}?{urlencode(query)}#events" if query else f"{url}#events"


# a list's refused lines shown on the page at most (the page stays small)
REFUSALS_SHOWN = 100
# the sessions still to come a member may be excused from on the cohort's page, the next ones first
SESSIONS_TO_EXCUSE = 60
# how long the pasted lists stay unfolded on the cohort's page after the newest was pasted
LISTS_OPEN_FOR = dt.timedelta(days=1)


def _list_queued_in_words(listed) -> str:
    queued = ngettext(
        "%(count)s person is being enrolled in the background; this page shows how far it has got.",
        "%(count)s people are being enrolled in the background; this page shows how far it has got.",
        listed.total,
    ) % {"count": listed.total}
    if not listed.refused:
        return queued
    refused = ngettext(
        "%(count)s line is refused: see why below.", "%(count)s lines are refused: see why below.", len(listed.refused)
    ) % {"count": len(listed.refused)}
    return f"{queued} {refused}" if listed.total else refused


def _recent_lists(cohort: Cohort) -> list:
    """The cohort's three newest pasted lists, each with its refused lines in words."""
    lists = list(cohort.enrolment_lists.defer("rows").order_by("-created_at", "-id")[:3])
    for listed in lists:
        listed.refusals = [
            {
                "line": refusal.get("line"),
                "text": refusal.get("text", ""),
                "reason": enrolment_lists.refusal_reason(refusal),
            }
            for refusal in listed.refused[:REFUSALS_SHOWN]
        ]
        listed.refusals_hidden = max(len(listed.refused) - REFUSALS_SHOWN, 0)
    return lists


def _pair(request, cohort: Cohort, mentors: list) -> str:
    """Pair the ticked members with the mentor chosen (or unpair them); what the page says then.
    One mentor list for the page, not one per card: 30 mentors on each of 50 cards weighed 180 KB."""
    # each ticked member once, read at once: a form may repeat an id (up to Django's 1,000 fields)
    ids = {posted_id(value) for value in request.POST.getlist("chosen")}
    chosen = list(
        selectors.enrolments_managed_by(request.user).filter(cohort=cohort, pk__in=ids).order_by("name", "id")
    )
    if len(chosen) != len(ids):
        raise Http404
    form = MentorForm(request.POST, mentors=mentors)
    if not form.is_valid():
        # a speaker who is not one of the cohort's mentors (the form offers only those)
        raise ProgrammeError(_("Choose one of the cohort's mentors."), "not_a_mentor")
    if not chosen:
        raise ProgrammeError(_("Tick the members to pair first."), "nobody_chosen")
    mentor = form.cleaned_data["mentor"]
    for enrolment in chosen:
        services.assign_mentor(enrolment=enrolment, mentor=mentor, by=request.user)
    if len(chosen) == 1:
        if mentor is None:
            return _("%(name)s has no mentor now.") % {"name": chosen[0].name}
        return _("%(name)s is paired with %(mentor)s.") % {"name": chosen[0].name, "mentor": mentor.name}
    if mentor is None:
        return _("%(count)s members have no mentor now.") % {"count": len(chosen)}
    return _("%(count)s members are paired with %(mentor)s.") % {"count": len(chosen), "mentor": mentor.name}


def _back(request, programme: Programme, cohort: Cohort) -> str:
    """Back to the cohort's list as the organiser searched it (only a query string of this page)."""
    query = request.POST.get("back", "")
    url = reverse("manage-cohort", args=[programme.pk, cohort.pk])
    return f"{url}?{query.lstrip('?')}" if query and "\n" not in query and "\r" not in query else url


def _back_to_member(request, programme: Programme, cohort: Cohort, action: str):
    """The list as it was searched, at the member's card after a button on it; at the count of
    those listed when the card left the list (left the cohort while it lists the active ones), or
    after pairing several chosen members with a mentor."""
    url = _back(request, programme, cohort)
    if action == "mentor":
        return back_to_row(request, url, None, heading="listed")
    enrolment = managed_enrolment(request, cohort, request.POST.get("enrolment"))
    listed = EnrolmentFilterForm(QueryDict(request.POST.get("back", "").lstrip("?"))).filters()
    return back_to_listed_row(
        request,
        url,
        listed=selectors.search_enrolments(cohort, **listed),
        pk=enrolment.pk,
        row=f"member-{enrolment.pk}",
        heading="listed",
        per_page=PER_PAGE,
        gone=_("%(name)s is no longer listed: not among those this search and this status show.")
        % {"name": person_name(enrolment.name)},
    )


def _one_certificate(request, cohort: Cohort, action: str) -> str:
    """Issue one member's certificate (refused under the threshold, in words) or revoke the valid
    one; what the page says then."""
    enrolment = managed_enrolment(request, cohort, request.POST.get("enrolment"))
    name = person_name(enrolment.name)
    if action == "certificate":
        certificates.issue_certificate(enrolment=enrolment, by=request.user)
        return _("%(name)s has a certificate; it is emailed to them.") % {"name": name}
    certificate = (
        selectors.certificates_managed_by(request.user).filter(enrolment=enrolment, revoked_at__isnull=True).first()
    )
    if certificate is None:
        raise ProgrammeError(_("%(name)s has no valid certificate to revoke.") % {"name": name}, "no_certificate")
    certificates.revoke_certificate(certificate=certificate, by=request.user, reason=request.POST.get("reason", ""))
    return _("The certificate of %(name)s is revoked: its verification page says so from now on.") % {"name": name}


def _session(request, cohort: Cohort) -> Event:
    """The cohort's session posted as ``event``; 404 for anything else (ids reveal nothing)."""
    event = selectors.cohort_events(cohort).filter(pk=posted_id(request.POST.get("event"))).first()
    if event is None:
        raise Http404
    return event


def _one_skip(request, cohort: Cohort, action: str) -> str:
    """Excuse one member from one session still to come (their place is cancelled), or take the
    excuse back (they are registered again, if the session still takes them); what the page says then."""
    enrolment = managed_enrolment(request, cohort, request.POST.get("enrolment"))
    event = _session(request, cohort)
    name, when = person_name(enrolment.name), when_rule.card(event)
    if action == "skip":
        services.skip_session(enrolment=enrolment, event=event, reason=request.POST.get("reason", ""), by=request.user)
        return _("%(name)s is excused from the session of %(when)s; their seat there is cancelled.") % {
            "name": name,
            "when": when,
        }
    registration = services.undo_skip(enrolment=enrolment, event=event, by=request.user)
    if registration is None:
        return _(
            "%(name)s is no longer excused from the session of %(when)s, but it takes no registration "
            "for them now (closed, or full without a waiting list)."
        ) % {"name": name, "when": when}
    if registration.status == RegistrationStatus.WAITLISTED:
        return _(
            "%(name)s is no longer excused from the session of %(when)s; it is full, so they are on its waiting list."
        ) % {"name": name, "when": when}
    return _("%(name)s is no longer excused from the session of %(when)s and is registered for it again.") % {
        "name": name,
        "when": when,
    }


def _skips_of(members: list, sessions: list, *, cohort: Cohort, now) -> None:
    """Each member's sessions still to come that they may be excused from (among ``sessions``,
    the next SESSIONS_TO_EXCUSE), and every one they are excused from (which can be taken back,
    however far ahead), in one query for the page."""
    skipped: dict[int, list] = {}
    for skip in (
        SessionSkip.objects.filter(
            enrolment__in=[member.pk for member in members],
            event__in=selectors.cohort_events(cohort).filter(status=EventStatus.PUBLISHED, start__gt=now).values("pk"),
        )
        .select_related("event")
        .order_by("event__start", "event_id")
    ):
        skipped.setdefault(skip.enrolment_id, []).append(skip.event)
    for member in members:
        member.skipped = skipped.get(member.pk, [])
        own = {session.pk for session in member.skipped}
        member.skippable = [session for session in sessions if session.pk not in own]


@organiser_required
@require_http_methods(["GET", "POST"])
def cohort_detail(request, pk: int, cohort_pk: int):
    """A cohort's members: search, enrol one person, pair a mentor, excuse someone from a session
    (or take it back), let someone leave, issue or revoke one member's certificate."""
    programme = managed_programme(request, pk)
    cohort = managed_cohort(request, programme, cohort_pk)
    mentors = selectors.mentors_for(cohort, user=request.user)
    filters = EnrolmentFilterForm(request.GET or None)
    enrol_form = EnrolForm(mentors=mentors)
    list_form = EnrolmentListForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "enrol_list":
            list_form = EnrolmentListForm(request.POST)
            if list_form.is_valid():
                try:
                    listed = enrolment_lists.queue_enrolment_list(
                        cohort=cohort, text=list_form.cleaned_data["lines"], created_by=request.user
                    )
                except DomainError as error:
                    list_form.add_error(None, error.message)
                else:
                    # said in the lists' box the page is sent back to (#lists), not at the top out of view
                    messages.success(request, _list_queued_in_words(listed), extra_tags="lists")
                    return redirect(f"{_back(request, programme, cohort)}#lists")
        elif action == "enrol":
            enrol_form = EnrolForm(request.POST, mentors=mentors)
            if enrol_form.is_valid():
                active = cohort.enrolments.filter(
                    email=tidy_email(enrol_form.cleaned_data["email"]), status=Enrolment.Status.ACTIVE
                ).exists()
                try:
                    enrolment = services.enrol(cohort=cohort, by=request.user, **enrol_form.cleaned_data)
                except ValidationError as error:
                    for message in error.messages:
                        enrol_form.add_error(None, message)
                except DomainError as error:
                    enrol_form.add_error(None, error.message)
                else:
                    if active:
                        messages.info(request, _("%(email)s is already in the cohort.") % {"email": enrolment.email})
                    elif (
                        selectors.cohort_events(cohort)
                        .filter(status=EventStatus.PUBLISHED, start__gt=timezone.now())
                        .exists()
                    ):
                        messages.success(
                            request,
                            _("%(name)s is enrolled and registered for the sessions still to come.")
                            % {"name": enrolment.name},
                        )
                    else:
                        messages.success(
                            request,
                            _(
                                "%(name)s is enrolled. The cohort has no published session to come yet: they are "
                                "registered for each one when it is published."
                            )
                            % {"name": enrolment.name},
                        )
                    # "#main": the message at the top, not the list a pasted list's redirect scrolled to
                    return redirect(f"{_back(request, programme, cohort)}#main")
        elif action in ("mentor", "leave", "certificate", "revoke", "skip", "undo_skip"):
            try:
                if action == "mentor":
                    done = _pair(request, cohort, mentors)
                elif action in ("certificate", "revoke"):
                    done = _one_certificate(request, cohort, action)
                elif action in ("skip", "undo_skip"):
                    done = _one_skip(request, cohort, action)
                else:
                    enrolment = managed_enrolment(request, cohort, request.POST.get("enrolment"))
                    services.leave_cohort(enrolment=enrolment, by=request.user)
                    done = _(
                        "%(name)s has left the cohort; their seats at the sessions still to come are cancelled."
                    ) % {"name": enrolment.name}
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, done)
            return _back_to_member(request, programme, cohort, action)
        else:
            raise Http404
    chosen = filters.filters()
    page = Paginator(selectors.search_enrolments(cohort, **chosen), PER_PAGE).get_page(request.GET.get("page"))
    # each member's valid certificate, in one query for the page
    valid = {
        certificate.enrolment_id: certificate
        for certificate in selectors.certificates_managed_by(request.user).filter(
            enrolment__in=[enrolment.pk for enrolment in page.object_list], revoked_at__isnull=True
        )
    }
    for enrolment in page.object_list:
        enrolment.valid_certificate = valid.get(enrolment.pk)
    # the sessions a member may be excused from: one list for the page, read once
    now = timezone.now()
    # the sessions one may be excused from: the next ones only (a whole-programme cohort follows
    # every one-off event of its programme, which may hold thousands: each an option)
    to_come = list(
        selectors.cohort_events(cohort)
        .filter(status=EventStatus.PUBLISHED, start__gt=now)
        .order_by("start", "id")[:SESSIONS_TO_EXCUSE]
    )
    active = [member for member in page.object_list if member.status == Enrolment.Status.ACTIVE]
    _skips_of(active, to_come, cohort=cohort, now=now)
    # "excuse": the member whose card shows the form to excuse them from a session (one at a time:
    # a list of a year's sessions in each of 50 cards weighed more than the page may)
    query = {key: value for key, value in request.GET.items() if key not in ("page", "excuse") and value}
    excusing = request.GET.get("excuse", "")
    for member in page.object_list:
        member.excusing = str(member.pk) == excusing and bool(getattr(member, "skippable", None))
    lists = _recent_lists(cohort)
    context = {
        "programme": programme,
        "cohort": cohort,
        "mentors": mentors,
        "next_session": to_come[0] if to_come else None,
        # before a session is over, "Issue a certificate" on each card was only ever refused
        "sessions_held": selectors.cohort_has_held_a_session(cohort, now=now),
        # "None planned" misled while the sessions were there, as drafts: say so (members get their
        # places when they are published); only the drafts the reader may see are counted
        "draft_sessions": 0
        if to_come
        else selectors.draft_sessions_seen_by(cohort, user=request.user, now=now).count(),
        "filters": filters,
        "filtered": any(chosen.values()),
        "page": page,
        "query": urlencode(query),
        # where a form on a member card comes back to: this search and this page
        "back": urlencode({**query, "page": page.number} if page.number > 1 else query),
        "active_members": cohort.enrolments.filter(status=Enrolment.Status.ACTIVE).count(),
        "enrol_form": enrol_form,
        "list_form": list_form,
        "lists": lists,
        # open while a list is at work or was pasted lately; folded later, its refusals no longer
        # stand between the organiser and the members
        "lists_open": any(listed.finished_at is None or listed.created_at > now - LISTS_OPEN_FOR for listed in lists),
        # an empty cohort whose pasted list is still at work is not "Nobody is enrolled yet"
        "lists_at_work": any(listed.finished_at is None for listed in lists),
    }
    status = 400 if request.method == "POST" else 200
    return no_store(render(request, "programmes/manage/cohort_detail.html", context, status=status))
