"""Fuzz the whole API from its OpenAPI schema (schemathesis), in-process through the WSGI app.

Every operation gets a few generated requests as each role (anonymous, attendee, organiser),
often aimed at real objects. No answer may be a 5xx, and every answer must be one the schema
documents (status, content type, headers, body), error answers included.
"""

import time

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from events_project.wsgi import application
from tests.production.conftest import build_world

FUZZ_ROLES = ("anonymous", "attendee", "organiser")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Every response is checked against its schema (status, content type, headers, body):
# no operation is exempt, blank and null values are documented where the data has them.
EXAMPLES_PER_OPERATION = 4
# the whole run stops generating after this many seconds (2 shared cores); every operation
# still gets its first examples
TIME_BUDGET_SECONDS = 60


@pytest.fixture(scope="session")
def openapi_document() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def real_ids(world) -> dict:
    return {
        "event_id": world.event.pk,
        "series_id": world.series.pk,
        "checkin_id": world.checkin.pk,
        "token": world.registration.manage_token,
    }


def real_path(world, path: str, names) -> dict | None:
    """The world's own objects for every path parameter of ``path``, or None when one is unknown."""
    known = real_ids(world)
    # the object an {id} (or {slug}) names, by the collection before it
    by_collection = {
        "/events/{id}": world.event.pk,
        "/registrations/{id}": world.registration.pk,
        "/invitations/{id}": world.invitation.pk,
        "/questions/{id}": world.question.pk,
        "/series/{id}": world.series.pk,
        "/regions/{slug}": "ganja",
        "/speakers/{id}": world.speaker.pk,
        "/speaker-assignments/{id}": world.assignment.pk,
        "/me/speaker/schedule/{id}": world.assignment.pk,
        "/me/speaker/unavailability/{id}": world.unavailability.pk,
        "/me/calendar-feeds/{id}": world.feed.pk,
        "/programmes/{id}": world.programme.pk,
        "/cohorts/{id}": world.cohort.pk,
        "/enrolments/{id}": world.enrolment.pk,
        "/outbox/{id}": getattr(world.outbox_message, "pk", None),
    }
    values = {}
    for name in names:
        if name in known:
            values[name] = known[name]
            continue
        value = next((pk for key, pk in by_collection.items() if f"{key}/" in path + "/"), None)
        if value is None:
            return None
        values[name] = value
    return values


@pytest.fixture
def keep_test_connection():
    """The WSGI handler closes "old" connections at each request, which would close the test's
    transaction; Django's own test client unhooks the same signal handlers."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("keep_test_connection")
def test_api_answers_garbage_as_documented_and_never_with_5xx(openapi_document):
    world = build_world()
    headers = {
        "anonymous": {},
        **{
            role: {"Authorization": f"Token {Token.objects.get_or_create(user=world.users[role])[0].key}"}
            for role in FUZZ_ROLES[1:]
        },
    }
    known = real_ids(world)
    schema = schemathesis.openapi.from_dict(openapi_document)
    failures = []
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50

    for index, operation in enumerate(operations):
        # First the world's real objects, as the organiser and the attendee see them: every
        # answer that carries data (blank and null values included) is checked against the schema.
        names = [parameter.name for parameter in operation.path_parameters]
        path_values = real_path(world, operation.path, names)
        if operation.method.upper() == "GET" and path_values is not None:
            for role in ("organiser", "attendee"):
                try:
                    operation.Case(path_parameters=path_values).call_and_validate(
                        app=application, headers=headers[role], checks=CHECKS
                    )
                except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 - reported with the rest
                    failures.append(f"[{index}] {operation.label} as {role}, real objects: {str(failure)[:1500]}")

        left = TIME_BUDGET_SECONDS - (time.monotonic() - started)
        examples = EXAMPLES_PER_OPERATION if left > 0 else 2

        @given(case=operation.as_strategy(), role=st.sampled_from(FUZZ_ROLES), aim=st.booleans())
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case, role, aim):
            if aim and case.path_parameters:
                # half of the requests reach the world's real objects, not random ids
                for name in case.path_parameters:
                    if name in known:
                        case.path_parameters[name] = known[name]
                    elif name == "id" and "/events/" in case.operation.path:
                        case.path_parameters[name] = world.event.pk
            case.call_and_validate(app=application, headers=headers[role], checks=CHECKS)

        try:
            fuzz()
        except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 - collect them all, report at the end
            failures.append(f"[{index}] {operation.label}: {str(failure)[:1500]}")

    assert not failures, f"{len(failures)} operations answered outside their schema:\n\n" + "\n\n".join(failures)
