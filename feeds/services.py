"""Calendar feeds: what each feed contains, and the private feed tokens.

A feed is described by a :class:`FeedContent` (its events, its name, what this reader may
see), built here; :mod:`feeds.apis` answers HTTP with it and :mod:`events.ical` renders it.
Private feeds live behind a :class:`~feeds.models.CalendarFeed` token: unguessable,
revocable, rotatable, one active token per person and scope. What a private feed shows is
decided at each request from what its owner may see then.
"""

import datetime as dt
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events import ical, selectors, when
from events.exceptions import DomainError, Forbidden, NotFound
from events.filters import EventFilter
from events.models import Event, EventKind, EventStatus, Language, Region
from events.permissions import can_manage_event, is_organiser
from events_project.typed_text import tidy_email
from feeds.models import CalendarFeed
from registrations import selectors as registration_selectors
from registrations.models import ACTIVE_STATUSES, RegistrationStatus
from speakers.models import AssignmentStatus, SpeakerAssignment, speaker_join_url
from speakers.selectors import accepted_events_for_speaker, speaker_for_user, speaker_lines

# Feeds keep a year of past events: enough for "what did I attend", small enough to stay fast.
PAST_KEPT_FOR = dt.timedelta(days=365)
# Writing last_fetched_at on every poll would turn each calendar refresh into a write.
FETCH_STAMP_EVERY = dt.timedelta(hours=1)
# Bump when the rendering changes, so that clients holding an old ETag get the new body.
RENDERING_VERSION = "2"
# How long a feed's rendered body is kept for the next reader of the same version (ETag)
BODY_KEPT_FOR = 60 * 60
# How long a reader waits for the body another request is rendering before rendering it too
RENDER_WAIT_SECONDS = 10
# How long a feed's first-served second is remembered (then it restarts at the current one).
FIRST_SERVED_KEPT_FOR = 60 * 60 * 24 * 30


class FeedError(DomainError):
    default_code = "invalid_feed"


@dataclass
class FeedContent:
    """Everything needed to answer one feed request; nothing is fetched until asked."""

    key: str
    name: str
    description: str
    events: QuerySet[Event]
    # one cheap query each, together covering everything the body shows: a change of any
    # of them changes the ETag (see version())
    version_queries: list[Callable[[], str]] = field(default_factory=list)
    # per event id: what this reader may see beyond the public facts
    extras: Callable[[list[Event]], dict] | None = None
    filename: str = "events.ics"

    def version(self) -> tuple[str, dt.datetime]:
        """(ETag, Last-Modified) computed without loading the events."""
        # the name and description read in the reader's language: another language, another body
        parts = [RENDERING_VERSION, self.key, timezone.now().date().isoformat(), self.name, self.description]
        parts += [query() for query in self.version_queries]
        etag = '"' + hashlib.sha256("|".join(parts).encode()).hexdigest()[:32] + '"'
        return etag, first_served(self.key, etag)

    def body(self, etag: str) -> bytes:
        """The feed as of ``etag`` (from :meth:`version`), rendered once per version and kept in
        the cache (shared by every worker with Redis): calendar apps poll, and a feed of a year of
        events (thousands) takes seconds to load and render, though it rarely changes. The ETag
        covers everything the body shows (that is what makes a 304 right), so the same ETag in
        the same language and settings is the same body."""
        cache_key = self.body_cache_key(etag)
        body = cache.get(cache_key)
        if body is not None:
            return body
        # one renderer per version: readers who come while it renders wait for its body instead
        # of rendering the same seconds of work again each (four at once took 5.6 s each on two
        # cores, against 2 s for one); a renderer that died leaves them to render after the wait
        rendering = cache_key + ":rendering"
        if not cache.add(rendering, 1, RENDER_WAIT_SECONDS * 2):
            body = _wait_for(cache_key, seconds=RENDER_WAIT_SECONDS)
            if body is not None:
                return body
        try:
            body = self.render()
            cache.set(cache_key, body, BODY_KEPT_FOR)
        finally:
            cache.delete(rendering)
        return body

    def body_cache_key(self, etag: str) -> str:
        """Where the body of ``etag`` is kept: the same ETag in the same language and settings is
        the same body."""
        context = "|".join(str(part) for part in ical.rendering_context())
        return "feeds:body:" + hashlib.sha256(f"{etag}|{context}".encode()).hexdigest()

    def render(self) -> bytes:
        events = list(self.events)
        extras = self.extras(events) if self.extras else {}
        speakers = speaker_lines([event.pk for event in events])
        return ical.feed_ics(events, name=self.name, description=self.description, speakers=speakers, **extras)


