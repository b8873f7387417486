#!/usr/bin/env python3
"""CPU per request of the registration and the scan, in-process, without gunicorn or clients.

    .venv/bin/python bench/request_cpu.py                       # both, on a throw-away PostgreSQL database
    .venv/bin/python bench/request_cpu.py register --profile    # and cProfile's top functions
    .venv/bin/python bench/request_cpu.py checkin --requests 3000 --rounds 5 --db sqlite

bench/run.py measures the service over HTTP, with the machine's load in its figures; this runs
the same requests (the same body, headers and settings: ``bench.settings``, production's plus the
bench's URLconf and statement counter) straight through Django's WSGI handler in one process, and
reads that process's CPU time (``time.process_time``) around them. What it leaves out is what
gunicorn adds per request (reading and writing the socket, its access log) and the database's and
Redis' own CPU; what it keeps is everything the project decides. Rounds of ``--requests`` each,
after a warm-up; the figures per round and their median, so two versions can be compared (A/B)
on a shared machine by alternating runs.

Each run creates a database ``bench_cpu_<pid>`` (on BENCH_POSTGRES_URL, else DATABASE_URL when it
is PostgreSQL, else postgres://postgres@127.0.0.1:5432/postgres) or a temporary SQLite file, and
removes it at the end; with Redis (``--redis``, default redis://127.0.0.1:6379/14) the job queue
and the throttle use it, and the queue's keys are deleted afterwards.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import person_address, registration_body  # noqa: E402


def admin_url() -> str:
    fallback = os.environ.get("DATABASE_URL", "")
    if not fallback.startswith(("postgres://", "postgresql://")):
        fallback = "postgres://postgres@127.0.0.1:5432/postgres"
    return os.environ.get("BENCH_POSTGRES_URL", fallback)


def pg(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statement)


def environ_for(path: str, body: dict, headers: dict) -> dict:
    """A WSGI environ as gunicorn builds it for a JSON POST over HTTP/1.0 from 127.0.0.1."""
    payload = json.dumps(body).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "RAW_URI": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.0",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "50000",
        "HTTP_HOST": "127.0.0.1:8000",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(payload)),
        "HTTP_CONTENT_TYPE": "application/json",
        "HTTP_CONTENT_LENGTH": str(len(payload)),
        "wsgi.input": io.BytesIO(payload),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.file_wrapper": None,
    }
    for name, value in headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


class Requests:
    """Prepared environs for one kind of request, and the status they must answer."""

    def __init__(self, kind: str, data: dict, count: int):
        self.kind = kind
        if kind == "register":
            hot = data["hot_event"]
            path = f"/api/events/{hot}/registrations/"
            self.expected = 201
            self.environs = [
                environ_for(path, registration_body("cpu", index), person_address(index)) for index in range(count)
            ]
        elif kind == "floor":
            path = f"/bench/floor/{data['door_event']}/"
            self.expected = 200
            self.environs = [environ_for(path, {"secret": payload}, {}) for payload in data["payloads"][:count]]
        else:
            door = data["door_event"]
            path = f"/api/events/{door}/checkin/"
            headers = {"Authorization": f"Token {data['token']}"}
            self.expected = 200
            self.environs = [
                environ_for(path, {"secret": payload, "device": "bench"}, headers)
                for payload in data["payloads"][:count]
            ]
        self.next = 0

    def take(self, count: int) -> list[dict]:
        taken = self.environs[self.next : self.next + count]
        if len(taken) < count:
            raise SystemExit(f"{self.kind}: ran out of prepared requests (raise --tickets)")
        self.next += count
        return taken


def run(application, environs: list[dict], expected: int) -> None:
    statuses = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    for environ in environs:
        result = application(environ, start_response)
        for _chunk in result:
            pass
        result.close()  # request_finished: closing or keeping the database connection
    wrong = [status for status in statuses if not status.startswith(str(expected))]
    if wrong:
        raise SystemExit(f"unexpected answers: {wrong[:5]} ({len(wrong)} of {len(statuses)})")


class Sampler:
    """Where the CPU goes, without cProfile's cost per call (which triples a request's time and
    inflates whatever calls many small functions): every ``interval`` seconds of this process's
    CPU time (SIGPROF) the Python stack is recorded. Inclusive counts: the share of samples in
    which a function was on the stack; self counts: the share in which it was on top."""

    def __init__(self, interval: float = 0.0005):
        self.interval = interval
        self.inclusive: dict[str, int] = {}
        self.own: dict[str, int] = {}
        self.packages: dict[str, int] = {}
        self.samples = 0

    def _sample(self, signum, frame):
        self.samples += 1
        seen = set()
        top = True
        package = _package(frame.f_code.co_filename)
        self.packages[package] = self.packages.get(package, 0) + 1
        while frame is not None:
            code = frame.f_code
            where = Path(code.co_filename)
            name = f"{where.parent.name}/{where.name}:{code.co_firstlineno}({code.co_name})"
            if top:
                self.own[name] = self.own.get(name, 0) + 1
                top = False
            if name not in seen:
                seen.add(name)
                self.inclusive[name] = self.inclusive.get(name, 0) + 1
            frame = frame.f_back

    def __enter__(self):
        import signal

        signal.signal(signal.SIGPROF, self._sample)
        signal.setitimer(signal.ITIMER_PROF, self.interval, self.interval)
        return self

    def __exit__(self, *exc):
        import signal

        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, signal.SIG_DFL)

    def report(self, title: str, top: int, per_request_ms: float) -> None:
        for label, counts in (("inclusive", self.inclusive), ("self", self.own), ("package (self)", self.packages)):
            print(f"--- {title}: top {top} by {label} CPU ({self.samples} samples; ms a request) ---")
            for name, count in sorted(counts.items(), key=lambda item: -item[1])[:top]:
                print(f"{count / self.samples * per_request_ms:7.3f}  {count / self.samples:6.1%}  {name}")


def _package(filename: str) -> str:
    """The installed package or the project's app a source file belongs to (psycopg, django/db, ...)."""
    parts = Path(filename).parts
    if "site-packages" in parts:
        rest = parts[parts.index("site-packages") + 1 :]
        return "/".join(rest[:2]) if rest[0] == "django" and len(rest) > 2 else rest[0]
    if str(ROOT) in filename:
        return Path(filename).relative_to(ROOT).parts[0]
    return "python"


