"""Server-rendered speaker pages: the public roster, speaker pages, and a speaker's own area."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from events import ical, when
from events.models import EventStatus, Language
from events_project.accounts import ERROR_FIELDS, NewAccountForm, account_exists
from events_project.exceptions import DomainError
from events_project.filters import understood
from events_project.private_links import private_link
from events_project.throttles import throttled
from notifications.language import request_language
from speakers import selectors, services
from speakers.filters import SpeakerFilter
from speakers.models import AssignmentStatus, SpeakerRole, StemField
from speakers.page_forms import InvitationAnswerForm, RosterSearchForm, SpeakerPhotoForm, SpeakerProfileForm

SPEAKERS_PER_PAGE = 24


@require_safe
def roster(request):
    form = RosterSearchForm(request.GET or None)
    data = {key: value for key, value in understood(form).items() if value}
    speakers = SpeakerFilter(data, queryset=selectors.roster()).qs
    page = Paginator(speakers, SPEAKERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "speakers": page.object_list,
        "query": query.urlencode(),
        "filtering": any(data.get(name) for name in ("field", "language", "region", "role")),
    }
    context |= labels()
    return render(request, "speakers/pages/roster.html", context)


@require_safe
def speaker_detail(request, pk: int):
    # the public roster: listed speakers only, public fields only (the template shows no others)
    speaker = get_object_or_404(selectors.roster(), pk=pk)
    return render(request, "speakers/pages/speaker_detail.html", {"speaker": speaker} | labels())


@require_safe
def speaker_photo(request, pk: int):
    """The uploaded photo of a listed speaker or of one speaking at a published event, from this
    site (a page makes no outside requests)."""
    speaker = get_object_or_404(selectors.speakers_with_public_photo(), pk=pk)
    return _photo_response(speaker, cache="public, max-age=3600")


def _photo_response(speaker, *, cache: str) -> FileResponse:
    # the kept copy is always a small JPEG (speakers.photos); pages link it with its version, so
    # a replaced photo is a new address and an hour's caching shows no stale face for long
    if not speaker.photo:
        raise Http404
    try:
        response = FileResponse(speaker.photo.open("rb"), content_type="image/jpeg")
    except FileNotFoundError:
        raise Http404 from None
    response["Cache-Control"] = cache
    response["X-Content-Type-Options"] = "nosniff"
    return response


def labels() -> dict:
    return {
        "field_names": dict(StemField.choices),
        "role_names": dict(SpeakerRole.choices),
        "language_names": dict(Language.choices),
    }


def own_speaker(request):
    speaker = selectors.speaker_for_user(request.user)
    if speaker is None:
        raise Http404(_("Your account is not linked to a speaker profile."))
    return speaker


PAST_PER_PAGE = 20


@login_required
@require_safe
def speaker_area(request):
    speaker = own_speaker(request)
    now = timezone.now()
    schedule = selectors.schedule_of(speaker)
    to_come = list(schedule.filter(event__end__gt=now))
    for assignment in to_come:
        # a cancelled event takes no answer: no Accept, Decline or "I can no longer come" under it
        assignment.answerable = services.is_answerable(assignment, now=now)
    # what is over grows with every season: the latest first, a page at a time
    past = schedule.filter(status=AssignmentStatus.ACCEPTED, event__end__lte=now).order_by("-event__start", "-id")
    past_page = Paginator(past, PAST_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "speaker": speaker,
        "invitations": [a for a in to_come if a.status == AssignmentStatus.INVITED and a.answerable],
        "upcoming": [a for a in to_come if a.status == AssignmentStatus.ACCEPTED],
        "past": past_page.object_list,
        "page": past_page,
        # an answer about an event that is over no longer matters
        "answered": [a for a in to_come if a.status in (AssignmentStatus.DECLINED, AssignmentStatus.WITHDRAWN)],
        "answer_form": InvitationAnswerForm(),
    }
    response = render(request, "speakers/pages/speaker_area.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def answer_invitation(request, pk: int):
    speaker = own_speaker(request)
    # only the speaker's own assignments: another speaker's id is simply not found
    assignment = get_object_or_404(selectors.schedule_of(speaker), pk=pk)
    form = InvitationAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose accept or decline."))
        return redirect("speaker-area")
    # "Withdraw from this event" under "I can no longer come" is a decline of an accepted slot
    withdrawing = assignment.status == AssignmentStatus.ACCEPTED
    try:
        services.answer_invitation(
            assignment=assignment,
            answer=form.cleaned_data["answer"],
            message=form.cleaned_data["message"],
            language=request_language(request),
            by=request.user,  # the event's history names the speaker, not "the system or an attendee"
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        # the title and its date: a series' sessions share one title, and "confirmed for Mentoring
        # circle" after answering one of two invitations did not say which was taken
        named = {"event": assignment.event.title, "when": when.card(assignment.event)}
        if form.cleaned_data["answer"] == "accept":
            messages.success(request, _("Thank you: you are confirmed for %(event)s (%(when)s).") % named)
        elif withdrawing:
            messages.info(request, _("You withdrew from %(event)s (%(when)s). The organisers have been told.") % named)
        else:
            messages.info(request, _("You declined %(event)s (%(when)s). The organisers see your answer.") % named)
    return redirect("speaker-area")


@login_required
@require_http_methods(["GET", "POST"])
def edit_profile(request):
    speaker = own_speaker(request)
    form = SpeakerProfileForm.for_speaker(speaker, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        travel_regions = changes.pop("travel_regions")
        try:
            services.update_speaker(speaker=speaker, by=request.user, travel_regions=travel_regions, **changes)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("speaker-area")
    return _profile_page(request, speaker, form=form, photo_form=SpeakerPhotoForm())


def _profile_page(request, speaker, *, form, photo_form, status: int = 200):
    context = {"speaker": speaker, "form": form, "photo_form": photo_form}
    return render(request, "speakers/pages/profile_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def own_photo(request):
    """The speaker's own photo (GET, listed on the roster or not) and its upload, replacement or
    removal (POST, ``remove`` for the last), back on the profile page. The rule for what photo is
    acceptable is the service's (``speakers.photos``), the API's too."""
    speaker = own_speaker(request)
    if request.method == "GET":
        return _photo_response(speaker, cache="private, max-age=3600")
    if "remove" in request.POST:
        services.update_speaker(speaker=speaker, by=request.user, photo=None)
        messages.success(request, _("Your photo is removed."))
        return redirect(reverse("speaker-profile") + "#photo")
    photo_form = SpeakerPhotoForm(request.POST, request.FILES)
    if photo_form.is_valid():
        try:
            services.update_speaker(speaker=speaker, by=request.user, photo=photo_form.cleaned_data["photo"])
        except DomainError as error:
            photo_form.add_error("photo", error.message)
        else:
            messages.success(request, _("Your photo is saved."))
            return redirect(reverse("speaker-profile") + "#photo")
    form = SpeakerProfileForm.for_speaker(speaker)
    return _profile_page(request, speaker, form=form, photo_form=photo_form, status=400)


# --- the page behind the signed link in the invitation email ---------------------------
# No sign-in needed: the signed token is the speaker's proof (see services.assignment_from_token).
# GET shows the invitation, POST answers it. The same is available as JSON at
# /api/speaker-invitations/respond/<token>/.

ANSWERS = ("accept", "decline")
INVITATION_TEMPLATE = "speakers/link/invitation.html"


@private_link
@throttled("token")
@require_http_methods(["GET", "POST"])
def invitation_link(request, token: str):
    try:
        assignment = services.assignment_from_token(token)
    except DomainError as error:
        return render(request, INVITATION_TEMPLATE, {"error": error.message, "code": error.code}, status=400)
    context = {"assignment": assignment, "event": assignment.event, "token": token}
    status = 200
    if request.method == "POST" and request.POST.get("action") == "account_link":
        try:
            services.send_account_link_to_invitee(assignment=assignment, language=request_language(request))
        except DomainError as error:
            context["error"], context["code"], status = error.message, error.code, 409
        else:
            context["link_sent"] = True
    elif request.method == "POST":
        answer = request.POST.get("answer", "")
        message = request.POST.get("message", "")[:2000]
        if answer not in ANSWERS:
            context["error"], status = _("Choose accept or decline."), 400
        else:
            # declining a slot accepted before is withdrawing from the event ("I can no longer come")
            withdrawing = answer == "decline" and assignment.status == AssignmentStatus.ACCEPTED
            try:
                assignment = services.answer_invitation(
                    assignment=assignment, answer=answer, message=message, language=request_language(request)
                )
            except DomainError as error:
                context["error"], context["code"], status = error.message, error.code, 409
            else:
                context["assignment"] = services.assignment_from_token(token)
                context["answered"] = "withdraw" if withdrawing else answer
    context["answerable"] = services.is_answerable(context["assignment"])
    # the schedule's rule: a draft one declined or was withdrawn from shows the answer, not the plans
    context["follows"] = selectors.follows_event(context["assignment"])
    return render(request, INVITATION_TEMPLATE, context, status=status)


@private_link
@throttled("token")
@require_safe
def invitation_calendar(request, token: str):
    """The event of an accepted invitation as an .ics file, its join link included: the emailed
    answer link is the credential, so a speaker without an account (who has no speaker area and
    no private feed) puts the event in their calendar too. 404 before accepting, after
    withdrawing and for a cancelled event: nothing to put in a calendar."""
    try:
        assignment = services.assignment_from_token(token)
    except DomainError:
        raise Http404 from None
    event = assignment.event
    if assignment.status != AssignmentStatus.ACCEPTED or event.status == EventStatus.CANCELLED:
        raise Http404
    calendar = ical.event_calendar(
        [event],
        name=event.title,
        speakers=selectors.speaker_lines([event.pk]),
        join_urls={event.pk: assignment.join_url},
        subscription=False,
    )
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


@private_link
@throttled("token")
@require_http_methods(["GET", "POST"])
def account_link(request, token: str):
    """The emailed link that links an account to a speaker profile (consent): the signed-in
    account, or, for someone who has none (a speaker new to the site), one made here under the
    address the link went to; someone with an account under that address signs in first."""
    try:
        speaker = services.speaker_for_account_link(token)
    except DomainError as error:
        return render(request, "speakers/link/account.html", {"error": error.message}, status=400)
    signed_in = request.user.is_authenticated
    has_account = not signed_in and account_exists(speaker.email)
    form = (
        NewAccountForm(request.POST or None, email=speaker.email, initial={"name": speaker.name})
        if not signed_in and not has_account
        else None
    )
    context = {"speaker": speaker, "form": form, "has_account": has_account, "signed_in": signed_in}
    if request.method == "POST" and (signed_in or (form is not None and form.is_valid())):
        try:
            if signed_in:
                services.link_account(token=token, user=request.user)
            else:
                data = form.cleaned_data
                user = services.link_new_account(token=token, name=data["name"], password=data["password"])
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        except DomainError as error:
            if form is None or error.code not in ERROR_FIELDS:
                return render(request, "speakers/link/account.html", {**context, "error": error.message}, status=409)
            form.add_error(ERROR_FIELDS[error.code], error.message)
        else:
            messages.success(request, _("Your account is now linked to your speaker profile."))
            return redirect("speaker-area")
    return render(request, "speakers/link/account.html", context)