def _wait_for(cache_key: str, *, seconds: float) -> bytes | None:
    """The body another request is rendering under ``cache_key``, once it is there, or None
    after ``seconds``."""
    deadline = time.monotonic() + seconds
    pause = 0.02
    while time.monotonic() < deadline:
        time.sleep(pause)
        body = cache.get(cache_key)
        if body is not None:
            return body
        pause = min(pause * 2, 0.25)
    return None


def first_served(key: str, etag: str) -> dt.datetime:
    """Last-Modified of a feed (or .ics file): when it was first served with this ETag.

    Taken from the data, Last-Modified would go back when the newest item leaves the feed
    (an attendee cancels, an event is deleted), and a client that sends only
    If-Modified-Since would keep the removed event. Here every new ETag gets a later second
    than the one before, so Last-Modified moves whenever the body changes and never goes
    back. Kept in the cache (shared by every worker with Redis): a forgotten entry restarts
    at the current second, later than anything served before, so a client downloads once
    more and never misses a change.
    """
    cache_key = "feeds:first-served:" + hashlib.sha256(key.encode()).hexdigest()
    stored = cache.get(cache_key)
    if stored is not None and stored[0] == etag:
        return dt.datetime.fromtimestamp(stored[1], dt.UTC)
    second = int(time.time())
    if stored is not None:
        second = max(second, stored[1] + 1)  # two changes within a second still differ
    cache.set(cache_key, (etag, second), FIRST_SERVED_KEPT_FOR)
    return dt.datetime.fromtimestamp(second, dt.UTC)


# --- what goes into feeds ---------------------------------------------------------------


def in_feed_window(events: QuerySet[Event], *, now: dt.datetime | None = None, past: bool = True) -> QuerySet[Event]:
    """Drop long-cancelled events (clients have removed them by then) and, unless ``past``
    is False, events that ended more than a year ago."""
    now = now or timezone.now()
    events = events.exclude(status=EventStatus.CANCELLED, cancelled_at__lt=now - ical.CANCELLED_KEPT_FOR)
    if past:
        events = events.filter(end__gte=now - PAST_KEPT_FOR)
    return events.order_by("start", "id")


def _event_version(events: QuerySet[Event]) -> Callable[[], str]:
    """Edits move the newest updated_at; an event that leaves the feed (deleted, filtered
    out, out of the window) changes the count; one that enters does both."""

    def query():
        row = events.order_by().aggregate(latest=Max("updated_at"), count=Count("id"))
        return f"events:{row['latest']}:{row['count']}"

    return query


def _speaker_version(events: QuerySet[Event]) -> Callable[[], str]:
    """Accepted speakers appear in descriptions, by name and title: an acceptance, a
    withdrawal or a speaker's own edit changes the feed."""

    def query():
        row = (
            SpeakerAssignment.objects.filter(event__in=events.order_by().values("pk"), status=AssignmentStatus.ACCEPTED)
            .order_by()
            .aggregate(latest=Max("updated_at"), speakers=Max("speaker__updated_at"), count=Count("id"))
        )
        return f"speakers:{row['latest']}:{row['speakers']}:{row['count']}"

    return query


def _versions(events: QuerySet[Event]) -> list[Callable[[], str]]:
    return [_event_version(events), _speaker_version(events)]


def _standard_content(key, name, description, events, **kwargs) -> FeedContent:
    return FeedContent(
        key=key,
        name=name,
        description=description,
        events=events,
        version_queries=_versions(events),
        **kwargs,
    )


def public_feed(*, filterset_data, now=None) -> FeedContent:
    """All public events, narrowed by the events API's filters (kind, region, language, ...).
    Public feeds never carry join URLs."""

    filterset = EventFilter(data=filterset_data, queryset=selectors.public_events())
    if not filterset.is_valid():
        raise FeedError(_("Invalid feed filter: %(errors)s") % {"errors": dict(filterset.errors)}, "invalid")
    events = in_feed_window(filterset.qs, now=now)
    key = "public:" + "&".join(f"{k}={v}" for k in sorted(filterset_data) for v in filterset_data.getlist(k))
    label = _filter_label(filterset.form.cleaned_data)
    # the feed's own words read in the reader's language, like the kinds and languages in its label
    if label:
        name = _("STEM Mentorship: %(label)s") % {"label": label}
        description = _(
            "Public events of the STEM mentorship programme (%(label)s). Join links are sent to registered attendees."
        ) % {"label": label}
    else:
        name = str(_("STEM Mentorship events"))
        description = str(
            _("Public events of the STEM mentorship programme. Join links are sent to registered attendees.")
        )
    return _standard_content(key, name, description, events, filename="events.ics")


