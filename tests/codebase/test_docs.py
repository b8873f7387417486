"""The docs run as written: the README's tour is executed against a fresh server, and every
management command the docs name exists."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
TOUR_SITE = "http://127.0.0.1:8000"


def tour_script() -> str:
    readme = (ROOT / "README.md").read_text()
    tour = readme.split("## Five-minute tour", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", tour, flags=re.S)
    assert len(blocks) == 1, "the tour is one sh block"
    return blocks[0]


def run_against(site: str, script: str) -> subprocess.CompletedProcess:
    assert TOUR_SITE in script
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script.replace(TOUR_SITE, site)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def fresh_site(tmp_path_factory):
    """What `scripts/dev.py run` gives the tour: a migrated database with the demo organiser, and
    a web server (no worker: the tour's mail waits in the outbox)."""
    env = {
        **{key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "TESTING")},
        "DEBUG": "1",
        "DATA_DIR": str(tmp_path_factory.mktemp("site")),
        "DJANGO_SETTINGS_MODULE": "events_project.settings",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [*manage, "shell", "-c", "from events.demo import ensure_organiser; ensure_organiser()"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    port = free_port()
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    site = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{site}/healthz", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        yield site
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_readme_tour_runs_as_written(fresh_site):
    result = run_against(fresh_site, tour_script())

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.split()
    assert lines[:3] == ["published", "confirmed", "checked_in"], result.stdout
    assert int(lines[3]) >= 1
    assert lines[4].startswith("webcal://") and lines[4].endswith(".ics")


def _call(site: str, path: str, body: dict, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Token {token}"} if token else {})}
    request = urllib.request.Request(f"{site}{path}", data=json.dumps(body).encode(), headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _published_event(site: str, token: str, *, kind: str, title: str) -> int:
    event = _call(
        site,
        "/api/events/",
        {
            "title": title,
            "kind": kind,
            "format": "online",
            "start": "2031-05-06T15:00:00+04:00",
            "end": "2031-05-06T17:00:00+04:00",
        },  # fmt: skip
        token,
    )
    _call(site, f"/api/events/{event['id']}/publish/", {}, token)
    return event["id"]


def test_api_client_guide_runs_as_written(fresh_site):
    guide = (ROOT / "docs" / "guides" / "api-client.md").read_text()
    (script,) = re.findall(r"```sh\n(.*?)```", guide, flags=re.S)
    token = _call(fresh_site, "/api/auth/token/", {"username": "organiser", "password": "organiser-demo"})["token"]
    workshop = _published_event(fresh_site, token, kind="workshop", title="Soldering for beginners")
    webinar = _published_event(fresh_site, token, kind="webinar", title="Careers in data")

    result = run_against(fresh_site, script)

    assert result.returncode == 0, result.stdout + result.stderr
    answer = json.loads(result.stdout)
    # the guide asks for upcoming workshops: ours is listed, the webinar is not, and nothing but workshops
    assert set(answer) == {"count", "next", "previous", "results"}
    listed = {row["id"]: row["kind"] for row in answer["results"]}
    assert (workshop in listed, webinar in listed, set(listed.values())) == (True, False, {"workshop"})
    assert answer["count"] == len(listed)


def test_every_management_command_named_in_the_docs_exists():
    named = set()
    for path in DOCS:
        text = path.read_text()
        named |= {(path.name, name) for name in re.findall(r"scripts/dev\.py manage ([a-z_]+)", text)}
        named |= {(path.name, name) for name in re.findall(r"manage\.py ([a-z_]+)", text)}
    commands = get_commands()

    assert named
    assert sorted((doc, name) for doc, name in named if name not in commands) == []


def test_docs_run_management_commands_one_way():
    """`python manage.py X` fails without the venv and DEBUG=1; the docs say `scripts/dev.py manage X`
    (production.md's container and server commands excepted: they run inside the image)."""
    bare = [
        (path.name, line.strip())
        for path in DOCS
        if path.name != "production.md"
        for line in path.read_text().splitlines()
        if re.search(r"(?<![/\w])python3? manage\.py|(?<![/.\w])manage\.py [a-z]", line)
    ]

    assert bare == []


def test_the_proxy_body_limit_in_the_docs_admits_what_the_service_takes_and_little_more():
    """Uploads are read (to a temporary file) before the service refuses them: the proxy's body
    limit is what stops a 2 GB upload. The production guide names it; it must let through the
    largest body the service takes (a participant report and its multipart envelope, a JSON or
    form body up to DATA_UPLOAD_MAX_MEMORY_SIZE) and not much more."""
    from django.conf import settings

    from attendance.services.participant_reports import MAX_REPORT_BYTES

    guide = (ROOT / "docs" / "reference" / "production.md").read_text()
    limits = re.findall(r"^client_max_body_size (\d+)m;", guide, flags=re.M)

    assert len(limits) == 1, "docs/reference/production.md names the proxy's client_max_body_size once"
    limit = int(limits[0]) * 1024 * 1024
    assert limit >= MAX_REPORT_BYTES + 64 * 1024
    assert limit >= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert limit <= 2 * max(MAX_REPORT_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def test_each_setting_has_one_row_in_the_configuration_table():
    """PROGRAMME_NAME had two rows with two defaults ("STEM Mentorship Programme" and "STEM
    Mentorship"): a reader could not tell which the service used."""
    rows = re.findall(
        r"^\| (`[A-Z_]+`(?:, `[A-Z_]+`)*) \|", (ROOT / "docs/reference/configuration.md").read_text(), re.M
    )
    names = [name.strip("`") for row in rows for name in row.split(", ")]

    assert sorted({name for name in names if names.count(name) > 1}) == []
