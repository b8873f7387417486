#!/usr/bin/env python3
"""Benchmark the door and the registration rush over HTTP against a local gunicorn.

    python3 bench/run.py                    # the door and the rush, on a temporary SQLite database
    python3 bench/run.py checkin            # only the door (floor, then check-in)
    python3 bench/run.py rush --db postgres # only the rush, on a temporary PostgreSQL database

It creates a throw-away database (a file in a temporary directory, or a database named
bench_<pid> on BENCH_POSTGRES_URL, else DATABASE_URL when it is PostgreSQL), migrates it, seeds
it (bench/seed.py), starts gunicorn on 127.0.0.1 with the project's gunicorn.conf.py and
bench.settings (workers never recycled during the run), and then measures:

floor       POST /bench/floor/<event>/  a bare Django view doing the check-in's single indexed lookup
checkin     POST /api/events/<event>/checkin/  every request a new ticket (token auth), the real path
sql floor   the registration's least work, straight on the same database from N client threads
            (like pgbench): BEGIN; conditional seat UPDATE; INSERT of a registration row; COMMIT
register    POST /api/events/<event>/registrations/  anonymous registrations for a hot event
burst       --burst-clients people released at once on --rush-capacity seats; must stay exact

and prints throughput, latency percentiles, SQL statements and commits per request (counted on
the server: X-Query-Count, X-Commit-Count), gunicorn CPU per request (from /proc), the ratios and
the verdicts. Pairs of phases run in alternating slices so both meet the same background load.
With a Redis server answering (BENCH_REDIS_URL, default redis://127.0.0.1:6379/15) the job queue
and the throttle counters use it, as in production; otherwise the ORM broker. All traffic goes to
127.0.0.1; everything it started or created is removed at the end.
"""

import argparse
import json
import os
import random
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
PYTHON = str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable
HOST = "127.0.0.1"

TARGET_THROUGHPUT_RATIO = 0.5
TARGET_P95_MS = 50.0
TARGET_QUERIES = 3
# the registration rush (issue 17): against the SQL floor measured in the same run
TARGET_RUSH_RATIO = 0.35
TARGET_RUSH_P99_MS = 250.0
TARGET_RUSH_CPU_MS = 5.0
TARGET_RUSH_STATEMENTS = 6
TARGET_RUSH_COMMITS = 1
TARGET_BURST_P95_MS = 1000.0


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def redis_url(choice: str) -> str:
    """The Redis database the bench may use, or "" for the ORM broker."""
    if choice == "orm":
        return ""
    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception as error:  # noqa: BLE001 -- any failure means: no Redis here
        if choice == "redis":
            raise SystemExit(f"no Redis at {url}: {error}") from None
        return ""
    return url


