"""Benchmark: a series of 400 sessions created, moved and published, step by step.

    .venv/bin/python bench/series_bench.py [--sessions 400] [--database-url postgres://…] [--published]
                                           [--registrants 0] [--speakers]

It builds a throwaway SQLite database (``data/bench-series.sqlite3``; with ``--database-url
postgres://…`` a database ``bench_series_<pid>`` on that server, dropped afterwards), an organiser,
and runs the organisers' three slow steps through the same service functions the API and the
workspace call (``events.services``), each as one request would, on-commit callbacks and all; the
jobs those queue (``notifications.jobs.enqueue``) are held, then run in this process after the step
and timed apart (what the workers do once the request has answered):

1. **create**: ``create_series`` of a weekly mentoring circle of N sessions in Asia/Baku (a draft);
2. **move**: ``update_series`` with its first start a week and an hour later (every session's
   date and time moves: the sessions on the old dates go, new ones come);
3. **publish**: ``publish_series`` (every draft session is published);
4. **move published**: the start moved again, now that the sessions are published (the published
   ones on the old dates are cancelled, their registrants and speakers told; new ones published);
5. **rename**: ``update_series`` with a new title (the dates kept: every session renamed);
6. **shorten**: ``update_series`` with sessions of 60 minutes instead of 90 (every session's end
   moves: its SEQUENCE goes up, its registrants and speakers are told).

``--published`` creates the series published at step 1 instead. ``--registrants N`` gives each
session N confirmed registrations, and ``--speakers`` an accepted speaker each, before step 4
(their notices are written in that step, and sent by the jobs after it), and the new sessions the
same again before step 5. It prints, for each
step, the wall time, the SQL statements (``connection.execute_wrapper``: SQLite's ``BEGIN`` is not
one) and statements per session, then the jobs it queued with their time and statements, and the
load average.
"""

import argparse
import datetime as dt
import os
import sys
import time
import zoneinfo
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BAKU = zoneinfo.ZoneInfo("Asia/Baku")


