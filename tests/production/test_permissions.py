"""The permission matrix: every API operation × every role, with the status each must get.

The operations come from the URL resolver, so a new endpoint without a row here fails the
suite: decide who may use it, then add its row. Requests carry an empty JSON body, so a role
that is let in gets 2xx or 400 (validation), and one that is kept out 401, 403 or 404.

Columns (see conftest.ROLES): anonymous, attendee, another attendee, speaker, another speaker,
former speaker, check-in staff of the event, check-in staff of the organiser's other event,
check-in staff of another organiser's event, organiser of another event, organiser of the event.
Door staff work their event's check-in routes and nothing else: every other route answers them
as it answers an attendee.
"""

import json
import os
import re

import pytest
from django.db import transaction

from tests.production.conftest import ROLES, UNKNOWN_PK, UNKNOWN_TOKEN, World, api_endpoints

# Anonymous callers who are kept out get 401 with "WWW-Authenticate: Token" (token
# authentication comes first everywhere); signed-in callers who are kept out get 403 or 404.
PUBLIC = " ".join(["200"] * len(ROLES))
SIGNED_IN = "401 " + " ".join(["200"] * (len(ROLES) - 1))

MATRIX = {
    # --- events, series, regions, calendar files
    ("event-list", "GET"): "200 200 200 200 200 200 200 200 200 200 200",
    ("event-list", "POST"): "401 403 403 403 403 403 403 403 403 400 400",
    ("event-detail", "GET"): "200 200 200 200 200 200 200 200 200 200 200",
    ("event-detail", "PATCH"): "401 403 403 403 403 403 403 403 403 403 200",
    ("event-detail", "PUT"): "401 403 403 403 403 403 403 403 403 403 400",
    ("event-cancel", "POST"): "401 403 403 403 403 403 403 403 403 403 200",
    ("event-complete", "POST"): "401 403 403 403 403 403 403 403 403 403 409",  # the world's event is still to come
    ("event-publish", "POST"): "401 403 403 403 403 403 403 403 403 403 200",
    ("series-list", "GET"): "200 200 200 200 200 200 200 200 200 200 200",
    ("series-list", "POST"): "401 403 403 403 403 403 403 403 403 400 400",
    ("series-detail", "GET"): "404 404 404 404 404 404 404 404 404 404 200",  # a draft series
    ("series-detail", "PATCH"): "401 403 403 403 403 403 403 403 403 404 200",
    ("series-detail", "PUT"): "401 403 403 403 403 403 403 403 403 404 400",
    ("series-publish", "POST"): "401 403 403 403 403 403 403 403 403 404 200",
    # a series' door team: its organisers only (the world's series is a draft: 404 to another organiser)
    ("series-team-invitation-list", "GET"): "401 403 403 403 403 403 403 403 403 404 200",
    ("series-team-invitation-list", "POST"): "401 403 403 403 403 403 403 403 403 404 400",
    ("series-team-invitation-withdraw", "POST"): "401 403 403 403 403 403 403 403 403 404 200",
    ("series-door-staff-list", "GET"): "401 403 403 403 403 403 403 403 403 404 200",
    ("series-door-staff-detail", "DELETE"): "401 403 403 403 403 403 403 403 403 404 204",
    # an event's team: its organisers only (another organiser sees the published event: 403)
    ("event-team-invitation-list", "GET"): "401 403 403 403 403 403 403 403 403 403 200",
    ("event-team-invitation-list", "POST"): "401 403 403 403 403 403 403 403 403 403 400",
    ("event-team-invitation-withdraw", "POST"): "401 403 403 403 403 403 403 403 403 403 200",
    ("event-organiser-list", "GET"): "401 403 403 403 403 403 403 403 403 403 200",
    ("event-organiser-detail", "DELETE"): "401 403 403 403 403 403 403 403 403 403 400",  # its last organiser
    ("event-door-staff-list", "GET"): "401 403 403 403 403 403 403 403 403 403 200",
    ("event-door-staff-detail", "DELETE"): "401 403 403 403 403 403 403 403 403 403 204",
    ("region-list", "GET"): "200 200 200 200 200 200 200 200 200 200 200",
    ("region-detail", "GET"): "200 200 200 200 200 200 200 200 200 200 200",
    ("event-ics", "GET"): "200 200 200 200 200 200 200 200 200 200 200",
    # --- private calendar feeds
    ("calendar-feed-list", "GET"): "401 200 200 200 200 200 200 200 200 200 200",
    ("calendar-feed-list", "POST"): "401 400 400 400 400 400 400 400 400 400 400",
    ("calendar-feed-detail", "GET"): "401 200 404 404 404 404 404 404 404 404 404",
    ("calendar-feed-revoke", "POST"): "401 200 404 404 404 404 404 404 404 404 404",
    ("calendar-feed-rotate", "POST"): "401 200 404 404 404 404 404 404 404 404 404",
    # --- programmes, cohorts, enrolments, certificates (the attendee is enrolled)
    ("mentee-list", "GET"): "401 403 403 200 200 403 403 403 403 403 403",
    ("certificate-verification-api", "GET"): "404 404 404 404 404 404 404 404 404 404 404",
    ("programme-list", "GET"): "401 403 403 403 403 403 403 403 403 200 200",
    ("programme-list", "POST"): "401 403 403 403 403 403 403 403 403 400 400",
    ("programme-detail", "GET"): "401 403 403 403 403 403 403 403 403 404 200",
    ("programme-detail", "PATCH"): "401 403 403 403 403 403 403 403 403 404 200",
    ("programme-detail", "PUT"): "401 403 403 403 403 403 403 403 403 404 400",
    ("programme-certificates", "POST"): "401 403 403 403 403 403 403 403 403 404 200",
    ("programme-report", "GET"): "401 403 403 403 403 403 403 403 403 404 200",
    ("programme-report-csv", "GET"): "401 403 403 403 403 403 403 403 403 404 200",
    ("cohort-list", "GET"): "401 403 403 403 403 403 403 403 403 200 200",
    ("cohort-list", "POST"): "401 403 403 403 403 403 403 403 403 400 400",
    ("cohort-detail", "GET"): "401 403 403 403 403 403 403 403 403 404 200",
    ("cohort-enrol", "POST"): "401 403 403 403 403 403 403 403 403 404 400",
    ("enrolment-list", "GET"): "401 200 200 200 200 200 200 200 200 200 200",
    ("enrolment-detail", "GET"): "401 200 404 404 404 404 404 404 404 404 200",
    ("enrolment-certificate", "POST"): "401 403 404 404 404 404 404 404 404 404 409",
    ("enrolment-journey", "GET"): "401 200 404 404 404 404 404 404 404 404 200",
    ("enrolment-leave", "POST"): "401 200 404 404 404 404 404 404 404 404 200",
    ("enrolment-mentor", "POST"): "401 403 404 404 404 404 404 404 404 404 400",
    ("enrolment-skip", "POST"): "401 400 404 404 404 404 404 404 404 404 400",
    ("enrolment-undo-skip", "POST"): "401 400 404 404 404 404 404 404 404 404 400",
    ("certificate-list", "GET"): "401 200 200 200 200 200 200 200 200 200 200",
    ("certificate-detail", "GET"): "401 404 404 404 404 404 404 404 404 404 404",
    ("certificate-pdf", "GET"): "401 404 404 404 404 404 404 404 404 404 404",
    ("certificate-revoke", "POST"): "401 404 404 404 404 404 404 404 404 404 404",
    # --- registrations: anyone registers; organisers of the event manage
    ("event-registration-list", "GET"): "401 403 403 403 403 403 403 403 403 403 200",
    ("event-registration-list", "POST"): "400 400 400 400 400 400 400 400 400 400 400",
    ("event-registration-add", "POST"): "401 403 403 403 403 403 403 403 403 403 400",
    ("event-registration-summary", "GET"): "401 403 403 403 403 403 403 403 403 403 200",
    ("event-registration-detail", "GET"): "401 403 403 403 403 403 403 403 403 403 200",
    ("event-registration-approve", "POST"): "401 403 403 403 403 403 403 403 403 403 200",
    ("event-registration-cancel", "POST"): "401 403 403 403 403 403 403 403 403 403 200",
    ("event-registration-promote", "POST"): "401 403 403 403 403 403 403 403 403 403 200",
    ("event-registration-attendance", "POST"): "401 403 403 403 403 403 403 403 403 403 400",
    ("event-registration-reject", "POST"): "401 403 403 403 403 403 403 403 403 403 200",
    # the world's registration is no invitation's: its refusal comes before the body is read
    ("event-registration-transfer", "POST"): "401 403 403 403 403 403 403 403 403 403 409",
    ("invitation-list", "GET"): "401 403 403 403 403 403 403 403 403 403 200",
    ("invitation-list", "POST"): "401 403 403 403 403 403 403 403 403 403 400",
    ("invitation-detail", "DELETE"): "401 403 403 403 403 403 403 403 403 403 204",
    ("invitation-detail", "GET"): "401 403 403 403 403 403 403 403 403 403 200",
    ("invitation-detail", "PATCH"): "401 403 403 403 403 403 403 403 403 403 200",
    ("invitation-detail", "PUT"): "401 403 403 403 403 403 403 403 403 403 400",
    ("question-list", "GET"): "200 200 200 200 200 200 200 200 200 200 200",
    ("question-list", "POST"): "401 403 403 403 403 403 403 403 403 403 400",
    ("question-detail", "DELETE"): "401 403 403 403 403 403 403 403 403 403 204",
    ("question-detail", "GET"): "200 200 200 200 200 200 200 200 200 200 200",
    ("question-detail", "PATCH"): "401 403 403 403 403 403 403 403 403 403 200",
    ("question-detail", "PUT"): "401 403 403 403 403 403 403 403 403 403 400",
    # --- the private management link: the token is the credential
    ("manage-registration-detail", "GET"): "200 200 200 200 200 200 200 200 200 200 200",
    ("manage-registration-accept", "POST"): "200 200 200 200 200 200 200 200 200 200 200",
    ("manage-registration-cancel", "POST"): "200 200 200 200 200 200 200 200 200 200 200",
    ("manage-registration-transfer", "POST"): "409 409 409 409 409 409 409 409 409 409 409",
    ("my-registration-list", "GET"): "401 200 200 200 200 200 200 200 200 200 200",
    # --- check-in: the event's organisers and check-in staff (the other staff roles work other doors)
    ("checkin-scan", "POST"): "401 403 403 403 403 403 409 403 403 403 409",
    ("checkin-search", "GET"): "401 403 403 403 403 403 200 403 403 403 200",
    ("checkin-manual", "POST"): "401 403 403 403 403 403 400 403 403 403 400",
    ("checkin-walk-in", "POST"): "401 403 403 403 403 403 400 403 403 403 400",
    ("checkin-counts", "GET"): "401 403 403 403 403 403 200 403 403 403 200",
    ("checkin-list", "GET"): "401 403 403 403 403 403 200 403 403 403 200",
    ("checkin-batch", "POST"): "401 403 403 403 403 403 400 403 403 403 400",
    ("checkin-undo", "POST"): "401 403 403 403 403 403 409 403 403 403 409",  # the door is not open yet
    ("checkin-log", "GET"): "401 403 403 403 403 403 200 403 403 403 200",
    # --- tickets by management token
    ("ticket-qr-png", "GET"): "200 200 200 200 200 200 200 200 200 200 200",
    ("ticket-qr-svg", "GET"): "200 200 200 200 200 200 200 200 200 200 200",
    ("ticket-reissue", "POST"): "200 200 200 200 200 200 200 200 200 200 200",
    # --- speakers: own profile and schedule for speakers, the roster public, assignments for organisers
    ("my-speaker-profile", "GET"): "401 404 404 200 200 404 404 404 404 404 404",
    ("my-speaker-profile", "PATCH"): "401 404 404 200 200 404 404 404 404 404 404",
    ("speaker-invitation-link", "GET"): "400 400 400 400 400 400 400 400 400 400 400",
    ("speaker-invitation-link", "POST"): "400 400 400 400 400 400 400 400 400 400 400",
    ("speaker-list", "GET"): "200 200 200 200 200 200 200 200 200 200 200",
    ("speaker-list", "POST"): "401 403 403 403 403 403 403 403 403 400 400",
    ("speaker-detail", "GET"): "200 200 200 200 200 200 200 200 200 200 200",
    ("speaker-detail", "PATCH"): "401 403 403 403 403 403 403 403 403 200 200",
    # the speaker's organisers send them a link to link their account (the speaker consents); an
    # organiser elsewhere finds them on the shared roster, but mails them nothing
    ("speaker-account-link", "POST"): "401 403 403 403 403 403 403 403 403 403 202",
    ("speaker-detail", "PUT"): "401 403 403 403 403 403 403 403 403 400 400",
    ("speaker-assignment-list", "GET"): "401 403 403 403 403 403 403 403 403 200 200",
    ("speaker-assignment-list", "POST"): "401 403 403 403 403 403 403 403 403 400 400",
    ("speaker-assignment-detail", "GET"): "401 403 403 403 403 403 403 403 403 404 200",
    ("speaker-assignment-detail", "PATCH"): "401 403 403 403 403 403 403 403 403 404 200",
    ("speaker-assignment-override-conflicts", "POST"): "401 403 403 403 403 403 403 403 403 400 400",
    ("speaker-assignment-withdraw", "POST"): "401 403 403 403 403 403 403 403 403 404 200",
    ("my-speaker-schedule-list", "GET"): "401 404 404 200 200 404 404 404 404 404 404",
    ("my-speaker-schedule-detail", "GET"): "401 404 404 200 404 404 404 404 404 404 404",
    ("my-speaker-schedule-accept", "POST"): "401 404 404 200 404 404 404 404 404 404 404",
    ("my-speaker-schedule-decline", "POST"): "401 404 404 200 404 404 404 404 404 404 404",
    ("my-speaker-unavailability-list", "GET"): "401 404 404 200 200 404 404 404 404 404 404",
    ("my-speaker-unavailability-list", "POST"): "401 400 400 400 400 400 400 400 400 400 400",
    ("my-speaker-unavailability-detail", "DELETE"): "401 404 404 204 404 404 404 404 404 404 404",
    ("my-speaker-unavailability-detail", "GET"): "401 404 404 200 404 404 404 404 404 404 404",
    ("my-speaker-unavailability-detail", "PATCH"): "401 404 404 200 404 404 404 404 404 404 404",
    ("my-speaker-unavailability-detail", "PUT"): "401 404 404 400 404 404 404 404 404 404 404",
    # --- notifications and attendance: organisers
    ("outbox-list", "GET"): "401 403 403 403 403 403 403 403 403 200 200",
    ("outbox-detail", "GET"): "401 403 403 403 403 403 403 403 403 404 200",
    ("outbox-resend", "POST"): "401 403 403 403 403 403 403 403 403 404 200",
    ("message-template-list", "GET"): "401 403 403 403 403 403 403 403 403 200 200",
    ("message-template-list", "POST"): "401 403 403 403 403 403 403 403 403 400 400",
    ("message-template-detail", "DELETE"): "401 403 403 403 403 403 403 403 403 404 404",
    ("message-template-detail", "GET"): "401 403 403 403 403 403 403 403 403 404 404",
    ("message-template-detail", "PATCH"): "401 403 403 403 403 403 403 403 403 404 404",
    ("message-template-detail", "PUT"): "401 403 403 403 403 403 403 403 403 404 404",
    ("attendance-import-list", "GET"): "401 403 403 403 403 403 403 403 403 200 200",
    ("attendance-import-list", "POST"): "401 403 403 403 403 403 403 403 403 415 415",
    ("attendance-import-detail", "GET"): "401 403 403 403 403 403 403 403 403 404 404",
    ("attendance-import-retry", "POST"): "401 403 403 403 403 403 403 403 403 404 404",
    ("event-attendance", "GET"): "401 403 403 403 403 403 403 403 403 403 200",
    ("event-attendance-finalise", "POST"): "401 403 403 403 403 403 403 403 403 403 400",
    # the world's series is a draft: whoever may not see it gets 404, as for an unknown id
    ("series-attendance", "GET"): "401 403 403 403 403 403 403 403 403 404 200",
    ("series-certificate", "GET"): "401 403 403 403 403 403 403 403 403 404 400",
    # the link goes to the address; the same answer for everyone who sees the series
    ("certificate-link", "POST"): "404 404 404 404 404 404 404 404 404 404 400",
    # one's own account's address only (none of these roles completed the series)
    ("my-certificate", "GET"): "401 404 404 404 404 404 404 404 404 404 403",
    ("participant-certificate", "GET"): "404 404 404 404 404 404 404 404 404 404 404",
    # --- personal data (GDPR): one's own account, or the registration the token opens
    ("my-data", "GET"): SIGNED_IN,
    # the world's organisers alone organise its events to come: their accounts stay open (sole_organiser)
    ("my-data", "DELETE"): "401 200 200 200 200 200 200 200 200 409 409",
    ("registration-data", "GET"): PUBLIC,
    ("registration-data", "DELETE"): PUBLIC,
    # --- sign-in and docs
    ("api-token", "POST"): "400 400 400 400 400 400 400 400 400 400 400",
    # the same document for everyone, and slow to build: two roles suffice
    ("schema", "GET"): "200 - - - - - - - - - 200",
    ("api-docs", "GET"): "200 200 200 200 200 200 200 200 200 200 200",
    ("api-root", "GET"): PUBLIC,
    ("api-redoc", "GET"): "200 200 200 200 200 200 200 200 200 200 200",
}

