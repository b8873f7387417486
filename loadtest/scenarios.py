"""The four load and fault scenarios. Each sets up its data with the ORM (Django configured for
the running stack), drives the stack over HTTP from many threads, checks the result in the
database, and returns a row for the table.

Only 127.0.0.1; every wait is bounded.
"""

import datetime as dt
import random
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connections
from django.db.models import Count
from django.utils import timezone

from loadtest.client import Outcome, Tally, all_at_once, call, session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import prodstack  # noqa: E402


@dataclass
class Row:
    scenario: str
    tally: Tally
    errors: int
    lost: int
    duplicated: int
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.errors == 0 and self.lost == 0 and self.duplicated == 0


def base_url() -> str:
    return prodstack.load_state()["base_url"]


# --- data -----------------------------------------------------------------------------------


def organiser_token(username: str = "load-organiser") -> str:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from events.roles import make_organiser

    user, _ = get_user_model().objects.get_or_create(username=username, defaults={"email": f"{username}@example.org"})
    make_organiser(user)
    return Token.objects.get_or_create(user=user)[0].key


def published_event(
    *,
    title: str,
    capacity: int | None,
    organiser_username: str = "load-organiser",
    starts_in: dt.timedelta = dt.timedelta(days=14),
):
    """A published event; ``starts_in``: from now (the door opens a day before the start)."""
    from django.contrib.auth import get_user_model

    from events.models import Event, EventFormat, EventKind, EventStatus

    start = (timezone.now() + starts_in).replace(microsecond=0)
    event = Event.objects.create(
        title=f"{title} {uuid.uuid4().hex[:6]}",
        description="Load test",
        kind=EventKind.WEBINAR,
        format=EventFormat.ONLINE,
        status=EventStatus.PUBLISHED,
        start=start,
        end=start + dt.timedelta(hours=1),
        online_platform="Zoom",
        join_url="https://zoom.example.org/j/1",
        capacity=capacity,
        published_at=timezone.now(),
        waiting_list_enabled=True,
    )
    event.organisers.add(get_user_model().objects.get(username=organiser_username))
    return event


def server_errors(tally: Tally, *, allowed: set[int] = frozenset()) -> int:
    """Answers that are a failure of the service: any 5xx not allowed, or no answer at all."""
    return sum(
        1
        for outcome in tally.outcomes
        if (outcome.status >= 500 or outcome.status == 0) and outcome.status not in allowed
    )


# --- registration rush ----------------------------------------------------------------------


def registration_rush(*, clients: int = 300, seats: int = 50) -> Row:
    """Hundreds of people register at the same moment for an event with 50 seats."""
    from registrations.models import Registration, RegistrationStatus

    organiser_token()
    event = published_event(title="Rush webinar", capacity=seats)
    url = f"{base_url()}/api/events/{event.pk}/registrations/"
    tally = Tally()

    def person(number: int):
        def register():
            body = {"name": f"Rush {number}", "email": f"rush-{number}@example.org", "consent_data_processing": True}
            return number, call(tally, session(), "POST", url, json=body)

        return register

    results = all_at_once([person(number) for number in range(clients)], workers=clients)
    tally.stop()

    rows = list(Registration.objects.filter(event=event).order_by("waiting_since", "pk"))
    by_email = {}
    for registration in rows:
        by_email.setdefault(registration.email, []).append(registration)
    lost = sum(1 for number in range(clients) if f"rush-{number}@example.org" not in by_email)
    duplicated = sum(len(found) - 1 for found in by_email.values())
    confirmed = [r for r in rows if r.status == RegistrationStatus.CONFIRMED]
    waiting = [r for r in rows if r.status == RegistrationStatus.WAITLISTED]
    event.refresh_from_db()
    notes = [f"{len(confirmed)} confirmed, {len(waiting)} waiting, seats_taken {event.seats_taken}/{seats}"]
    errors = server_errors(tally)
    # every answer was a 201; exactly `seats` confirmed; the others wait in the order they came
    errors += sum(1 for _, outcome in results if outcome.status != 201)
    if len(confirmed) != seats or event.seats_taken != seats or len(waiting) != clients - seats:
        errors += 1
        notes.append("CAPACITY WRONG")
    told = {}
    for number, outcome in results:
        if outcome.body and outcome.body.get("status") == RegistrationStatus.WAITLISTED:
            told[f"rush-{number}@example.org"] = outcome.body.get("waiting_position")
    # the position each person was told is their place in the list (nobody waiting was passed)
    order = {registration.email: index + 1 for index, registration in enumerate(waiting)}
    out_of_order = sum(1 for email, position in told.items() if order.get(email) != position)
    if out_of_order or len(told) != len(waiting):
        errors += out_of_order or 1
        notes.append(f"{out_of_order} waiting positions differ from the list")
    else:
        notes.append("waiting positions 1..N as told")
    return Row("registration rush", tally, errors, lost, duplicated, notes)


