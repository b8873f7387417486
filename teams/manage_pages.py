"""The team tab of an event, and the door team of a series: who organises it, who checks people
in, and invitations by email."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from events.permissions import can_manage_series
from events.selectors import door_teams_of, events_managed_by, series_occurrences
from events.workspace import back_to_row, managed_event, managed_series, no_store, organiser_required, posted_id
from events_project.exceptions import DomainError
from events_project.people import account_name
from teams import services
from teams.manage_forms import SeriesDoorInvitationForm, TeamInvitationForm
from teams.models import TeamInvitation, TeamRole
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
                # a withdrawn link stays on the list, marked so
                invitation = _withdraw_posted_link(request, event=event)
                url = reverse("manage-event-team", args=[event.pk])
                return back_to_row(request, url, f"team-invitation-{invitation.pk}", heading="invitations-heading")
            elif action == "remove":
                role = request.POST.get("role")
                members = event.organisers if role == TeamRole.ORGANISER else event.checkin_staff
                user = members.filter(pk=posted_id(request.POST.get("user"))).first()
                if user is None:
                    raise Http404
                services.remove_from_team(event=event, user=user, role=role, by=request.user)
                if role == TeamRole.CHECKIN and door_teams_of(user).filter(pk=event.pk).exists():
                    # the series' door team reaches this session too: its door stays open to them
                    said = _(
                        "%(name)s is no longer check-in staff of this event itself, but still works its door "
                        "as check-in staff of the series."
                    )
                elif role == TeamRole.ORGANISER:
                    said = _("%(name)s is no longer an organiser of this event.")
                else:
                    said = _("%(name)s no longer works this event's door.")
                # the sentence's first letter, whichever word the language puts first ("an
                # erased account" may open it, or stand in its middle)
                said = said % {"name": account_name(user)}
                if not events_managed_by(request.user).filter(pk=event.pk).exists():
                    # one took oneself off the event: its pages are no longer one's own (a 404
                    # there), so back to one's events, saying so
                    messages.success(
                        request, _("You are no longer an organiser of “%(title)s”.") % {"title": event.title}
                    )
                    return redirect("manage-events")
                messages.success(request, capfirst(said))
                # the person's row is gone: their list's heading (an online event's door list
                # shows only while someone is on it)
                door_listed = event.has_venue or event.checkin_staff.exists()
                heading = "door-heading" if role == TeamRole.CHECKIN and door_listed else "organisers-heading"
                return back_to_row(request, reverse("manage-event-team", args=[event.pk]), None, heading=heading)
            else:
                messages.error(request, _("Unknown action."))
        except DomainError as error:
            if action == "invite":
                form.add_error(None, error.message)
            else:
                messages.error(request, error.message)
                # a removal refused (the last organiser): their row is still there
                kind = "organiser" if role == TeamRole.ORGANISER else "checkin"
                row = f"{kind}-{user.pk}" if action == "remove" else None
                return back_to_row(
                    request, reverse("manage-event-team", args=[event.pk]), row, heading="invitations-heading"
                )
    context = {
        "event": event,
        "form": form,
        "organisers": event.organisers.order_by("first_name", "username"),
        "checkin_staff": event.checkin_staff.order_by("first_name", "username"),
        "invitations": team_invitations_managed_by(request.user).filter(event=event)[:50],
        # door staff of the series work this door too while the series reaches the session
        "series_staff": _series_staff_of(event),
        "manages_series": event.series_id is not None and can_manage_series(request.user, event.series),
    }
    return no_store(render(request, "teams/manage/event_team.html", context))


def _withdraw_posted_link(request, **team) -> TeamInvitation:
    """Withdraw the link the form posted, one of this team's (``event=`` or ``series=``): another
    team's, or one the organiser may not manage, is a 404."""
    invitation = (
        team_invitations_managed_by(request.user).filter(pk=posted_id(request.POST.get("invitation")), **team).first()
    )
    if invitation is None:
        raise Http404
    services.revoke_team_invitation(invitation=invitation, by=request.user)
    messages.success(request, _("The invitation is withdrawn: its link no longer works."))
    return invitation


def _series_staff_of(event):
    if event.series_id is None or not series_occurrences(event.series).filter(pk=event.pk).exists():
        return []
    return list(event.series.checkin_staff.order_by("first_name", "username"))


@organiser_required
@require_http_methods(["GET", "POST"])
def series_team(request, pk: int):
    """The door team of a whole series: one link per person for every session."""
    series = managed_series(request, pk)
    form = SeriesDoorInvitationForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "invite":
                form = SeriesDoorInvitationForm(request.POST)
                if form.is_valid():
                    invitation = services.invite_to_series_door(series=series, by=request.user, **form.cleaned_data)
                    messages.success(request, _("We emailed an invitation to %(email)s.") % {"email": invitation.email})
                    return redirect("manage-series-team", pk=series.pk)
            elif action == "revoke":
                invitation = _withdraw_posted_link(request, series=series)
                url = reverse("manage-series-team", args=[series.pk])
                return back_to_row(request, url, f"team-invitation-{invitation.pk}", heading="invitations-heading")
            elif action == "remove":
                user = series.checkin_staff.filter(pk=posted_id(request.POST.get("user"))).first()
                if user is None:
                    raise Http404
                services.remove_from_series_door(series=series, user=user, by=request.user)
                said = _("%(name)s no longer works the door of this series.") % {"name": account_name(user)}
                # the sessions they were invited to on their own stay theirs: say so, or the
                # organiser believes every door of the series closed to them
                kept = door_teams_of(user).filter(series=series).count()
                if kept:
                    said += " " + ngettext(
                        "They still work the door of %(count)s session they were invited to on its own.",
                        "They still work the doors of %(count)s sessions they were invited to on their own.",
                        kept,
                    ) % {"count": kept}
                messages.success(request, capfirst(said))
                url = reverse("manage-series-team", args=[series.pk])
                return back_to_row(request, url, None, heading="door-heading")
            else:
                messages.error(request, _("Unknown action."))
        except DomainError as error:
            if action == "invite":
                form.add_error(None, error.message)
            else:
                messages.error(request, error.message)
                row = f"checkin-{user.pk}" if action == "remove" else None
                return back_to_row(
                    request, reverse("manage-series-team", args=[series.pk]), row, heading="invitations-heading"
                )
    context = {
        "series": series,
        "form": form,
        "organisers": series.organisers.order_by("first_name", "username"),
        "checkin_staff": series.checkin_staff.order_by("first_name", "username"),
        "invitations": team_invitations_managed_by(request.user).filter(series=series)[:50],
    }
    return no_store(render(request, "teams/manage/series_team.html", context))
