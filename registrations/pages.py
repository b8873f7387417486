"""Server-rendered pages for attendees (register, confirmation, ticket, cancel, my tickets)
and for check-in staff (the check-in page). Every rule lives in registrations.services."""

import datetime as dt
import hashlib
from pathlib import Path
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from events import selectors as event_selectors
from events import when as when_rule
from events.models import EventStatus, RegistrationMode, WhenFull
from events_project.error_summary import summary_label
from events_project.exceptions import DomainError, Forbidden, NotFound
from events_project.private_links import private, private_link
from events_project.search_folding import FOLDED_LETTERS
from events_project.site_pages import too_many_requests
from events_project.throttles import seconds_to_wait, throttled
from notifications.language import request_language
from registrations import selectors
from registrations.checkin import services as checkin_services
from registrations.models import CheckIn, RegistrationStatus
from registrations.page_forms import CancelForm, RegistrationForm, TicketRecoveryForm, TransferForm, WalkInForm
from registrations.services import recovery, tickets, waiting_list
from registrations.services import registration as registration_services
from registrations.services.messages import is_over

# The service's error codes that belong to one field of the form; the rest show on top.
FIELD_OF_CODE = {
    "name_required": "name",
    "email_required": "email",
    "invalid_email": "email",
    "invalid_invitation": "invitation_code",
    "invitation_used": "invitation_code",
    "invitation_required": "invitation_code",
    "consent_required": "consent_data_processing",
    "recording_consent_required": "consent_recording",
    "invalid_party_size": "party_size",
    "party_too_large": "party_size",
    "party_not_allowed": "party_size",
    "too_many_party_names": "party_names",
}


def registration_for_token(token: str):
    registration = selectors.registration_by_manage_token(token)
    if registration is None:
        raise Http404
    return registration


