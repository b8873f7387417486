#!/usr/bin/env python3
"""Set up and run the service, or its tests, on a machine that has only Python 3.11+.

    python3 scripts/dev.py run [--port 8000] [--host 127.0.0.1]
                                   # virtualenv, migrate, demo data, web server + worker
    python3 scripts/dev.py test    # virtualenv, whole test suite (SQLite, and PostgreSQL
                                   # as well when DATABASE_URL is set)
    python3 scripts/dev.py manage <command> [args]
                                   # any management command (createsuperuser, load_demo, ...)

Everything lives in .venv/ and data/ inside the checkout; running again reuses both.
"""

import argparse
import contextlib
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
MIN_PYTHON = (3, 11)


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def ensure_venv(lock: str) -> None:
    """Create .venv and install a lock file (every package pinned, with hashes), again only when it
    changed. requirements*.txt say what we depend on; pip-compile turns them into the locks:
    docs/reference/configuration.md, "Dependencies"."""
    if sys.version_info < MIN_PYTHON:
        sys.exit(f"Python {'.'.join(map(str, MIN_PYTHON))} or newer is needed (this is {sys.version.split()[0]}).")
    if not PYTHON.exists():
        say("creating the virtual environment in .venv")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    if installed(lock) or (lock == "requirements.lock" and installed("requirements-dev.lock")):
        return  # the dev lock pins the runtime lock's versions too (tests/codebase/test_lock.py)
    say(f"installing {lock}")
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "install", "--require-hashes", "-r", str(ROOT / lock)], check=True)
    stamp_of(lock).write_text(digest_of(lock))


def digest_of(lock: str) -> str:
    return hashlib.sha256((ROOT / lock).read_bytes()).hexdigest()


def stamp_of(lock: str) -> Path:
    return VENV / f".installed-{Path(lock).stem}"


def installed(lock: str) -> bool:
    """Whether .venv holds exactly this lock (its digest as installed last time)."""
    stamp = stamp_of(lock)
    return stamp.exists() and stamp.read_text() == digest_of(lock)


def manage(*args: str, env: dict | None = None, capture: bool = False) -> str:
    # only stdout is captured: when a command fails, its error reaches the terminal, not just ours
    result = subprocess.run(
        [str(PYTHON), "manage.py", *args],
        cwd=ROOT,
        check=True,
        env=env,
        stdout=subprocess.PIPE if capture else None,
        text=True,
    )
    return result.stdout if capture else ""


def dev_env() -> dict:
    env = {**os.environ}
    env.setdefault("DEBUG", "1")
    return env


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def answers(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=0.5).close()
    except OSError:
        return False
    return True


def run_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="dev.py run", description="Set up and run the service with demo data.")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"), help="address (env HOST)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")), help="port (env PORT)")
    return parser.parse_args(argv)


def stop_all(processes: list[subprocess.Popen], grace: float = 15) -> None:
    """SIGTERM each child (runserver and qcluster stop cleanly on it), then SIGKILL whatever is
    still in its process group after ``grace`` seconds.

    The child only, not its group: qcluster stops its sentinel and workers itself, and a SIGTERM
    to the whole group killed the sentinel while it waited on the cluster's stop event, which left
    qcluster's `stop_event.set()` waiting for ever for that sleeper to wake (so we sat out the
    whole grace and killed it)."""
    for process in processes:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            pass
        # the worker's own processes are in its group too: wait until the whole group is gone
        while group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def run(argv: list[str]) -> int:
    options = run_arguments(argv)
    host, port = options.host, options.port
    if not port_is_free(host, port):
        print(
            f"Port {port} on {host} is already in use (is the service already running?).\n"
            f"Stop that program, or choose another port: python3 scripts/dev.py run --port {port + 1}",
            file=sys.stderr,
        )
        return 1
    ensure_venv("requirements.lock")
    env = dev_env()
    site = f"http://{host}:{port}"
    env.setdefault("SITE_URL", site)
    say("applying migrations")
    manage("migrate", "--no-input", "-v", "0", env=env)
    say("loading the demo programme")
    demo_output = manage("load_demo", env=env, capture=True)
    logins = [line for line in demo_output.splitlines() if "login" in line.lower()]
    manage("setup_schedules", env=env, capture=True)

    # Each child in a session of its own: a Ctrl-C in the terminal reaches only this script,
    # which stops the children with SIGTERM (what both honour cleanly), never half of them.
    processes = [
        subprocess.Popen(
            [str(PYTHON), "manage.py", "runserver", f"{host}:{port}", "--noreload"],
            cwd=ROOT, env=env, start_new_session=True,
        ),
        subprocess.Popen([str(PYTHON), "manage.py", "qcluster"], cwd=ROOT, env=env, start_new_session=True),
    ]  # fmt: skip
    stopping = []

    def stop(*_):
        stopping.append(True)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        deadline = time.monotonic() + 60
        while not stopping and not answers(host, port):
            if any(process.poll() is not None for process in processes) or time.monotonic() > deadline:
                print("The web server or the worker did not start; see the messages above.", file=sys.stderr)
                return 1
            time.sleep(0.2)
        if not stopping:
            print(
                f"\n  Site:      {site}/\n  Workspace: {site}/manage/\n  Admin:     {site}/admin/ (superusers only)\n"
                f"  API docs:  {site}/api/docs/\n  Health:    {site}/healthz\n  Mail:      {ROOT / 'data' / 'mail'}\n\n"
                + "".join(f"  {line.strip()}\n" for line in logins)
                + "\n  Web server and django-q2 worker are running; press Ctrl-C to stop both.\n",
                flush=True,
            )
        while not stopping and all(process.poll() is None for process in processes):
            time.sleep(0.2)
    finally:
        stop_all(processes)
    say("stopped")
    return 0


def run_manage(argv: list[str]) -> int:
    """Any management command, in the project's virtualenv, with the same settings as ``run``."""
    ensure_venv("requirements.lock")
    return subprocess.run([str(PYTHON), "manage.py", *argv], cwd=ROOT, env=dev_env()).returncode


def pytest(argv: list[str], env: dict) -> int:
    # two processes by default (pytest-xdist): each gets a test database of its own
    workers = [] if any(arg.startswith("-n") for arg in argv) else ["-n", env.get("TEST_WORKERS", "2")]
    return subprocess.run([str(PYTHON), "-m", "pytest", *workers, *argv], cwd=ROOT, env=env).returncode


def test(argv: list[str]) -> int:
    ensure_venv("requirements-dev.lock")
    setup_browser = ROOT / "scripts" / "setup_browser.py"
    if setup_browser.exists():
        subprocess.run([str(PYTHON), str(setup_browser)], cwd=ROOT, check=False)
    base_env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    base_env["TESTING"] = "1"
    say("test suite on SQLite")
    status = pytest(argv, base_env)
    database_url = os.environ.get("DATABASE_URL")
    if database_url:
        say("test suite on PostgreSQL (DATABASE_URL)")
        status = pytest(argv, {**base_env, "DATABASE_URL": database_url}) or status
    return status


COMMANDS = {"run": run, "test": test, "manage": run_manage}


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        return 2
    os.chdir(ROOT)
    return COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
