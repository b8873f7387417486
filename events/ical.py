"""Events as iCalendar (RFC 5545): feeds, single-event downloads and email invitations.

Every event is one VEVENT with its own UID (``<event.uid>@<site host>``), also the
occurrences of a series: we export a series as its expanded occurrences rather than as a
master VEVENT with RRULE/EXDATE/RECURRENCE-ID, because occurrences are real events here
(each is moved, cancelled and versioned on its own), and a client then shows exactly the
dates the service has, with nothing left to a client's rule engine.

Times carry the event's own TZID and the calendar holds a VTIMEZONE for each zone used,
built by icalendar from the zoneinfo database and cached per zone and year range.
"""

import datetime as dt
import functools
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from email.utils import parseaddr
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language, gettext

from events import when
from events.models import Event, EventKind, EventStatus, Language
from events.regions import place_after_address
from events_project.programme import programme_name

PRODID = "-//STEM Mentorship Events//Calendar feeds//EN"
# Clients that honour it (Apple, Outlook, Thunderbird) refresh hourly; Google ignores it.
REFRESH_INTERVAL = dt.timedelta(hours=1)
# Cancelled events stay in feeds this long so that subscribed clients see STATUS:CANCELLED
# and remove them, instead of the event silently staying in a calendar that missed it.
CANCELLED_KEPT_FOR = dt.timedelta(days=30)

STATUS_MAP = {
    EventStatus.DRAFT: "TENTATIVE",
    EventStatus.PUBLISHED: "CONFIRMED",
    EventStatus.COMPLETED: "CONFIRMED",
    EventStatus.CANCELLED: "CANCELLED",
}


@functools.lru_cache(maxsize=8)
def _host(site_url: str) -> str:
    return urlsplit(site_url).hostname or "localhost"


def uid_domain() -> str:
    return settings.ICAL_UID_DOMAIN or _host(settings.SITE_URL)


def event_uid(event: Event) -> str:
    return f"{event.uid}@{uid_domain()}"


def event_url(event: Event) -> str:
    return settings.SITE_URL + event.get_absolute_url()


def programme_address() -> tuple[str, str]:
    """(name, email) of the programme's mailbox: the ORGANIZER clients reply to. The name is the
    programme's (``PROGRAMME_NAME`` in the active language: ``events_project.programme``), never a
    person's: calendar files travel far."""
    name, address = _parsed_address(settings.DEFAULT_FROM_EMAIL)
    return programme_name() or name, address


@functools.lru_cache(maxsize=8)
def _parsed_address(from_email: str) -> tuple[str, str]:
    name, address = parseaddr(from_email)
    return name or "STEM Mentorship", address or "events@example.org"


@functools.lru_cache(maxsize=256)
def _label(choices, value: str, language: str | None) -> str:
    # get_FOO_display() hashes lazy translation proxies: a third of a 5,000-event feed's time
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _kind_label(event: Event) -> str:
    return _label(EventKind, event.kind, get_language())


def _language_label(event: Event) -> str:
    return _label(Language, event.language, get_language())


# Who speaks at an event is the speakers app's to say (above this one): it registers its
# ``accepted_speaker_lines(event_ids) -> {event_id: [line, ...]}`` at start-up, each line's
# ``str()`` "Name, title (role)" in the active language, so an invitation attached to a mail
# carries the same "Speakers:" line as a feed or a download.
_speaker_lines: list = []
# where an Event instance keeps its speakers once looked up (``speakers_of``)
_SPEAKERS_KEPT = "_calendar_speaker_lines"


def register_speaker_lines(lines) -> None:
    """The function that names each event's accepted speakers (speakers.selectors.accepted_speaker_lines)."""
    _speaker_lines[:] = [lines]


def speakers_of(event: Event) -> list[str]:
    """The "Name, title (role)" lines of the event's accepted speakers, as every calendar file
    shows them, in the active language.

    Looked up once per Event instance and kept on it: a send batch shares one instance of each
    event among its messages, so a change notice to 2,000 registrants asks once per batch, not
    once per message. The next batch loads the event anew, and asks anew."""
    if not _speaker_lines:
        return []
    lines = event.__dict__.get(_SPEAKERS_KEPT)
    if lines is None:
        lines = event.__dict__[_SPEAKERS_KEPT] = tuple(_speaker_lines[0]([event.pk]).get(event.pk, ()))
    return [str(line) for line in lines]


