"""Benchmark: a 10,000-reminder fan-out through the outbox against Django's mail API floor.

    .venv/bin/python bench/notify_bench.py [--recipients 10000] [--backend locmem|file] [--database-url URL]
                                           [--no-gc-freeze]

It builds a throwaway SQLite database (``data/bench-notify.sqlite3``; with ``--database-url
postgres://…`` a database ``bench_notify_<pid>`` on that server, dropped afterwards), creates
one event starting in 30 minutes with N confirmed registrations, and times

* the outbox, end to end: the every-minute reminder scan finds N due reminders, writes them
  to the outbox in bulk (what to send, not the text), and after commit hands them to
  django-q2 in batches; each batch task claims its rows under a lease, renders each (subject,
  text, HTML, in the recipient's language), sends them over one mail connection and records
  them as sent. django-q2 runs in sync mode here (the task runs in this process,
  through django-q2's own worker code), so the figure includes every database write a real
  worker makes, without inter-process waiting;
* the floor: the same N messages (already rendered, in memory: subject, texts, recipient,
  Reply-To and the headers the outbox adds, List-Unsubscribe, Message-ID, Auto-Submitted, ...)
  sent directly with Django's mail API, ``get_connection().send_messages(messages)`` on one
  connection; for comparison with older figures, the same without the headers; and the same
  made with the outbox's own message class (``notifications.mime.ProgrammeEmail``), which writes
  each distinct subject's encoding once where Django encodes every message's: against it, the
  outbox's ratio is what it adds beyond making and handing over the very messages it sends.

Once Django is set up and the database migrated, the process does what a worker does when it
starts (``notifications.jobs.freeze_start_up_objects``: ``gc.freeze()``), unless ``--no-gc-freeze``;
the outbox and the floors run in that same process.

With ``--backend file`` both write .eml files into a temporary directory (the default backend
in production); ``locmem`` keeps them in memory. It prints messages per second, CPU per
message, the ratios and the load average.
"""

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BACKENDS = {
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
}