@require_http_methods(["GET", "POST"])
def register(request, pk: int):
    event = get_object_or_404(selectors.with_seats_open(event_selectors.public_events()), pk=pk)
    if event.status != EventStatus.PUBLISHED or not event.registration_is_open():
        # the same words as the event's page: it opens on a date, or it is closed
        opens_later = bool(event.registration_opens_at and event.registration_opens_at > timezone.now())
        return render(request, "registrations/pages/register_closed.html", {"event": event, "opens_later": opens_later})
    if event.seats_open == 0 and event.when_full == WhenFull.REFUSED:
        # the event's page says "This event is full."; the form must not offer a waiting list
        return render(request, "registrations/pages/register_closed.html", {"event": event, "full": True})
    initial = {"party_size": 1, "invitation_code": request.GET.get("code", "")}
    # the invitation knows whom it was sent to: its name and address are filled in (the address
    # stays editable, as the service takes the code with any address: the code is the credential)
    invitation = selectors.open_invitation(event=event, code=initial["invitation_code"])
    if invitation is not None:
        initial |= {"name": invitation.name, "email": invitation.email}
    if request.user.is_authenticated:
        # someone signed in registers with their account's address (the service's rule)
        initial |= {"name": request.user.get_full_name() or initial.get("name", ""), "email": request.user.email}
    form = RegistrationForm(
        request.POST if request.method == "POST" else None,
        event=event,
        questions=event.questions.all(),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        user = request.user if request.user.is_authenticated else None
        try:
            result = registration_services.register_once(
                event=event, user=user, language=request_language(request), **form.service_arguments()
            )
            registration = result.registration
        except DomainError as error:
            field = FIELD_OF_CODE.get(error.code)
            if error.extra.get("question"):
                field = f"question_{error.extra['question']}"
            form.add_error(field if field in form.fields else None, error.message)
        else:
            if result.already and not registration_services.owns(user, registration):
                # Someone may type another person's address: never hand them that person's
                # ticket or status here. The service emailed the link to the address.
                context = {"event": event}
                return private(render(request, "registrations/pages/already_registered.html", context))
            return redirect("registration-confirmation", registration.manage_token)
    # a link whose code can no longer be used (used, withdrawn, another event's) says so before
    # the form is filled in, in the words the service refuses it with
    code_not_usable = request.method == "GET" and bool(initial["invitation_code"].strip()) and invitation is None
    context = {"event": event, "form": form, "code_not_usable": code_not_usable}
    response = render(request, "registrations/pages/register.html", context)
    # a page that shows an invitee's address is theirs alone: not stored, no Referer
    return private(response) if invitation is not None else response


@require_http_methods(["GET", "POST"])
def ticket_recovery(request):
    """ "Email me my tickets": the links of every active registration go to the address typed.

    The answer is the same whether or not the address has registrations, and the form is
    throttled per client address (scope "recovery"), so it tells a stranger nothing and
    cannot be used to flood an inbox."""
    form = TicketRecoveryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        wait = seconds_to_wait(request, "recovery")
        if wait is not None:
            return too_many_requests(request, retry_after=wait)
        if form.is_valid():
            recovery.send_ticket_links(email=form.cleaned_data["email"], language=request_language(request))
            return redirect("ticket-recovery-sent")
    elif request.user.is_authenticated and request.user.email:
        form = TicketRecoveryForm(initial={"email": request.user.email})
    return private(render(request, "registrations/pages/ticket_recovery.html", {"form": form}))


@require_safe
def ticket_recovery_sent(request):
    return private(render(request, "registrations/pages/ticket_recovery_sent.html"))


def confirmation_heading(registration) -> str:
    """What happened, said once for the page's heading and its browser tab's title: a place on the
    waiting list had the tab say "Registration received" (in Azerbaijani "accepted") over "You are
    on the waiting list"."""
    headings = {
        RegistrationStatus.CONFIRMED: _("You are registered"),
        RegistrationStatus.WAITLISTED: _("You are on the waiting list"),
        RegistrationStatus.PENDING: _("Registration received"),
        RegistrationStatus.OFFERED: _("A seat is offered to you"),
    }
    return headings.get(registration.status) or registration.get_status_display()


@private_link
@throttled("token")
@require_safe
def confirmation(request, token: str):
    registration = registration_for_token(token)
    context = {
        "registration": registration,
        "event": registration.event,
        "heading": confirmation_heading(registration),
        "event_over": is_over(registration.event),
        "can_cancel": registration_services.may_cancel(registration),
        "waiting_position": registration_services.waiting_position(registration),
    }
    return render(request, "registrations/pages/confirmation.html", context)


@private_link
@throttled("token")
@require_safe
def manage(request, token: str):
    registration = registration_for_token(token)
    # once the event is over (an old email's link) there is no door to show a code at, no meeting
    # to join and nothing to add to a calendar: the page keeps the record
    event_over = is_over(registration.event)
    is_ticket = registration.status == RegistrationStatus.CONFIRMED
    # an online-only event has no door: its ticket is the way in, not a code to show
    at_the_door = registration.has_door_code and not event_over
    context = {
        "registration": registration,
        "event": registration.event,
        "event_over": event_over,
        "is_ticket": is_ticket,
        "at_the_door": at_the_door,
        "qr_svg": inline_svg(tickets.qr_svg(registration=registration)) if at_the_door else "",
        "ticket_code": tickets.ticket_payload(registration) if at_the_door else "",
        "answers": registration.answers.all(),
        "waiting_position": registration_services.waiting_position(registration),
        "can_cancel": registration_services.may_cancel(registration),
        "can_take_offer": waiting_list.may_accept_offer(registration),
        # the roundtable's confirmation says a colleague may come in one's place: here is how
        "can_transfer": registration_services.can_transfer(registration),
        # a cancelled or turned-down registration's page was a dead end: the cancel page had just
        # said one may register again while seats are open (offered in the event page's words)
        "open_again": _open_again(registration),
        "invitation_used": not registration.is_active
        and registration.event.registration_mode == RegistrationMode.INVITATION
        and registration.event.registration_is_open(),
        # registered again since with the same address: said, not "Register again"; never that
        # registration's own link (anyone may register with any address, cancel, and wait for
        # its owner to register: their link would be handed to the stranger), only its email
        "registered_again": selectors.registered_again(registration),
    }
    return render(request, "registrations/pages/ticket.html", context)


def _open_again(registration):
    """The event, with its seats open to a newcomer, when this cancelled or turned-down
    registration's holder may register for it again; else None."""
    if registration.is_active or not registration.event.registration_is_open():
        return None
    if registration.event.registration_mode == RegistrationMode.INVITATION:
        return None  # their code is used: registering again would refuse it (the ticket says whom to ask)
    return selectors.with_seats_open(event_selectors.public_events()).filter(pk=registration.event_id).first()


def cancelled_message(freed: int) -> str:
    """What the registrant reads once cancelled: thanks for the seats they freed, if they held any."""
    if not freed:
        return _("Your registration is cancelled.")
    return ngettext(
        "Your registration is cancelled. Thank you for freeing your seat.",
        "Your registration is cancelled. Thank you for freeing your %(count)s seats.",
        freed,
    ) % {"count": freed}


@private_link
@throttled("token")
@require_http_methods(["GET", "POST"])
def cancel(request, token: str):
    registration = registration_for_token(token)
    # a link from an old email opened once the event is over: no form the service would refuse
    allowed = registration_services.may_cancel(registration)
    form = CancelForm(request.POST if request.method == "POST" and allowed else None)
    if allowed and request.method == "POST" and form.is_valid():
        freed = registration.seats_held  # none on the waiting list or awaiting approval; a party's all
        try:
            registration_services.cancel_registration(registration=registration)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, cancelled_message(freed))
            return redirect("registration-manage", token)
    context = {"registration": registration, "event": registration.event, "form": form, "allowed": allowed}
    return render(
        request,
        "registrations/pages/cancel.html",
        context,
        status=409 if request.method == "POST" and not allowed else 200,
    )


