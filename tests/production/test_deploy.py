"""The production configuration: `check --deploy`, compose.yaml, gunicorn with DEBUG off."""

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import prodstack  # noqa: E402


def production_env(**overrides) -> dict:
    """The variables a production deployment sets (README, compose.yaml), and nothing of the tests'."""
    env = {key: value for key, value in os.environ.items() if key not in {"TESTING", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "events.example.org",
            "SITE_URL": "https://events.example.org",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "NUM_PROXIES": "1",
        }
    )
    env.update(overrides)
    return env


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_clean_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_ssl_redirect_off():
    # the control: the check above can fail
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(SECURE_SSL_REDIRECT="0"))

    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr


def test_settings_refuse_to_start_without_secret_key():
    result = manage("check", env=production_env(SECRET_KEY=""))

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_empty_number_variables_mean_their_defaults():
    # a compose file or an env file often has `NUM_PROXIES=` with nothing after it
    empty = {name: "" for name in ("NUM_PROXIES", "CONN_MAX_AGE", "EMAIL_PORT", "Q_WORKERS", "AXES_FAILURE_LIMIT")}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(**empty))

    assert result.returncode == 0, result.stdout + result.stderr


def test_postgresql_connections_are_kept_a_minute_unless_configured():
    show = "from django.conf import settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])"
    postgresql = "postgres://postgres@127.0.0.1:5432/postgres"

    def kept(**env):
        return manage("shell", "--no-imports", "-c", show, env=production_env(**env)).stdout.split()

    assert kept(DATABASE_URL=postgresql) == ["60"]
    assert kept(DATABASE_URL=postgresql, CONN_MAX_AGE="0") == ["0"]
    assert kept(DATABASE_URL="") == ["0"]  # the embedded SQLite file


def test_a_number_variable_that_is_no_number_is_named():
    result = manage("check", env=production_env(NUM_PROXIES="one"))

    assert result.returncode != 0
    assert "NUM_PROXIES must be a whole number, not 'one'." in result.stderr


def test_compose_runs_the_commands_the_stack_runs():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]

    assert set(services) == {"db", "redis", "migrate", "web", "worker"}
    assert services["web"]["command"] == prodstack.WEB_COMMAND
    assert services["worker"]["command"] == prodstack.WORKER_COMMAND
    assert services["worker"]["deploy"]["replicas"] == 2
    release = services["migrate"]["command"][-1]
    for command in prodstack.RELEASE_COMMANDS:
        if command[2] != "collectstatic":  # collected into the image (Dockerfile)
            assert " ".join(command) in release
    assert "collectstatic" in (ROOT / "Dockerfile").read_text()
    assert services["web"]["environment"]["DEBUG"] == "0"
    assert services["web"]["environment"]["REDIS_URL"].startswith("redis://")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.django_db(transaction=True)
def test_gunicorn_serves_api_and_static_files_with_debug_off(subprocess_env, tmp_path):
    port = _free_port()
    env = {
        **production_env(ALLOWED_HOSTS="127.0.0.1", SECURE_SSL_REDIRECT="0", REDIS_URL=""),
        "DATABASE_URL": subprocess_env["DATABASE_URL"],
        "DATA_DIR": str(tmp_path),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    assert manage("collectstatic", "--no-input", "-v", "0", env=env).returncode == 0
    server = subprocess.Popen(
        prodstack.WEB_COMMAND, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 30
        status = 0
        while time.monotonic() < deadline and status != 200:
            time.sleep(0.3)
            try:
                status, _, body = _get(f"http://127.0.0.1:{port}/healthz")
            except OSError:
                continue
        assert status == 200, body

        status, headers, body = _get(f"http://127.0.0.1:{port}/api/events/")
        assert status == 200
        assert json.loads(body)["results"] == []
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "Strict-Transport-Security" not in headers  # only sent over https

        manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
        hashed = manifest["rest_framework/css/default.css"]
        status, headers, _ = _get(f"http://127.0.0.1:{port}/static/{hashed}")
        assert status == 200
        assert "max-age=315360000" in headers["Cache-Control"]  # whitenoise: hashed names are immutable

        status, _, body = _get(f"http://127.0.0.1:{port}/no-such-page/")
        assert status == 404
        assert b"Traceback" not in body and b"DEBUG = True" not in body
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Booting worker" in output
    # the access log (gunicorn.conf.py's format, events_project.access_log): path only, status, size, time
    assert re.search(r'^127\.0\.0\.1 "GET /api/events/" 200 \d+ \d+ms$', output, re.MULTILINE), output
