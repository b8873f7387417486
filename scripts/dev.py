#!/usr/bin/env python3
"""Set up and run the service, or its tests, on a machine that has only Python 3.11+.

    python3 scripts/dev.py run [--port 8000] [--host 127.0.0.1]
                                   # virtualenv, migrate, demo data, web server + worker
    python3 scripts/dev.py test    # virtualenv, whole test suite (SQLite, and PostgreSQL
                                   # as well when DATABASE_URL is set)
    python3 scripts/dev.py manage <command> [args]
                                   # any management command (createsuperuser, load_demo, ...)

Everything lives in .venv/ and data/ inside the checkout; running again reuses both.

Ctrl-C (SIGINT) or SIGTERM stops `run` at any stage with one line and no traceback: the
command running at that moment (pip, migrate, load_demo, the web server, the worker) gets
SIGTERM and is waited for. Exit status 0 once the service was up; 130 (SIGINT) or 143
(SIGTERM) when the stop came before it was.
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


class Stopped(Exception):
    """A SIGINT or SIGTERM asked `run` to stop (see :class:`StopSignals`)."""


class StopSignals:
    """Records the first SIGINT or SIGTERM; the script looks at it wherever it waits (for a
    setup command, for the server to answer, while serving) and stops there. The handler only
    records: an exception raised from it could land inside subprocess's own bookkeeping (a
    Popen half started, a wait lock held) and leave a child behind."""

    def __init__(self):
        self.signum: int | None = None

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._received)

    def _received(self, signum, frame) -> None:
        if self.signum is None:
            self.signum = signum

    @property
    def requested(self) -> bool:
        return self.signum is not None

    def check(self) -> None:
        if self.requested:
            raise Stopped

    @property
    def status(self) -> int:
        """The shell's status for a command ended by a signal: 130 for SIGINT, 143 for SIGTERM."""
        return 128 + (self.signum or signal.SIGINT)


# set by `run`: its setup commands and children are then stopped by SIGTERM from this script,
# each in a session of its own so that a terminal's Ctrl-C reaches only us (never half of them)
signals: StopSignals | None = None


def call(args: list[str], *, env: dict | None = None, capture: bool = False) -> str:
    """Run a command to its end, like subprocess.run(check=True); a stop meanwhile terminates
    it (SIGTERM, then SIGKILL after a grace), waits for it and raises :class:`Stopped`."""
    stdout = subprocess.PIPE if capture else None
    if signals is None:
        return subprocess.run(args, cwd=ROOT, check=True, env=env, stdout=stdout, text=True).stdout or ""
    signals.check()
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=stdout, text=True, start_new_session=True)
    while True:
        try:
            output, _ = process.communicate(timeout=0.2)
            break
        except subprocess.TimeoutExpired:
            if signals.requested:
                stop_all([process])
                raise Stopped from None
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, args, output)
    return output or ""


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
    call([*pip, "install", "--upgrade", "pip"])
    call([*pip, "install", "--require-hashes", "-r", str(ROOT / lock)])
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
    return call([str(PYTHON), "manage.py", *args], env=env, capture=capture)


def dev_env() -> dict:
    env = {**os.environ}
    env.setdefault("DEBUG", "1")
    return env