# The transfer's error codes that belong to one field of its form; the rest show on top.
TRANSFER_FIELD_OF_CODE = {
    "name_required": "name",
    "invalid_email": "email",
    "same_person": "email",
    "already_registered": "email",
    "consent_required": "consent_data_processing",
}


@private_link
@throttled("token")
@require_http_methods(["GET", "POST"])
def transfer(request, token: str):
    """An invited person passes their place to a named colleague: theirs is cancelled, the
    colleague receives a ticket of their own (registrations.services.transfer_registration)."""
    registration = registration_for_token(token)
    allowed = registration_services.can_transfer(registration)
    form = TransferForm(request.POST if request.method == "POST" and allowed else None)
    if allowed and request.method == "POST" and form.is_valid():
        try:
            substitute = registration_services.transfer_registration(registration=registration, **form.cleaned_data)
        except DomainError as error:
            form.add_error(TRANSFER_FIELD_OF_CODE.get(error.code), error.message)
        else:
            messages.success(
                request,
                _("Your seat now belongs to %(name)s, who receives a ticket by email.") % {"name": substitute.name},
            )
            return redirect("registration-manage", token)
    context = {
        "registration": registration,
        "event": registration.event,
        "form": form,
        "allowed": allowed,
        "refusal": registration_services.transfer_refusal(registration),
    }
    return render(request, "registrations/pages/transfer.html", context)


@private_link
@throttled("token")
@require_http_methods(["POST"])
def accept_offer(request, token: str):
    """The person offered a seat from the waiting list takes it."""
    registration = registration_for_token(token)
    try:
        registration_services.accept_offer(registration=registration)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The seat is yours: here is your ticket."))
    return redirect("registration-manage", token)


TICKETS_PER_PAGE = 20


@login_required
@require_safe
def my_registrations(request):
    """The account's tickets: those still to come, soonest first, or those whose event has ended,
    latest first; a page at a time (a mentee's nine months of sessions add up)."""
    show = "past" if request.GET.get("show") == "past" else "upcoming"
    registrations = selectors.registrations_of_user(request.user).select_related("event")
    now = timezone.now()
    if show == "past":
        registrations = registrations.filter(event__end__lte=now).order_by("-event__start", "-id")
    else:
        registrations = registrations.filter(event__end__gt=now).order_by("event__start", "id")
    page = Paginator(registrations, TICKETS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"registrations": page.object_list, "page": page, "show": show}
    return private(render(request, "registrations/pages/my_registrations.html", context))


