"""The team tab of an event: who organises it, who checks people in, and invitations by email."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from events.workspace import managed_event, no_store, organiser_required, posted_id
from events_project.exceptions import DomainError
from events_project.people import account_name
from teams import services
from teams.manage_forms import TeamInvitationForm
from teams.models import TeamRole
from teams.selectors import team_invitations_managed_by


@organiser_required
@require_http_methods(["GET", "POST"])
def event_team(request, pk: int):
    event = managed_event(request, pk)
    form = TeamInvitationForm(event=event)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "invite":
                form = TeamInvitationForm(request.POST, event=event)
                if form.is_valid():
                    invitation = services.invite_to_team(event=event, by=request.user, **form.cleaned_data)
                    messages.success(request, _("We emailed an invitation to %(email)s.") % {"email": invitation.email})
                    return redirect("manage-event-team", pk=event.pk)
            elif action == "revoke":
                invitation = (
                    team_invitations_managed_by(request.user)
                    .filter(event=event, pk=posted_id(request.POST.get("invitation")))
                    .first()
                )
                if invitation is None:
                    raise Http404
                services.revoke_team_invitation(invitation=invitation, by=request.user)
                messages.success(request, _("The invitation is withdrawn: its link no longer works."))
                return redirect("manage-event-team", pk=event.pk)
            elif action == "remove":
                role = request.POST.get("role")
                members = event.organisers if role == TeamRole.ORGANISER else event.checkin_staff
                user = members.filter(pk=posted_id(request.POST.get("user"))).first()
                if user is None:
                    raise Http404
                services.remove_from_team(event=event, user=user, role=role, by=request.user)
                # the sentence's first letter, whichever word the language puts first ("an
                # erased account" may open it, or stand in its middle)
                said = _("%(name)s no longer has this role.") % {"name": account_name(user)}
                messages.success(request, capfirst(said))
                return redirect("manage-event-team", pk=event.pk)
            else:
                messages.error(request, _("Unknown action."))
        except DomainError as error:
            if action == "invite":
                form.add_error(None, error.message)
            else:
                messages.error(request, error.message)
                return redirect("manage-event-team", pk=event.pk)
    context = {
        "event": event,
        "form": form,
        "organisers": event.organisers.order_by("first_name", "username"),
        "checkin_staff": event.checkin_staff.order_by("first_name", "username"),
        "invitations": team_invitations_managed_by(request.user).filter(event=event)[:50],
    }
    return no_store(render(request, "teams/manage/event_team.html", context))