# Bodies that get a role past validation, so that the rights check is what answers.
BODIES = {
    ("checkin-scan", "POST"): lambda world: {"secret": world.registration.ticket_secret},
    # the world's programme runs on: issuing everyone's certificates now is said as such
    ("programme-certificates", "POST"): lambda world: {"before_end": True},
}


def url_kwargs(world: World, name: str, route: str) -> dict:
    """The path arguments of ``name``: the world's own objects (the attendee's, the speaker's)."""
    by_basename = {
        "event": world.event.pk,
        "series": world.series.pk,
        "region": "ganja",
        "calendar-feed": world.feed.pk,
        "programme": getattr(world.programme, "pk", UNKNOWN_PK),
        "cohort": getattr(world.cohort, "pk", UNKNOWN_PK),
        "enrolment": getattr(world.enrolment, "pk", UNKNOWN_PK),
        "certificate": getattr(world.certificate, "pk", UNKNOWN_PK),
        "event-registration": world.registration.pk,
        "invitation": world.invitation.pk,
        "question": world.question.pk,
        "speaker": world.speaker.pk,
        "speaker-assignment": world.assignment.pk,
        "my-speaker-schedule": world.assignment.pk,
        "my-speaker-unavailability": world.unavailability.pk,
        "outbox": getattr(world.outbox_message, "pk", UNKNOWN_PK),
        "series-team-invitation": world.extra["series_invitation"].pk,
        "event-team-invitation": world.extra["event_invitation"].pk,
        "event-organiser": world.users["organiser"].pk,
        "event-door-staff": world.users["staff"].pk,
        "series-door-staff": world.extra["series_door"].pk,
    }
    tokens = {
        "manage-registration": world.registration.manage_token,
        "ticket": world.registration.manage_token,
        "registration-data": world.registration.manage_token,
    }
    kwargs = {}
    for argument in ("pk", "slug", "event_id", "checkin_id", "series_id", "token"):
        if not re.search(rf"<(?:\w+:)?{argument}>|\(\?P<{argument}>", route):
            continue
        if argument in ("pk", "slug"):
            basename = next((key for key in sorted(by_basename, key=len, reverse=True) if name.startswith(key)), None)
            kwargs[argument] = by_basename.get(basename, UNKNOWN_PK)
        elif argument == "event_id":
            kwargs[argument] = world.event.pk
        elif argument == "checkin_id":
            kwargs[argument] = world.checkin.pk
        elif argument == "series_id":
            kwargs[argument] = world.series.pk
        elif argument == "token":
            prefix = next((key for key in tokens if name.startswith(key)), None)
            kwargs[argument] = tokens.get(prefix, UNKNOWN_TOKEN)
    return kwargs