def inline_svg(document: str) -> str:
    """The <svg> element of a standalone SVG document, to place in the page itself."""
    start = document.find("<svg")
    return document[start:] if start >= 0 else ""


# --- check-in page ---------------------------------------------------------------------

SEARCH_RESULTS = 25
SERVICE_WORKER_FILES = (
    "css/site.css",
    "favicon.svg",  # the logo in the site header
    "js/pages.js",  # every page loads it (base.html)
    "js/checkin.js",
    "vendor/qr-scanner/qr-scanner.umd.min.js",
    "vendor/qr-scanner/qr-scanner-worker.min.js",
)
VERDICT_LEVEL = {
    checkin_services.CHECKED_IN: "ok",
    checkin_services.ALREADY_CHECKED_IN: "warn",
    checkin_services.NOT_CONFIRMED: "warn",
    checkin_services.WRONG_EVENT: "bad",
    checkin_services.CANCELLED: "bad",
    checkin_services.INVALID: "bad",
    checkin_services.NOT_A_TICKET: "warn",
    checkin_services.UNKNOWN_REGISTRATION: "bad",
    checkin_services.DOOR_CLOSED: "bad",
    checkin_services.EMPTY_CODE: "warn",
    checkin_services.ATTENDANCE_FINAL: "bad",
}
# the page's answer to an undo the door refused (door_closed, attendance_final): the check-in stands
UNDO_REFUSED = "undo_refused"


def verdict_titles() -> dict[str, str]:
    """The door's answers in the visitor's language; the offline script uses the same words."""
    return {
        checkin_services.CHECKED_IN: _("Checked in"),
        checkin_services.ALREADY_CHECKED_IN: _("Already checked in"),
        checkin_services.NOT_CONFIRMED: _("Not confirmed: waiting list or awaiting approval"),
        checkin_services.WRONG_EVENT: _("Ticket for another event"),
        checkin_services.CANCELLED: _("Registration cancelled"),
        checkin_services.INVALID: _("Not a valid ticket"),
        checkin_services.NOT_A_TICKET: _("Not a ticket code: scan the ticket's QR code, or type the code under it"),
        checkin_services.UNKNOWN_REGISTRATION: _("No longer in this event's list"),
        checkin_services.ATTENDANCE_FINAL: _("Attendance recorded: the check-in stands"),
        UNDO_REFUSED: _("Not undone: the check-in stands"),
        checkin_services.EMPTY_CODE: _("Type or scan a ticket code"),
        checkin_services.DOOR_CLOSED: _("Check-in opens a day before the event and closes a day after it"),
        checkin_services.BAD_SCAN_TIME: _("Scan dated outside the event: check the device's clock"),
        checkin_services.THROTTLED: _("Too many unknown codes: will try again later"),
        "undone": _("Check-in undone"),
        "error": _("Not done"),
    }


def plural_forms(singular: str, plural: str) -> list[str]:
    """A message's two forms for the script, which picks one as ``n == 1 ? 0 : 1`` (the
    plural rule of English and Azerbaijani); ``%(count)s`` stands for the number."""
    return [ngettext(singular, plural, 1), ngettext(singular, plural, 2)]


