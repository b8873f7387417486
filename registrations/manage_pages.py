"""Workspace pages of the registrations app: an event's questions and its invitation codes."""

from django.contrib import messages
from django.db.models import Max, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from events.workspace import managed_event, no_store, organiser_required, posted_id
from events_project.exceptions import DomainError
from registrations.manage_forms import InvitationForm, QuestionForm
from registrations.models import Invitation, Question, Registration
from registrations.selectors import sector_balance
from registrations.services import invitations as invitation_services
from registrations.services import questions as question_services


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
                    last = event.questions.aggregate(last=Max("position"))["last"]
                    question_services.create_question(
                        event=event, by=request.user, position=(last or 0) + 1, **form.service_fields()
                    )
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
                return redirect("manage-event-questions", pk=event.pk)
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
                return redirect("manage-event-invitations", pk=event.pk)
            elif action == "resend_unused":
                sent = 0
                for invitation in event.invitations.filter(used_at__isnull=True, revoked_at__isnull=True):
                    invitation_services.resend_invitation(invitation=invitation, by=request.user)
                    sent += 1
                messages.success(request, _("Codes sent again: %(count)s.") % {"count": sent})
                return redirect("manage-event-invitations", pk=event.pk)
        except DomainError as error:
            if action == "invite":
                form.add_error(None, error.message)
            else:
                messages.error(request, error.message)
                return redirect("manage-event-invitations", pk=event.pk)
    registrations = Registration.objects.select_related("substitute_for").prefetch_related(
        Prefetch("substitutes", queryset=Registration.objects.order_by("created_at"))
    )
    invitations = (
        Invitation.objects.filter(event=event)
        .prefetch_related(Prefetch("registration_set", queryset=registrations, to_attr="registrations"))
        .order_by("created_at", "id")
    )
    context = {
        "event": event,
        "form": form,
        "invitations": invitations,
        "balance": sector_balance(event),
        "unused": sum(1 for invitation in invitations if not invitation.used_at and not invitation.revoked_at),
    }
    return no_store(render(request, "registrations/manage/invitations.html", context))
