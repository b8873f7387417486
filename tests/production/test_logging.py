"""What the logs print, as a person running the service sees it (real processes, real settings)."""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.production.test_dev_loop import free_port

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path, **extra) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "TEST_DATABASE_NAME")}
    return {**env, "DJANGO_SETTINGS_MODULE": "events_project.settings", "DATA_DIR": str(tmp_path), **extra}


def test_a_django_request_warning_is_printed_once(tmp_path):
    script = (
        "import django, logging; django.setup(); "
        "logging.getLogger('django.request').warning('Not Found: /nowhere-%s', 'x')"
    )

    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=_env(tmp_path, DEBUG="1"), capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert (result.stdout + result.stderr).count("Not Found: /nowhere-x") == 1


def test_a_refused_request_is_one_line_and_a_server_error_keeps_its_traceback(tmp_path):
    script = (
        "import django, logging; django.setup()\n"
        "from django.core.exceptions import PermissionDenied\n"
        "log = logging.getLogger('django.request')\n"
        "for status, error in ((403, PermissionDenied('not yours')), (500, ZeroDivisionError('oops'))):\n"
        "    try:\n"
        "        raise error\n"
        "    except Exception:\n"
        "        log.warning('Answered %s: /x', status, exc_info=True, extra={'status_code': status})\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=_env(tmp_path, DEBUG="0", SECRET_KEY="x" * 50),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Answered 403: /x" in output and "Answered 500: /x" in output
    # one traceback, the server error's
    assert output.count("Traceback") == 1
    assert "ZeroDivisionError: oops" in output and "PermissionDenied" not in output


def test_runserver_access_log_masks_email_addresses(tmp_path):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
        cwd=ROOT, env=_env(tmp_path, DEBUG="1"), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/static/nothing.css", timeout=5)
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                assert time.monotonic() < deadline, "runserver did not start"
                time.sleep(0.3)
        for query in ("email=ana.aliyeva@example.org", "email=ana.aliyeva%40example.org", "q=ANA%40Example.ORG"):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/static/nothing.css?{query}", timeout=5)
            except urllib.error.HTTPError:
                pass
        # the access line is written after the answer: read until all three are there
        output, access_lines = [], []
        while len(access_lines) < 3 and time.monotonic() < deadline + 60:
            line = server.stdout.readline()
            output.append(line)
            if "nothing.css?" in line:
                access_lines.append(line)
    finally:
        server.terminate()
        server.communicate(timeout=30)

    assert len(access_lines) == 3, "".join(output)
    assert all("[email]" in line for line in access_lines), access_lines
    assert "example.org" not in "".join(output).lower()
    assert "ana" not in " ".join(access_lines).lower()
