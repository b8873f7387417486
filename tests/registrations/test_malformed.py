"""Whatever a client sends, a malformed body is answered 400 with a code, never a 500 (and a body
an endpoint takes as valid gets its 2xx)."""

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
    # the transfers before the reject: a seat no longer held is refused (409) before its body is read
    urls = [
        f"{base}/registrations/",
        f"{base}/registrations/add/",
        f"{base}/registrations/{registration.pk}/transfer/",
        f"/api/registrations/manage/{registration.manage_token}/transfer/",
        f"{base}/registrations/{registration.pk}/reject/",
        f"{base}/invitations/",
        f"{base}/questions/",
    ]

    answers = [organiser_client.post(url, body, format="json") for url in urls]
    answers.append(organiser_client.patch(f"{base}/questions/{question.pk}/", body, format="json"))
    statuses = [answer.status_code for answer in answers]

    # three endpoints take some of these bodies as valid; every other answer is a 400 with a code
    accepted = [
        index
        for index, url in enumerate([*urls, "PATCH question"])
        if ("/reject/" in url and _no_reason_or_a_text_one(body))
        or (url == f"{base}/invitations/" and _a_valid_invitation(body))
        or (url == "PATCH question" and _touches_no_question_field(body))
    ]
    assert [statuses[index] // 100 for index in accepted] == [2] * len(accepted), statuses
    refused = [answer for index, answer in enumerate(answers) if index not in accepted]
    assert {answer.status_code for answer in refused} == {400}, statuses
    assert all(answer.json().get("code") for answer in refused)


def _no_reason_or_a_text_one(body) -> bool:
    """Rejecting needs no reason: no body, or an object whose reason (if any) is text."""
    return body is None or (isinstance(body, dict) and isinstance(body.get("reason", ""), str))


def _a_valid_invitation(body) -> bool:
    """An invitation needs only a valid address; the registration fields in these bodies are ignored."""
    return isinstance(body, dict) and body.get("email") == "a@example.org" and "sector" not in body


def _touches_no_question_field(body) -> bool:
    """A PATCH that names none of the question's fields changes nothing, and says so with 200."""
    return body is None or (isinstance(body, dict) and not {"label", "kind", "choices", "required"} & set(body))
