#!/usr/bin/env python3
"""Benchmark the door and the registration rush over HTTP against a local gunicorn.

    python3 bench/run.py                    # check-in and the rush, on a temporary SQLite database
    python3 bench/run.py checkin            # only the door (floor, then check-in)
    python3 bench/run.py rush --db postgres # only the rush, on a temporary PostgreSQL database

It creates a throw-away database (a file in a temporary directory, or a database named
bench_<pid> on BENCH_POSTGRES_URL), migrates it, seeds it (bench/seed.py), starts gunicorn on
127.0.0.1 with the project's gunicorn.conf.py and bench.settings, and then measures:

floor    POST /bench/floor/<event>/  a bare Django view doing the check-in's single indexed lookup
checkin  POST /api/events/<event>/checkin/  every request a new ticket (token auth), the real path
rush     POST /api/events/<event>/registrations/  anonymous registrations for the last seats

and prints throughput, latency percentiles, SQL statements per request (X-Query-Count, counted
on the server) and the ratios against the targets. All traffic goes to 127.0.0.1; it all
takes well under a minute. Everything it started or created is removed at the end.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
PYTHON = str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable
HOST = "127.0.0.1"

TARGET_THROUGHPUT_RATIO = 0.5
TARGET_P95_MS = 50.0
TARGET_QUERIES = 3


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Server:
    """The database, the seed data and a gunicorn serving them; cleaned up on exit."""

    def __init__(self, *, db: str, workers: int, tickets: int, rush_capacity: int):
        self.tmp = Path(tempfile.mkdtemp(prefix="events-bench-"))
        self.port = free_port()
        self.pg_admin_url = None
        self.pg_name = None
        if db == "postgres":
            self.pg_admin_url = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
            self.pg_name = f"bench_{os.getpid()}"
            self._pg(f'CREATE DATABASE "{self.pg_name}"')
            database_url = self.pg_admin_url.rsplit("/", 1)[0] + f"/{self.pg_name}"
        else:
            database_url = f"sqlite:///{self.tmp / 'bench.sqlite3'}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "SECRET_KEY": "bench-only-not-secret",
            "DEBUG": "0",
            "TESTING": "0",
            "DATA_DIR": str(self.tmp),
            "DATABASE_URL": database_url,
            "CONN_MAX_AGE": "60",
            "REDIS_URL": "",
            "Q_SYNC": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "ALLOWED_HOSTS": HOST,
            "LOG_LEVEL": "WARNING",
            "GUNICORN_BIND": f"{HOST}:{self.port}",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_THREADS": "1",
            "GUNICORN_ACCESS_LOG": "/dev/null",
            "PYTHONPATH": str(ROOT),
        }
        self.process = None
        say(f"database: {db} ({database_url.split('@')[-1]}), migrating")
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
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit("gunicorn did not answer /healthz in 30 s")

    def worker_cpu_seconds(self) -> float:
        """CPU time used so far by the gunicorn workers (children of the master), from /proc.

        Unlike throughput, CPU per request does not depend on what else the machine runs."""
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:  # ppid
                total += int(fields[11]) + int(fields[12])  # utime + stime
        return total / os.sysconf("SC_CLK_TCK")

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
        shutil.rmtree(self.tmp, ignore_errors=True)


def request(method: str, port: int, path: str, body: dict | None = None, headers: dict | None = None):
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        connection.request(method, path, body=payload, headers=all_headers)
        response = connection.getresponse()
        content = response.read()
        return response.status, content, response.getheader("X-Query-Count")
    finally:
        connection.close()


class Phase:
    """Run ``one(i)`` from ``concurrency`` threads until ``seconds`` pass or ``limit`` calls are made."""

    def __init__(self, name: str):
        self.name = name
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.codes: dict[str, int] = {}
        self.queries: list[int] = []
        self.elapsed = 0.0
        self.cpu_seconds = 0.0
        self.server_cpu = None

    def run(
        self, one, *, concurrency: int, seconds: float, limit: int | None = None, server: "Server | None" = None
    ) -> "Phase":
        lock = threading.Lock()
        counter = iter(range(limit if limit is not None else sys.maxsize))
        stop_at = time.monotonic() + seconds

        def worker():
            while time.monotonic() < stop_at:
                with lock:
                    index = next(counter, None)
                if index is None:
                    return
                started = time.perf_counter()
                status, content, queries = one(index)
                latency = time.perf_counter() - started
                try:
                    code = json.loads(content).get("code") or json.loads(content).get("status", "")
                except (ValueError, AttributeError):
                    code = ""
                with lock:
                    self.latencies.append(latency)
                    self.statuses[status] = self.statuses.get(status, 0) + 1
                    self.codes[code] = self.codes.get(code, 0) + 1
                    if queries is not None:
                        self.queries.append(int(queries))

        threads = [threading.Thread(target=worker) for _ in range(concurrency)]
        cpu_before = server.worker_cpu_seconds() if server else None
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # a phase may run in several slices (interleaved with another): totals accumulate
        self.elapsed += time.perf_counter() - started
        if server and self.latencies:
            self.cpu_seconds += server.worker_cpu_seconds() - cpu_before
            self.server_cpu = self.cpu_seconds / len(self.latencies)
        return self

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))] * 1000 if ordered else 0.0

    def report(self) -> None:
        mean = statistics.fmean(self.latencies) * 1000 if self.latencies else 0.0
        queries = f"{min(self.queries)}–{max(self.queries)}" if self.queries else "?"
        print(
            f"  {self.name:<8} {len(self.latencies):>6} requests in {self.elapsed:5.2f} s = {self.throughput:7.1f}/s"
            f"   latency mean {mean:5.1f} ms, p50 {self.percentile(0.5):5.1f}, p95 {self.percentile(0.95):5.1f},"
            f" p99 {self.percentile(0.99):5.1f}   SQL/request {queries}"
        )
        if self.server_cpu is not None:
            print(f"           server CPU {self.server_cpu * 1000:.2f} ms/request")
        print(f"           statuses {dict(sorted(self.statuses.items()))}  codes {dict(sorted(self.codes.items()))}")


def bench_door(server: Server, *, concurrency: int, seconds: float) -> tuple[Phase, Phase]:
    data = server.data
    payloads = list(data["payloads"])
    event = data["door_event"]
    headers = {"Authorization": f"Token {data['token']}"}

    def floor(index):
        return request("POST", server.port, f"/bench/floor/{event}/", {"secret": random.choice(payloads)})

    def checkin_at(tickets: list[str], index: int):
        # every request a ticket not scanned before: each check-in is a write
        body = {"secret": tickets[index], "device": "bench"}
        return request("POST", server.port, f"/api/events/{event}/checkin/", body, headers)

    def checkin(index):
        return checkin_at(payloads, index)

    say("warming up")
    Phase("warm-up").run(floor, concurrency=concurrency, seconds=1.0, limit=100)
    warm = Phase("warm-up").run(checkin, concurrency=concurrency, seconds=1.0, limit=50)
    used = len(warm.latencies)
    # Floor and check-in alternate in short slices, so both meet the same background load
    # (other processes on the machine come and go within seconds).
    rounds = 5
    say(f"floor and check-in: {seconds:g} s each in {rounds} alternating slices, {concurrency} clients")
    floor_phase, checkin_phase = Phase("floor"), Phase("checkin")
    for _ in range(rounds):
        floor_phase.run(floor, concurrency=concurrency, seconds=seconds / rounds, server=server)
        fresh = payloads[used:]
        checkin_phase.run(
            lambda index, fresh=fresh: checkin_at(fresh, index),
            concurrency=concurrency,
            seconds=seconds / rounds,
            limit=len(fresh),
            server=server,
        )
        used = len(warm.latencies) + len(checkin_phase.latencies)
    return floor_phase, checkin_phase


def bench_rush(server: Server, *, concurrency: int, seconds: float, people: int) -> Phase:
    data = server.data
    event = data["rush_event"]

    def register(index):
        body = {"name": f"Rusher {index}", "email": f"rusher{index}@example.org", "consent_data_processing": True}
        return request("POST", server.port, f"/api/events/{event}/registrations/", body)

    say(f"rush: {people} people for {data['rush_capacity']} seats, {concurrency} clients")
    return Phase("rush").run(register, concurrency=concurrency, seconds=seconds * 4, limit=people, server=server)


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", nargs="?", choices=["all", "checkin", "rush"], default="all")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of the floor and check-in phases")
    parser.add_argument("--concurrency", type=int, default=4, help="simultaneous clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--tickets", type=int, default=4000)
    parser.add_argument("--rush-capacity", type=int, default=100)
    parser.add_argument("--rush-people", type=int, default=300)
    args = parser.parse_args(argv)

    server = Server(db=args.db, workers=args.workers, tickets=args.tickets, rush_capacity=args.rush_capacity)
    failures = []
    try:
        server.start()
        results = {}
        if args.what in ("all", "checkin"):
            results["floor"], results["checkin"] = bench_door(
                server, concurrency=args.concurrency, seconds=args.seconds
            )
        if args.what in ("all", "rush"):
            results["rush"] = bench_rush(
                server, concurrency=args.concurrency, seconds=args.seconds, people=args.rush_people
            )
        if "rush" in results:
            truth = server.query(
                "from registrations.models import Registration as R; from events.models import Event as E; "
                f"e = E.objects.get(pk={server.data['rush_event']}); "
                "c = R.objects.filter(event=e, status='confirmed').count(); "
                "w = R.objects.filter(event=e, status='waitlisted').count(); "
                "print('TRUTH', c, w, e.seats_taken)"
            ).rsplit("TRUTH", 1)[-1]
    finally:
        server.stop()

    print()
    print(f"Results ({args.db}, {args.workers} gunicorn workers, {args.concurrency} clients, {os.cpu_count()} CPUs)")
    for phase in results.values():
        phase.report()
    print()
    if "checkin" in results:
        floor_phase, checkin_phase = results["floor"], results["checkin"]
        ratio = checkin_phase.throughput / floor_phase.throughput if floor_phase.throughput else 0.0
        p95 = checkin_phase.percentile(0.95)
        most_queries = max(checkin_phase.queries, default=99)
        all_in = checkin_phase.codes.get("checked_in", 0) == len(checkin_phase.latencies)
        print(
            f"  check-in / floor throughput  {ratio:5.2f}   (target >= {TARGET_THROUGHPUT_RATIO})"
            f"  {verdict(ratio >= TARGET_THROUGHPUT_RATIO)}"
        )
        print(
            f"  check-in p95 latency         {p95:5.1f} ms (target < {TARGET_P95_MS:g} ms)"
            f"  {verdict(p95 < TARGET_P95_MS)}"
        )
        print(
            f"  SQL statements per check-in  {most_queries:5d}   (target <= {TARGET_QUERIES})"
            f"  {verdict(most_queries <= TARGET_QUERIES)}"
        )
        print(f"  every check-in admitted      {str(all_in):>5}")
        if floor_phase.server_cpu and checkin_phase.server_cpu:
            print(
                f"  server CPU floor / check-in  {floor_phase.server_cpu / checkin_phase.server_cpu:5.2f}"
                "   (the throughput ratio on an idle machine with the server CPU-bound)"
            )
        failures += [
            name
            for name, ok in [
                ("throughput ratio", ratio >= TARGET_THROUGHPUT_RATIO),
                ("p95", p95 < TARGET_P95_MS),
                ("queries", most_queries <= TARGET_QUERIES),
                ("all admitted", all_in),
            ]
            if not ok
        ]
    if "rush" in results:
        rush = results["rush"]
        confirmed, waiting, seats_taken = (int(value) for value in truth.split())
        exact = confirmed == args.rush_capacity == seats_taken and confirmed + waiting == len(rush.latencies)
        print(
            f"  rush: {rush.throughput:.1f} registrations/s"
            + (f" = {rush.throughput / results['floor'].throughput:.2f} of the floor" if "floor" in results else "")
            + f"; {confirmed} confirmed, {waiting} waiting, seats_taken {seats_taken}"
            f" for {args.rush_capacity} seats  {verdict(exact)}"
        )
        if not exact:
            failures.append("rush capacity")
    if failures:
        print(f"\nMissed: {', '.join(failures)}")
        return 1
    return 0


if __name__ == "__main__":
    if VENV_PYTHON.exists() and Path(sys.prefix).resolve() != VENV_PYTHON.parent.parent.resolve():
        # the project's virtualenv has psycopg and the rest; run there
        os.execv(PYTHON, [PYTHON, __file__, *sys.argv[1:]])
    sys.exit(main())
