"""The organiser workspace (/manage/): who may enter, its menu, and the tabs of an event.

Every app adds its own pages to the workspace: it mounts them under /manage/ (its
``manage_urls.py``) and names them in the menu or in an event's tabs from its
``AppConfig.ready()`` with :func:`add_section` / :func:`add_event_tab`. A page finds the event
it works on with :func:`managed_event`, which uses the one selector of what a user may change
(``events.selectors.events_managed_by``): another organiser's event is a 404.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect

from events.models import Event, Series
from events.permissions import is_organiser
from events.selectors import events_managed_by, series_managed_by
from events_project.limits import MAX_ID


@dataclass(frozen=True)
class Tab:
    label: str  # a lazy translation
    url_name: str
    order: int
    shown_for: Callable[[Event], bool] | None = None  # an event tab only some events have


SECTIONS: list[Tab] = []
EVENT_TABS: list[Tab] = []


def _add(tabs: list[Tab], tab: Tab) -> None:
    if all(existing.url_name != tab.url_name for existing in tabs):
        tabs.append(tab)
        tabs.sort(key=lambda item: item.order)


def add_section(label, url_name: str, *, order: int) -> None:
    """A top-level entry of the workspace menu (a URL name without arguments)."""
    _add(SECTIONS, Tab(label, url_name, order))


def add_event_tab(label, url_name: str, *, order: int, shown_for: Callable[[Event], bool] | None = None) -> None:
    """A tab of an event's pages (a URL name taking the event's ``pk``); ``shown_for(event)``
    says whether an event has it (the page itself still answers, for links kept elsewhere)."""
    _add(EVENT_TABS, Tab(label, url_name, order, shown_for))


def organiser_required(view):
    """Signed-in organisers only: others are sent to sign in, or refused with 403."""

    @functools.wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_organiser(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def managed_event(request, pk) -> Event:
    """The event ``pk`` if the user may change it; 404 otherwise (ids reveal nothing)."""
    event = events_managed_by(request.user).filter(pk=posted_id(pk)).first()
    if event is None:
        raise Http404
    return event


def managed_series(request, pk) -> Series:
    """The series ``pk`` if the user may change it; 404 otherwise."""
    series = series_managed_by(request.user).filter(pk=posted_id(pk)).first()
    if series is None:
        raise Http404
    return series


def as_id(raw: str) -> int | None:
    """``raw`` as a row id: a whole number in the database's range (an id past 2**63 overflows its
    integer), else None."""
    if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_ID:
        return int(raw)
    return None


def posted_id(value) -> int:
    """A row id from a form (a hidden field): anything but a whole number in the database's
    range is a 404, never a 500 (an id past 2**63 overflows the database's integer)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise Http404 from None
    if not 1 <= number <= MAX_ID:
        raise Http404
    return number


def asked_id(request, name: str) -> int | None:
    """The id of an event, series or programme a page's query string narrows it to (``?event=``):
    ``None`` when not given; anything but a whole number in the database's range is a 400, never
    read as "no filter" (the whole list instead of the one asked for). The caller looks it up in its
    ``*_managed_by``/``*_visible_to`` selector, so someone else's object is a 404 like an unknown
    one, never an empty list or a file of headers only."""
    raw = request.GET.get(name, "")
    if not raw:
        return None
    number = as_id(raw)
    if number is None:
        raise BadRequest(f"?{name}= is not an id")
    return number


def back_to_row(url: str, row: str | None, *, heading: str) -> HttpResponseRedirect:
    """After a button on a row of a list (approve, resend, remove, move, ...): the list's page
    (``url``, as it was filtered and paged) again, at the row (``#<row>``, the row's id), or at the
    list's ``heading`` (an id too) when the action took the row off the list (``row=None``:
    deleted, removed, or no longer matching the filter). A fragment moves the browser's starting point
    for the Tab key and the screen reader's reading point, so a keyboard user carries on from the
    row they were on, not from the top of the page. A fragment already on ``url`` gives way."""
    return redirect(f"{url.split('#', 1)[0]}#{row or heading}")


def no_store(response):
    """Workspace pages hold personal data: never cached, never sent on as a Referer."""
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    return response
