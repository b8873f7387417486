"""Every speaker endpoint × (anonymous, attendee, speaker A, speaker B, organiser).

Speaker A owns the assignment, the unavailable period and the feed in play; speaker B is
another speaker who must never reach them.
"""

import datetime as dt

import pytest
from django.utils import timezone

from speakers import services
from speakers.models import SpeakerUnavailability
from tests import factories

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "attendee", "speaker_a", "speaker_b", "organiser"]
DENIED = {"anonymous": 401, "attendee": 403, "speaker_a": 403, "speaker_b": 403, "organiser": None}
NO_PROFILE = {"anonymous": 401, "attendee": 404, "organiser": 404}


def only(role_status: dict, **overrides) -> dict:
    return {**role_status, **overrides}


# (name, method, path, body, expected status per role)
MATRIX = [
    ("roster list", "get", "/api/speakers/", None, dict.fromkeys(ROLES, 200)),
    ("roster detail", "get", "/api/speakers/{speaker_a}/", None, dict.fromkeys(ROLES, 200)),
    (
        "roster create",
        "post",
        "/api/speakers/",
        {"name": "New", "email": "new@example.org"},
        only(DENIED, organiser=201),
    ),
    ("roster edit", "patch", "/api/speakers/{speaker_a}/", {"bio": "Edited"}, only(DENIED, organiser=200)),
    ("assignments list", "get", "/api/speaker-assignments/", None, only(DENIED, organiser=200)),
    ("assignment detail", "get", "/api/speaker-assignments/{assignment}/", None, only(DENIED, organiser=200)),
    (
        "assign",
        "post",
        "/api/speaker-assignments/",
        {"event": "{event}", "speaker": "{speaker_b}", "role": "moderator"},
        only(DENIED, organiser=201),
    ),
    ("assignment edit", "patch", "/api/speaker-assignments/{assignment}/", {"order": 2}, only(DENIED, organiser=200)),
    ("withdraw", "post", "/api/speaker-assignments/{assignment}/withdraw/", {}, only(DENIED, organiser=200)),
    (
        "override",
        "post",
        "/api/speaker-assignments/{assignment}/override-conflicts/",
        {"reason": "ok"},
        only(DENIED, organiser=200),
    ),
    ("own profile", "get", "/api/me/speaker/", None, only(NO_PROFILE, speaker_a=200, speaker_b=200)),
    ("own profile edit", "patch", "/api/me/speaker/", {"bio": "Mine"}, only(NO_PROFILE, speaker_a=200, speaker_b=200)),
    ("schedule", "get", "/api/me/speaker/schedule/", None, only(NO_PROFILE, speaker_a=200, speaker_b=200)),
    (
        "schedule entry",
        "get",
        "/api/me/speaker/schedule/{assignment}/",
        None,
        only(NO_PROFILE, speaker_a=200, speaker_b=404),
    ),
    (
        "accept",
        "post",
        "/api/me/speaker/schedule/{assignment}/accept/",
        {"message": "Yes"},
        only(NO_PROFILE, speaker_a=200, speaker_b=404),
    ),
    (
        "decline",
        "post",
        "/api/me/speaker/schedule/{assignment}/decline/",
        {},
        only(NO_PROFILE, speaker_a=200, speaker_b=404),
    ),
    (
        "unavailability list",
        "get",
        "/api/me/speaker/unavailability/",
        None,
        only(NO_PROFILE, speaker_a=200, speaker_b=200),
    ),
    (
        "unavailability create",
        "post",
        "/api/me/speaker/unavailability/",
        {"start": "2027-01-01T09:00:00+04:00", "end": "2027-01-02T09:00:00+04:00"},
        only(NO_PROFILE, speaker_a=201, speaker_b=201),
    ),
    (
        "unavailability edit",
        "patch",
        "/api/me/speaker/unavailability/{period}/",
        {"reason": "Conference"},
        only(NO_PROFILE, speaker_a=200, speaker_b=404),
    ),
    (
        "unavailability delete",
        "delete",
        "/api/me/speaker/unavailability/{period}/",
        None,
        only(NO_PROFILE, speaker_a=204, speaker_b=404),
    ),
    # the signed link is the credential: whoever holds it may answer, nobody else can forge it
    ("link show", "get", "/api/speaker-invitations/respond/{token}/", None, dict.fromkeys(ROLES, 200)),
    (
        "link answer",
        "post",
        "/api/speaker-invitations/respond/{token}/",
        {"answer": "accept"},
        dict.fromkeys(ROLES, 200),
    ),
    ("forged link", "get", "/api/speaker-invitations/respond/forged/", None, dict.fromkeys(ROLES, 400)),
]


@pytest.fixture
def world(event, organiser, speaker_a, speaker_b):
    assignment = services.assign_speaker(event=event, speaker=speaker_a, by=organiser)
    period = SpeakerUnavailability.objects.create(
        speaker=speaker_a, start=timezone.now() + dt.timedelta(days=60), end=timezone.now() + dt.timedelta(days=61)
    )
    return {
        "event": event.pk,
        "speaker_a": speaker_a.pk,
        "speaker_b": speaker_b.pk,
        "assignment": assignment.pk,
        "period": period.pk,
        "token": services.invitation_token(assignment),
    }


def _fill(value, world):
    if isinstance(value, str):
        return value.format(**world)
    if isinstance(value, dict):
        return {key: _fill(item, world) for key, item in value.items()}
    return value


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name, method, path, body, expected", MATRIX, ids=[row[0] for row in MATRIX])
def test_speaker_endpoint_permission(clients, world, role, name, method, path, body, expected):
    client = clients[role]

    response = getattr(client, method)(_fill(path, world), _fill(body, world), format="json")

    assert response.status_code == expected[role], response.content
    if role == "anonymous" and response.status_code == 401:
        assert response.json()["code"] == "not_authenticated"
        assert response["WWW-Authenticate"] == "Token"
    if response.status_code == 404 and role in ("attendee", "organiser") and path.startswith("/api/me/"):
        assert response.json()["code"] == "not_a_speaker"


def test_speaker_cannot_edit_another_profile_through_roster(clients, speaker_b):
    response = clients["speaker_a"].patch(f"/api/speakers/{speaker_b.pk}/", {"bio": "Hacked"}, format="json")

    assert response.status_code == 403
    speaker_b.refresh_from_db()
    assert speaker_b.bio != "Hacked"


def test_own_profile_edit_changes_only_own_and_not_organiser_fields(clients, speaker_a, speaker_b):
    response = clients["speaker_a"].patch(
        "/api/me/speaker/", {"bio": "Mine", "listed": False, "private_notes": "x"}, format="json"
    )

    assert response.status_code == 200
    speaker_a.refresh_from_db()
    speaker_b.refresh_from_db()
    assert (speaker_a.bio, speaker_a.listed, speaker_a.private_notes) == ("Mine", True, "Prefers mornings.")
    assert speaker_b.bio == "Builds things."


def test_organiser_of_another_event_cannot_see_or_withdraw_assignment(world):
    stranger = factories.OrganiserFactory()
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(stranger)

    assert client.get(f"/api/speaker-assignments/{world['assignment']}/").status_code == 404
    assert client.post(f"/api/speaker-assignments/{world['assignment']}/withdraw/").status_code == 404
    response = client.post(
        "/api/speaker-assignments/", {"event": world["event"], "speaker": world["speaker_b"]}, format="json"
    )
    # someone else's event is refused like an unknown one
    assert (response.status_code, list(response.json()["errors"])) == (400, ["event"])
