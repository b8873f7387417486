"""Organiser workspace pages of the events app (mounted under /manage/, see events.workspace).

Each page parses its form, calls one of :mod:`events.services` and renders: the rules (and the
messages to attendees when an event moves or is cancelled) live in the services.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from events import services
from events.manage_forms import CancelEventForm, EventForm, MoveEventForm, SeriesForm
from events.models import EventKind, EventStatus, RegistrationMode, Series
from events.pages import shown_series
from events.permissions import can_manage_series
from events.selectors import action_log_of, action_log_of_series, events_managed_by, series_managed_by
from events.time_zones import zone_name
from events.workspace import managed_event, managed_series, no_store, organiser_required
from events_project.exceptions import DomainError
from registrations.selectors import name_registration_subjects
from registrations.services.questions import copy_questions
from speakers.selectors import name_assignment_subjects, unread_answers

EVENTS_PER_PAGE = 25
SHOWS = ("upcoming", "past", "drafts", "all")
CLOSED = (EventStatus.CANCELLED, EventStatus.COMPLETED)


def published_text(*, mode: str, series: bool = False) -> str:
    """What publishing opened, in the words of who may register: "and register" was said of a
    roundtable by invitation only too, where only those invited register, with their code, and of
    an event by approval, where people send a request that an organiser answers."""
    if series:
        said = {
            RegistrationMode.APPROVAL: _(
                "The series is published: people can find its sessions and send a request, which you approve "
                "on each session's Registrations tab."
            ),
            RegistrationMode.INVITATION: _(
                "The series is published: people can find its sessions; only those you invite register, with "
                "the code from each session's Invitations tab."
            ),
        }
        return said.get(mode, _("The series is published: people can find its sessions and register."))
    said = {
        RegistrationMode.APPROVAL: _(
            "The event is published: people can find it and send a request, which you approve on the Registrations tab."
        ),
        RegistrationMode.INVITATION: _(
            "The event is published: people can find it; only those you invite register, with the code "
            "from the Invitations tab."
        ),
    }
    return said.get(mode, _("The event is published: people can find it and register."))


def _closed(request, event):
    """A cancelled or completed event is history: its edit, move and cancel forms would only
    refuse on saving. Say so at once, on the event's page."""
    if event.status not in CLOSED:
        return None
    messages.info(
        request,
        _("This event is %(status)s: it can no longer be changed. Copy it to plan it again.")
        % {"status": event.get_status_display().lower()},
    )
    return redirect("manage-event", pk=event.pk)


@organiser_required
@require_safe
def event_list(request):
    """The events this organiser may change: upcoming first, or past, drafts, all."""
    show = request.GET.get("show", "upcoming")
    show = show if show in SHOWS else "upcoming"
    events = events_managed_by(request.user)
    now = timezone.now()
    if show == "upcoming":
        events = events.filter(end__gt=now).exclude(status=EventStatus.CANCELLED).order_by("start", "id")
    elif show == "past":
        events = events.filter(end__lte=now).order_by("-start", "-id")
    elif show == "drafts":
        events = events.filter(status=EventStatus.DRAFT).order_by("start", "id")
    else:
        events = events.order_by("-start", "-id")
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "events": page.object_list, "show": show, "shows": SHOWS}
    return no_store(render(request, "events/manage/event_list.html", context))


def _name_event_subjects(entries) -> dict[tuple[str, int], str]:
    # the event's organisers see its registrations, questions, invitations and speakers
    return {**name_registration_subjects(entries), **name_assignment_subjects(entries)}


@organiser_required
@require_safe
def event_overview(request, pk: int):
    event = managed_event(request, pk)
    # the series as the organiser may see it (events.pages.shown_series): a co-organiser of this one
    # session read the title of a series never published, and its page is only its own organisers'
    series = shown_series(request.user, event)
    context = {
        "event": event,
        "series": series,
        "series_managed": series is not None and can_manage_series(request.user, series),
        "unread_answers": unread_answers(event=event).count(),
        "closed": event.status in CLOSED,
        # the time of an event that took place is history (services.check_time_change)
        "movable": event.status not in CLOSED and not services.is_over(event),
        "cancellable": event.status == EventStatus.DRAFT or (event.status not in CLOSED and event.end > timezone.now()),
        "action_log": action_log_of(event, name_subjects=_name_event_subjects),
    }
    return no_store(render(request, "events/manage/event_overview.html", context))