def checkin_words() -> dict:
    """Every word the check-in script shows, in the visitor's language."""
    return {
        # the device's connection, beside the event's time: not "Online", the format of an event
        "online": _("Connected"),
        "offline": _("No connection"),
        "waiting": plural_forms("%(count)s scan waiting to sync", "%(count)s scans waiting to sync"),
        "synced": _("All scans synced"),
        "offlineNote": _("Saved offline: uploads when the connection returns"),
        "notInList": _("Not in the downloaded list"),
        "listAge": _("List downloaded"),
        "people": plural_forms("%(count)s person", "%(count)s people"),
        "checkedIn": plural_forms("person checked in", "people checked in"),
        "registered": plural_forms("person registered", "people registered"),
        "waitingPeople": plural_forms("person waiting", "people waiting"),
        "registrations": plural_forms("%(count)s registration", "%(count)s registrations"),
        "conflict": _("Sync conflicts"),
        # "Already checked in", then when and by whom: the server's answer (checked_in_line) and the
        # script's, online and offline, in these words and the door's clock (door_clock)
        **checked_in_words(),
        "clock": door_clock_formats(),
        "dismiss": _("Dismiss"),
        "checkIn": _("Check in"),
        "in": _("In"),
        "inQueued": _("In, waiting to sync"),
        "nobody": _("Nobody found."),
        "namesOnly": _("Without a connection the search finds names only: the downloaded list has no email addresses."),
        "results": _("Search results"),
        "cameraError": _("The camera could not be started."),
        "signedOut": _("Not accepted by the server: sign in again, then reload this page."),
        "needsConnection": _("A walk-in needs a connection: check them in when it returns."),
        "undoNeedsConnection": _("An undo needs a connection: undo the check-in when it returns."),
        "signOutWithQueue": plural_forms(
            "%(count)s scan has not been uploaded yet: signing out now loses it. Sign out anyway?",
            "%(count)s scans have not been uploaded yet: signing out now loses them. Sign out anyway?",
        ),
        "statuses": {value: str(label) for value, label in RegistrationStatus.choices},
    }


def checked_in_words() -> dict:
    """How the door says when and by whom someone was let in, after "Already checked in": the
    server's answer (:func:`checked_in_line`) and checkin.js (offline, and a sync conflict's
    device) use these words alone. ``%(when)s`` is :func:`door_clock`'s."""
    return {
        "checkedInAt": _("at %(when)s by %(by)s"),
        "checkedInAtOn": _("at %(when)s by %(by)s on device %(device)s"),
        # offline, before the upload names the account: this device let them in
        "checkedInHere": _("at %(when)s on this device"),
        # no account recorded (it was deleted): scanner_name's ""
        "someone": _("someone"),
    }


def checked_in_line(*, when: str, by: str) -> str:
    """ "at 13:00 by Aysel Mammadova": when and by whom, as the script writes it too."""
    words = checked_in_words()
    return words["checkedInAt"] % {"when": when, "by": by or words["someone"]}


# the date formats door_clock writes with (events_project/formats): checkin.js writes the same
# formats, knowing their letters j, d, n, m, Y, H, G, i and the months' names below
DOOR_CLOCK_TODAY = "TIME_FORMAT"
DOOR_CLOCK_OTHER_DAY = "STAMP_MONTH_DAY_TIME_FORMAT"
MONTH_LETTERS = ("M", "F", "b", "N")


def door_clock(moment: dt.datetime, event, *, now: dt.datetime | None = None) -> str:
    """When someone was let in, as the door writes it online and offline: the time of day in the
    event's zone ("13:00"), with the day when it was not today there ("28 Nov, 13:00")."""
    local = timezone.localtime(moment, event.zone)
    today = timezone.localtime(now or timezone.now(), event.zone).date()
    name = DOOR_CLOCK_TODAY if local.date() == today else DOOR_CLOCK_OTHER_DAY
    return when_rule.local_date(local, name)


def door_clock_formats() -> dict:
    """:func:`door_clock`'s formats in the page's language, and the months' names they may use,
    for checkin.js to write a moment as the server does."""
    months = [dt.date(2000, month, 1) for month in range(1, 13)]
    return {
        "today": when_rule.local_format(DOOR_CLOCK_TODAY),
        "otherDay": when_rule.local_format(DOOR_CLOCK_OTHER_DAY),
        "months": {letter: [formats.date_format(month, letter) for month in months] for letter in MONTH_LETTERS},
    }


def verdict_of(
    code: str, *, registration: dict | None = None, detail: str = "", when: str = "", by: str = "", at: str = ""
) -> dict:
    """What the door shows for an answer; ``when`` and ``by`` of a live check-in (``at`` the
    moment, ISO, for the script to keep) become its ``line``, "at 13:00 by Aysel Mammadova"."""
    registration = registration or {}
    return {
        "code": code,
        "level": VERDICT_LEVEL.get(code, "bad"),
        "title": verdict_titles().get(code, code),
        "name": registration.get("name", ""),
        "party_size": registration.get("party_size", 1),
        "detail": detail,
        "when": when,
        "by": by,
        "at": at,
        "line": checked_in_line(when=when, by=by) if when else "",
    }


