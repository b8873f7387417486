"""The README's run command as a person uses it: a busy port, the banner, a real Ctrl-C (or SIGTERM)."""

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEV = [sys.executable, str(ROOT / "scripts" / "dev.py")]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def processes_with(marker: str) -> list[int]:
    """Processes whose environment mentions ``marker`` (this test's own data directory)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has finished; only its parent's bookkeeping is left


def describe(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return str(pid)


def test_a_failing_command_shows_its_own_error_not_only_ours(capfd):
    """`run` captures load_demo's output for its banner; when load_demo failed, its traceback was
    captured too and the person saw only dev.py's CalledProcessError, with no cause."""
    spec = importlib.util.spec_from_file_location("dev_script", ROOT / "scripts" / "dev.py")
    dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev)

    with pytest.raises(subprocess.CalledProcessError):
        dev.manage("no_such_command", env={**os.environ, "DEBUG": "1"}, capture=True)

    assert "Unknown command: 'no_such_command'" in capfd.readouterr().err


def test_run_refuses_a_busy_port_with_a_clear_message():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run([*DEV, "run", "--port", str(port)], capture_output=True, text=True, timeout=60)

    assert result.returncode == 1
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr
    assert f"--port {port + 1}" in result.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_run_prints_logins_last_and_stops_everything_promptly_on_ctrl_c_or_sigterm(tmp_path, stop_signal):
    port = free_port()
    env = {
        **{key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "TESTING")},
        "DATA_DIR": str(tmp_path),
        "REDIS_URL": "",
    }
    # a terminal's Ctrl-C signals the whole foreground process group
    service = subprocess.Popen(
        [*DEV, "run", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    lines = []
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = service.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "press Ctrl-C" in line:
                break
        banner = "".join(lines)
        assert "press Ctrl-C" in banner, banner
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        children = [pid for pid in processes_with(str(tmp_path)) if pid != service.pid]

        os.killpg(service.pid, stop_signal)
        code = service.wait(timeout=60)
    finally:
        if service.poll() is None:
            os.killpg(service.pid, signal.SIGKILL)
    rest = service.stdout.read()

    assert code == 0, rest
    # each stopped by itself on SIGTERM (a worker first finishes the task it runs), none killed
    # after dev.py's grace: qcluster once sat out the whole grace, stuck in its own stop
    assert "killed" not in rest, rest
    assert banner.index("Site:") < banner.index("Organiser login:") < banner.index("press Ctrl-C")
    assert banner.count("Enqueued") == 0
    assert len(children) >= 2  # web server and worker
    assert [describe(pid) for pid in children if alive(pid)] == []
    assert "stopped" in rest


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize(
    ("stage", "command", "stop_signal", "status"),
    [
        ("applying migrations", "migrate", signal.SIGINT, 130),
        ("applying migrations", "migrate", signal.SIGTERM, 143),
        ("loading the demo programme", "load_demo", signal.SIGTERM, 143),
    ],
    ids=["ctrl-c-migrating", "sigterm-migrating", "sigterm-loading-demo"],
)
def test_run_stopped_during_setup_stops_the_command_under_way_and_says_so_in_one_line(
    tmp_path, stage, command, stop_signal, status
):
    """dev.py caught signals only once the server ran: a Ctrl-C while it migrated or loaded the demo
    left dev.py's traceback (and the command's), and a SIGTERM left the command running on its own."""
    env = {
        **{key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "TESTING")},
        "DATA_DIR": str(tmp_path),
        "REDIS_URL": "",
    }
    service = subprocess.Popen(
        [*DEV, "run", "--port", str(free_port())], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
    )  # fmt: skip
    try:
        seen = []
        while f"==> {stage}\n" not in seen and (line := service.stdout.readline()):
            seen.append(line)
        deadline = time.monotonic() + 60
        running = []
        while not running and time.monotonic() < deadline:
            running = [pid for pid in processes_with(str(tmp_path)) if f"manage.py {command}" in describe(pid)]
            time.sleep(0.05)
        assert running, f"{command} did not start: {seen}"

        if stop_signal == signal.SIGINT:
            os.killpg(service.pid, stop_signal)  # a terminal's Ctrl-C: the foreground group
        else:
            service.send_signal(stop_signal)  # a supervisor's SIGTERM: the script alone
        code = service.wait(timeout=30)
    finally:
        if service.poll() is None:
            os.killpg(service.pid, signal.SIGKILL)
    rest = service.stdout.read()

    assert code == status, rest
    assert rest == f"==> stopped while {stage}\n"
    assert [describe(pid) for pid in running + processes_with(str(tmp_path)) if alive(pid)] == []


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, ROOT / "data" / "mail"),
        ({"DATA_DIR": "/srv/events-data"}, Path("/srv/events-data/mail")),
        ({"DATA_DIR": "/srv/events-data", "EMAIL_FILE_PATH": "/var/mail/events"}, Path("/var/mail/events")),
        (
            {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"},
            "django.core.mail.backends.smtp.EmailBackend",
        ),
    ],
)
def test_banner_names_the_mail_folder_the_service_writes_to(env, expected):
    """With DATA_DIR set (as the README's configuration allows), the banner still pointed to
    data/mail in the checkout, an empty folder, while the mails went to DATA_DIR/mail."""
    spec = importlib.util.spec_from_file_location("dev_script", ROOT / "scripts" / "dev.py")
    dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev)

    assert dev.mail_destination(env) == str(expected)
