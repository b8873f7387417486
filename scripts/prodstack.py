#!/usr/bin/env python3
"""A production-like stack on this machine, for the load and fault suite (loadtest/).

    python3 scripts/prodstack.py start    # fresh database, migrate, gunicorn + two qcluster workers
    python3 scripts/prodstack.py status   # processes and /healthz
    python3 scripts/prodstack.py stop     # stops every process it started
    python3 scripts/prodstack.py env      # the environment, as shell exports (for manage.py)

It uses the PostgreSQL server at 127.0.0.1:5432 (a database of its own, `events_prodstack`,
dropped and created again at each start) and the Redis server at 127.0.0.1:6379 (database 3,
emptied at each start) as django-q2's broker and the cache. The web server is gunicorn with
several workers on http://127.0.0.1:8100, started with the same command as compose.yaml
(`gunicorn events_project.wsgi`, settings in gunicorn.conf.py); DEBUG is off, SECRET_KEY is
random, only SECURE_SSL_REDIRECT is turned off because the stack speaks plain http on localhost.
Email goes to files in data/prodstack/mail/. Logs and state live in data/prodstack/.
"""

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
STATE_DIR = ROOT / "data" / "prodstack"
STATE_FILE = STATE_DIR / "state.json"
MAIL_DIR = STATE_DIR / "mail"

DATABASE_NAME = os.environ.get("PRODSTACK_DATABASE", "events_prodstack")
POSTGRES_SERVER = os.environ.get("PRODSTACK_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("PRODSTACK_REDIS_URL", "redis://127.0.0.1:6379/3")
HOST, PORT = "127.0.0.1", int(os.environ.get("PRODSTACK_PORT", "8100"))
BASE_URL = f"http://{HOST}:{PORT}"
WORKER_NAMES = ("worker-1", "worker-2")

# The commands compose.yaml runs; tests/production checks that the two stay the same.
WEB_COMMAND = ["gunicorn", "events_project.wsgi"]
WORKER_COMMAND = ["python", "manage.py", "qcluster"]
RELEASE_COMMANDS = [
    ["python", "manage.py", "migrate", "--no-input"],
    ["python", "manage.py", "collectstatic", "--no-input", "-v", "0"],
    ["python", "manage.py", "setup_schedules"],
]


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def stack_env(secret_key: str) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "TEST"))}
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": secret_key,
            "DATABASE_URL": f"{POSTGRES_SERVER}/{DATABASE_NAME}",
            "CONN_MAX_AGE": "60",
            "REDIS_URL": REDIS_URL,
            "Q_WORKERS": "2",
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "SITE_URL": BASE_URL,
            # plain http on localhost; every other production security setting stays on
            "SECURE_SSL_REDIRECT": "0",
            "DATA_DIR": str(STATE_DIR),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(MAIL_DIR),
            "GUNICORN_BIND": f"{HOST}:{PORT}",
            "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "4"),
            # Every load-test client comes from 127.0.0.1, one address: per-address limits would
            # turn a rush of hundreds of people into one throttled person.
            "THROTTLE_ANON": "1000000/minute",
            "THROTTLE_USER": "1000000/minute",
            "THROTTLE_REGISTER": "1000000/minute",
            "THROTTLE_TOKEN": "1000000/minute",
            "THROTTLE_LOGIN": "1000000/minute",
            "PYTHONUNBUFFERED": "1",
            "PATH": f"{PYTHON.parent}:{os.environ.get('PATH', '')}",
        }
    )
    return env


def load_state() -> dict | None:
    if not STATE_FILE.exists():
        return None
    return json.loads(STATE_FILE.read_text())


def save_state(state: dict) -> None:
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    STATE_FILE.write_text(json.dumps(state, indent=2))


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child of ours is dead for every purpose here
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def _resolve(command: list[str]) -> list[str]:
    """Run compose's command with this checkout's virtualenv."""
    if command[0] == "python":
        return [str(PYTHON), *command[1:]]
    return [str(PYTHON.parent / command[0]), *command[1:]]


def spawn(name: str, command: list[str], env: dict) -> int:
    """Start a process in a session of its own, so that stopping it reaches all its children."""
    log = open(STATE_DIR / f"{name}.log", "ab")  # noqa: SIM115 - handed to the child process
    process = subprocess.Popen(
        _resolve(command), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    log.close()
    return process.pid


def signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)  # the process leads its own group (start_new_session)
    except ProcessLookupError:
        pass


