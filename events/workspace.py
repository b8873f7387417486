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
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import QuerySet
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


def back_to_row(request, url: str, row: str | None, *, heading: str) -> HttpResponseRedirect:
    """After a button on a row of a list (approve, resend, remove, move, ...): the list's page
    (``url``, as it was filtered and paged) again, at the row (``#<row>``, the row's id), or at the
    list's ``heading`` (an id too) when the action took the row off the list (``row=None``:
    deleted, removed, or no longer matching the filter). A fragment moves the browser's starting point
    for the Tab key and the screen reader's reading point, so a keyboard user carries on from the
    row they were on, not from the top of the page. A fragment already on ``url`` gives way.

    What the button did (or why it was refused), the messages this request gave, is said where the
    person lands: they are tagged with the anchor, and the page draws them at that row or heading
    (``{% said_at "registration" registration.pk %}``, ``event_pages.said_at``) instead of at its top,
    which on a phone is out of sight when the browser has scrolled to the row."""
    anchor = row or heading
    said_at(request, anchor)
    return redirect(f"{url.split('#', 1)[0]}#{anchor}")


def back_to_listed_row(
    request, url: str, *, listed: QuerySet, pk: int, row: str, heading: str, per_page: int, gone: str
) -> HttpResponseRedirect:
    """:func:`back_to_row` for a list that comes a page at a time: ``url`` is the list as the person
    searched, filtered and paged it, ``listed`` the same list (its queryset, in the page's order,
    ``per_page`` rows a page). The way back goes to the page that holds the row now, which the action
    may have changed (approved, a registration sorts elsewhere): the row on page 3 comes back on
    page 3, not on page 1 where it is not. When the list no longer holds the row (it no longer
    matches the search or the filters) the person is told so (``gone``, a sentence naming the row),
    at the list's heading on the page they were on, instead of silently seeing other rows."""
    number = page_of(listed, pk, per_page=per_page)
    if number is None:
        messages.info(request, gone)
        return back_to_row(request, url, None, heading=heading)
    return back_to_row(request, with_page(url, number), row, heading=heading)


def page_of(listed: QuerySet, pk: int, *, per_page: int) -> int | None:
    """The page (from 1) of ``listed``, as ordered, that holds the row ``pk``; None when it does
    not hold it. Reads the ids only (50,000 ids are a few hundred KB, once, after a button)."""
    for index, found in enumerate(listed.values_list("pk", flat=True).iterator()):
        if found == pk:
            return index // per_page + 1
    return None


def with_page(url: str, number: int) -> str:
    """``url`` with its ``page`` parameter set to ``number`` (left out for the first page)."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != "page"]
    if number > 1:
        query.append(("page", str(number)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def said_at(request, anchor: str) -> None:
    """Tag the messages this request gave so far (none tagged otherwise) with ``anchor``: the page
    the request leads to draws them there (``event_pages.said_at``; those a page leaves out are
    drawn at the end of its content rather than lost)."""
    # the storage keeps the messages given in this request apart until the response stores them:
    # reading them through the public iterator would mark them shown, and they would be dropped
    for message in getattr(messages.get_messages(request), "_queued_messages", ()):
        if not message.extra_tags:
            message.extra_tags = anchor


def no_store(response):
    """Workspace pages hold personal data: never cached, never sent on as a Referer."""
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    return response
