#!/usr/bin/env python3
"""Set up and run the service, or its tests, on a machine that has only Python 3.11+.

    python3 scripts/dev.py run     # virtualenv, migrate, demo data, web server + worker
    python3 scripts/dev.py test    # virtualenv, whole test suite (SQLite, and PostgreSQL
                                   # as well when DATABASE_URL is set)

Everything lives in .venv/ and data/ inside the checkout; running again reuses both.
"""

import hashlib
import os
import signal
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


def ensure_venv(requirements: str) -> None:
    """Create .venv and install the requirements, again only when they changed."""
    if sys.version_info < MIN_PYTHON:
        sys.exit(f"Python {'.'.join(map(str, MIN_PYTHON))} or newer is needed (this is {sys.version.split()[0]}).")
    if not PYTHON.exists():
        say("creating the virtual environment in .venv")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    files = [ROOT / "requirements.txt", ROOT / requirements]
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in files)).hexdigest()
    stamp = VENV / f".installed-{Path(requirements).stem}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    say(f"installing {requirements}")
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "install", "-r", str(ROOT / requirements)], check=True)
    stamp.write_text(digest)


def manage(*args: str, env: dict | None = None) -> None:
    subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, check=True, env=env)


def run(argv: list[str]) -> int:
    ensure_venv("requirements.txt")
    env = {**os.environ}
    env.setdefault("DEBUG", "1")
    host = env.get("HOST", "127.0.0.1")
    port = env.get("PORT", "8000")
    env.setdefault("SITE_URL", f"http://{host}:{port}")
    say("applying migrations")
    manage("migrate", "--no-input", "-v", "0", env=env)
    say("loading the demo programme")
    manage("load_demo", env=env)
    manage("setup_schedules", env=env)

    processes = [
        subprocess.Popen([str(PYTHON), "manage.py", "runserver", f"{host}:{port}", "--noreload"], cwd=ROOT, env=env),
        subprocess.Popen([str(PYTHON), "manage.py", "qcluster"], cwd=ROOT, env=env),
    ]
    site = f"http://{host}:{port}"
    print(
        f"\n  Site:      {site}/\n  Admin:     {site}/admin/\n  API docs:  {site}/api/docs/\n"
        f"  Health:    {site}/healthz\n  Mail:      {ROOT / 'data' / 'mail'}\n\n"
        "  Web server and django-q2 worker are running; press Ctrl-C to stop both.\n",
        flush=True,
    )

    def stop(*_):
        # SIGTERM, not SIGINT: a child started from a non-interactive shell ignores SIGINT.
        # Both runserver and qcluster (which finishes its current tasks) stop on SIGTERM.
        for process in processes:
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
    finally:
        stop()
        deadline = time.monotonic() + 15
        for process in processes:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
    say("stopped")
    return 0


def pytest(argv: list[str], env: dict) -> int:
    # two processes by default (pytest-xdist): each gets a test database of its own
    workers = [] if any(arg.startswith("-n") for arg in argv) else ["-n", env.get("TEST_WORKERS", "2")]
    return subprocess.run([str(PYTHON), "-m", "pytest", *workers, *argv], cwd=ROOT, env=env).returncode


def test(argv: list[str]) -> int:
    ensure_venv("requirements-dev.txt")
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


COMMANDS = {"run": run, "test": test}


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        return 2
    os.chdir(ROOT)
    return COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