def _filter_label(cleaned: dict) -> str:

    parts = []
    kinds = cleaned.get("kind") or []
    if kinds:
        parts.append(", ".join(str(EventKind(kind).label) for kind in kinds))
    if cleaned.get("region"):
        region = Region.objects.filter(slug=cleaned["region"]).values_list("name", flat=True).first()
        parts.append(_("in %(region)s") % {"region": region or cleaned["region"]})
    languages = cleaned.get("language") or []
    if languages:
        parts.append("(" + ", ".join(str(Language(code).label) for code in languages) + ")")
    return " ".join(parts)


def series_feed(*, series_id: int, now=None) -> FeedContent:
    """Every public occurrence of a series, past ones included (a series is bounded)."""
    # calendar clients are anonymous: only a published series has a feed
    series = selectors.series_visible_to(None).filter(pk=series_id).first()
    if series is None:
        raise NotFound(_("No such series."), "series_not_found")
    events = in_feed_window(selectors.public_events().filter(series=series), now=now, past=False)
    description = series.description.strip() or _("All sessions of %(title)s.") % {"title": series.title}
    return _standard_content(
        f"series:{series.pk}", series.title, description, events, filename=f"series-{series.pk}.ics"
    )


def event_download(*, event_id: int, user) -> tuple[Event, bytes]:
    """One event as an .ics file. Drafts exist only for their organisers; the join URL is
    included for its organisers and for attendees with a confirmed registration."""
    event = selectors.events_visible_to(user).filter(pk=event_id).first()
    if event is None:
        raise NotFound(_("No such event."), "event_not_found")
    join_urls = {}
    if event.join_url and (can_manage_event(user, event) or _has_confirmed_registration(user, event)):
        join_urls[event.pk] = event.join_url
    calendar = ical.event_calendar(
        [event], name=event.title, speakers=speaker_lines([event.pk]), join_urls=join_urls, subscription=False
    )
    return event, calendar.to_ical()


def ticket_download(*, token: str) -> tuple[Event, bytes]:
    """The event of one registration as an .ics file, by its private link, for the ticket's "Add to
    calendar": someone who registered without an account has no private feed, and the public
    file gives the join link to a signed-in attendee only, so their calendar got an online event
    without its link. A confirmed seat: the join link; on the waiting list, offered a seat or
    awaiting approval: TENTATIVE, no link (as the private feed has it). An unknown link, a
    cancelled or turned-down registration or a cancelled event: not found, nothing to add."""
    registration = registration_selectors.registration_by_manage_token(token)
    if (
        registration is None
        or registration.status not in ACTIVE_STATUSES
        or registration.event.status == EventStatus.CANCELLED
    ):
        raise NotFound(_("No such registration."), "registration_not_found")
    event = registration.event
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    calendar = ical.event_calendar(
        [event],
        name=event.title,
        speakers=speaker_lines([event.pk]),
        join_urls={event.pk: event.join_url} if confirmed and event.is_online and event.join_url else {},
        statuses={} if confirmed else {event.pk: "TENTATIVE"},
        registration_notes={event.pk: str(RegistrationStatus(registration.status).label)},
        subscription=False,
    )
    return event, calendar.to_ical()


def _has_confirmed_registration(user, event) -> bool:
    if not user or not user.is_authenticated or not event.is_online:
        return False

    return _registrations_of(user=user).filter(event=event, status=RegistrationStatus.CONFIRMED).exists()


# --- private feeds ------------------------------------------------------------------------


def _registrations_of(*, user=None, email: str = ""):
    """By account for signed-in people, by email for guests (the registrations' own selectors)."""

    if user is not None:
        return registration_selectors.registrations_of_user(user)
    return registration_selectors.registrations_for_email(email)


