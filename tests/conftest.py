import os

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests import factories


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def organiser(db):
    return factories.OrganiserFactory()


@pytest.fixture
def organiser_client(organiser):
    client = APIClient()
    client.force_authenticate(organiser)
    return client


@pytest.fixture
def subprocess_env():
    """Environment for a process a test starts (qcluster, gunicorn) to use the test database."""
    settings_dict = connection.settings_dict
    env = {**os.environ, "TESTING": "1", "DEBUG": "0", "Q_SYNC": "0"}
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{settings_dict['NAME']}"
    else:
        user = settings_dict.get("USER") or "postgres"
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = settings_dict.get("PORT") or 5432
        password = settings_dict.get("PASSWORD") or ""
        auth = f"{user}:{password}@" if password else f"{user}@"
        env["DATABASE_URL"] = f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"
    env.pop("TEST_DATABASE_NAME", None)
    return env


def pytest_collection_modifyitems(config, items):
    skip_postgres = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL")
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_postgres)