# --- check-in storm -------------------------------------------------------------------------


def _tickets(event, count: int) -> list:
    from events.models import Event
    from registrations.models import Registration, RegistrationStatus

    now = timezone.now()
    Registration.objects.bulk_create(
        [
            Registration(
                event=event,
                name=f"Ticket {number}",
                email=f"ticket-{number}@example.org",
                status=RegistrationStatus.CONFIRMED,
                seats_held=1,
                confirmed_at=now,
                consent_data_processing=True,
                consented_at=now,
            )
            for number in range(count)
        ],
        batch_size=500,
    )
    Event.objects.filter(pk=event.pk).update(seats_taken=count)
    return list(Registration.objects.filter(event=event).values_list("pk", "ticket_secret"))


def checkin_storm(*, tickets: int = 2000, online_devices: int = 6, offline_devices: int = 2) -> Row:
    """Devices at the door scan a 2,000-ticket event at once: duplicates, and offline batches."""
    from registrations.models import CheckIn
    from registrations.services.tickets import ticket_hash

    token = organiser_token()
    # today's visit: its door is open (a day before the start to a day after the end)
    event = published_event(title="Storm outreach visit", capacity=tickets, starts_in=dt.timedelta(hours=1))
    secrets = _tickets(event, tickets)
    base = f"{base_url()}/api/events/{event.pk}/checkin/"
    tally = Tally()
    rng = random.Random(8)

    # Online devices share the first 80 % of the tickets, every ticket scanned by two of them
    # (a second scan, or two doors at once); the offline devices hold the rest plus an overlap
    # of 200 tickets that are also scanned online, and upload each batch twice (a retry).
    online_part = secrets[: int(tickets * 0.8)]
    offline_part = secrets[int(tickets * 0.8) - 200 :]
    scans_per_device: list[list] = [[] for _ in range(online_devices)]
    for index, (_pk, secret) in enumerate(online_part):
        first = index % online_devices
        scans_per_device[first].append(secret)
        scans_per_device[(first + 1) % online_devices].append(secret)
    for scans in scans_per_device:
        rng.shuffle(scans)

    def online_device(number: int, scans: list):
        def run():
            client = session(token)
            return [
                call(tally, client, "POST", base, json={"secret": secret, "device": f"door-{number}"})
                for secret in scans
            ]

        return run

    def offline_device(number: int, part: list):
        def run():
            client = session(token)
            batch_answers = []
            scans = [
                {
                    "client_scan_id": f"offline-{number}-{pk}",
                    "scanned_at": timezone.now().isoformat(),
                    # half of the scans by the list's hash, half by the scanned secret
                    **({"ticket_hash": ticket_hash(secret)} if pk % 2 else {"secret": secret}),
                }
                for pk, secret in part
            ]
            for start in range(0, len(scans), 100):
                batch = {"device": f"offline-{number}", "scans": scans[start : start + 100]}
                for _attempt in range(2):  # the upload is retried: idempotent on client_scan_id
                    batch_answers.append(call(tally, client, "POST", f"{base}batch/", json=batch))
            return batch_answers

        return run

    halves = [offline_part[number::offline_devices] for number in range(offline_devices)]
    jobs = [online_device(n, scans) for n, scans in enumerate(scans_per_device)]
    jobs += [offline_device(n, part) for n, part in enumerate(halves)]
    all_at_once(jobs, workers=len(jobs))
    tally.stop()

    live = CheckIn.objects.filter(event=event, undone_at__isnull=True)
    checked = dict(live.values_list("registration_id", "id"))
    lost = sum(1 for pk, _ in secrets if pk not in checked)
    duplicated = live.count() - len(checked) + CheckIn.objects.filter(event=event, undone_at__isnull=False).count()
    codes = {}
    for outcome in tally.outcomes:
        key = (outcome.body or {}).get("code", outcome.status)
        codes[key] = codes.get(key, 0) + 1
    errors = server_errors(tally) + sum(1 for o in tally.outcomes if o.status not in (200, 409))
    notes = [f"{len(checked)}/{tickets} checked in; answers {dict(sorted(codes.items(), key=str))}"]
    return Row("check-in storm", tally, errors, lost, duplicated, notes)


