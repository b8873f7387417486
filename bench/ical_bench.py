"""Benchmark: the public calendar feed with 5,000 events against the icalendar floor.

    .venv/bin/python bench/ical_bench.py [--events 5000] [--repeat 3] [--keep]

It builds a throwaway SQLite database (``data/bench-ical.sqlite3``; ``--database-url`` for
PostgreSQL), fills it with events (online and in person, Baku and Berlin, all-day, cancelled,
with organisers and accepted speakers), then times

* the endpoint: ``GET /calendar/events.ics`` through Django's test client (URL routing, the
  ETag query, the event query, organisers and speakers, rendering, HTTP response), and
* the floor: the same events, already in memory, serialised directly with icalendar (one
  VEVENT each with the core properties, plus the VTIMEZONEs) and ``to_ical()``, and, for
  reference, the feed's own richer VEVENTs built from memory (no HTTP, no database);

and prints both, their ratio (target: within 2x) and the query counts for a 1-event and the
5,000-event feed (they must be equal), and the time of a conditional GET answered 304.
The endpoint is timed cold (serialised-VEVENT cache emptied first: every event rendered) and
warm (the steady state of a feed polled again after a few of its events changed).
Runs are interleaved and the best of ``--repeat`` is kept, because the machine may be shared.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
import zoneinfo
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(database_url: str | None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "events_project.settings")
    os.environ["TESTING"] = "1"
    os.environ.setdefault("Q_SYNC", "1")
    database_url = database_url or f"sqlite:///{ROOT / 'data' / 'bench-ical.sqlite3'}"
    os.environ["DATABASE_URL"] = database_url
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def fill(count: int) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from events.models import Event, EventFormat, EventKind, EventStatus, Region
    from speakers.models import Speaker, SpeakerAssignment

    now = timezone.now().replace(microsecond=0)
    organiser = get_user_model().objects.create(username="bench-organiser", first_name="Aynur", last_name="Quliyeva")
    ganja = Region.objects.get(slug="ganja")
    zones = [zoneinfo.ZoneInfo("Asia/Baku"), zoneinfo.ZoneInfo("Europe/Berlin")]
    events = []
    for index in range(count):
        zone = zones[index % 7 == 0]
        day = (now + dt.timedelta(days=1 + index % 400)).astimezone(zone).date()
        start = dt.datetime(day.year, day.month, day.day, 9 + index % 10, 30, tzinfo=zone)
        online = index % 3 == 0
        all_day = index % 50 == 0
        cancelled = index % 40 == 0
        events.append(
            Event(
                title=f"Bench event {index}: careers in data science",
                description="Meet women engineers and scientists; questions welcome.\nBring a CV.",
                kind=EventKind.WEBINAR if online else EventKind.WORKSHOP,
                format=EventFormat.ONLINE if online else EventFormat.IN_PERSON,
                status=EventStatus.CANCELLED if cancelled else EventStatus.PUBLISHED,
                cancelled_at=now if cancelled else None,
                timezone=zone.key,
                start=start,
                end=start + (dt.timedelta(days=2) if all_day else dt.timedelta(hours=2)),
                all_day=all_day,
                venue_name="" if online else "Youth Centre",
                venue_address="" if online else "Heydar Aliyev ave 10",
                region=None if online else ganja,
                city="" if online else "Ganja",
                latitude=None if online else "40.68280",
                longitude=None if online else "46.36060",
                online_platform="Zoom" if online else "",
                join_url=f"https://zoom.example.org/j/{index}" if online else "",
                capacity=50,
                published_at=now,
                sequence=index % 3,
            )
        )
    Event.objects.bulk_create(events, batch_size=500)
    ids = list(Event.objects.values_list("pk", flat=True))
    Event.organisers.through.objects.bulk_create(
        [Event.organisers.through(event_id=pk, user_id=organiser.pk) for pk in ids], batch_size=1000
    )
    speaker = Speaker.objects.create(name="Leyla Aliyeva", title="Data engineer", email="leyla@example.org")
    SpeakerAssignment.objects.bulk_create(
        [
            SpeakerAssignment(
                event_id=pk,
                speaker=speaker,
                status="accepted",
                role="keynote",
                invited_at=now,
                response_deadline=now + dt.timedelta(days=3),
            )
            for pk in ids[::2]
        ],
        batch_size=1000,
    )
    # one event of a kind nobody else has: the 1-event feed for the query-count comparison
    Event.objects.filter(pk=ids[-1]).update(kind=EventKind.COACHING)


def floor_calendar(events) -> bytes:
    """The same events serialised the plain icalendar way: the least any feed has to do."""
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//bench//floor//EN")
    calendar.add("version", "2.0")
    for event in events:
        component = icalendar.Event()
        component.add("uid", f"{event.uid}@bench")
        component.add("dtstamp", event.updated_at)
        if event.all_day:
            component.add("dtstart", event.local_start.date())
            component.add("dtend", event.local_end.date() + dt.timedelta(days=1))
        else:
            component.add("dtstart", event.start.astimezone(event.zone))
            component.add("dtend", event.end.astimezone(event.zone))
        component.add("summary", event.title)
        component.add("description", event.description)
        component.add("location", f"{event.venue_name}, {event.venue_address}, {event.city}")
        component.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
        component.add("sequence", event.sequence)
        component.add("last-modified", event.updated_at)
        component.add("url", f"https://example.org/events/{event.pk}/")
        calendar.add_component(component)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def timed(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file afterwards")
    args = parser.parse_args()

    setup_django(args.database_url)
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from events import ical, selectors
    from speakers import selectors as speaker_selectors

    print(f"filling {args.events} events ...", flush=True)
    fill(args.events)
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()

    def endpoint():
        response = client.get("/calendar/events.ics")
        assert response.status_code == 200, response.status_code
        return response

    events = list(selectors.public_events().order_by("start", "id"))
    endpoint()  # imports, zone data, the VTIMEZONE cache
    floor_calendar(events)
    # interleaved, best of N, wall clock and process CPU time: the machine may be shared, and
    # CPU time (everything runs in this process) is the figure a busy neighbour disturbs least
    runs = {"floor": [], "same": [], "cold": [], "warm": []}
    speakers = speaker_selectors.speaker_lines([event.pk for event in events])

    def same_content():
        # the feed's own VEVENTs (richer than the floor's), from memory, with no HTTP or database
        return ical.event_calendar(events, name="STEM Mentorship events", speakers=speakers).to_ical()

    def measure(label, function):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        runs[label].append((time.perf_counter() - wall, time.process_time() - cpu))
        return result

    for _ in range(args.repeat):
        floor_body = measure("floor", lambda: floor_calendar(events))
        measure("same", same_content)
        ical.fragments.clear()
        response = measure("cold", endpoint)
        measure("warm", endpoint)
    best = {label: (min(w for w, _ in times), min(c for _, c in times)) for label, times in runs.items()}
    vevents = response.content.count(b"BEGIN:VEVENT")

    # counted at once: captured_queries reads a log that the next request resets
    with CaptureQueriesContext(connection) as captured:
        endpoint()
    queries_big = len(captured.captured_queries)
    with CaptureQueriesContext(connection) as captured:
        one = client.get("/calendar/events.ics?kind=coaching")
    queries_one = len(captured.captured_queries)
    assert one.content.count(b"BEGIN:VEVENT") == 1

    etag = response["ETag"]
    not_modified_seconds, not_modified = timed(
        lambda: client.get("/calendar/events.ics", HTTP_IF_NONE_MATCH=etag), args.repeat
    )
    assert not_modified.status_code == 304

    floor_wall, floor_cpu = best["floor"]
    print(f"events in feed                 {vevents}")
    print("                                 wall ms    CPU ms   bytes")
    print(f"icalendar floor                {floor_wall * 1000:8.0f}  {floor_cpu * 1000:8.0f}   {len(floor_body):,}")
    for label, title in (
        ("same", "feed's VEVENTs, from memory"),
        ("cold", "endpoint, cold VEVENT cache"),
        ("warm", "endpoint, warm VEVENT cache"),
    ):
        wall, cpu = best[label]
        print(f"{title:<30} {wall * 1000:8.0f}  {cpu * 1000:8.0f}   {len(response.content):,}")
    for label in ("same", "cold", "warm"):
        wall, cpu = best[label]
        print(f"ratio {label} / floor        wall {wall / floor_wall:.2f}x  CPU {cpu / floor_cpu:.2f}x  (target <= 2x)")
    print(f"queries: 1-event feed          {queries_one}")
    print(f"queries: {vevents}-event feed       {queries_big}")
    print(f"conditional GET (304)           {not_modified_seconds * 1000:8.1f} ms")

    if not args.keep and not args.database_url:
        connection.close()
        Path(settings.DATABASES["default"]["NAME"]).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