@functools.lru_cache(maxsize=64)
def _vtimezone(tzid: str, first_year: int, last_year: int) -> bytes:
    # Timezone.from_tzinfo walks every transition; for a 5,000-event feed it would dominate.
    component = icalendar.Timezone.from_tzid(
        tzid, first_date=dt.date(first_year, 1, 1), last_date=dt.date(last_year + 1, 1, 1)
    )
    return component.to_ical()


def vtimezone(tzid: str, first_year: int, last_year: int) -> icalendar.Timezone:
    """A VTIMEZONE valid for the given years (a fresh component each time: callers may mutate it)."""
    return icalendar.Timezone.from_ical(_vtimezone(tzid, first_year, last_year))


def location_text(event: Event) -> str:
    parts = []
    if event.has_venue:
        # the region in the language the file is written in, as the pages and mails say it
        parts = [event.venue_name, event.venue_address, place_after_address(event)]
    if event.is_online:
        online = gettext("Online")
        parts.append(f"{online} ({event.online_platform})" if event.online_platform else online)
    seen = []
    for part in parts:
        if part and part not in seen:
            seen.append(part)
    return ", ".join(seen)


def description_text(
    event: Event,
    *,
    speakers: Sequence[str] = (),
    join_url: str = "",
    registration_note: str = "",
) -> str:
    """Plain text with the essential facts, for clients that show nothing else."""
    lines = []
    if event.status == EventStatus.CANCELLED:
        reason = f": {event.cancellation_reason}" if event.cancellation_reason else "."
        lines += [f"{gettext('CANCELLED')}{reason}", ""]
    if event.description:
        lines += [event.description.strip(), ""]
    # in the language of the feed's request or of the email's recipient (the VEVENT cache is
    # kept per language)
    lines.append(gettext("When: %(when)s") % {"when": when.event_span(event)})
    where = location_text(event)
    if where:
        lines.append(gettext("Where: %(where)s") % {"where": where})
    if join_url:
        lines.append(gettext("Join: %(url)s") % {"url": join_url})
    # the kind is in CATEGORIES; the language decides whether someone can follow at all
    lines.append(gettext("Language: %(language)s") % {"language": _language_label(event)})
    if speakers:
        lines.append(gettext("Speakers: %(names)s") % {"names": "; ".join(speakers)})
    if registration_note:
        lines.append(gettext("Your registration: %(note)s") % {"note": registration_note})
    if event.chatham_house_rule:
        lines.append(gettext("Held under the Chatham House Rule."))
    lines += ["", gettext("Details: %(url)s") % {"url": event_url(event)}]
    return "\n".join(lines)


def event_component(
    event: Event,
    *,
    dtstamp: dt.datetime | None = None,
    speakers: Sequence[str] = (),
    join_url: str = "",
    status: str | None = None,
    registration_note: str = "",
) -> icalendar.Event:
    """One VEVENT. ``join_url`` is passed only by callers that may show it (private feeds)."""
    component = icalendar.Event()
    component.add("uid", event_uid(event))
    # Without METHOD, DTSTAMP is the time the information last changed (RFC 5545 3.8.7.2).
    component.add("dtstamp", dtstamp or event.updated_at)
    if event.all_day:
        first, after_last = when.all_day_bounds(event)
        component.add("dtstart", first)
        component.add("dtend", after_last)
    else:
        zone = event.zone
        component.add("dtstart", event.start.astimezone(zone))
        component.add("dtend", event.end.astimezone(zone))
    status = status or STATUS_MAP[event.status]
    title = event.title
    if status == "CANCELLED":
        # Outlook and some phones show a cancelled event as normal
        title = gettext("Cancelled: %(title)s") % {"title": title}
    component.add("summary", ical_text(title))
    component.add("description", ical_text(description_text(event, speakers=speakers, join_url=join_url,
                                                             registration_note=registration_note)))  # fmt: skip
    component.add("status", status)
    component.add("sequence", event.sequence)
    component.add("last-modified", event.updated_at)
    component.add("url", event_url(event))
    component.add("categories", [_kind_label(event)])
    location = location_text(event)
    if location:
        component.add("location", ical_text(location))
    if event.has_venue and event.latitude is not None and event.longitude is not None:
        component.add("geo", (float(event.latitude), float(event.longitude)))
    if join_url:
        # RFC 7986 CONFERENCE is what newer clients show as a "join" button
        component.add("conference", join_url, parameters={"VALUE": "URI", "FEATURE": "VIDEO,AUDIO"})
    name, address = programme_address()
    organizer = icalendar.vCalAddress(f"mailto:{address}")
    organizer.params["CN"] = name
    component.add("organizer", organizer)
    if event.status == EventStatus.CANCELLED or status == "CANCELLED":
        component.add("transp", "TRANSPARENT")
    return component


