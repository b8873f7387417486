"""Organiser workspace pages of the events app (mounted under /manage/, see events.workspace)."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from events.models import EventStatus
from events.selectors import events_managed_by
from events.workspace import managed_event, no_store, organiser_required

EVENTS_PER_PAGE = 25
SHOWS = ("upcoming", "past", "drafts", "all")


@organiser_required
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


@organiser_required
def event_overview(request, pk: int):
    event = managed_event(request, pk)
    return no_store(render(request, "events/manage/event_overview.html", {"event": event}))
