"""Server-rendered event pages: the public list and the event page.

The event page shows the visitor's own registration and the accepted speakers, so this
presentation layer reads the registrations and speakers selectors (the apps' models and
services never depend on them).
"""

from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from events import selectors
from events.filters import EventFilter
from events.models import EventStatus
from events.page_forms import EventSearchForm
from events.permissions import can_check_in, can_manage_event
from registrations.models import ACTIVE_STATUSES
from registrations.selectors import people_counts, registrations_of_user
from speakers.selectors import accepted_assignments_for_events

EVENTS_PER_PAGE = 20


def event_list(request):
    form = EventSearchForm(request.GET or None)
    params = QueryDict(mutable=True)
    params.update(form.filter_data() if form.is_bound else {"upcoming": "true"})
    events = EventFilter(params, queryset=selectors.events_visible_to(request.user)).qs
    if params.get("upcoming") == "false":
        events = events.order_by("-start", "-id")
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "events/pages/event_list.html",
        {"form": form, "page": page, "events": page.object_list, "query": query.urlencode()},
    )


def event_detail(request, pk: int):
    event = get_object_or_404(selectors.events_visible_to(request.user), pk=pk)
    manages = can_manage_event(request.user, event)
    context = {
        "event": event,
        "speakers": accepted_speakers(event),
        "manages": manages,
        "checks_in": manages or can_check_in(request.user, event),
        "registration_open": event.registration_is_open(),
        "is_cancelled": event.status == EventStatus.CANCELLED,
        "own_registration": own_registration(request.user, event),
        "now": timezone.now(),
        # people, not registrations: a family of three takes three seats
        "people": people_counts(event),
    }
    return render(request, "events/pages/event_detail.html", context)


def accepted_speakers(event) -> list:
    return accepted_assignments_for_events([event.pk]).get(event.pk, [])


def own_registration(user, event):
    """The signed-in user's active registration for this event, to link their ticket."""
    if not user.is_authenticated:
        return None
    return registrations_of_user(user).filter(event=event, status__in=ACTIVE_STATUSES).first()