def backend_cpu() -> tuple[int, float] | None:
    """The PostgreSQL server process of this process's connection and the CPU seconds it has used
    (on this machine, from /proc), or None on SQLite or without a connection."""
    from django.db import connection

    if connection.vendor != "postgresql" or connection.connection is None:
        return None
    pid = connection.connection.info.backend_pid
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return pid, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    application, requests: Requests, *, count: int, rounds: int, profile: bool, sample: bool, top: int
) -> tuple[list[float], list[float]]:
    """CPU per request of this process, and of its PostgreSQL server process (empty on SQLite),
    in ms, a figure per round."""
    run(application, requests.take(200), requests.expected)  # warm-up: imports, prepared statements
    figures, database = [], []
    for _ in range(rounds):
        environs = requests.take(count)
        server = backend_cpu()
        start = time.process_time()
        run(application, environs, requests.expected)
        figures.append((time.process_time() - start) * 1000 / count)
        after = backend_cpu()
        if server is not None and after is not None and server[0] == after[0]:
            # the same server process all round (a connection kept between requests)
            database.append((after[1] - server[1]) * 1000 / count)
    if profile:
        environs = requests.take(count)
        # CPU time, not wall time: waiting for the database or Redis is not this process's work
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        run(application, environs, requests.expected)
        profiler.disable()
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(top)
            print(f"--- {requests.kind}: top {top} by {order} ({count} requests) ---")
            print(out.getvalue().split("\n", 6)[-1])
    if sample:
        environs = requests.take(count)
        start = time.process_time()
        with Sampler() as sampler:
            run(application, environs, requests.expected)
        sampler.report(requests.kind, top, (time.process_time() - start) * 1000 / count)
    return figures, database


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", nargs="?", choices=["register", "checkin", "floor", "both"], default="both")
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--requests", type=int, default=1000, help="requests a round (default 1000)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="one more round under cProfile, its top list")
    parser.add_argument("--sample", action="store_true", help="one more round sampled (SIGPROF), its top list")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument(
        "--keep-db",
        metavar="NAME",
        help="use PostgreSQL database NAME, created and migrated if absent, and keep it (quicker A/B runs)",
    )
    parser.add_argument("--settings", default="bench.settings", help="settings module (default bench.settings)")
    parser.add_argument("--redis", default=os.environ.get("BENCH_CPU_REDIS_URL", "redis://127.0.0.1:6379/14"))
    args = parser.parse_args(argv)
    kinds = ["register", "checkin"] if args.what == "both" else [args.what]
    if args.keep_db and args.db != "postgres":
        parser.error("--keep-db is for --db postgres")
    needed = 200 + args.requests * (args.rounds + args.profile + args.sample)

    tmp = Path(tempfile.mkdtemp(prefix="events-cpu-"))
    pg_admin = pg_name = None
    migrate = True
    if args.db == "postgres":
        pg_admin, pg_name = admin_url(), args.keep_db or f"bench_cpu_{os.getpid()}"
        try:
            pg(pg_admin, f'CREATE DATABASE "{pg_name}"')
        except Exception:  # noqa: BLE001 -- a kept database that exists already
            if not args.keep_db:
                raise
            migrate = False
        database_url = pg_admin.rsplit("/", 1)[0] + f"/{pg_name}"
    else:
        database_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": args.settings,
            "SECRET_KEY": "bench-only-not-secret",
            "DEBUG": "0",
            "TESTING": "0",
            "DATA_DIR": str(tmp),
            "DATABASE_URL": database_url,
            "CONN_MAX_AGE": "60",
            "REDIS_URL": args.redis,
            "Q_SYNC": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
        }
    )
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.core.wsgi import get_wsgi_application
        from django.db import connections

        from bench.seed import seed

        if migrate:
            call_command("migrate", verbosity=0)
        else:
            call_command("flush", interactive=False, verbosity=0)  # the last run's rows
        data = seed(tickets=needed if {"checkin", "floor"} & set(kinds) else 1, rush_capacity=100)
        connections.close_all()
        application = get_wsgi_application()
        for kind in kinds:
            requests = Requests(kind, data, needed)
            figures, database = measure(
                application,
                requests,
                count=args.requests,
                rounds=args.rounds,
                profile=args.profile,
                sample=args.sample,
                top=args.top,
            )
            rounds = "  ".join(f"{figure:.3f}" for figure in figures)
            server = (
                f", PostgreSQL server process {statistics.median(database):.3f} ms"
                f" ({'  '.join(f'{figure:.3f}' for figure in database)})"
                if database
                else ""
            )
            print(
                f"{kind:9} CPU per request: median {statistics.median(figures):.3f} ms"
                f"   rounds: {rounds}{server}   ({args.db}, load {' '.join(f'{v:.2f}' for v in os.getloadavg())})",
                flush=True,
            )
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if pg_name and not args.keep_db:
            pg(pg_admin, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        if args.redis:
            import redis

            client = redis.Redis.from_url(args.redis)
            client.delete(*client.keys("django_q:*") or ["-"])
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