def stop_process(pid: int, timeout: float = 20) -> None:
    signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        _reap()
        time.sleep(0.2)
    if alive(pid):
        signal_group(pid, signal.SIGKILL)
    # children of a killed cluster leader may linger a moment in its group
    signal_group(pid, signal.SIGKILL)


def _reap() -> None:
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def manage(env: dict, *args: str) -> None:
    subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, check=True)


def _fresh_database() -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE_NAME}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def _empty_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def health(timeout: float = 3) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"{BASE_URL}/healthz", timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
    except (OSError, ValueError) as error:
        return 0, {"error": str(error)}


def wait_healthy(timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if health()[0] == 200:
            return True
        time.sleep(0.5)
    return False


def start_worker(name: str) -> int:
    """(Re)start one qcluster process of a running stack; the fault suite uses this."""
    state = load_state()
    pid = spawn(name, WORKER_COMMAND, state["env"])
    state["processes"][name] = pid
    save_state(state)
    return pid


def start(argv: list[str]) -> int:
    state = load_state()
    if state and any(alive(pid) for pid in state["processes"].values()):
        say(f"already running (see `status`); stop it first. {BASE_URL}/")
        return 1
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    MAIL_DIR.mkdir(parents=True, exist_ok=True)
    for old in [*MAIL_DIR.iterdir(), *STATE_DIR.glob("*.log")]:
        old.unlink()
    env = stack_env(secrets.token_urlsafe(50))
    say(f"fresh database {DATABASE_NAME}, empty Redis {REDIS_URL}")
    _fresh_database()
    _empty_redis()
    say("release: migrate, collectstatic, schedules")
    for command in RELEASE_COMMANDS:
        if (
            command[-1] == "setup_schedules"
            and not (ROOT / "notifications" / "management" / "commands" / "setup_schedules.py").exists()
        ):
            continue
        subprocess.run(_resolve(command), cwd=ROOT, env=env, check=True)
    state = {"env": env, "base_url": BASE_URL, "processes": {}}
    save_state(state)
    state["processes"]["web"] = spawn("web", WEB_COMMAND, env)
    for name in WORKER_NAMES:
        state["processes"][name] = spawn(name, WORKER_COMMAND, env)
    save_state(state)
    if not wait_healthy():
        say(f"the web server did not become healthy; see {STATE_DIR}/web.log. Stopping.")
        stop([])
        return 1
    say(
        f"running: {BASE_URL}/ (API {BASE_URL}/api/, health {BASE_URL}/healthz)\n"
        f"    gunicorn x{env['WEB_CONCURRENCY']} workers, two qcluster processes x{env['Q_WORKERS']} workers,\n"
        f"    PostgreSQL {DATABASE_NAME}, Redis {REDIS_URL}, mail in {MAIL_DIR}, logs in {STATE_DIR}/*.log\n"
        "    stop with: python3 scripts/prodstack.py stop"
    )
    return 0


def stop(argv: list[str]) -> int:
    state = load_state()
    if not state:
        say("not running")
        return 0
    for name, pid in state["processes"].items():
        if alive(pid):
            say(f"stopping {name} (pid {pid})")
        stop_process(pid)
    STATE_FILE.unlink()
    say("stopped")
    return 0


def status(argv: list[str]) -> int:
    state = load_state()
    if not state:
        say("not running")
        return 1
    running = True
    for name, pid in state["processes"].items():
        is_alive = alive(pid)
        running &= is_alive
        print(f"  {name:<9} pid {pid:<8} {'running' if is_alive else 'STOPPED'}")
    code, body = health()
    print(f"  healthz   {code} {json.dumps(body)}")
    return 0 if running and code == 200 else 1


def print_env(argv: list[str]) -> int:
    state = load_state()
    if not state:
        say("not running")
        return 1
    keys = ["DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DATA_DIR", "EMAIL_FILE_PATH", "SITE_URL"]
    for key in keys:
        print(f"export {key}={state['env'][key]!r}")
    return 0


COMMANDS = {"start": start, "stop": stop, "status": status, "env": print_env}


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        return 2
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve() and PYTHON.exists():
        # psycopg and redis live in the virtualenv
        os.execv(str(PYTHON), [str(PYTHON), __file__, *sys.argv[1:]])
    if not PYTHON.exists():
        sys.exit("No .venv yet: run `python3 scripts/dev.py test` (or `run`) once to create it.")
    return COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