# RFC 5545 TEXT may hold no control character but tab (line breaks are escaped): input refuses
# them since events_project.parsers, but a row saved before (or by a script) would make the whole
# feed invalid for every subscriber
_NOT_ICAL_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def ical_text(value: str) -> str:
    return _NOT_ICAL_TEXT.sub("", value)


def _year_range(events: Sequence[Event]) -> tuple[int, int]:
    years = [event.start.year for event in events] + [event.end.year for event in events]
    return min(years) - 1, max(years) + 1


def build_calendar(
    components: Iterable[tuple[Event, icalendar.Event]],
    *,
    name: str,
    description: str = "",
    method: str | None = None,
    subscription: bool = True,
) -> icalendar.Calendar:
    """A calendar of ``components``. ``subscription``: a feed, named and polled (NAME,
    X-WR-CALNAME, REFRESH-INTERVAL); a single event's file (an "Add to calendar" download, an
    invitation in a mail) carries none of these, which made some calendar programs (Outlook)
    offer it as a calendar of its own instead of an event to add."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if subscription:
        # a calendar's name is one line (icalendar writes it unescaped): a title saved with a line
        # break before titles were kept on one line would make the whole file a 500
        name = " ".join(ical_text(name).split())
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
        if description:
            calendar.add("x-wr-caldesc", ical_text(description))
        calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", icalendar.vDuration(REFRESH_INTERVAL))
    events = []
    for event, component in components:
        events.append(event)
        calendar.add_component(component)
    _add_timezones(calendar, events)
    # anything not covered above (unknown zones are skipped by icalendar)
    calendar.add_missing_timezones()
    return calendar


def _add_timezones(calendar: icalendar.Calendar, events: Sequence[Event]) -> None:
    timed_zones = sorted({event.timezone for event in events if not event.all_day})
    if timed_zones:
        first_year, last_year = _year_range(events)
        for index, tzid in enumerate(timed_zones):
            calendar.subcomponents.insert(index, vtimezone(tzid, first_year, last_year))


class _FragmentCache:
    """Serialised VEVENTs, keyed by everything that goes into them.

    Most of a feed's events did not change since the last poll, and the same event appears in
    many feeds (all events, webinars, a series, people's private feeds): serialising it once
    per change instead of once per request keeps big feeds cheap. Bounded, least recently
    used out first; per process.
    """

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value: bytes) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


fragments = _FragmentCache(max_entries=20_000)
CALENDAR_END = b"END:VCALENDAR\r\n"


def rendering_context() -> tuple:
    """What a calendar's bytes depend on besides its events: the site's settings and the language."""
    return (
        settings.SITE_URL,
        settings.ICAL_UID_DOMAIN,
        settings.DEFAULT_FROM_EMAIL,
        settings.PROGRAMME_NAME,
        settings.PROGRAMME_NAME_AZ,
        get_language(),
    )


def feed_ics(
    events: Iterable[Event],
    *,
    name: str,
    description: str = "",
    speakers: Mapping[int, Sequence[str]] | None = None,
    join_urls: Mapping[int, str] | None = None,
    statuses: Mapping[int, str] | None = None,
    registration_notes: Mapping[int, str] | None = None,
) -> bytes:
    """The serialised calendar of :func:`event_calendar`, byte for byte, built from cached
    VEVENTs where their inputs have not changed."""
    events = list(events)
    speakers = speakers or {}
    join_urls = join_urls or {}
    statuses = statuses or {}
    registration_notes = registration_notes or {}
    context = rendering_context()
    parts = []
    for event in events:
        options = {
            "speakers": tuple(speakers.get(event.pk, ())),
            "join_url": join_urls.get(event.pk, ""),
            "status": statuses.get(event.pk),
            "registration_note": registration_notes.get(event.pk, ""),
        }
        # updated_at moves with every save of the event (services never .update() what is shown)
        key = (event.pk, event.uid, event.updated_at, event.sequence, event.status, context, *options.values())
        fragment = fragments.get(key)
        if fragment is None:
            fragment = event_component(event, **options).to_ical()
            fragments.put(key, fragment)
        parts.append(fragment)
    shell = build_calendar([], name=name, description=description)
    _add_timezones(shell, events)
    head = shell.to_ical().removesuffix(CALENDAR_END)
    return head + b"".join(parts) + CALENDAR_END


def event_calendar(
    events: Iterable[Event],
    *,
    name: str,
    description: str = "",
    speakers: Mapping[int, Sequence[str]] | None = None,
    join_urls: Mapping[int, str] | None = None,
    statuses: Mapping[int, str] | None = None,
    registration_notes: Mapping[int, str] | None = None,
    subscription: bool = True,
) -> icalendar.Calendar:
    """A calendar of events; the mappings are keyed by event id. ``subscription`` False: one
    event's file to add, not a calendar to subscribe to (:func:`build_calendar`).

    ``join_urls`` holds the join links this reader may see: public feeds pass none.
    ``statuses`` overrides STATUS (e.g. TENTATIVE for someone on the waiting list).
    """
    speakers = speakers or {}
    join_urls = join_urls or {}
    statuses = statuses or {}
    registration_notes = registration_notes or {}
    return build_calendar(
        (
            (
                event,
                event_component(
                    event,
                    speakers=speakers.get(event.pk, ()),
                    join_url=join_urls.get(event.pk, ""),
                    status=statuses.get(event.pk),
                    registration_note=registration_notes.get(event.pk, ""),
                ),
            )
            for event in events
        ),
        name=name,
        description=description,
        subscription=subscription,
    )


def invitation_ics(
    *,
    event: Event,
    attendee_email: str,
    attendee_name: str = "",
    method: str = "REQUEST",
    join_url: str = "",
    speakers: Sequence[str] | None = None,
    partstat: str = "ACCEPTED",
) -> bytes:
    """An iTIP message (RFC 5546) for an email attachment: METHOD:REQUEST adds or updates the
    event in the attendee's calendar, METHOD:CANCEL removes it.

    Clients apply it only if SEQUENCE is at least the one they have, so a change or a
    cancellation carries the event's current (raised) SEQUENCE. The join URL is included only
    when the caller passes it: the caller knows what this attendee may see. ``speakers``: the
    event's accepted speakers (``speakers_of``) unless given, as in the public .ics.
    """
    method = method.upper()
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"Unsupported iTIP method {method!r}")
    if method == "CANCEL":
        join_url = ""
    status = "CANCELLED" if method == "CANCEL" else None
    if speakers is None:
        speakers = speakers_of(event)
    component = event_component(event, dtstamp=timezone.now(), speakers=speakers, join_url=join_url, status=status)
    attendee = icalendar.vCalAddress(f"mailto:{attendee_email}")
    if attendee_name:
        attendee.params["CN"] = attendee_name
    attendee.params["ROLE"] = "REQ-PARTICIPANT"
    attendee.params["CUTYPE"] = "INDIVIDUAL"
    # a registrant has answered already: don't make mail clients offer accept/decline replies;
    # the caller says NEEDS-ACTION for someone who has not (notifications.audience)
    attendee.params["PARTSTAT"] = "DECLINED" if method == "CANCEL" else partstat
    attendee.params["RSVP"] = "FALSE"
    component.add("attendee", attendee)
    calendar = build_calendar([(event, component)], name=event.title, method=method, subscription=False)
    return calendar.to_ical()