def _attendee_feed(feed: CalendarFeed, now) -> FeedContent:

    # Cancelling an event cancels its registrations too; those stay in, so that the client
    # sees STATUS:CANCELLED. A registration the attendee cancelled themself drops out.
    cancelled_with_event = Q(
        status=RegistrationStatus.CANCELLED,
        event__status=EventStatus.CANCELLED,
        cancelled_at__gte=F("event__cancelled_at"),
    )
    registrations = _registrations_of(user=feed.user, email=feed.email).filter(
        Q(status__in=ACTIVE_STATUSES) | cancelled_with_event
    )
    events = in_feed_window(selectors.public_events().filter(pk__in=registrations.values("event_id")), now=now)
    active = registrations.filter(event__in=events.order_by().values("pk"))

    def registration_version():
        row = active.order_by().aggregate(latest=Max("updated_at"), count=Count("id"))
        return f"registrations:{row['latest']}:{row['count']}"

    def extras(loaded: list[Event]) -> dict:
        by_event = {event.pk: event for event in loaded}
        join_urls, statuses, notes = {}, {}, {}
        for event_id, status in active.values_list("event_id", "status"):
            event = by_event.get(event_id)
            if event is None:
                continue
            if status == RegistrationStatus.CONFIRMED and event.is_online and event.join_url:
                join_urls[event_id] = event.join_url
            waiting = status in (RegistrationStatus.PENDING, RegistrationStatus.WAITLISTED)
            if waiting and event.status != EventStatus.CANCELLED:
                statuses[event_id] = "TENTATIVE"
            notes[event_id] = str(RegistrationStatus(status).label)
        return {"join_urls": join_urls, "statuses": statuses, "registration_notes": notes}

    return FeedContent(
        key=f"feed:{feed.pk}:{feed.token}",
        # the feed's own words read in the reader's language, as the public feed's do
        name=str(_("My STEM Mentorship events")),
        description=str(_("The events you registered for, with join links for online events.")),
        events=events,
        version_queries=[*_versions(events), registration_version],
        extras=extras,
        filename="my-events.ics",
    )


def _speaker_feed(feed: CalendarFeed, now) -> FeedContent:

    # the account's speaker profile now: an account unlinked from its profile sees nothing
    speaker = speaker_for_user(feed.user) if feed.user_id else None
    accepted = accepted_events_for_speaker(speaker).values("pk") if speaker else Event.objects.none().values("pk")
    events = in_feed_window(selectors.public_events().filter(pk__in=accepted), now=now)
    content = _standard_content(
        f"feed:{feed.pk}:{feed.token}",
        str(_("My STEM Mentorship speaking engagements")),
        str(_("The events you accepted to speak at, with join links for online events.")),
        events,
        filename="my-talks.ics",
    )
    content.extras = _speaker_join_urls
    content.version_queries.append(_ended_version(events))
    return content


def _ended_version(events: QuerySet[Event]) -> Callable[[], str]:
    """How many of the feed's events are over: the speaker's join link goes when one ends, with
    nothing written anywhere, so the ETag (and the body kept for it) must change then too."""

    def query():
        return f"ended:{events.filter(end__lte=timezone.now()).order_by().count()}"

    return query


def _speaker_join_urls(events: list[Event]) -> dict:
    # the speaker's rule: no link for an event that is over (speakers.models.speaker_join_url)
    now = timezone.now()
    links = {event.pk: speaker_join_url(event, now) for event in events if event.is_online}
    return {"join_urls": {pk: link for pk, link in links.items() if link}}


def _organiser_feed(feed: CalendarFeed, now) -> FeedContent:
    # drafts included (as TENTATIVE): organisers plan with them
    events = in_feed_window(selectors.events_managed_by(feed.user), now=now)
    content = _standard_content(
        f"feed:{feed.pk}:{feed.token}",
        str(_("Events I organise")),
        str(_("The STEM Mentorship events you organise, drafts included.")),
        events,
        filename="organised.ics",
    )
    content.extras = _all_join_urls
    content.version_queries.append(_organised_version(feed.user))
    return content


def _organised_version(user) -> Callable[[], str]:
    """Which events the organiser is on the team of: taken off one event and added to another,
    they organise as many as before and no event was edited (the events' own version stays), yet
    the feed must drop the one they left (its join link) and show the other. Each place on a team
    is a row of its own, and a new one has a higher id than any before it."""

    def query():
        row = Event.organisers.through.objects.filter(user_id=user.pk).aggregate(latest=Max("id"), count=Count("id"))
        return f"organised:{row['latest']}:{row['count']}"

    return query


def _all_join_urls(events: list[Event]) -> dict:
    return {"join_urls": {event.pk: event.join_url for event in events if event.is_online and event.join_url}}


