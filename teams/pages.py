"""The page a team invitation's link opens: accept with a new account or the one you have."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from events.permissions import can_check_in
from events_project.accounts import ERROR_FIELDS, NewAccountForm, account_exists
from events_project.exceptions import DomainError
from events_project.private_links import private_link
from events_project.throttles import throttled
from teams import services
from teams.exceptions import InvitationUnusable
from teams.models import TeamRole

# refusals whose own words say what to do, or after which no new link helps: "ask the organiser
# who invited you" below them contradicted "whoever invited you no longer organises this event"
NEW_LINK_HELPS = frozenset({"invalid_link", "invitation_used", "invitation_revoked"})


def _unusable(request, token: str, error: InvitationUnusable):
    if error.code == "invitation_used":
        # whoever used the link and comes back through it (the email is still in their inbox) is
        # taken to the team's page, not told to ask for a new link for what they already have
        own = services.invitation_used_by(token, request.user)
        if own is not None:
            messages.info(request, _("You already joined the team of %(event)s.") % {"event": own.team_of.title})
            return redirect(_next_page(request, own))
    context = {
        "reason": error.message,
        "ask_for_a_new_link": error.code in NEW_LINK_HELPS,
        # a used link's owner may simply not be signed in: signing in brings them back here
        "sign_in_if_yours": error.code == "invitation_used" and not request.user.is_authenticated,
        "sign_in_next": request.path,
    }
    return render(request, "teams/accept_unusable.html", context, status=410)


def _next_page(request, invitation) -> str:
    if invitation.series_id is not None:
        return reverse("checkin-doors")  # My doors: every session of the series with a door
    if invitation.role == TeamRole.ORGANISER:
        return reverse("manage-event", args=[invitation.event_id])
    if not can_check_in(request.user, invitation.event):
        # a draft's door is its organisers' (events_checked_in_by): it opens to its staff once published
        messages.info(
            request, _("Its door opens to you once the event is published: it is listed under My doors then.")
        )
        return reverse("checkin-doors")
    return reverse("checkin", args=[invitation.event_id])


@private_link
@throttled("token")
@require_http_methods(["GET", "POST"])
def accept(request, token: str):
    try:
        invitation = services.invitation_for_token(token)
    except InvitationUnusable as error:
        return _unusable(request, token, error)
    signed_in = request.user.is_authenticated
    has_account = not signed_in and account_exists(invitation.email)
    form = NewAccountForm(request.POST or None, email=invitation.email) if not signed_in and not has_account else None
    if request.method == "POST" and (signed_in or (form is not None and form.is_valid())):
        data = form.cleaned_data if form is not None else {}
        try:
            user = services.accept_team_invitation(
                token=token,
                user=request.user if signed_in else None,
                name=data.get("name", ""),
                password=data.get("password", ""),
            )
        except InvitationUnusable as error:
            return _unusable(request, token, error)
        except DomainError as error:
            if form is None:
                messages.error(request, error.message)
                return redirect(request.path)
            form.add_error(ERROR_FIELDS.get(error.code), error.message)
        else:
            if not signed_in:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to the team of %(event)s.") % {"event": invitation.team_of.title})
            return redirect(_next_page(request, invitation))
    # the link is the credential (as pretix's team invitations): someone may accept with the account
    # they have under another address, and the page says so before they do
    other_address = signed_in and request.user.email.lower() != invitation.email.lower()
    context = {
        "invitation": invitation,
        "form": form,
        "has_account": has_account,
        "signed_in": signed_in,
        "other_address": other_address,
    }
    return render(request, "teams/accept.html", context)