def verdict_of_refusal(refusal, event) -> dict:
    at = refusal.extra.get("checked_in_at", "")
    return verdict_of(
        refusal.code,
        registration=refusal.extra.get("registration"),
        when=door_clock(dt.datetime.fromisoformat(at), event) if at else "",
        by=refusal.extra.get("checked_in_by", ""),
        at=at,
    )


def verdict_of_checkin(checkin) -> dict:
    return verdict_of(
        checkin_services.CHECKED_IN, registration=checkin_services.registration_summary(checkin.registration)
    )


def staff_event(request, event_id: int):
    try:
        return checkin_services.event_for_check_in(event_id=event_id, user=request.user)
    except NotFound:
        raise Http404 from None
    except Forbidden:
        raise PermissionDenied from None


def door_action(request, event, *, walk_in_form: WalkInForm) -> dict:
    """Carry out one check-in form (typed code, found registration, walk-in, undo);
    ``walk_in_form`` is the walk-in form bound to what was posted, its errors added here."""
    action = request.POST.get("action")
    device = (request.POST.get("device") or "web page")[:100]
    by = request.user
    try:
        if action == "code":
            checkin = checkin_services.check_in(
                event_id=event.pk, secret=request.POST.get("code", ""), by=by, device=device,
                source=CheckIn.Source.MANUAL if request.POST.get("typed") else CheckIn.Source.SCAN,
            )  # fmt: skip
            return verdict_of_checkin(checkin)
        if action == "registration":
            registration = event_registration(event, request.POST.get("registration"), user=by)
            try:
                checkin = checkin_services.check_in_registration(
                    event=event, registration=registration, by=by, device=device
                )
            except checkin_services.CheckInRefused as refusal:
                return at_row(verdict_of_refusal(refusal, event), registration.pk)
            return at_row(verdict_of_checkin(checkin), registration.pk)
        if action == "walk_in":
            if not walk_in_form.is_valid():
                return verdict_of("error", detail=errors_naming_fields(walk_in_form))
            try:
                checkin = checkin_services.check_in_walk_in(
                    event=event, by=by, device=device, **walk_in_form.cleaned_data
                )
            except DomainError as error:
                # a service refusal of one field (name_required, invalid_email) is shown under it
                field = FIELD_OF_CODE.get(error.code)
                walk_in_form.add_error(field if field in walk_in_form.fields else None, error.message)
                raise
            return verdict_of_checkin(checkin)
        if action == "undo":
            checkin = get_object_or_404(event_checkins(event, user=by), pk=_id_or_404(request.POST.get("checkin")))
            registration = {"name": checkin.registration.name}
            row = checkin.registration_id
            try:
                checkin_services.undo_door_check_in(checkin=checkin, by=by)
            except checkin_services.CheckInRefused as refusal:
                # not the door's general "closed" notice: this undo was refused and the person is still in
                refused = verdict_of(UNDO_REFUSED, registration=registration, detail=undo_refusal_text(refusal))
                return at_row(refused, row)
            return at_row(verdict_of("undone", registration=registration), row)
    except checkin_services.CheckInRefused as refusal:
        return verdict_of_refusal(refusal, event)
    except DomainError as error:
        return verdict_of("error", detail=error.message)
    return verdict_of("error", detail=_("Unknown action."))


def errors_naming_fields(form) -> str:
    """A refused door form's errors for the answer at the top of the page, each naming its field
    ("Name: This field is required."), as the error summary of every other form page does
    (``includes/error_summary.html``): a bare "This field is required." there named none."""
    lines = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        lines.extend(f"{summary_label(label)}: {error}" if label else str(error) for error in errors)
    return " ".join(lines)