def _postgres(server_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(statement)


def throwaway_postgres(database_url: str) -> tuple[str, str]:
    """A fresh database ``bench_notify_<pid>`` on the server of ``database_url``: (its URL, its name)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(database_url)
    name = f"bench_notify_{os.getpid()}"
    _postgres(database_url, f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}")), name


def setup_django(database_url: str | None, backend: str, mail_dir: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "events_project.settings"
    os.environ["TESTING"] = "1"
    os.environ["Q_SYNC"] = "1"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["EMAIL_BACKEND"] = BACKENDS[backend]
    os.environ["EMAIL_FILE_PATH"] = mail_dir
    database_url = database_url or f"sqlite:///{ROOT / 'data' / 'bench-notify.sqlite3'}"
    os.environ["DATABASE_URL"] = database_url
    if database_url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(database_url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    import django

    django.setup()
    import logging

    logging.getLogger("django-q").setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def fill(count: int):
    from django.utils import timezone

    from events.models import Event, EventFormat, EventKind, EventStatus
    from registrations.models import Registration, RegistrationStatus

    now = timezone.now().replace(microsecond=0)
    event = Event.objects.create(
        title="Careers in data science",
        kind=EventKind.WEBINAR,
        format=EventFormat.ONLINE,
        status=EventStatus.PUBLISHED,
        start=now + dt.timedelta(minutes=30),
        end=now + dt.timedelta(minutes=90),
        online_platform="Zoom",
        join_url="https://zoom.example.org/j/123456789",
        capacity=None,
        published_at=now,
    )
    Registration.objects.bulk_create(
        [
            Registration(
                event=event,
                name=f"Participant {index}",
                email=f"participant{index}@example.org",
                status=RegistrationStatus.CONFIRMED,
                seats_held=1,
                confirmed_at=now - dt.timedelta(days=2),
                consent_data_processing=True,
            )
            for index in range(count)
        ],
        batch_size=1000,
    )
    return event, now


def sent_count(backend: str, mail_dir: str) -> int:
    from django.core import mail

    if backend == "locmem":
        return len(getattr(mail, "outbox", []))
    # the file backend writes one file per connection, messages separated by a line of dashes
    return sum(path.read_text().count("\n" + "-" * 79 + "\n") for path in Path(mail_dir).iterdir())


def run_outbox(now) -> tuple[float, int]:
    from django.db import transaction

    from notifications.models import OutboxMessage, OutboxStatus
    from registrations.services.reminders import queue_due_reminders

    started, cpu_started = time.perf_counter(), time.process_time()
    with transaction.atomic():
        queued = queue_due_reminders(now=now)
    # leaving the atomic block ran the on-commit hand-out: every batch task has now run
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    sent = OutboxMessage.objects.filter(status=OutboxStatus.SENT).count()
    assert sent == queued, (sent, queued)
    return elapsed, cpu, sent


def floor_messages() -> list[tuple]:
    """What the outbox sent, already rendered and in memory (not timed): each message's subject,
    texts, recipient, reply-to and headers (List-Unsubscribe, Message-ID, ...)."""
    from django.core.mail.message import sanitize_address

    from notifications.models import OutboxMessage
    from notifications.services.outbox import render_message, reply_to_of

    rows = []
    messages = list(OutboxMessage.objects.select_related("event").prefetch_related("about").order_by("pk"))
    reply_to = reply_to_of({message.event_id for message in messages})
    for message in messages:
        rendered = render_message(message, overrides={})
        headers = {
            **rendered.headers,
            "Message-ID": message.message_id,
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
        }
        to = sanitize_address((message.recipient_name, message.recipient_email), "utf-8")
        rows.append((to, rendered, headers, reply_to.get(message.event_id)))
    return rows


def run_floor(rows: list[tuple], *, with_headers: bool, message_class=None) -> tuple[float, float, int]:
    """The same messages sent with Django's mail API on one connection. ``with_headers`` False:
    subject, texts and recipient only (the floor of the figures before November 2026).
    ``message_class``: the class the messages are made with (Django's EmailMultiAlternatives
    unless given: the outbox's own, notifications.mime.ProgrammeEmail, writes a subject once
    per distinct text, where Django encodes it for every message)."""
    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives, get_connection

    message_class = message_class or EmailMultiAlternatives
    started, cpu_started = time.perf_counter(), time.process_time()
    messages = []
    for to, rendered, headers, reply_to in rows:
        if with_headers:
            message = message_class(
                rendered.subject,
                rendered.body_text,
                settings.DEFAULT_FROM_EMAIL,
                [to],
                headers=headers,
                reply_to=reply_to,
            )
        else:
            message = EmailMultiAlternatives(rendered.subject, rendered.body_text, settings.DEFAULT_FROM_EMAIL, [to])
        message.attach_alternative(rendered.body_html, "text/html")
        messages.append(message)
    connection = get_connection()
    sent = connection.send_messages(messages)
    return time.perf_counter() - started, time.process_time() - cpu_started, sent


def clear_mail(mail_dir: str) -> None:
    from django.core import mail

    mail.outbox = []
    for path in Path(mail_dir).iterdir():
        path.unlink()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--backend", choices=sorted(BACKENDS), default="locmem")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--no-gc-freeze", action="store_true", help="skip what a worker does at its start")
    args = parser.parse_args()

    mail_dir = tempfile.mkdtemp(prefix="notify-bench-mail-")
    database_url, postgres_name = args.database_url, None
    if database_url and database_url.startswith(("postgres://", "postgresql://")):
        database_url, postgres_name = throwaway_postgres(database_url)
    try:
        setup_django(database_url, args.backend, mail_dir)
        from django.db import connection

        if not args.no_gc_freeze:
            # as a django-q2 worker process does once it started (post_spawn)
            from notifications.jobs import freeze_start_up_objects

            freeze_start_up_objects()

        event, now = fill(args.recipients)
        print(
            f"{args.recipients} confirmed registrations for one webinar; backend {args.backend}; {connection.vendor}"
            + ("" if args.no_gc_freeze else "; start-up objects frozen (gc.freeze)")
        )

        load_before = os.getloadavg()
        outbox_seconds, outbox_cpu, outbox_sent = run_outbox(now)
        outbox_delivered = sent_count(args.backend, mail_dir)
        rows = floor_messages()
        clear_mail(mail_dir)
        floor_seconds, floor_cpu, floor_sent = run_floor(rows, with_headers=True)
        floor_delivered = sent_count(args.backend, mail_dir)
        clear_mail(mail_dir)
        bare_seconds, bare_cpu, bare_sent = run_floor(rows, with_headers=False)
        clear_mail(mail_dir)
        from notifications.mime import ProgrammeEmail

        own_seconds, own_cpu, own_sent = run_floor(rows, with_headers=True, message_class=ProgrammeEmail)
        load_after = os.getloadavg()

        # wall-clock time, and this process's CPU time (the fair figure on a busy machine)
        for label, seconds, cpu, sent, delivered in (
            (
                "outbox (scan, insert, claim, render, send, record)",
                outbox_seconds,
                outbox_cpu,
                outbox_sent,
                outbox_delivered,
            ),
            (
                "floor  (the same messages, Django mail API)       ",
                floor_seconds,
                floor_cpu,
                floor_sent,
                floor_delivered,
            ),
            ("floor without the headers (subject, texts, To)    ", bare_seconds, bare_cpu, bare_sent, bare_sent),
            ("floor with the outbox's message class             ", own_seconds, own_cpu, own_sent, own_sent),
        ):
            print(
                f"{label}: {sent} messages in {seconds:.2f} s = {sent / seconds:,.0f} messages/s wall; "
                f"{cpu:.2f} s CPU = {cpu / sent * 1000:.3f} ms CPU per message (delivered {delivered})"
            )
        print(
            f"outbox / floor: {outbox_seconds / floor_seconds:.1f}x wall, {outbox_cpu / floor_cpu:.1f}x CPU "
            f"({outbox_cpu / bare_cpu:.1f}x CPU against the floor without the headers); target <= 2x CPU"
        )
        # what the outbox adds beyond making and handing over the very messages it sends
        print(f"outbox / floor with the outbox's message class: {outbox_cpu / own_cpu:.1f}x CPU")
        print(
            "load average: "
            + " / ".join(f"{value:.2f}" for value in load_before)
            + " before, "
            + " / ".join(f"{value:.2f}" for value in load_after)
            + " after (1, 5, 15 min)"
        )
        assert outbox_delivered == floor_delivered == args.recipients
        del event
    finally:
        shutil.rmtree(mail_dir, ignore_errors=True)
        if postgres_name:
            from django.db import connections

            connections.close_all()
            _postgres(args.database_url, f'DROP DATABASE IF EXISTS "{postgres_name}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
