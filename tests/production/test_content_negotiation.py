"""What the API answers to Accept headers: JSON, or a clear 406 in JSON; never a web page or a 500.

Production has no browsable API (DEBUG off: JSON only); the schema and its pages still work."""

import json
import subprocess
import sys

import pytest

from tests import factories

pytestmark = pytest.mark.django_db

ENDPOINTS = ["/api/", "/api/events/", "/api/events/987654/"]


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    "accept",
    [
        "application/json;q=0",
        "application/json; q=0.0",
        "*/*;q=0",
        "*/*, application/json;q=0",
        "application/json;q=0, text/html",
        "text/html",
        "text/html;q=0",
        "text/*",
        "image/png",
        "garbage",
    ],
)
def test_an_accept_header_that_refuses_json_is_a_406_in_json(client, path, accept):
    response = client.get(path, HTTP_ACCEPT=accept)

    assert response.status_code == 406
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_acceptable"


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    "accept",
    [
        "application/json;q=0.5, */*;q=0",
        "text/html;q=0, */*",
        "application/json;q=abc",
        "application/*",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "application/json; indent=100000",
    ],
)
def test_an_accept_header_that_takes_json_gets_json(client, path, accept):
    factories.EventFactory()

    response = client.get(path, HTTP_ACCEPT=accept)

    assert response.status_code in (200, 404)
    assert response["Content-Type"] == "application/json"
    json.loads(response.content)


@pytest.mark.parametrize("accept", [",".join(["text/html;q=0"] * 2000) + ",application/json", "a/b;q=0;" * 2000])
def test_a_long_accept_header_is_answered_in_json(client, accept):
    response = client.get("/api/events/", HTTP_ACCEPT=accept)

    # DRF reads a long header only up to its bound: JSON, or a 406 in JSON
    assert response.status_code in (200, 406)
    assert response["Content-Type"] == "application/json"


def test_the_schema_and_its_pages_still_work(client):
    assert client.get("/api/schema/").content.startswith(b"openapi: 3.")
    assert json.loads(client.get("/api/schema/", HTTP_ACCEPT="application/json").content)["openapi"]
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for page in ("/api/docs/", "/api/redoc/"):
        response = client.get(page, HTTP_ACCEPT=browser)
        assert (response.status_code, response["Content-Type"]) == (200, "text/html; charset=utf-8")


def renderers_with(debug: str) -> list[str]:
    script = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'events_project.settings'); "
        "django.setup(); from rest_framework.settings import api_settings; "
        "print(','.join(r.__name__ for r in api_settings.DEFAULT_RENDERER_CLASSES))"
    )
    env = {**subprocess_environ(), "DEBUG": debug}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip().split(",")


def subprocess_environ() -> dict:
    import os

    return {key: value for key, value in os.environ.items() if key != "DEBUG"}


def test_the_browsable_api_is_for_debug_only():
    assert renderers_with("0") == ["JSONRenderer"]
    assert renderers_with("1") == ["JSONRenderer", "BrowsableAPIRenderer"]