def mail_destination(env: dict) -> str:
    """Where the service puts its email, by the settings' own rule (events_project/settings.py):
    EMAIL_FILE_PATH, else DATA_DIR/mail, both relative to the checkout as manage.py runs there;
    another EMAIL_BACKEND sends it on, and the banner names that instead of an unused folder."""
    backend = env.get("EMAIL_BACKEND", "")
    if backend and not backend.endswith("filebased.EmailBackend"):
        return backend
    data_dir = ROOT / env.get("DATA_DIR", "data")
    return str(ROOT / env["EMAIL_FILE_PATH"]) if env.get("EMAIL_FILE_PATH") else str(data_dir / "mail")


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
        if group_alive(process.pid):
            # a worker finishes the task it is running before it stops; one still busy now is stuck
            say(f"{' '.join(map(str, process.args[1:3]))} did not stop within {grace:g} s: killed")
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
    global signals
    options = run_arguments(argv)
    host, port = options.host, options.port
    if not port_is_free(host, port):
        print(
            f"Port {port} on {host} is already in use (is the service already running?).\n"
            f"Stop that program, or choose another port: python3 scripts/dev.py run --port {port + 1}",
            file=sys.stderr,
        )
        return 1
    # from here on a Ctrl-C or SIGTERM stops everything cleanly, setup included
    signals = StopSignals()
    signals.install()
    processes: list[subprocess.Popen] = []
    stage = "setting up the virtual environment"
    stopped_early = False
    try:
        ensure_venv("requirements.lock")
        env = dev_env()
        site = f"http://{host}:{port}"
        env.setdefault("SITE_URL", site)
        stage = "applying migrations"
        say(stage)
        manage("migrate", "--no-input", "-v", "0", env=env)
        stage = "loading the demo programme"
        say(stage)
        demo_output = manage("load_demo", env=env, capture=True)
        logins = [line for line in demo_output.splitlines() if "login" in line.lower()]
        stage = "setting up the schedules"
        manage("setup_schedules", env=env, capture=True)

        stage = "starting the web server and the worker"
        for command in (["runserver", f"{host}:{port}", "--noreload"], ["qcluster"]):
            signals.check()
            processes.append(subprocess.Popen([str(PYTHON), "manage.py", *command], cwd=ROOT, env=env,
                                              start_new_session=True))  # fmt: skip
        deadline = time.monotonic() + 60
        while not answers(host, port):
            signals.check()
            if any(process.poll() is not None for process in processes) or time.monotonic() > deadline:
                print("The web server or the worker did not start; see the messages above.", file=sys.stderr)
                return 1
            time.sleep(0.2)
        print(
            f"\n  Site:      {site}/\n  Workspace: {site}/manage/\n  Admin:     {site}/admin/ (superusers only)\n"
            f"  API docs:  {site}/api/docs/\n  Health:    {site}/healthz\n  Mail:      {mail_destination(env)}\n\n"
            + "".join(f"  {line.strip()}\n" for line in logins)
            + "\n  Web server and django-q2 worker are running; press Ctrl-C to stop both.\n",
            flush=True,
        )
        stage = ""
        while not signals.requested and all(process.poll() is None for process in processes):
            time.sleep(0.2)
    except Stopped:
        stopped_early = bool(stage)
    finally:
        stop_all(processes)
    if stopped_early:
        say(f"stopped while {stage}")
        return signals.status
    say("stopped")
    return 0


interrupted: list[int] = []


def foreground(args: list[str], env: dict) -> int:
    """Run a command that owns the terminal (createsuperuser asks questions; pytest reports what
    it did when interrupted). The terminal's Ctrl-C reaches it directly, so we ignore ours and
    wait for its answer instead of killing it mid-sentence; a SIGTERM sent to us is passed on."""
    process = subprocess.Popen(args, cwd=ROOT, env=env)

    def pass_on(signum, frame):
        interrupted.append(signum)
        if signum == signal.SIGTERM:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signum)

    previous = {signum: signal.signal(signum, pass_on) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        code = process.wait()
        return 128 - code if code < 0 else code  # killed by signal N: the shell's 128 + N
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def run_manage(argv: list[str]) -> int:
    """Any management command, in the project's virtualenv, with the same settings as ``run``."""
    ensure_venv("requirements.lock")
    return foreground([str(PYTHON), "manage.py", *argv], env=dev_env())


def pytest(argv: list[str], env: dict) -> int:
    # two processes by default (pytest-xdist): each gets a test database of its own
    workers = [] if any(arg.startswith("-n") for arg in argv) else ["-n", env.get("TEST_WORKERS", "2")]
    return foreground([str(PYTHON), "-m", "pytest", *workers, *argv], env=env)


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
    if interrupted:  # stopped on request: not on to the second database
        say("stopped")
        return status or 128 + interrupted[0]
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
    try:
        return COMMANDS[sys.argv[1]](sys.argv[2:])
    except KeyboardInterrupt:
        # a Ctrl-C while `test` or `manage` sets up the virtual environment: no traceback
        say("stopped")
        return 130


if __name__ == "__main__":
    sys.exit(main())
