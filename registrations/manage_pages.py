"""Workspace pages of the registrations app: an event's registrations, questions and invitation codes."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from events.models import EventFormat
from events.workspace import back_to_listed_row, back_to_row, managed_event, no_store, organiser_required, posted_id
from events_project.exceptions import DomainError
from events_project.people import person_name
from registrations.manage_forms import (
    AddRegistrationForm,
    InvitationForm,
    MessageRegistrantsForm,
    QuestionForm,
    RegistrationFilterForm,
)
from registrations.models import Attendance, Invitation, Question, Registration
from registrations.selectors import message_audience, registration_figures, search_registrations, sector_balance
from registrations.services import attendance as attendance_services
from registrations.services import invitations as invitation_services
from registrations.services import messages as message_services
from registrations.services import questions as question_services
from registrations.services import registration as registration_services

# rows a list page shows at a time (registrations, invitation codes)
PER_PAGE = 50


@organiser_required
@require_http_methods(["GET", "POST"])
def event_questions(request, pk: int):
    """The questions asked at registration: add, reorder, delete (edit on their own page)."""
    event = managed_event(request, pk)
    form = QuestionForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                form = QuestionForm(request.POST)
                if form.is_valid():
                    question_services.create_question(event=event, by=request.user, **form.service_fields())
                    messages.success(request, _("The question is added."))
                    return redirect("manage-event-questions", pk=event.pk)
            elif action in ("up", "down", "delete"):
                question = get_object_or_404(event.questions.all(), pk=posted_id(request.POST.get("question")))
                if action == "delete":
                    question_services.delete_question(question=question, by=request.user)
                    messages.success(request, _("The question and its answers are deleted."))
                else:
                    question_services.move_question(
                        question=question, by=request.user, step=-1 if action == "up" else 1
                    )
                    moved = _("“%(label)s” is moved up.") if action == "up" else _("“%(label)s” is moved down.")
                    messages.success(request, moved % {"label": question.label})
                url = reverse("manage-event-questions", args=[event.pk])
                row = None if action == "delete" else f"question-{question.pk}"
                return back_to_row(request, url, row, heading="questions")
        except DomainError as error:
            form.add_error(None, error.message)
    context = {"event": event, "form": form, "questions": event.questions.order_by("position", "id")}
    return no_store(render(request, "registrations/manage/questions.html", context))


@organiser_required
@require_http_methods(["GET", "POST"])
def question_edit(request, pk: int, question_pk: int):
    event = managed_event(request, pk)
    question = get_object_or_404(Question.objects.filter(event=event), pk=posted_id(question_pk))
    form = QuestionForm(request.POST or None, question=question)
    if request.method == "POST" and form.is_valid():
        try:
            question_services.update_question(question=question, by=request.user, **form.service_fields())
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The question is saved."))
            return redirect("manage-event-questions", pk=event.pk)
    return no_store(
        render(request, "registrations/manage/question_edit.html", {"event": event, "question": question, "form": form})
    )


def _invitations_page(request, event) -> str:
    """The page of codes the organiser was on (a code's buttons post to it): not back to page 1."""
    url = reverse("manage-event-invitations", args=[event.pk])
    number = request.GET.get("page", "")
    return f"{url}?page={number}" if number.isascii() and number.isdigit() and len(number) < 10 else url


def _back_to_code(request, event, invitation):
    """The page of codes again, at the code's card (a withdrawn code stays listed, marked so)."""
    return back_to_row(request, _invitations_page(request, event), f"invitation-{invitation.pk}", heading="invited")


@organiser_required
@require_http_methods(["GET", "POST"])
def event_invitations(request, pk: int):
    """Invitation codes (roundtables): invite, resend, withdraw; who used each, who came instead."""
    event = managed_event(request, pk)
    form = InvitationForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "invite":
                form = InvitationForm(request.POST)
                if form.is_valid():
                    invitation = invitation_services.create_invitation(
                        event=event, by=request.user, **form.cleaned_data
                    )
                    messages.success(request, _("We emailed a code to %(email)s.") % {"email": invitation.email})
                    return redirect("manage-event-invitations", pk=event.pk)
            elif action in ("resend", "revoke"):
                invitation = get_object_or_404(event.invitations.all(), pk=posted_id(request.POST.get("invitation")))
                if action == "resend":
                    invitation_services.resend_invitation(invitation=invitation, by=request.user)
                    messages.success(request, _("The code is sent again to %(email)s.") % {"email": invitation.email})
                else:
                    invitation_services.revoke_invitation(invitation=invitation, by=request.user)
                    messages.success(request, _("The invitation is withdrawn: its code no longer works."))
                # a withdrawn code stays on the list, marked so
                return _back_to_code(request, event, invitation)
            elif action == "resend_unused":
                resent = invitation_services.resend_unused_invitations(event=event, by=request.user)
                messages.success(request, _("Codes sent again: %(count)s.") % {"count": len(resent)})
                return redirect("manage-event-invitations", pk=event.pk)
        except DomainError as error:
            if action == "invite":
                form.add_error(None, error.message)
            else:
                messages.error(request, error.message)
                if action in ("resend", "revoke"):
                    return _back_to_code(request, event, invitation)
                return redirect(_invitations_page(request, event))
    registrations = Registration.objects.select_related("substitute_for").prefetch_related(
        Prefetch("substitutes", queryset=Registration.objects.order_by("created_at"))
    )
    invitations = (
        Invitation.objects.filter(event=event)
        .prefetch_related(Prefetch("registration_set", queryset=registrations, to_attr="registrations"))
        .order_by("created_at", "id")
    )
    # a roundtable may invite hundreds: the page shows them a page at a time, the figures count all
    page = Paginator(invitations, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "event": event,
        "form": form,
        "invitations": page.object_list,
        "page": page,
        "balance": sector_balance(event),
        "unused": invitations.filter(used_at__isnull=True, revoked_at__isnull=True).count(),
    }
    return no_store(render(request, "registrations/manage/invitations.html", context))


# a row's button → the service it runs and what the page says afterwards
ROW_ACTIONS = {
    "approve": (registration_services.approve_registration, gettext_lazy("%(name)s is approved and has their ticket.")),
    "reject": (registration_services.reject_registration, gettext_lazy("%(name)s is turned down and told so.")),
    "promote": (
        registration_services.promote_registration,
        gettext_lazy("%(name)s is moved in from the waiting list."),
    ),
    "cancel": (registration_services.cancel_registration, gettext_lazy("The registration of %(name)s is cancelled.")),
    "resend": (message_services.resend_ticket, gettext_lazy("The ticket is sent again to %(name)s.")),
}


# the row actions whose form may say why (the registrant's mail says it): at most this long
ACTIONS_WITH_REASON = ("cancel",)
REASON_LENGTH = 500


def _row_action(action: str, registration, by, posted) -> str:
    """Run one row's button through its service; the message to show afterwards."""
    if action == "attendance":
        attendance_services.decide_attendance(registration=registration, attendance=posted.get("attendance"), by=by)
        said = {"name": registration.name, "attendance": registration.get_attendance_display()}
        if registration.attendance_by_hand:
            return _("%(name)s: “%(attendance)s” is recorded, by hand.") % said
        if registration.attendance != Attendance.UNKNOWN:
            # an in-person event's final record: the door decided again
            return _("%(name)s: the door's record decides again: “%(attendance)s”.") % said
        # who decides next is the event's own source: an in-person event has no participant
        # report, an online one no door (attendance.services.finalisation.needs_report)
        if registration.event.format == EventFormat.IN_PERSON:
            return _("%(name)s: “%(attendance)s”; the door's check-ins decide when attendance is final.") % said
        if registration.event.format == EventFormat.ONLINE:
            return _("%(name)s: “%(attendance)s”; the next participant report decides.") % said
        return _("%(name)s: “%(attendance)s”; the door or the next report decides.") % said
    if action not in ROW_ACTIONS:
        raise Http404
    service, done = ROW_ACTIONS[action]
    reason = posted.get("reason", "")
    extra = {"reason": " ".join(reason.split())[:REASON_LENGTH]} if action in ACTIONS_WITH_REASON else {}
    service(registration=registration, by=by, **extra)
    return str(done) % {"name": registration.name}


def messaged_text(outcome) -> str:
    """What writing to the chosen registrants did, in words whose counts add up to those chosen."""
    if outcome.queued:
        parts = [
            ngettext("%(count)s message is on its way.", "%(count)s messages are on their way.", outcome.queued)
            % {"count": outcome.queued}
        ]
    else:
        parts = [_("Nothing new was sent.")]
    if outcome.already_sent:
        parts.append(
            ngettext(
                "%(count)s person already had these words and is not written to again.",
                "%(count)s people already had these words and are not written to again.",
                outcome.already_sent,
            )
            % {"count": outcome.already_sent}
        )
    if outcome.without_address:
        parts.append(
            ngettext(
                "%(count)s person chosen has no email address.",
                "%(count)s people chosen have no email address.",
                outcome.without_address,
            )
            % {"count": outcome.without_address}
        )
    return " ".join(parts)


def _back(request, event) -> str:
    """Back to the list as the organiser filtered it (only a query string of this page)."""
    query = request.POST.get("back", "")
    url = reverse("manage-event-registrations", args=[event.pk])
    return f"{url}?{query.lstrip('?')}" if query and "\n" not in query and "\r" not in query else url


def _back_to_registration(request, event, registration):
    """The list as it was filtered, at the registration's card; at the count of those listed
    when the action took it off the list (approved while the list shows those pending)."""
    listed = RegistrationFilterForm(QueryDict(request.POST.get("back", "").lstrip("?"))).filters()
    return back_to_listed_row(
        request,
        _back(request, event),
        listed=search_registrations(event, **listed),
        pk=registration.pk,
        row=f"registration-{registration.pk}",
        heading="listed",
        per_page=PER_PAGE,
        gone=_("%(name)s is no longer listed: not among those this search and these filters show.")
        % {"name": person_name(registration.name)},
    )


@organiser_required
@require_http_methods(["GET", "POST"])
def event_registrations(request, pk: int):
    """An event's registrations: search and filter, approve or turn down, move in from the waiting
    list, cancel, send a ticket again, add someone by hand, and write to the chosen ones."""
    event = managed_event(request, pk)
    filters = RegistrationFilterForm(request.GET or None)
    add_form = AddRegistrationForm()
    message_form = MessageRegistrantsForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                add_form = AddRegistrationForm(request.POST)
                if add_form.is_valid():
                    result = registration_services.add_registration(
                        event=event, by=request.user, **add_form.cleaned_data
                    )
                    added = result.registration
                    if result.already:
                        messages.info(request, _("%(email)s is already registered.") % {"email": added.email})
                    else:
                        messages.success(
                            request,
                            _("%(name)s is added (%(status)s).")
                            % {"name": added.name, "status": added.get_status_display()},
                        )
                    return redirect(_back(request, event))
            elif action == "message":
                message_form = MessageRegistrantsForm(request.POST)
                if message_form.is_valid():
                    if request.POST.get("everyone") == "yes":
                        listed = RegistrationFilterForm(QueryDict(request.POST.get("back", "").lstrip("?"))).filters()
                        chosen = message_audience(search_registrations(event, **listed), status=listed["status"])
                        ids = list(chosen.values_list("pk", flat=True))
                    else:
                        ids = [posted_id(value) for value in request.POST.getlist("chosen")]
                    outcome = message_services.message_registrants(
                        event=event, registration_ids=ids, by=request.user, **message_form.cleaned_data
                    )
                    said = messages.success if outcome.queued else messages.warning
                    said(request, messaged_text(outcome))
                    return redirect(_back(request, event))
            else:
                registration = get_object_or_404(
                    Registration.objects.filter(event=event), pk=posted_id(request.POST.get("registration"))
                )
                messages.success(request, _row_action(action, registration, request.user, request.POST))
                return _back_to_registration(request, event, registration)
        except DomainError as error:
            if action == "add":
                add_form.add_error(None, error.message)
            elif action == "message":
                message_form.add_error("subject" if error.code == "subject_not_one_line" else None, error.message)
            else:
                messages.error(request, error.message)
                return _back_to_registration(request, event, registration)
    chosen_filters = filters.filters()
    registrations = search_registrations(event, **chosen_filters)
    page = Paginator(registrations, PER_PAGE).get_page(request.GET.get("page"))
    query = {key: value for key, value in request.GET.items() if key != "page" and value}
    context = {
        # where a button on a card comes back to: this search, these filters and this page
        "back": urlencode({**query, "page": page.number} if page.number > 1 else query),
        "event": event,
        "filters": filters,
        "filtered": any(value not in ("", None) for value in chosen_filters.values()),
        "page": page,
        # "everyone listed" leaves out who holds no place any more (unless listed by status)
        "audience": message_audience(registrations, status=chosen_filters["status"]).count(),
        "query": urlencode(query),
        "figures": registration_figures(event),
        "event_over": message_services.is_over(event),
        # attendance is recorded by hand once the event has begun (attendance_services.decide_attendance)
        "event_begun": event.start <= timezone.now(),
        "attendance_choices": Attendance.choices,
        "add_form": add_form,
        "message_form": message_form,
    }
    status = 400 if request.method == "POST" else 200
    return no_store(render(request, "registrations/manage/registrations.html", context, status=status))