def _kind(value: str) -> str:
    if value not in EventKind.values:
        raise Http404
    return value


@organiser_required
@require_safe
def event_new(request):
    """First the kind: the form that follows asks what that kind of event needs."""
    return no_store(render(request, "events/manage/event_new.html", {"kinds": EventKind.choices}))


@organiser_required
@require_http_methods(["GET", "POST"])
def event_create(request, kind: str):
    kind = _kind(kind)
    form = EventForm(request.POST or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        event = form.save_through(lambda fields: services.create_event(by=request.user, **fields))
        if event is not None:
            messages.success(request, _("The event is saved as a draft. Publish it when it is ready."))
            return redirect("manage-event", pk=event.pk)
    context = {"form": form, "kind_label": EventKind(kind).label, "heading": _("New event")}
    return no_store(render(request, "events/manage/event_form.html", context))


@organiser_required
@require_http_methods(["GET", "POST"])
def event_edit(request, pk: int):
    event = managed_event(request, pk)
    if closed := _closed(request, event):
        return closed
    form = EventForm(request.POST or None, kind=event.kind, event=event)
    if request.method == "POST" and form.is_valid():
        saved = form.save_through(lambda fields: services.update_event(event=event, by=request.user, **fields))
        if saved is not None:
            messages.success(
                request, _("Saved. People with a seat and the speakers are told when the time or place changes.")
            )
            return redirect("manage-event", pk=event.pk)
    context = {"form": form, "event": event, "kind_label": event.get_kind_display(), "heading": _("Edit the event")}
    return no_store(render(request, "events/manage/event_form.html", context))


@organiser_required
@require_http_methods(["GET", "POST"])
def event_duplicate(request, pk: int):
    """A new draft with this event's details and questions, at a date the organiser picks."""
    source = managed_event(request, pk)
    initial = EventForm.initial_from(source)
    form = EventForm(request.POST or None, kind=source.kind, initial=initial)

    def create(fields):
        with transaction.atomic():
            event = services.create_event(by=request.user, **fields)
            copy_questions(source=source, target=event, by=request.user)
        return event

    if request.method == "POST" and form.is_valid():
        event = form.save_through(create)
        if event is not None:
            messages.success(request, _("The copy is saved as a draft."))
            return redirect("manage-event", pk=event.pk)
    context = {"form": form, "source": source, "kind_label": source.get_kind_display(), "heading": _("Copy the event")}
    return no_store(render(request, "events/manage/event_form.html", context))


@organiser_required
@require_POST
def event_publish(request, pk: int):
    event = managed_event(request, pk)
    try:
        services.publish_event(event=event, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, published_text(mode=event.registration_mode))
    return redirect("manage-event", pk=event.pk)


@organiser_required
@require_http_methods(["GET", "POST"])
def event_move(request, pk: int):
    """New date and time; registrants and speakers are told and their calendars updated."""
    event = managed_event(request, pk)
    if closed := _closed(request, event):
        return closed
    if services.is_over(event):
        messages.info(request, _("The event is over: its date and time can no longer change."))
        return redirect("manage-event", pk=event.pk)
    form = MoveEventForm(request.POST or None, event=event)
    if request.method == "POST" and form.is_valid():
        saved = form.save_through(lambda fields: services.update_event(event=event, by=request.user, **fields))
        if saved is not None:
            messages.success(
                request, _("The event is moved. Everyone with a seat and every speaker receives the new time.")
            )
            return redirect("manage-event", pk=event.pk)
    return no_store(render(request, "events/manage/event_move.html", {"form": form, "event": event}))


@organiser_required
@require_http_methods(["GET", "POST"])
def event_cancel(request, pk: int):
    event = managed_event(request, pk)
    if closed := _closed(request, event):
        return closed
    if event.status == EventStatus.PUBLISHED and event.end <= timezone.now():
        messages.info(request, _("The event is over: it can no longer be cancelled."))
        return redirect("manage-event", pk=event.pk)
    form = CancelEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_event(event=event, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The event is cancelled. Everyone registered is told why."))
            return redirect("manage-event", pk=event.pk)
    return no_store(render(request, "events/manage/event_cancel.html", {"form": form, "event": event}))


# --- Series ---------------------------------------------------------------------------


@organiser_required
@require_safe
def series_list(request):
    series = series_managed_by(request.user).order_by("-first_start", "-id")
    page = Paginator(series, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return no_store(render(request, "events/manage/series_list.html", {"page": page, "series_list": page.object_list}))


def _preview(form, series: Series | None) -> tuple[list, str, list]:
    """The occurrences the form's rule gives, in the series' timezone, computed by the same
    expand_series that saving uses; and, for a series already saved, the published sessions
    saving would cancel."""
    fields = form.service_fields()
    draft = Series(**{name: value for name, value in fields.items()})
    try:
        draft.full_clean(exclude=["uid"], validate_unique=False)
        starts = services.expand_series(draft)
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return [], fields["timezone"], []
    except DomainError as error:
        form.add_error(None, error.message)
        return [], fields["timezone"], []
    dropped = [] if series is None else services.occurrences_cancelled_by(series=series, starts=starts)
    return [timezone.localtime(start, draft.zone) for start in starts], fields["timezone"], dropped


def _series_form_page(request, form, series: Series | None):
    preview, zone, dropped = None, "", []
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview, zone, dropped = _preview(form, series)
        else:
            was_published = series is not None and series.published
            if series is None:
                saved = form.save_through(lambda fields: services.create_series(by=request.user, **fields))
            else:
                published = set(series.occurrences.filter(status=EventStatus.PUBLISHED).values_list("pk", flat=True))
                saved = form.save_through(
                    lambda fields: services.update_series(series=series, by=request.user, **fields)
                )
            if saved is not None:
                cancelled = 0 if series is None else _newly_cancelled(series, published)
                if cancelled:
                    messages.success(
                        request,
                        ngettext(
                            "The series is saved with its sessions; %(count)s session is cancelled and its "
                            "registrants are told.",
                            "The series is saved with its sessions; %(count)s sessions are cancelled and their "
                            "registrants are told.",
                            cancelled,
                        )
                        % {"count": cancelled},
                    )
                elif saved.published and not was_published:
                    # as publishing an event says: ticking Published was answered as any other edit
                    messages.success(request, published_text(mode=saved.registration_mode, series=True))
                else:
                    messages.success(request, _("The series is saved with its sessions."))
                return redirect("manage-series-detail", pk=saved.pk)
    context = {
        "form": form,
        "series": series,
        "preview": preview,
        "preview_zone": zone,
        "preview_zone_name": zone_name(zone, preview[0]) if preview else "",
        "dropped": dropped,
    }
    return no_store(render(request, "events/manage/series_form.html", context))


def _newly_cancelled(series: Series, published_before: set) -> int:
    """How many of the sessions published before saving the series are cancelled now."""
    return series.occurrences.filter(pk__in=published_before, status=EventStatus.CANCELLED).count()


@organiser_required
@require_http_methods(["GET", "POST"])
def series_create(request):
    return _series_form_page(request, SeriesForm(request.POST or None), None)


@organiser_required
@require_http_methods(["GET", "POST"])
def series_edit(request, pk: int):
    series = managed_series(request, pk)
    return _series_form_page(request, SeriesForm(request.POST or None, series=series), series)


@organiser_required
@require_safe
def series_detail(request, pk: int):
    series = managed_series(request, pk)
    occurrences = events_managed_by(request.user).filter(series=series).order_by("start", "id")
    context = {"series": series, "occurrences": occurrences, "action_log": action_log_of_series(series)}
    return no_store(render(request, "events/manage/series_detail.html", context))
