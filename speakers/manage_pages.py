"""The speakers tab of an event: invite roster speakers (or someone not on the roster yet) in a
role, read their answers, see conflicts and reminders, withdraw an invitation. New answers are
marked until read."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from events.workspace import back_to_row, managed_event, no_store, organiser_required, posted_id
from events_project.exceptions import DomainError
from speakers import services
from speakers.conflicts import conflicts_for_assignments
from speakers.exceptions import SpeakerConflicts
from speakers.filters import SpeakerFilter
from speakers.manage_forms import AssignSpeakerForm
from speakers.models import SpeakerAssignment
from speakers.selectors import assignments_managed_by, not_invited_to, speakers_visible_to, unread_answers

SPEAKER_SEARCH_LENGTH = 100


def _back_to_row(request, assignment: SpeakerAssignment):
    """The tab again, at the speaker's card (``#assignment-<id>``): after a button on the card
    (show on or take off the roster, withdraw, send the account link) a keyboard or screen reader
    user carries on from that card, not from the top of the page."""
    url = reverse("manage-event-speakers", args=[assignment.event_id])
    return back_to_row(request, url, f"assignment-{assignment.pk}", heading="speakers")


@organiser_required
@require_http_methods(["GET", "POST"])
def event_speakers(request, pk: int):
    event = managed_event(request, pk)
    # the roster runs to dozens of names: ?q= narrows the list (the roster page's search, on the
    # speakers the organiser may see); the invite form posts to the same address, so a speaker
    # chosen from the narrowed list is checked against it and the list stays narrowed on an error
    query = request.GET.get("q", "").strip()[:SPEAKER_SEARCH_LENGTH]
    # those already invited (or confirmed) are on the list above, not offered again
    offered = not_invited_to(speakers_visible_to(request.user).prefetch_related(None), event=event)
    speakers = SpeakerFilter({"q": query}, queryset=offered).qs
    form = AssignSpeakerForm(event=event, speakers=speakers)
    conflicts_found = []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "invite":
                form = AssignSpeakerForm(request.POST, event=event, speakers=speakers)
                if form.is_valid():
                    invite = services.invite_new_speaker if form.is_new_speaker else services.assign_speaker
                    assignment = invite(event=event, by=request.user, **form.service_arguments())
                    messages.success(
                        request, _("%(name)s is invited and receives an email.") % {"name": assignment.speaker.name}
                    )
                    return redirect("manage-event-speakers", pk=event.pk)
            elif action == "withdraw":
                assignment_pk = posted_id(request.POST.get("assignment"))
                assignment = get_object_or_404(
                    assignments_managed_by(request.user).filter(event=event), pk=assignment_pk
                )
                services.withdraw_assignment(assignment=assignment, by=request.user)
                messages.success(
                    request, _("The invitation of %(name)s is withdrawn.") % {"name": assignment.speaker.name}
                )
                return _back_to_row(request, assignment)
            elif action == "account_link":
                # a speaker without an account (one invited by name and email, new to the site)
                # gets the link that makes or links one: their speaker area, profile and schedule feed
                assignment_pk = posted_id(request.POST.get("assignment"))
                assignment = get_object_or_404(
                    assignments_managed_by(request.user).filter(event=event, speaker__user__isnull=True),
                    pk=assignment_pk,
                )
                services.send_account_link(speaker=assignment.speaker, by=request.user, event=event)
                messages.success(
                    request,
                    _("%(name)s receives a link to their speaker area by email.") % {"name": assignment.speaker.name},
                )
                return _back_to_row(request, assignment)
            elif action in ("list", "unlist"):
                # whether the speaker shows on the public roster (/speakers/): one invited by name
                # and email joins it unlisted, and only the API or the admin could list them
                assignment_pk = posted_id(request.POST.get("assignment"))
                assignment = get_object_or_404(
                    assignments_managed_by(request.user).filter(event=event), pk=assignment_pk
                )
                services.update_speaker(speaker=assignment.speaker, by=request.user, listed=action == "list")
                done = (
                    _("%(name)s is on the public roster of speakers now.")
                    if action == "list"
                    else _("%(name)s is not on the public roster of speakers any more.")
                )
                messages.success(request, done % {"name": assignment.speaker.name})
                return _back_to_row(request, assignment)
            elif action == "seen":
                services.mark_answers_seen(event=event, by=request.user)
                return redirect("manage-event-speakers", pk=event.pk)
        except SpeakerConflicts as error:
            conflicts_found = [conflict["detail"] for conflict in error.extra.get("conflicts", [])]
            form.add_error(
                "conflict_override_reason",
                _("This speaker has conflicts (listed above). Give a reason to invite them anyway."),
            )
        except DomainError as error:
            form.add_error(None, error.message)
    assignments = list(assignments_managed_by(request.user).filter(event=event).order_by("order", "invited_at", "id"))
    conflicts = conflicts_for_assignments(assignments, viewer=request.user)
    rows = [{"assignment": assignment, "conflicts": conflicts.get(assignment.pk, [])} for assignment in assignments]
    # the roster offered (or the speakers the search found): the list holds so many at most
    found = form.fields["speaker"].queryset.count()
    context = {
        "event": event,
        "form": form,
        "query": query,
        "matches": found if query else None,
        "speakers_not_shown": max(found - form.fields["speaker"].shown_at_most, 0),
        "rows": rows,
        "unread": unread_answers(event=event).count(),
        "conflicts_found": conflicts_found,
        "statuses": SpeakerAssignment.Status,
        # an ended event's invitations are refused: the tab says so in place of the form
        "invitations_refused": (
            None if services.takes_speaker_invitations(event) else services.INVITED_TO_EVENTS_TO_COME
        ),
    }
    return no_store(render(request, "speakers/manage/event_speakers.html", context))