def at_row(verdict: dict, registration_id: int) -> dict:
    """``verdict`` of a button on a search result: the page shows it on that result's row
    (``#result-<registration id>``), where the staff member pressed it, not at the top."""
    return {**verdict, "row": registration_id}


def undo_refusal_text(refusal) -> str:
    """Why the door refused an undo, and what to do: an organiser corrects the attendance."""
    if refusal.code == checkin_services.DOOR_CLOSED:
        return _(
            "Check-in for this event has closed: an organiser can correct the attendance on the event's "
            "Registrations tab."
        )
    return str(refusal.message)


def _id_or_404(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def event_registration(event, registration_id, *, user):
    return get_object_or_404(
        checkin_services.search_registrations(event=event, query="", user=user), pk=_id_or_404(registration_id)
    )


def event_checkins(event, *, user):
    """The event's live check-ins that ``user`` may undo (``checkins_managed_by``)."""
    return selectors.checkins_managed_by(user).filter(event=event, undone_at__isnull=True)


@login_required
@require_http_methods(["GET", "POST"])
def checkin_page(request, event_id: int):
    """The door. Works as plain forms; checkin.js adds the camera, offline checks and a queue."""
    event = staff_event(request, event_id)
    if not event.has_venue:
        # an online-only event has no door and its tickets no code: say so, scan nothing
        status = 200 if request.method == "GET" else 409
        return render(request, "registrations/pages/checkin_no_door.html", {"event": event}, status=status)
    if request.method == "POST":
        posted = request.POST.get("action")
        walk_in_form = WalkInForm(request.POST if posted == "walk_in" else None)
        verdict = door_action(request, event, walk_in_form=walk_in_form)
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"verdict": verdict, "counts": checkin_services.door_counts(event=event)})
        query = request.POST.get("q", "").strip()[:100]
        if verdict["code"] not in DONE_AT_THE_DOOR:
            # Without the script nothing else keeps what was typed: the page comes back at once,
            # in this request's language, with the answer, the typed code or walk-in and the search.
            code = request.POST.get("code", "")[:200] if posted == "code" else ""
            return door_page(
                request, event, verdict=verdict, query=query, walk_in_form=walk_in_form, code=code, status=400
            )
        request.session[f"checkin-verdict-{event.pk}"] = verdict
        if not query:
            # to the answer: the next Tab goes on from it to the scanner and the code box, where a
            # keyboard at the door started from the top of the page (its menu) after every walk-in
            return redirect(f"{request.path}#verdict")
        # a button on a search result: the same results again, at that person's row, where the
        # answer is shown (on a phone the top of the page is a long scroll away)
        anchor = "found-title"
        if verdict.get("row") and verdict["row"] in found_ids(request, event, query):
            anchor = f"result-{verdict['row']}"
        return redirect(f"{request.path}?q={quote(query)}#{anchor}")
    # the copy the service worker keeps for offline use: no answer of the moment, no search
    offline_copy = request.headers.get(OFFLINE_COPY_HEADER) == "1"
    verdict = None if offline_copy else request.session.pop(f"checkin-verdict-{event.pk}", None)
    query = "" if offline_copy else request.GET.get("q", "").strip()[:100]
    return door_page(request, event, verdict=verdict, query=query, walk_in_form=WalkInForm())


# what a door form did when it was done; anything else was refused and comes back as typed
DONE_AT_THE_DOOR = {checkin_services.CHECKED_IN, "undone"}


def found_ids(request, event, query: str) -> list[int]:
    """The ids of the registrations the door's search for ``query`` lists (its first results)."""
    found = checkin_services.search_registrations(event=event, query=query, user=request.user)
    return list(found.values_list("pk", flat=True)[:SEARCH_RESULTS])