def private_feed(*, token: str, now=None) -> FeedContent:
    """The feed behind a token. Unknown and revoked tokens, and the feeds of a deactivated
    account, are all simply not found."""
    now = now or timezone.now()
    feed = CalendarFeed.objects.select_related("user").filter(token=token, revoked_at__isnull=True).first()
    if feed is None or (feed.scope != CalendarFeed.Scope.ATTENDEE and feed.user is None):
        raise NotFound(_("No such calendar feed."), "feed_not_found")
    # a switched-off account (someone who left) signs in nowhere: its links stop as well
    if feed.user is not None and not feed.user.is_active:
        raise NotFound(_("No such calendar feed."), "feed_not_found")
    if feed.scope == CalendarFeed.Scope.ORGANISER and (feed.user is None or not is_organiser(feed.user)):
        raise NotFound(_("No such calendar feed."), "feed_not_found")
    builders = {
        CalendarFeed.Scope.ATTENDEE: _attendee_feed,
        CalendarFeed.Scope.SPEAKER: _speaker_feed,
        CalendarFeed.Scope.ORGANISER: _organiser_feed,
    }
    content = builders[feed.scope](feed, now)
    if feed.last_fetched_at is None or feed.last_fetched_at < now - FETCH_STAMP_EVERY:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=now)
    return content


# --- token management ----------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


def feed_path(feed: CalendarFeed) -> str:
    return f"/calendar/private/{feed.token}.ics"


@transaction.atomic
def create_feed(*, user=None, scope: str, email: str = "") -> CalendarFeed:
    """The person's active feed for this scope, created if there is none (so asking twice is
    harmless). Attendee feeds work for accounts and, by email, for guests; speaker feeds need
    a linked speaker profile; organiser feeds need the organiser role."""
    if scope not in CalendarFeed.Scope.values:
        raise FeedError(_("Unknown feed scope %(scope)s.") % {"scope": repr(scope)}, "invalid_scope")
    lookup = {"scope": scope, "revoked_at__isnull": True}
    fields = {"scope": scope}
    if scope == CalendarFeed.Scope.ATTENDEE and user is None:
        email = tidy_email(email)
        if not email:
            raise FeedError(_("A guest's feed needs an email address."), "email_required")
        lookup.update(user__isnull=True, email=email)
        fields["email"] = email
    else:
        if user is None or not user.is_authenticated:
            raise Forbidden(_("Sign in to get a personal calendar feed."), "not_authenticated")
        lookup["user"] = user
        fields["user"] = user
    if scope == CalendarFeed.Scope.SPEAKER:
        if speaker_for_user(user) is None:
            raise Forbidden(_("Your account is not linked to a speaker profile."), "not_a_speaker")
    if scope == CalendarFeed.Scope.ORGANISER and not is_organiser(user):
        raise Forbidden(_("Only organisers have an organiser feed."), "not_an_organiser")
    existing = CalendarFeed.objects.filter(**lookup).order_by("id").first()
    if existing is not None:
        return existing
    try:
        # the savepoint keeps the caller's transaction usable when a parallel request got in first
        with transaction.atomic():
            return CalendarFeed.objects.create(token=new_token(), **fields)
    except IntegrityError:
        return CalendarFeed.objects.get(**lookup)


@transaction.atomic
def rotate_feed(*, feed: CalendarFeed) -> CalendarFeed:
    """A new token for the same feed: the old URL stops working at once.

    Decided on the row as it stands, not as the caller read it: a feed switched off while it
    was being rotated (two tabs, a double click on both buttons) stays off and the rotation is
    refused, instead of answering with a new URL that never worked."""
    token = new_token()
    rotated = CalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(token=token, last_fetched_at=None)
    if not rotated:
        raise FeedError(_("A revoked feed cannot be rotated; create a new one."), "feed_revoked")
    feed.refresh_from_db()
    return feed


@transaction.atomic
def revoke_feed(*, feed: CalendarFeed) -> CalendarFeed:
    """Switch the feed off (once: revoking again keeps the first moment)."""
    CalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    feed.refresh_from_db()
    return feed


def export_feeds_of(*, user) -> list[dict]:
    """A person's calendar feeds, for their data export (``events_project.privacy``)."""
    return [
        {"scope": feed.scope, "created_at": _iso(feed.created_at), "revoked_at": _iso(feed.revoked_at)}
        for feed in CalendarFeed.objects.filter(user=user).order_by("created_at")
    ]


def erase_feeds_of(*, user) -> int:
    """Erasure deletes a person's feeds: a feed is nothing but its owner's private link."""
    return CalendarFeed.objects.filter(user=user).delete()[0]


def _iso(value):
    # the site's zone with the offset, as the API writes times
    return when.iso(value) if value else None
