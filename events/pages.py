"""Server-rendered event pages: the public list and the event page.

The event page shows the visitor's own registration and the accepted speakers, so this
presentation layer reads the registrations and speakers selectors (the apps' models and
services never depend on them).
"""

from collections import defaultdict
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from events import selectors
from events.areas import home_of
from events.filters import EventFilter
from events.models import EventStatus
from events.page_forms import EventSearchForm
from events.permissions import can_check_in, can_manage_event
from events_project.calendar_links import subscribe_links
from registrations.models import ACTIVE_STATUSES
from registrations.selectors import people_counts, registrations_of_user, with_seats_open
from speakers.selectors import accepted_assignments_for_events

EVENTS_PER_PAGE = 20


@require_safe
def event_list(request):
    form = EventSearchForm(request.GET or None)
    params = QueryDict(mutable=True)
    params.update(form.filter_data() if form.is_bound else {"upcoming": "true"})
    events = EventFilter(
        params, queryset=with_seats_open(selectors.events_visible_to(request.user)), request=request
    ).qs
    newest_first = params.get("upcoming") == "false"
    if newest_first:
        events = events.order_by("-start", "-id")
    page = Paginator(one_card_per_series(events, newest_first=newest_first), EVENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    add_series_dates(page.object_list, events)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "events": page.object_list,
        "query": query.urlencode(),
        "filtering": form.uses_folded_filters(),
        "newest_first": newest_first,  # a series card's other dates are then earlier ones
        "home": not form.is_bound and page.number == 1,
        "feed": public_feed_links(request, params),
        # nothing to come matches: the same search over past events too, a way on rather than a dead end
        "also_past": _with_past(query) if not page.object_list and params.get("upcoming") == "true" else "",
    }
    return render(request, "events/pages/event_list.html", context)


def _with_past(query: QueryDict) -> str:
    """The list's query string with the past events included (``when=all``)."""
    query = query.copy()
    query["when"] = "all"
    return query.urlencode()


# the list's filters that the public feed (/calendar/events.ics) takes too, under the same names
FEED_FILTERS = ("kind", "region", "format")


def public_feed_links(request, params) -> dict:
    """Subscribe links to the public feed of the events this list's kind, region and format
    filters choose (the feed keeps every date to come; search words and dates do not apply).
    ``filtered``: whether a filter chose, so the page says "these events" rather than "all"."""
    chosen = {name: params[name] for name in FEED_FILTERS if params.get(name)}
    url = request.build_absolute_uri(reverse("calendar-public"))
    if chosen:
        url += "?" + urlencode(chosen)
    return {**subscribe_links(url, str(_("Events"))), "filtered": bool(chosen)}


SERIES_DATES_SHOWN = 4


def one_card_per_series(events, *, newest_first: bool = False):
    """The events to list, a series standing once: by its first date that matches (its
    latest when the list runs newest first). Other events pass through."""
    before = "gt" if newest_first else "lt"
    earlier = events.filter(series_id=OuterRef("series_id")).filter(
        Q(**{f"start__{before}": OuterRef("start")}) | Q(start=OuterRef("start"), pk__lt=OuterRef("pk"))
    )
    return events.exclude(Q(series__isnull=False) & Exists(earlier.order_by().values("pk")))


def add_series_dates(cards, events) -> None:
    """Give each series card its next dates (that match the same filters): ``card.series_dates``
    (the few after its own) and ``card.more_dates`` (how many besides). One query for the page."""
    series_ids = {card.series_id for card in cards if card.series_id}
    if not series_ids:
        return
    dates = defaultdict(list)
    for pk, series_id, start in events.filter(series_id__in=series_ids).values_list("pk", "series_id", "start"):
        dates[series_id].append((pk, start))
    for card in cards:
        if not card.series_id:
            continue
        others = [row for row in dates[card.series_id] if row[0] != card.pk]
        card.series_dates = [{"pk": pk, "start": start} for pk, start in others[:SERIES_DATES_SHOWN]]
        card.more_dates = max(0, len(others) - SERIES_DATES_SHOWN)


@require_safe
def event_detail(request, pk: int):
    event = get_object_or_404(with_seats_open(selectors.events_visible_to(request.user)), pk=pk)
    manages = can_manage_event(request.user, event)
    now = timezone.now()
    registration_open = event.registration_is_open(now)
    is_cancelled = event.status == EventStatus.CANCELLED
    context = {
        "event": event,
        "speakers": accepted_speakers(event),
        "manages": manages,
        "checks_in": can_check_in(request.user, event),
        "registration_open": registration_open,
        "places_open": event.places_open(now),
        "is_cancelled": is_cancelled,
        # a past or cancelled event promises no join link and no registration
        "is_over": event.end <= now,
        "own_registration": own_registration(request.user, event),
        "now": now,
        # people, not registrations: a family of three takes three seats
        "people": people_counts(event),
        "series": shown_series(request.user, event),
    }
    context["other_dates"], context["more_dates"] = other_dates(request.user, event)
    context["series_feed"] = series_feed_links(request, context["series"])
    return render(request, "events/pages/event_detail.html", context)


@require_safe
@login_required
def signed_in_home(request):
    """Where signing in leads when no page asked for it (LOGIN_REDIRECT_URL): the person's own area."""
    return redirect(home_of(request))


def shown_series(user, event):
    """The event's series, when the visitor may see it: a session published on its own names no
    draft series (never published means never public, its name included)."""
    if not event.series_id:
        return None
    return selectors.series_visible_to(user).filter(pk=event.series_id).first()


def series_feed_links(request, series) -> dict | None:
    """Subscribe links to the public feed of the event's series (every date, kept up to date by the
    calendar), for a published series only: calendar programs fetch the feed without signing in."""
    if series is None or not series.published:
        return None
    url = request.build_absolute_uri(reverse("calendar-series", args=[series.pk]))
    return subscribe_links(url, series.title)


def accepted_speakers(event) -> list:
    return accepted_assignments_for_events([event.pk]).get(event.pk, [])


def own_registration(user, event):
    """The signed-in user's active registration for this event, to link their ticket."""
    if not user.is_authenticated:
        return None
    return registrations_of_user(user).filter(event=event, status__in=ACTIVE_STATUSES).first()


def other_dates(user, event, count: int = 6) -> tuple[list, int]:
    """The series' next other dates that the visitor may see (``count`` of them), and how many
    more there are: a nine-month series listed six dates and was silent about its other eleven."""
    if not event.series_id:
        return [], 0
    others = (
        selectors.events_visible_to(user)
        .filter(series_id=event.series_id, end__gt=timezone.now())
        .exclude(pk=event.pk)
        .order_by("start", "id")
    )
    shown = list(others[:count])
    return shown, (others.count() - count if len(shown) == count else 0)