def door_page(request, event, *, verdict, query: str, walk_in_form: WalkInForm, code: str = "", status: int = 200):
    """The door page: ``verdict`` the answer to show, ``code`` and ``walk_in_form`` what was typed.
    The answer to a button on a search result is shown on that result's row when it is listed;
    otherwise (or with no search) at the top, where a scan's answer is."""
    results = []
    if query:
        found = checkin_services.search_registrations(event=event, query=query, user=request.user)[:SEARCH_RESULTS]
        results = [{"registration": row, "live_id": row.live_id} for row in found]
    row_verdict = None
    if verdict and verdict.get("row") in {row["registration"].pk for row in results}:
        row_verdict, verdict = verdict, None
    context = {
        "event": event,
        "verdict": verdict,
        "row_verdict": row_verdict,
        "counts": checkin_services.door_counts(event=event),
        "query": query,
        "code": code,
        "results": results,
        "walk_in_form": walk_in_form,
        "titles": verdict_titles(),
        "words": checkin_words(),
        # the letters the search folds, for the offline search to fold names as the server does
        "folded_letters": FOLDED_LETTERS,
        "endpoints": checkin_endpoints(event),
        "door": checkin_services.door_window(event=event),
        # closed, the page offers no scanner, check-in, walk-in or undo (checkin.js goes on by the server's time)
        "door_state": door_page_state(event),
        # the event is over, the door still open: a check-in now is recorded as attended (late), and once
        # attendance is final no check-in is undone here (checkin_services.undo_door_check_in)
        "event_over": event.end <= timezone.now(),
        "attendance_final": event.attendance_finalised_at is not None,
    }
    response = render(request, "registrations/pages/checkin.html", context, status=status)
    response["Cache-Control"] = "private, no-cache"
    return response


# what the service worker sends when it fetches the page to keep (see checkin-sw.js)
OFFLINE_COPY_HEADER = "X-Checkin-Offline-Copy"


# a cancelled event's door never opens: its page says so instead of the window's dates (its
# registrations are cancelled, so a scan would be refused one ticket at a time)
DOOR_OF_A_CANCELLED_EVENT = "cancelled"


def door_page_state(event) -> str:
    """What the door page shows and offers: ``checkin_services.door_state`` now, or
    ``"cancelled"`` for a cancelled event (checkin.js says the same from ``endpoints.cancelled``)."""
    if event.status == EventStatus.CANCELLED:
        return DOOR_OF_A_CANCELLED_EVENT
    return checkin_services.door_state(event=event, at=timezone.now())


def checkin_endpoints(event) -> dict:
    """What the offline script needs of the event: the URLs it calls (the check-in API's list
    and batch upload), the door's window (``door_window``: offline scans outside it are refused
    on the spot, as online) and the event's time zone (times shown as the server shows them)."""
    opens, closes = checkin_services.door_window(event=event)
    return {
        "opens_at": opens.isoformat(),
        "closes_at": closes.isoformat(),
        "timezone": str(event.timezone),
        "cancelled": event.status == EventStatus.CANCELLED,
        "page": reverse("checkin", args=[event.pk]),
        "counts": reverse("checkin-counts", args=[event.pk]),
        "list": reverse("checkin-list", args=[event.pk]),
        "batch": reverse("checkin-batch", args=[event.pk]),
    }


@require_safe
def service_worker(request):
    """The check-in page's service worker, served from /checkin/ so that it may control it."""
    context = {
        "version": service_worker_version(),
        "offline_copy_header": OFFLINE_COPY_HEADER,
        "files": SERVICE_WORKER_FILES,
    }
    response = render(request, "registrations/pages/checkin-sw.js", context, content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/checkin/"
    return response


def service_worker_version() -> str:
    """Changes whenever the cached files change, so phones drop their old copies."""
    digest = hashlib.sha256()
    for name in SERVICE_WORKER_FILES:
        path = finders.find(name)
        if path:
            digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:12]


DOORS_PER_PAGE = 25


@login_required
@require_safe
def my_doors(request):
    """The events whose door this user may work (organisers and check-in staff) and that have
    not closed it yet (a day after the end: ``door_window``). An online-only event has no door."""
    since = timezone.now() - checkin_services.SCAN_WINDOW_MARGIN
    events = event_selectors.doors_of(request.user).filter(end__gte=since).order_by("start", "id")
    # an organiser of a year's programme has hundreds of doors ahead: the page stays small
    page = Paginator(events, DOORS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"events": page.object_list, "page": page}
    return private(render(request, "registrations/pages/my_doors.html", context))