def build_url(route: str, kwargs: dict) -> str:
    """The path of ``route`` with ``kwargs`` filled in (URL names of API and pages may collide,
    so ``reverse`` by name could reach a page)."""
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda match: str(kwargs[match.group(1)]), route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(kwargs[match.group(1)]), path)
    return "/" + path.replace("^", "").replace("$", "")


def observe(world: World, name: str, method: str, route: str, expected_statuses=None) -> list[str]:
    """The status each role gets; roles expected as "-" are not asked."""
    expected_statuses = expected_statuses or [""] * len(ROLES)
    url = build_url(route, url_kwargs(world, name, route))
    statuses = []
    for role, expected in zip(ROLES, expected_statuses, strict=True):
        if expected == "-":
            statuses.append("-")
            continue
        # each role meets the world as it was: what the previous role did is rolled back
        with transaction.atomic():
            body = BODIES.get((name, method), lambda world: {})(world)
            response = world.client(role).generic(method, url, data=json.dumps(body), content_type="application/json")
            statuses.append(str(response.status_code))
            transaction.set_rollback(True)
    return statuses


ENDPOINTS = api_endpoints()


def test_every_api_endpoint_has_a_row_in_the_matrix():
    missing = sorted({(name, method) for name, method, _ in ENDPOINTS} - set(MATRIX))
    stale = sorted(set(MATRIX) - {(name, method) for name, method, _ in ENDPOINTS})

    assert not missing, "Endpoints without a permission row (add them to MATRIX):\n" + "\n".join(map(str, missing))
    assert not stale, f"Rows for endpoints that no longer exist: {stale}"


def test_permission_matrix(world):
    # one world for every endpoint (each request is rolled back), so the matrix stays fast
    wrong = []
    for name, method, route in ENDPOINTS:
        if (name, method) not in MATRIX:
            continue
        expected = MATRIX[(name, method)].split()

        observed = observe(world, name, method, route, expected)

        if observed != expected:
            wrong.append(f"{name} {method}: expected {expected}, got {observed}")
    assert not wrong, "Roles " + ", ".join(ROLES) + ":\n" + "\n".join(wrong)


@pytest.mark.skipif(not os.environ.get("RECORD_MATRIX"), reason="set RECORD_MATRIX=1 to print the observed matrix")
def test_record_matrix(world):
    """Prints what the service answers today, to review and copy into MATRIX."""
    for name, method, route in ENDPOINTS:
        observed = observe(world, name, method, route)
        print(f'    ("{name}", "{method}"): "{" ".join(observed)}",')