# --- worker faults --------------------------------------------------------------------------


def _delivered(mail_dir: Path, prefix: str) -> dict[str, int]:
    """Messages in the file backend's files, by recipient (each message has one To: line)."""
    counts: dict[str, int] = {}
    for path in mail_dir.glob("*.log"):
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("To: ") and prefix in line:
                address = line.split("<")[-1].rstrip(">").strip() if "<" in line else line[4:].strip()
                counts[address] = counts.get(address, 0) + 1
    return counts


def worker_faults(*, messages: int = 5000, timeout: float = 600) -> Row:
    """SIGKILL a qcluster in the middle of a fan-out of 5,000 messages, start it again."""
    from django.db import transaction

    from notifications import kinds
    from notifications.models import OutboxMessage, OutboxStatus
    from notifications.services.outbox import MessageSpec, queue_messages

    state = prodstack.load_state()
    mail_dir = Path(state["env"]["EMAIL_FILE_PATH"])
    organiser_token()
    event = published_event(title="Fan-out webinar", capacity=None)
    run_id = uuid.uuid4().hex[:8]
    prefix = f"fanout-{run_id}-"
    tally = Tally()
    started = time.monotonic()
    specs = [
        MessageSpec(
            kind=kinds.EVENT_CHANGED,
            recipient_email=f"{prefix}{number}@example.org",
            recipient_name=f"Fan-out {number}",
            event=event,
            dedup_key=f"loadtest:{run_id}:{number}",
            context={"changed_fields": ["start"]},
        )
        for number in range(messages)
    ]
    with transaction.atomic():
        ids = queue_messages(specs)
    queued_in = time.monotonic() - started
    outbox = OutboxMessage.objects.filter(pk__in=ids)

    # wait until the workers are busy with it, then kill one cluster outright
    deadline = time.monotonic() + 120
    while outbox.filter(status=OutboxStatus.SENT).count() < messages // 10 and time.monotonic() < deadline:
        time.sleep(0.2)
    victim = prodstack.WORKER_NAMES[0]
    pid = state["processes"][victim]
    sent_at_kill = outbox.filter(status=OutboxStatus.SENT).count()
    prodstack.signal_group(pid, 9)
    killed_at = time.monotonic()
    time.sleep(2)
    prodstack.start_worker(victim)
    notes = [f"queued {len(ids)} in {queued_in:.1f}s; SIGKILL {victim} at {sent_at_kill} sent, restarted"]

    # the sweep (every minute) frees rows the dead cluster left "sending" and re-queues lost tasks
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if outbox.filter(status=OutboxStatus.SENT).count() == messages:
            break
        time.sleep(2)
    finished = time.monotonic()
    time.sleep(3)  # let any straggling duplicate land before counting
    delivered = _delivered(mail_dir, prefix)
    statuses = dict(outbox.values_list("status").annotate(n=Count("id")))
    lost = sum(1 for number in range(messages) if delivered.get(f"{prefix}{number}@example.org", 0) == 0)
    duplicated = sum(count - 1 for count in delivered.values() if count > 1)
    # a fan-out "request" is a message; its latency is queue → sent
    for message in outbox.only("created_at", "sent_at"):
        if message.sent_at:
            tally.add(Outcome(200, (message.sent_at - message.created_at).total_seconds()))
    tally.started, tally.finished = started, finished
    notes.append(f"outbox {statuses}; all sent {finished - killed_at:.0f}s after the kill")
    return Row(
        "worker SIGKILL mid fan-out", tally, 0 if statuses.get("sent") == messages else 1, lost, duplicated, notes
    )


# --- database restart -----------------------------------------------------------------------