def _postgres(server_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(statement)


def throwaway_postgres(database_url: str) -> tuple[str, str]:
    """A fresh database ``bench_series_<pid>`` on the server of ``database_url``: (its URL, its name)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(database_url)
    name = f"bench_series_{os.getpid()}"
    _postgres(database_url, f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}")), name


def setup_django(database_url: str | None) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "events_project.settings"
    os.environ["TESTING"] = "1"
    os.environ["Q_SYNC"] = "1"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    database_url = database_url or f"sqlite:///{ROOT / 'data' / 'bench-series.sqlite3'}"
    os.environ["DATABASE_URL"] = database_url
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(database_url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    import django

    django.setup()
    import logging

    logging.getLogger("django-q").setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


class StatementCount:
    """Every SQL statement the connection runs (``connection.execute_wrapper``; no cap on their
    number, unlike ``CaptureQueriesContext``'s 9,000). SQLite's ``BEGIN`` is not one of them
    (the driver sends it itself), as PostgreSQL's is invisible."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class Jobs:
    """The jobs a step queues after its commit (``notifications.jobs.enqueue``), held back instead
    of run, so the step's figure is what the request does; then run here, one by one, and timed
    apart: what the workers do after the request."""

    def __init__(self):
        self.held = []

    def __call__(self, func, *args, **kwargs):
        self.held.append((func, args))

    def run(self) -> int:
        from django.utils.module_loading import import_string

        ran = 0
        while self.held:
            func, args = self.held.pop(0)
            import_string(func)(*args)
            ran += 1
        return ran


def timed(label: str, sessions: int, step) -> dict:
    """Run ``step`` as a request would (its on-commit callbacks run when its transaction commits;
    the jobs they queue are held), then the jobs it queued, as the workers would."""
    from django.db import connection

    from notifications import jobs

    held = Jobs()
    queue, jobs.async_task = jobs.async_task, held
    try:
        counter = StatementCount()
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            step()
            elapsed = time.perf_counter() - started
        count = counter.count
        job_counter = StatementCount()
        with connection.execute_wrapper(job_counter):
            started = time.perf_counter()
            queued = held.run()
            job_seconds = time.perf_counter() - started
    finally:
        jobs.async_task = queue
    print(
        f"{label:<16} {elapsed:8.3f} s {count:6d} statements {count / sessions:6.2f} a session"
        f" | then {queued:4d} jobs {job_seconds:7.3f} s {job_counter.count:6d} statements",
        flush=True,
    )
    return {"step": label, "seconds": elapsed, "statements": count, "jobs": queued, "job_seconds": job_seconds}


def add_people(series, *, registrants: int, speakers: bool, speaker_email: str = "mentor@example.org") -> None:
    from django.utils import timezone

    from registrations.models import Registration, RegistrationStatus
    from speakers.models import AssignmentStatus, Speaker, SpeakerAssignment

    sessions = list(series.occurrences.filter(status="published"))
    now = timezone.now()
    Registration.objects.bulk_create(
        [
            Registration(
                event=event,
                name=f"Mentee {index}",
                email=f"mentee{event.pk}-{index}@example.org",
                status=RegistrationStatus.CONFIRMED,
                seats_held=1,
                confirmed_at=now,
                consent_data_processing=True,
            )
            for event in sessions
            for index in range(registrants)
        ],
        batch_size=1000,
    )
    if registrants:
        for event in sessions:
            type(event).objects.filter(pk=event.pk).update(seats_taken=registrants)
    if speakers:
        mentor = Speaker.objects.create(name="Aysel Mammadova", email=speaker_email)
        SpeakerAssignment.objects.bulk_create(
            [
                SpeakerAssignment(
                    event=event,
                    speaker=mentor,
                    status=AssignmentStatus.ACCEPTED,
                    invited_at=now,
                    responded_at=now,
                    response_deadline=now + dt.timedelta(days=3),
                )
                for event in sessions
            ]
        )


def run(sessions: int, *, published: bool, registrants: int, speakers: bool) -> list[dict]:
    from django.contrib.auth import get_user_model

    from events import services

    organiser = get_user_model().objects.create_user("organiser", "organiser@example.org", "x", is_staff=True)
    first_start = (dt.datetime.now(BAKU) + dt.timedelta(days=7)).replace(hour=18, minute=30, second=0, microsecond=0)
    holder = {}
    rows = []

    def create():
        holder["series"] = services.create_series(
            by=organiser,
            title="Mentoring circle",
            kind="mentoring_session",
            format="online",
            timezone="Asia/Baku",
            rrule=f"FREQ=WEEKLY;COUNT={sessions}",
            first_start=first_start,
            duration_minutes=90,
            published=published,
        )

    def move(days: int, hours: int):
        def step():
            series = holder["series"]
            services.update_series(
                series=series, by=organiser, first_start=series.first_start + dt.timedelta(days=days, hours=hours)
            )

        return step

    def publish():
        services.publish_series(series=holder["series"], by=organiser)

    rows.append(timed("create", sessions, create))
    rows.append(timed("move", sessions, move(7, 1)))
    rows.append(timed("publish", sessions, publish))
    add_people(holder["series"], registrants=registrants, speakers=speakers)
    rows.append(timed("move published", sessions, move(7, 1)))
    add_people(holder["series"], registrants=registrants, speakers=speakers, speaker_email="mentor2@example.org")

    def edit(**changes):
        return lambda: services.update_series(series=holder["series"], by=organiser, **changes)

    rows.append(timed("rename", sessions, edit(title="Mentoring hour")))
    rows.append(timed("shorten", sessions, edit(duration_minutes=60)))
    series = holder["series"]
    statuses = {}
    for status in series.occurrences.values_list("status", flat=True):
        statuses[status] = statuses.get(status, 0) + 1
    print(f"sessions now: {statuses}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=400)
    parser.add_argument("--database-url", default=None, help="postgres://… (a throwaway database on that server)")
    parser.add_argument("--published", action="store_true", help="create the series published")
    parser.add_argument("--registrants", type=int, default=0, help="confirmed registrations per session (step 4)")
    parser.add_argument("--speakers", action="store_true", help="an accepted speaker per session (step 4)")
    options = parser.parse_args()

    database_url, name = (None, None)
    if options.database_url:
        database_url, name = throwaway_postgres(options.database_url)
    try:
        setup_django(database_url)
        from django.db import connection

        print(f"{connection.vendor}, {options.sessions} sessions, load {os.getloadavg()[0]:.1f}")
        run(options.sessions, published=options.published, registrants=options.registrants, speakers=options.speakers)
        print(f"load {os.getloadavg()[0]:.1f}")
    finally:
        if name:
            from django.db import connections

            connections.close_all()
            _postgres(options.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
