"""Workspace pages of the notifications app: an event's own wording of its messages, with a preview,
and the outbox of the organiser's events (failed messages with their reason, resend)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from events.selectors import events_managed_by
from events.workspace import as_id, asked_id, back_to_listed_row, managed_event, no_store, organiser_required, posted_id
from events_project.exceptions import DomainError
from events_project.filters import understood
from events_project.pagination import DeepPaginator
from notifications import kinds
from notifications.manage_forms import EVENT_MESSAGE_KINDS, MessageTemplateForm, OutboxFilterForm
from notifications.models import MessageTemplateOverride
from notifications.selectors import outbox_counts, outbox_managed_by
from notifications.services import resend_message
from notifications.services import templates as template_services


@organiser_required
@require_safe
def event_messages(request, pk: int):
    event = managed_event(request, pk)
    overridden = set(MessageTemplateOverride.objects.filter(event=event).values_list("kind", flat=True))
    rows = [{"kind": kind, "label": label, "own": kind in overridden} for kind, label in EVENT_MESSAGE_KINDS.items()]
    return no_store(render(request, "notifications/manage/messages.html", {"event": event, "rows": rows}))


@organiser_required
@require_http_methods(["GET", "POST"])
def message_template(request, pk: int, kind: str):
    """Word one message for this event; Preview renders it as a sample person would receive it."""
    event = managed_event(request, pk)
    if kind not in EVENT_MESSAGE_KINDS:
        raise Http404
    override = MessageTemplateOverride.objects.filter(event=event, kind=kind).first()
    initial = {"subject": override.subject, "body": override.body} if override else {}
    form = MessageTemplateForm(request.POST or None, initial=initial)
    preview = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "default":
                if override is not None:
                    template_services.delete_template_override(override=override, by=request.user)
                messages.success(request, _("This message uses the default wording again."))
                return redirect("manage-event-messages", pk=event.pk)
            if form.is_valid():
                if action == "save":
                    template_services.set_template_override(
                        event=event, kind=kind, by=request.user, **form.cleaned_data
                    )
                    messages.success(request, _("Saved: messages queued from now on use this wording."))
                    return redirect("manage-event-messages", pk=event.pk)
                preview = template_services.preview_message(
                    event=event, kind=kind, language=translation.get_language(), **form.cleaned_data
                )
        except DomainError as error:
            form.add_error("subject" if error.code == "subject_not_one_line" else "body", error.message)
    elif override is None:
        preview = template_services.preview_message(event=event, kind=kind, language=translation.get_language())
    context = {
        "event": event,
        "kind": kind,
        "label": EVENT_MESSAGE_KINDS[kind],
        "form": form,
        "override": override,
        "preview": preview,
        "placeholders": sorted(template_services.KNOWN_PLACEHOLDERS),
    }
    return no_store(render(request, "notifications/manage/message_template.html", context))


PER_PAGE = 50


# messages the organiser cannot reword (not in EVENT_MESSAGE_KINDS): their names in the outbox
OTHER_KIND_LABELS = {
    kinds.SPEAKER_INVITATION: gettext_lazy("Speaker invitation"),
    kinds.SPEAKER_INVITATION_REMINDER: gettext_lazy("Speaker invitation reminder"),
    kinds.SPEAKER_UNANSWERED_ALERT: gettext_lazy("Speaker has not answered (to organisers)"),
    kinds.SPEAKER_ANSWERED: gettext_lazy("Speaker answered (to organisers)"),
    kinds.SPEAKER_ACCOUNT_LINK: gettext_lazy("Speaker sign-in link"),
    kinds.ATTENDANCE_CORRECTED: gettext_lazy("Attendance corrected"),
    kinds.MISSED_SESSIONS_ALERT: gettext_lazy("Missed sessions (to organisers)"),
    kinds.TICKET_LINKS: gettext_lazy("Links to my tickets"),
    kinds.TEAM_INVITATION: gettext_lazy("Invitation to the event team"),
    kinds.ORGANISER_MESSAGE: gettext_lazy("Message from the organisers"),
    kinds.CERTIFICATE_ISSUED: gettext_lazy("Certificate issued"),
    kinds.CERTIFICATE_LINK: gettext_lazy("Certificate link"),
    kinds.COHORT_LEFT: gettext_lazy("Left the cohort"),
    kinds.COHORT_ENROLLED: gettext_lazy("Enrolled in the cohort"),
    kinds.PASSWORD_RESET: gettext_lazy("Password reset"),
    kinds.EXPORT_READY: gettext_lazy("File ready"),
}


def kind_label(kind: str) -> str:
    label = EVENT_MESSAGE_KINDS.get(kind) or OTHER_KIND_LABELS.get(kind)
    return str(label or dict(kinds.CHOICES).get(kind, kind))


# the outbox's order, newest first: the page and the way back after "Send again" (which page holds the row)
OUTBOX_ORDER = ("-created_at", "-id")


def _narrowed(messages_listed, chosen: dict):
    """The outbox as its filter form chose (a status, words of the recipient or subject)."""
    if chosen.get("status"):
        messages_listed = messages_listed.filter(status=chosen["status"])
    if chosen.get("q"):
        text = chosen["q"].strip()
        messages_listed = messages_listed.filter(
            Q(recipient_email__icontains=text) | Q(recipient_name__icontains=text) | Q(subject__icontains=text)
        )
    return messages_listed


@organiser_required
@require_http_methods(["GET", "POST"])
def outbox(request):
    """Every message about the events I organise: what failed and why, and send it again."""
    mine = outbox_managed_by(request.user)
    if request.method == "POST":
        message = get_object_or_404(mine, pk=posted_id(request.POST.get("message")))
        query = request.POST.get("back", "")
        try:
            resend_message(message=message, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The message to %(email)s is sent again.") % {"email": message.recipient_email})
        query = query if "\n" not in query and "\r" not in query else ""
        url = request.path + (f"?{query}" if query else "")
        # back at the message's row; at the count of those listed when it left the list (sent
        # again, it is no longer "failed" where the list shows the failed ones)
        params = QueryDict(query)
        listed_event = as_id(params.get("event", ""))
        if listed_event is not None:
            mine = mine.filter(event_id=listed_event)
        listed = _narrowed(mine, understood(OutboxFilterForm(params or None))).order_by(*OUTBOX_ORDER)
        gone = _("The message to %(email)s is no longer listed: not among those this search and this status show.")
        return back_to_listed_row(
            request,
            url,
            listed=listed,
            pk=message.pk,
            row=f"message-{message.pk}",
            heading="listed",
            per_page=PER_PAGE,
            gone=gone % {"email": message.recipient_email},
        )
    form = OutboxFilterForm(request.GET or None)
    chosen = understood(form)
    event = None
    event_id = asked_id(request, "event")  # not an id: 400; someone else's event: 404
    if event_id is not None:
        event = get_object_or_404(events_managed_by(request.user), pk=event_id)
        mine = mine.filter(event=event)
    counts = outbox_counts(mine)
    listed = _narrowed(mine, chosen)
    # a deep page reads its ids first (DeepPaginator): 50,000 messages took 0.8 s at page 1,000
    page = DeepPaginator(listed.order_by(*OUTBOX_ORDER), PER_PAGE).get_page(request.GET.get("page"))
    for message in page:
        message.kind_label = kind_label(message.kind)
    query = {key: value for key, value in request.GET.items() if key != "page" and value}
    context = {
        "form": form,
        "page": page,
        "counts": counts,
        "event": None,
        "for_event": event,
        "query": urlencode(query),
        # where "Send again" comes back to: this search, this status and this page
        "back": urlencode({**query, "page": page.number} if page.number > 1 else query),
    }
    return no_store(render(request, "notifications/manage/outbox.html", context))