def database_restart(*, clients: int = 16, seconds: float = 20) -> Row:
    """PostgreSQL restarts under traffic: answers are 2xx/4xx or 503 with Retry-After, never a
    500; clients that retry as told end with exactly one registration each; it recovers alone."""
    from registrations.models import Registration

    token = organiser_token()
    event = published_event(title="Restart webinar", capacity=None)
    scan_event = published_event(title="Restart visit", capacity=500, starts_in=dt.timedelta(hours=1))
    secrets = [secret for _pk, secret in _tickets(scan_event, 500)]
    connections.close_all()  # the restart will break this process's connection too
    url = base_url()
    tally = Tally()
    stop = threading.Event()
    restarted = {}
    web_log = Path(prodstack.load_state()["env"]["DATA_DIR"]) / "web.log"
    log_offset = web_log.stat().st_size if web_log.exists() else 0
    registered: dict[str, int] = {}

    def client(number: int):
        def run():
            anonymous, staff = session(), session(token)
            count = 0
            while not stop.is_set():
                count += 1
                kind = count % 5
                if kind == 0:
                    email = f"restart-{number}-{count}@example.org"
                    body = {"name": "Restart", "email": email, "consent_data_processing": True}
                    for _attempt in range(20):  # bounded: retry as the 503 says
                        outcome = call(
                            tally, anonymous, "POST", f"{url}/api/events/{event.pk}/registrations/", json=body
                        )
                        if outcome.status != 503:
                            break
                        time.sleep(min(float(outcome.retry_after or 1), 1.0))
                    registered[email] = outcome.status
                elif kind == 1:
                    call(tally, anonymous, "GET", f"{url}/api/events/?page_size=5")
                elif kind == 2:
                    call(tally, anonymous, "GET", f"{url}/api/events/{event.pk}/")
                elif kind == 3:
                    # a page, not the API: the middleware answers these 503 too
                    call(tally, anonymous, "GET", f"{url}/events/{event.pk}/")
                else:
                    secret = secrets[(number * 31 + count) % len(secrets)]
                    call(tally, staff, "POST", f"{url}/api/events/{scan_event.pk}/checkin/", json={"secret": secret})
                time.sleep(0.02)

        return run

    def restart_database():
        time.sleep(seconds / 4)
        restarted["at"] = time.monotonic()
        cluster = sorted(path.name for path in Path("/etc/postgresql").iterdir())[-1]
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"],
            check=True,
            capture_output=True,
            timeout=120,
        )
        restarted["up"] = time.monotonic()
        time.sleep(seconds / 2)
        stop.set()

    threads = [threading.Thread(target=client(n)) for n in range(clients)]
    threads.append(threading.Thread(target=restart_database))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 180)
    stop.set()
    tally.stop()

    statuses = tally.statuses()
    unavailable = [o for o in tally.outcomes if o.status == 503]
    without_advice = sum(
        1 for o in unavailable if not o.retry_after or (o.body or {}).get("code") != "service_unavailable"
    )
    errors = server_errors(tally, allowed={503}) + without_advice
    # recovery: the first success after PostgreSQL was back, and health at the end
    health_code, _ = prodstack.health()
    errors += health_code != 200
    log = web_log.read_text(errors="replace")[log_offset:] if web_log.exists() else ""
    tracebacks = log.count("Traceback")
    errors += tracebacks
    connections.close_all()
    stored = dict(Registration.objects.filter(event=event).values_list("email").annotate(n=Count("id")))
    answered = [email for email, status in registered.items() if status in (200, 201)]
    lost = sum(1 for email in answered if email not in stored)
    duplicated = sum(n - 1 for n in stored.values() if n > 1)
    notes = [
        f"restart {restarted.get('up', 0) - restarted.get('at', 0):.1f}s; answers {dict(sorted(statuses.items()))}",
        f"{len(unavailable)} x 503 with Retry-After, {tracebacks} tracebacks, health {health_code} after",
    ]
    alive = [name for name in prodstack.WORKER_NAMES if prodstack.alive(prodstack.load_state()["processes"][name])]
    notes.append(f"workers alive after: {len(alive)}/{len(prodstack.WORKER_NAMES)}")
    errors += len(prodstack.WORKER_NAMES) - len(alive)
    return Row("database restart", tally, errors, lost, duplicated, notes)


SCENARIOS = {
    "rush": registration_rush,
    "checkin": checkin_storm,
    "workers": worker_faults,
    "dbrestart": database_restart,
}
