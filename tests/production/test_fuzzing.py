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
# Responses whose body the schema describes wrongly today (owners: see the reasons). For these
# operations the body is not checked against the schema; everything else still is.
KNOWN_SCHEMA_DEFECTS = {
    # registrations/serializers.py: blank sector is not in the enum; waiting_position and
    # invitation may be null
    "POST /api/events/{event_id}/registrations/": "sector '' and waiting_position null undocumented",
    "GET /api/events/{event_id}/registrations/": "sector '' and invitation null undocumented",
    "GET /api/events/{event_id}/registrations/{id}/": "sector '' and invitation null undocumented",
    "POST /api/events/{event_id}/registrations/{id}/approve/": "sector '' and invitation null undocumented",
    "POST /api/events/{event_id}/registrations/{id}/promote/": "sector '' and invitation null undocumented",
    "POST /api/events/{event_id}/registrations/{id}/reject/": "sector '' and invitation null undocumented",
    "POST /api/events/{event_id}/registrations/{id}/cancel/": "sector '' and invitation null undocumented",
    # speakers/serializers.py: blank URLs and email are not valid "uri"/"email" values
    "GET /api/speakers/": "blank linkedin_url, photo_url, website, public_email",
    "GET /api/speakers/{id}/": "blank linkedin_url, photo_url, website, public_email",
    # programmes/serializers.py: mentor_name may be null, sector may be blank
    "GET /api/enrolments/": "mentor_name null, sector '' undocumented",
    "GET /api/enrolments/{id}/": "mentor_name null, sector '' undocumented",
}
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
            checks = CHECKS
            if case.operation.label in KNOWN_SCHEMA_DEFECTS:
                checks = [check for check in CHECKS if check is not response_schema_conformance]
            case.call_and_validate(app=application, headers=headers[role], checks=checks)

        try:
            fuzz()
        except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 - collect them all, report at the end
            failures.append(f"[{index}] {operation.label}: {str(failure)[:1500]}")

    assert not failures, f"{len(failures)} operations answered outside their schema:\n\n" + "\n\n".join(failures)
