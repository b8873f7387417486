"""Whatever a client sends, the answer is a 4xx with a code, never a 500."""

import pytest

from tests import factories
from tests.registrations.conftest import sign_up

pytestmark = pytest.mark.django_db

BODIES = [
    None,
    [],
    "text",
    {"name": None, "email": None},
    {"name": "x" * 500, "email": "a@b.c", "consent_data_processing": "maybe"},
    {"email": "a@example.org", "consent_data_processing": True, "answers": {"abc": {"nested": 1}}},
    {"email": "a@example.org", "consent_data_processing": True, "answers": {"1": None}},
    {"email": "a@example.org", "consent_data_processing": True, "party_size": 10**12},
    {"email": "a@example.org", "consent_data_processing": True, "party_names": [{"a": 1}]},
    {"email": "a@example.org", "consent_data_processing": True, "invitation_code": "x" * 100},
    {"email": "a@example.org", "consent_data_processing": True, "sector": "martians"},
    {"label": "", "kind": "choice", "choices": "not a list"},
    {"label": "Q", "kind": "number", "choices": [1, 2]},
    {"email": "not an email", "sector": 5},
    {"reason": ["list"]},
]


@pytest.mark.parametrize("body", BODIES)
def test_malformed_bodies_are_answered_4xx(organiser_client, organiser, body):
    event = factories.EventFactory(organisers=[organiser], registration_mode="invitation", capacity=2)
    question = factories.QuestionFactory(event=event)
    registration = sign_up(event, invitation_code=factories.InvitationFactory(event=event).code)
    base = f"/api/events/{event.pk}"
    urls = [
        f"{base}/registrations/",
        f"{base}/registrations/add/",
        f"{base}/registrations/{registration.pk}/reject/",
        f"{base}/registrations/{registration.pk}/transfer/",
        f"{base}/invitations/",
        f"{base}/questions/",
        f"/api/registrations/manage/{registration.manage_token}/transfer/",
    ]

    statuses = [organiser_client.post(url, body, format="json").status_code for url in urls]
    statuses.append(organiser_client.patch(f"{base}/questions/{question.pk}/", body, format="json").status_code)

    assert all(status < 500 for status in statuses), statuses
