"""Workspace pages of the notifications app: an event's own wording of its messages, with a preview."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from events.workspace import managed_event, no_store, organiser_required
from events_project.exceptions import DomainError
from notifications.manage_forms import EVENT_MESSAGE_KINDS, MessageTemplateForm
from notifications.models import MessageTemplateOverride
from notifications.services import templates as template_services


@organiser_required
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
                preview = template_services.preview_message(event=event, kind=kind, **form.cleaned_data)
        except DomainError as error:
            form.add_error("body", error.message)
    elif override is None:
        preview = template_services.preview_message(event=event, kind=kind)
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