class Server:
    """The database, the seed data and a gunicorn serving them; cleaned up on exit."""

    def __init__(self, *, db: str, workers: int, tickets: int, rush_capacity: int, broker: str):
        self.tmp = Path(tempfile.mkdtemp(prefix="events-bench-"))
        self.port = free_port()
        self.pg_admin_url = None
        self.pg_name = None
        self.sqlite_path = None
        if db == "postgres":
            fallback = os.environ.get("DATABASE_URL", "")
            if not fallback.startswith(("postgres://", "postgresql://")):
                fallback = "postgres://postgres@127.0.0.1:5432/postgres"
            self.pg_admin_url = os.environ.get("BENCH_POSTGRES_URL", fallback)
            self.pg_name = f"bench_{os.getpid()}"
            self._pg(f'CREATE DATABASE "{self.pg_name}"')
            self.database_url = self.pg_admin_url.rsplit("/", 1)[0] + f"/{self.pg_name}"
        else:
            self.sqlite_path = self.tmp / "bench.sqlite3"
            self.database_url = f"sqlite:///{self.sqlite_path}"
        self.redis_url = redis_url(broker)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "SECRET_KEY": "bench-only-not-secret",
            "DEBUG": "0",
            "TESTING": "0",
            "DATA_DIR": str(self.tmp),
            "DATABASE_URL": self.database_url,
            "CONN_MAX_AGE": "60",
            "REDIS_URL": self.redis_url,
            "Q_SYNC": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "ALLOWED_HOSTS": HOST,
            "LOG_LEVEL": "WARNING",
            "GUNICORN_BIND": f"{HOST}:{self.port}",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_THREADS": "1",
            "GUNICORN_ACCESS_LOG": "/dev/null",
            # a recycled worker takes its CPU time with it: no recycling while we measure
            "GUNICORN_MAX_REQUESTS": "0",
            "PYTHONPATH": str(ROOT),
        }
        self.process = None
        say(f"database: {db} ({self.database_url.split('@')[-1]}), broker: {self.redis_url or 'ORM'}, migrating")
        self._run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"])
        say(f"seeding {tickets} tickets and a rush event with {rush_capacity} seats")
        self.data = json.loads(self._run([PYTHON, "bench/seed.py", str(tickets), str(rush_capacity)]))

    def _pg(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.pg_admin_url, autocommit=True) as connection:
            connection.execute(statement)

    def _run(self, command: list[str]) -> str:
        done = subprocess.run(command, cwd=ROOT, env=self.env, capture_output=True, text=True)
        if done.returncode != 0:
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit(f"failed: {' '.join(command)}")
        return done.stdout

    def connect(self):
        """A DB-API connection of our own to the bench database (for the SQL floor)."""
        if self.pg_name:
            import psycopg

            return psycopg.connect(self.database_url, autocommit=True)
        import sqlite3

        sys.path.insert(0, str(ROOT))
        from events_project.search_folding import add_fold_to  # plain Python: no Django here

        connection = sqlite3.connect(self.sqlite_path, timeout=30, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA synchronous=NORMAL")  # as the project's settings
        add_fold_to(connection)  # the registration's search_name is computed with it, as in the app
        return connection

    def start(self) -> None:
        say(f"starting gunicorn on {HOST}:{self.port} ({self.env['WEB_CONCURRENCY']} sync workers)")
        self.log = open(self.tmp / "gunicorn.log", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "events_project.wsgi:application"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited:\n{(self.tmp / 'gunicorn.log').read_text()}")
            try:
                if request("GET", self.port, "/healthz")[0] == 200:
                    self.workers = set(self._worker_pids())
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit("gunicorn did not answer /healthz in 30 s")

    def _worker_pids(self) -> list[int]:
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:  # ppid
                pids.append(int(stat.parent.name))
        return pids

    def worker_pids(self) -> list[int]:
        """The gunicorn workers (children of the master). Workers are never recycled during the
        bench (GUNICORN_MAX_REQUESTS=0); if one was replaced anyway (a crash, a timeout) the run
        says so."""
        return self._worker_pids()

    def database_pids(self, admin) -> list[int]:
        """The PostgreSQL backends serving the bench database, read on ``admin`` (a connection
        to the maintenance database, whose own backend is not counted)."""
        rows = admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.pg_name])
        return [row[0] for row in rows]

    def admin_connection(self):
        import psycopg

        return psycopg.connect(self.pg_admin_url, autocommit=True)

    def workers_replaced(self) -> bool:
        return set(self._worker_pids()) != self.workers

    def query(self, code: str) -> str:
        return self._run([PYTHON, "manage.py", "shell", "-c", code]).strip()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.process is not None:
            self.log.close()
        if self.pg_name:
            self._pg(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
        if self.redis_url:
            import redis

            # only the bench's own queue (no qcluster ran to consume it)
            client = redis.Redis.from_url(self.redis_url)
            client.delete(*client.keys("django_q:*") or ["-"])
        shutil.rmtree(self.tmp, ignore_errors=True)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float | None:
    """utime + stime of one process from /proc, or None once it has exited."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class CpuMeter:
    """CPU time a changing set of processes (gunicorn workers, PostgreSQL backends) spends
    during a phase, counted per process, so that one that exits takes nothing away.

    Each process is read at the start and then every ``interval`` seconds while the phase
    runs: it counts from its first reading (from zero when it started during the phase: its
    start-up is the phase's work too) to its last. A process that exits between two readings
    loses at most the last interval's CPU; ``exited`` says how many did (a backend whose
    connection reached CONN_MAX_AGE, the SQL floor's own connections closing), so the figure
    is a slight undercount then, never negative.
    """

    def __init__(self, list_pids, *, interval: float = 0.1):
        self.list_pids = list_pids
        self.interval = interval
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.exited = 0
        self._stop = threading.Event()
        self._thread = None

    def _read(self, *, initial: bool = False) -> set[int]:
        alive = set()
        for pid in self.list_pids():
            seconds = process_cpu_seconds(pid)
            if seconds is None:
                continue
            alive.add(pid)
            self.first.setdefault(pid, seconds if initial else 0.0)
            self.last[pid] = seconds
        return alive

    def start(self) -> "CpuMeter":
        self._read(initial=True)

        def sample():
            while not self._stop.wait(self.interval):
                self._read()

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> float:
        """The CPU seconds spent since start()."""
        self._stop.set()
        self._thread.join()
        alive = self._read()
        self.exited = len(set(self.last) - alive)
        return sum(self.last[pid] - self.first[pid] for pid in self.last)


def encode_request(method: str, port: int, path: str, body: dict | None = None, headers: dict | None = None) -> bytes:
    """The bytes of one request, as a client behind no proxy sends them to a sync worker.

    HTTP/1.0: the server closes the connection after its answer, which is then everything read
    until the end, with no chunked encoding to undo.
    """
    payload = json.dumps(body).encode() if body is not None else b""
    lines = [f"{method} {path} HTTP/1.0", f"Host: {HOST}:{port}", "Content-Type: application/json"]
    lines += [f"Content-Length: {len(payload)}", *(f"{name}: {value}" for name, value in (headers or {}).items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload


def parse_answer(answer: bytes) -> tuple[int, bytes, tuple]:
    """Status, body and the (statements, commits) headers of an answer read to its end."""
    head, _, content = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    answer_headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        answer_headers[name.strip().lower()] = value.strip()
    counts = (answer_headers.get("x-query-count"), answer_headers.get("x-commit-count"))
    return int(status_line.split()[1]), content, counts


def request(method: str, port: int, path: str, body: dict | None = None, headers: dict | None = None):
    """One request, waited for (start-up checks; the phases use ``Phase.send``)."""
    with socket.create_connection((HOST, port), timeout=30) as connection:
        connection.sendall(encode_request(method, port, path, body, headers))
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return parse_answer(b"".join(chunks))


class _InFlight:
    __slots__ = ("payload", "started", "chunks")

    def __init__(self, payload: bytes):
        self.payload = payload
        self.started = time.perf_counter()
        self.chunks: list[bytes] = []


class Phase:
    """Keep ``concurrency`` requests in flight until ``seconds`` pass or ``limit`` are made.

    ``send``: HTTP requests to the server, all from ONE thread with non-blocking sockets (a
    selector loop). The bench's clients share the machine's two cores with the server, and
    every millisecond of their CPU is one the server does not get: 50 client threads, each
    with http.client, cost as much CPU per request as gunicorn's own HTTP handling, mostly
    in switching between threads. ``run``: ``one(i)`` from ``concurrency`` threads, for the
    SQL floor's database calls.
    """

    def __init__(self, name: str):
        self.name = name
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.codes: dict[str, int] = {}
        self.queries: list[int] = []
        self.commits: list[int] = []
        self.elapsed = 0.0
        self.cpu_seconds = 0.0
        self.server_cpu = None
        self.database_seconds = 0.0
        self.database_cpu = None
        self.backends_exited = 0
        self.client_seconds = 0.0
        self.exhausted = False

    def run(
        self,
        one,
        *,
        concurrency: int,
        seconds: float,
        limit: int | None = None,
        server: "Server | None" = None,
        database_of: "Server | None" = None,
    ) -> "Phase":
        """``one(i)`` (returning status, body, counts) from ``concurrency`` threads."""
        lock = threading.Lock()
        counter = iter(range(limit if limit is not None else sys.maxsize))
        stop_at = time.monotonic() + seconds

        def worker():
            while time.monotonic() < stop_at:
                with lock:
                    index = next(counter, None)
                if index is None:
                    self.exhausted = True
                    return
                started = time.perf_counter()
                status, content, counts = one(index)
                latency = time.perf_counter() - started
                with lock:
                    self._record(latency, status, content, counts)

        def drive():
            threads = [threading.Thread(target=worker) for _ in range(concurrency)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

        return self._measure(drive, server=server, database_of=database_of)

    def send(
        self,
        build,
        *,
        port: int,
        concurrency: int,
        seconds: float,
        limit: int | None = None,
        server: "Server | None" = None,
    ) -> "Phase":
        """HTTP requests ``build(i)`` (bytes, ``encode_request``), ``concurrency`` in flight, each
        on a new connection, from this one thread: each answer starts the next request. With
        ``limit`` equal to ``concurrency`` every request leaves at once (a burst)."""
        counter = iter(range(limit if limit is not None else sys.maxsize))
        stop_at = time.monotonic() + seconds
        selector = selectors.DefaultSelector()
        in_flight = 0

        def launch() -> None:
            nonlocal in_flight
            if time.monotonic() >= stop_at:
                return
            index = next(counter, None)
            if index is None:
                self.exhausted = True
                return
            connection = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            connection.setblocking(False)
            connection.connect_ex((HOST, port))  # in progress: writable once connected
            selector.register(connection, selectors.EVENT_WRITE, _InFlight(build(index)))
            in_flight += 1

        def drive():
            nonlocal in_flight
            for _ in range(concurrency):
                launch()
            while in_flight:
                ready = selector.select(timeout=30)
                if not ready:
                    raise RuntimeError(f"{self.name}: no answer in 30 s with {in_flight} requests in flight")
                for key, _mask in ready:
                    connection, state = key.fileobj, key.data
                    if state.payload:
                        state.payload = state.payload[connection.send(state.payload) :]
                        if not state.payload:
                            selector.modify(connection, selectors.EVENT_READ, state)
                        continue
                    chunk = connection.recv(65536)
                    if chunk:
                        state.chunks.append(chunk)
                        continue
                    selector.unregister(connection)
                    connection.close()
                    in_flight -= 1
                    self._record(time.perf_counter() - state.started, *parse_answer(b"".join(state.chunks)))
                    launch()
            selector.close()

        return self._measure(drive, server=server, database_of=None)

    def _record(self, latency: float, status: int, content: bytes, counts: tuple) -> None:
        queries, commits = counts
        try:
            answer = json.loads(content)
            code = answer.get("code") or answer.get("status", "")
        except (ValueError, AttributeError):
            code = ""
        self.latencies.append(latency)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.codes[code] = self.codes.get(code, 0) + 1
        if queries is not None:
            self.queries.append(int(queries))
        if commits is not None:
            self.commits.append(int(commits))

    def _measure(self, drive, *, server, database_of) -> "Phase":
        """Run ``drive()`` with the server's and the database's CPU read around it."""
        workers = CpuMeter(server.worker_pids).start() if server else None
        database = database_of if database_of is not None else server
        admin = database.admin_connection() if database is not None and database.pg_name else None
        backends = CpuMeter(lambda: database.database_pids(admin)).start() if admin else None
        count_before = len(self.latencies)
        client_before = time.process_time()
        started = time.perf_counter()
        drive()
        # a phase may run in several slices (interleaved with another): totals accumulate
        self.elapsed += time.perf_counter() - started
        self.client_seconds += time.process_time() - client_before
        worker_seconds = workers.stop() if workers else None
        backend_seconds = backends.stop() if backends else None
        if admin is not None:
            admin.close()
        if worker_seconds is not None and len(self.latencies) > count_before:
            self.cpu_seconds += worker_seconds
            self.server_cpu = self.cpu_seconds / len(self.latencies)
        if backend_seconds is not None and len(self.latencies) > count_before:
            self.database_seconds += backend_seconds
            self.database_cpu = self.database_seconds / len(self.latencies)
            self.backends_exited += backends.exited
        return self

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        # the requests in flight when a slice's time is up are waited for and counted: with many
        # clients and slow answers keep slices long (the rush runs in two)
        return self.count / self.elapsed if self.elapsed else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))] * 1000 if ordered else 0.0

    def most(self, values: list[int]) -> int:
        return max(values, default=99)

    def report(self) -> None:
        mean = statistics.fmean(self.latencies) * 1000 if self.latencies else 0.0
        queries = f"{min(self.queries)}–{max(self.queries)}" if self.queries else "?"
        commits = f"{min(self.commits)}–{max(self.commits)}" if self.commits else "?"
        print(
            f"  {self.name:<9} {self.count:>6} requests in {self.elapsed:5.2f} s, {self.throughput:7.1f}/s"
            f"   latency mean {mean:6.1f} ms, p50 {self.percentile(0.5):6.1f}, p95 {self.percentile(0.95):6.1f},"
            f" p99 {self.percentile(0.99):6.1f}   SQL/request {queries}, commits {commits}"
        )
        cpu = []
        if self.server_cpu is not None:
            cpu.append(f"gunicorn {self.server_cpu * 1000:.2f}")
        if self.database_cpu is not None:
            cpu.append(f"PostgreSQL {self.database_cpu * 1000:.2f}")
        if cpu:
            exited = f" ({self.backends_exited} backends exited during it)" if self.backends_exited else ""
            # the bench's own threads (and its CPU meters) share the machine's cores with the server
            clients = f"; the bench's own: {self.client_seconds / self.count * 1000:.2f} ms" if self.count else ""
            print(f"            server CPU per request: {', '.join(cpu)} ms{exited}{clients}")
        print(f"            statuses {dict(sorted(self.statuses.items()))}  codes {dict(sorted(self.codes.items()))}")
        if self.exhausted:
            print("            (ran out of prepared requests before its time: raise --tickets)")


def bench_door(server: Server, *, concurrency: int, seconds: float) -> tuple[Phase, Phase]:
    data = server.data
    payloads = list(data["payloads"])
    event = data["door_event"]
    headers = {"Authorization": f"Token {data['token']}"}

    def floor(index):
        return encode_request("POST", server.port, f"/bench/floor/{event}/", {"secret": random.choice(payloads)})

    def checkin_at(tickets: list[str], index: int):
        # every request a ticket not scanned before: each check-in is a write
        body = {"secret": tickets[index], "device": "bench"}
        return encode_request("POST", server.port, f"/api/events/{event}/checkin/", body, headers)

    def checkin(index):
        return checkin_at(payloads, index)

    say("warming up")
    Phase("warm-up").send(floor, port=server.port, concurrency=concurrency, seconds=1.0, limit=100)
    # enough scans that every worker has prepared its statements before the measured slices
    warm = Phase("warm-up").send(checkin, port=server.port, concurrency=concurrency, seconds=2.0, limit=200)
    used = warm.count
    # Floor and check-in alternate in short slices, so both meet the same background load
    # (other processes on the machine come and go within seconds).
    rounds = 5
    say(f"floor and check-in: {seconds:g} s each in {rounds} alternating slices, {concurrency} clients")
    floor_phase, checkin_phase = Phase("floor"), Phase("checkin")
    for _ in range(rounds):
        floor_phase.send(floor, port=server.port, concurrency=concurrency, seconds=seconds / rounds, server=server)
        fresh = payloads[used:]
        checkin_phase.send(
            lambda index, fresh=fresh: checkin_at(fresh, index),
            port=server.port,
            concurrency=concurrency,
            seconds=seconds / rounds,
            limit=len(fresh),
            server=server,
        )
        used = warm.count + checkin_phase.count
    return floor_phase, checkin_phase


# columns of registrations_registration the database computes (Registration.search_name)
GENERATED_COLUMNS = ("search_name",)


class SqlFloor:
    """The registration's least work on the same database, from client threads of our own:
    BEGIN; UPDATE the event's seat counter if a seat is left; INSERT a registration; COMMIT.
    The row is a copy of a seeded registration (INSERT ... SELECT), so every column is filled
    exactly as the service would, with a fresh email, ticket secret and management token."""

    def __init__(self, server: Server):
        self.server = server
        self.event = server.data["floor_event"]
        self.template = server.data["template_registration"]
        probe = server.connect()
        try:
            cursor = probe.cursor()
            cursor.execute("SELECT * FROM registrations_registration WHERE id = 0")
            self.columns = [column[0] for column in cursor.description]
        finally:
            probe.close()
        self.mark = "%s" if server.pg_name else "?"
        fresh = {"event_id", "email", "name", "ticket_secret", "manage_token", "status", "seats_held"}
        # a generated column (search_name) is the database's to write
        copied = [name for name in self.columns if name not in {"id", *GENERATED_COLUMNS} and name not in fresh]
        self.insert = (
            f"INSERT INTO registrations_registration ({', '.join([*sorted(fresh), *copied])}) "
            f"SELECT {', '.join([self.mark] * len(fresh))}, {', '.join(copied)} "
            f"FROM registrations_registration WHERE id = {self.mark}"
        )
        self.fresh_order = sorted(fresh)
        m = self.mark
        self.take_seat = (
            f"UPDATE events_event SET seats_taken = seats_taken + 1 "
            f"WHERE id = {m} AND (capacity IS NULL OR seats_taken + 1 <= capacity)"
        )
        self.local = threading.local()
        self.connections = []

    def one(self, index):
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = self.local.connection = self.server.connect()
            self.connections.append(connection)
        token = uuid.uuid4().hex
        values = {
            "email": f"floor-{token}@example.org",
            "event_id": self.event,
            "manage_token": token,
            "name": f"Floor {index}",
            "seats_held": 1,
            "status": "confirmed",
            "ticket_secret": token[:26].upper(),
        }
        cursor = connection.cursor()
        cursor.execute("BEGIN" if self.server.pg_name else "BEGIN IMMEDIATE")
        cursor.execute(self.take_seat, [self.event])
        taken = cursor.rowcount == 1
        if taken:
            cursor.execute(self.insert, [*(values[name] for name in self.fresh_order), self.template])
        cursor.execute("COMMIT")
        return 201 if taken else 409, b'{"code": "floor"}', ("2" if taken else "1", "1")

    def close(self):
        for connection in self.connections:
            connection.close()


class PgBench:
    """The same SQL floor driven by pgbench (C, no Python per statement), when it is installed and
    the database is PostgreSQL: the stronger floor, so the ratio the run judges by."""

    def __init__(self, server: Server, floor: SqlFloor, clients: int):
        from urllib.parse import urlsplit

        self.clients = clients
        self.transactions = 0
        self.elapsed = 0.0
        self.latency_ms: list[float] = []
        url = urlsplit(server.database_url)
        self.command = [
            shutil.which("pgbench"), "-n", "-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432),
            "-U", url.username or "postgres", "-c", str(clients), "-j", str(min(clients, os.cpu_count() or 1)),
        ]  # fmt: skip
        self.env = {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}
        self.database = url.path.lstrip("/")
        fresh = {
            "email": "md5(random()::text) || '@example.org'",
            "event_id": ":event",
            "manage_token": "md5(random()::text)",
            "name": "'Floor'",
            "seats_held": "1",
            "status": "'confirmed'",
            "ticket_secret": "upper(substr(md5(random()::text), 1, 26))",
        }
        copied = [name for name in floor.columns if name not in {"id", *GENERATED_COLUMNS} and name not in fresh]
        self.script = server.tmp / "floor.sql"
        self.script.write_text(
            f"\\set event {floor.event}\n"
            "BEGIN;\n"
            "UPDATE events_event SET seats_taken = seats_taken + 1"
            " WHERE id = :event AND (capacity IS NULL OR seats_taken + 1 <= capacity);\n"
            f"INSERT INTO registrations_registration ({', '.join([*fresh, *copied])})"
            f" SELECT {', '.join(fresh.values())}, {', '.join(copied)}"
            f" FROM registrations_registration WHERE id = {floor.template};\n"
            "END;\n"
        )

    @staticmethod
    def available(server: Server) -> bool:
        return bool(server.pg_name and shutil.which("pgbench"))

    def run(self, seconds: float) -> None:
        whole = max(1, round(seconds))  # pgbench -T takes whole seconds
        done = subprocess.run(
            [*self.command, "-T", str(whole), "-f", str(self.script), self.database],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        for line in done.stdout.splitlines():
            if line.startswith("number of transactions actually processed:"):
                self.transactions += int(line.split(":")[1].split("/")[0])
            elif line.startswith("latency average ="):
                self.latency_ms.append(float(line.split("=")[1].split()[0]))
        self.elapsed += whole
        if done.returncode != 0:
            say(f"pgbench failed: {done.stderr.strip()[-300:]}")

    @property
    def throughput(self) -> float:
        return self.transactions / self.elapsed if self.elapsed else 0.0

    def report(self) -> None:
        latency = statistics.fmean(self.latency_ms) if self.latency_ms else 0.0
        print(
            f"  pgbench   {self.transactions:>6} transactions in {self.elapsed:5.2f} s, {self.throughput:7.1f}/s"
            f"   latency mean {latency:6.1f} ms   ({self.clients} clients, the SQL floor's statements)"
        )


def registration_body(prefix: str, index: int) -> dict:
    return {"name": f"{prefix} {index}", "email": f"{prefix}{index}@example.org", "consent_data_processing": True}


def person_address(index: int) -> dict:
    """Each registrant writes from an address of their own (X-Forwarded-For, as behind the
    production proxy: bench.settings trusts one), so the registration limit counts per
    person as in production, with the production rate: from one address for everyone, its
    history would grow to every request of the last minute and the bench would measure that."""
    return {"X-Forwarded-For": f"10.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}"}


def bench_rush(server: Server, *, concurrency: int, floor_clients: int, seconds: float) -> tuple:
    """The SQL floor (and pgbench's, on PostgreSQL) and the sustained rush on one hot event, in
    alternating slices."""
    hot = server.data["hot_event"]
    floor = SqlFloor(server)
    pgbench = PgBench(server, floor, floor_clients) if PgBench.available(server) else None

    def register(index):
        body = registration_body("hot", index)
        return encode_request("POST", server.port, f"/api/events/{hot}/registrations/", body, person_address(index))

    say("warming up the rush")
    warm = Phase("warm-up").send(
        register, port=server.port, concurrency=concurrency, seconds=2.0, limit=2 * concurrency
    )
    Phase("warm-up").run(floor.one, concurrency=floor_clients, seconds=1.0, limit=50)
    # two slices each, not five: with 50 clients a slice ends by waiting for the answers in
    # flight, and a slice only a few answers long would measure mostly that drain
    rounds = 2
    say(
        f"SQL floor ({floor_clients} clients) and registrations ({concurrency} clients):"
        f" {seconds:g} s each in {rounds} alternating slices"
    )
    floor_phase, rush_phase = Phase("sql floor"), Phase("register")
    offset = warm.count
    try:
        for _ in range(rounds):
            floor_phase.run(floor.one, concurrency=floor_clients, seconds=seconds / rounds, database_of=server)
            if pgbench:
                pgbench.run(seconds / rounds)
            start = offset + rush_phase.count
            rush_phase.send(
                lambda index, start=start: register(start + index),
                port=server.port,
                concurrency=concurrency,
                seconds=seconds / rounds,
                server=server,
            )
    finally:
        floor.close()
    return floor_phase, rush_phase, pgbench


def bench_burst(server: Server, *, people: int) -> Phase:
    event = server.data["rush_event"]

    def register(index):
        body = registration_body("burst", index)
        return encode_request("POST", server.port, f"/api/events/{event}/registrations/", body, person_address(index))

    say(f"burst: {people} people released at once for {server.data['rush_capacity']} seats")
    # one request per client, every one sent at once
    burst = Phase("burst").send(
        register, port=server.port, concurrency=people, seconds=120, limit=people, server=server
    )
    burst.exhausted = False  # one request each is the plan, not a shortage
    return burst


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def check(failures: list, label: str, value: str, target: str, ok: bool) -> None:
    print(f"  {label:<36} {value:>10}   (target {target})  {verdict(ok)}")
    if not ok:
        failures.append(label)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", nargs="?", choices=["all", "checkin", "rush"], default="all")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--broker", choices=["auto", "redis", "orm"], default="auto")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each measured phase")
    parser.add_argument("--concurrency", type=int, default=4, help="simultaneous clients at the door")
    parser.add_argument("--rush-clients", type=int, default=50, help="simultaneous clients registering")
    parser.add_argument("--floor-clients", type=int, default=8, help="client threads of the SQL floor")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--tickets", type=int, default=0, help="tickets to scan (default: enough for the run)")
    parser.add_argument("--rush-capacity", type=int, default=100)
    parser.add_argument("--burst-clients", type=int, default=200)
    args = parser.parse_args(argv)
    # a fast door scans ~2,000 tickets a second: never run out before the time is up
    tickets = args.tickets or int(2500 * args.seconds) + 1000

    say(f"load average {load_average()} ({os.cpu_count()} CPUs)")
    server = Server(
        db=args.db, workers=args.workers, tickets=tickets, rush_capacity=args.rush_capacity, broker=args.broker
    )
    failures = []
    results = {}
    load_during = ""
    try:
        server.start()
        if args.what in ("all", "checkin"):
            results["floor"], results["checkin"] = bench_door(
                server, concurrency=args.concurrency, seconds=args.seconds
            )
        if args.what in ("all", "rush"):
            results["sql floor"], results["register"], pgbench = bench_rush(
                server, concurrency=args.rush_clients, floor_clients=args.floor_clients, seconds=args.seconds
            )
            if pgbench:
                results["pgbench"] = pgbench
            results["burst"] = bench_burst(server, people=args.burst_clients)
            truth = server.query(
                "from registrations.models import Registration as R; from events.models import Event as E; "
                f"e = E.objects.get(pk={server.data['rush_event']}); "
                "c = R.objects.filter(event=e, status='confirmed').count(); "
                "w = R.objects.filter(event=e, status='waitlisted').count(); "
                "print('TRUTH', c, w, e.seats_taken)"
            ).rsplit("TRUTH", 1)[-1]
        load_during = load_average()
        replaced = server.workers_replaced()
    finally:
        server.stop()

    print()
    print(
        f"Results ({args.db}, broker {'Redis' if server.redis_url else 'ORM'}, {args.workers} gunicorn workers,"
        f" {os.cpu_count()} CPUs, load average at the end {load_during})"
    )
    for phase in results.values():
        phase.report()
    if replaced:
        print("  a gunicorn worker was replaced during the run: server CPU figures are too low")
    print()
    if "checkin" in results:
        floor_phase, checkin_phase = results["floor"], results["checkin"]
        ratio = checkin_phase.throughput / floor_phase.throughput if floor_phase.throughput else 0.0
        p95 = checkin_phase.percentile(0.95)
        all_in = checkin_phase.codes.get("checked_in", 0) == checkin_phase.count
        print(f"  check-in, {args.concurrency} clients")
        check(
            failures,
            "check-in / floor throughput",
            f"{ratio:.2f}",
            f">= {TARGET_THROUGHPUT_RATIO}",
            ratio >= TARGET_THROUGHPUT_RATIO,
        )
        check(failures, "check-in p95", f"{p95:.1f} ms", f"< {TARGET_P95_MS:g} ms", p95 < TARGET_P95_MS)
        most = checkin_phase.most(checkin_phase.queries)
        check(failures, "SQL statements per check-in", str(most), f"<= {TARGET_QUERIES}", most <= TARGET_QUERIES)
        check(failures, "every check-in admitted", str(all_in), "True", all_in)
        if floor_phase.server_cpu and checkin_phase.server_cpu:
            print(
                f"  server CPU floor / check-in          {floor_phase.server_cpu / checkin_phase.server_cpu:10.2f}"
                "   (the throughput ratio on an idle machine with the server CPU-bound)"
            )
    if "register" in results:
        floor_phase, rush_phase, burst = results["sql floor"], results["register"], results["burst"]
        # judged against the stronger floor: pgbench's when it ran
        floor_throughput = max(floor_phase.throughput, getattr(results.get("pgbench"), "throughput", 0.0))
        ratio = rush_phase.throughput / floor_throughput if floor_throughput else 0.0
        p99 = rush_phase.percentile(0.99)
        cpu = (rush_phase.server_cpu or 0) * 1000
        statements = rush_phase.most(rush_phase.queries)
        commits = rush_phase.most(rush_phase.commits)
        created = rush_phase.statuses.get(201, 0) == rush_phase.count
        print(f"  registration rush, {args.rush_clients} clients; SQL floor {args.floor_clients} clients")
        check(
            failures,
            "registrations / best SQL floor",
            f"{ratio:.3f}",
            f">= {TARGET_RUSH_RATIO}",
            ratio >= TARGET_RUSH_RATIO,
        )
        check(failures, "registration p99", f"{p99:.1f} ms", f"< {TARGET_RUSH_P99_MS:g} ms", p99 < TARGET_RUSH_P99_MS)
        check(
            failures,
            "gunicorn CPU per registration",
            f"{cpu:.2f} ms",
            f"<= {TARGET_RUSH_CPU_MS:g} ms",
            cpu <= TARGET_RUSH_CPU_MS,
        )
        check(
            failures,
            "SQL statements per registration",
            str(statements),
            f"<= {TARGET_RUSH_STATEMENTS}",
            statements <= TARGET_RUSH_STATEMENTS,
        )
        check(
            failures,
            "commits per registration",
            str(commits),
            f"<= {TARGET_RUSH_COMMITS}",
            commits <= TARGET_RUSH_COMMITS,
        )
        check(failures, "every registration created (201)", str(created), "True", created)
        if rush_phase.count:
            # what the machine's cores allow at the CPU one registration took, everyone's included
            client = rush_phase.client_seconds / rush_phase.count
            total_ms = ((rush_phase.server_cpu or 0) + (rush_phase.database_cpu or 0) + client) * 1000
            cores = len(os.sched_getaffinity(0))
            ceiling = cores * 1000 / total_ms if total_ms else 0.0
            share = ceiling / floor_throughput if floor_throughput else 0.0
            print(
                f"  CPU ceiling of the rush              {ceiling:7.0f}/s   ({cores} cores / {total_ms:.2f} ms"
                f" per registration: gunicorn, database, the bench's clients; {share:.2f} of the floor)"
            )
        confirmed, waiting, seats_taken = (int(value) for value in truth.split())
        exact = confirmed == args.rush_capacity == seats_taken and confirmed + waiting == burst.count
        burst_p95 = burst.percentile(0.95)
        print(f"  burst: {args.burst_clients} at once for {args.rush_capacity} seats")
        check(
            failures,
            "burst exact (confirmed, waiting, seats)",
            f"{confirmed}/{waiting}/{seats_taken}",
            f"{args.rush_capacity}/{args.burst_clients - args.rush_capacity}/{args.rush_capacity}",
            exact,
        )
        check(
            failures,
            "burst p95",
            f"{burst_p95:.0f} ms",
            f"< {TARGET_BURST_P95_MS:g} ms",
            burst_p95 < TARGET_BURST_P95_MS,
        )
    if failures:
        print(f"\nMissed: {', '.join(failures)}")
        return 1
    return 0


if __name__ == "__main__":
    if VENV_PYTHON.exists() and Path(sys.prefix).resolve() != VENV_PYTHON.parent.parent.resolve():
        # the project's virtualenv has psycopg and the rest; run there
        os.execv(PYTHON, [PYTHON, __file__, *sys.argv[1:]])
    sys.exit(main())
