"""The page behind the signed link in the invitation email."""

import pytest
from django.test import Client

from speakers import services
from speakers.models import AssignmentStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(event, organiser, speaker_a):
    return services.assign_speaker(event=event, speaker=speaker_a, by=organiser, role="keynote")


def test_link_page_shows_then_accepts(invitation):
    path = services.invitation_respond_url(invitation).split("://", 1)[1].split("/", 1)[1]
    client = Client(enforce_csrf_checks=False)

    shown = client.get("/" + path)
    answered = client.post("/" + path, {"answer": "accept", "message": "With pleasure"})

    assert shown.status_code == 200
    assert invitation.event.title in shown.content.decode()
    assert answered.status_code == 200
    invitation.refresh_from_db()
    assert (invitation.status, invitation.message) == (AssignmentStatus.ACCEPTED, "With pleasure")


def test_link_page_forged_token_is_400():
    response = Client().get("/speaker/invitation/forged-token/")

    assert response.status_code == 400


def test_link_page_withdrawn_invitation_is_409(invitation, organiser):
    token = services.invitation_token(invitation)
    services.withdraw_assignment(assignment=invitation, by=organiser)

    response = Client().post(f"/speaker/invitation/{token}/", {"answer": "accept"})

    assert response.status_code == 409
    assert 'data-code="invitation_withdrawn"' in response.content.decode()


def test_link_page_shows_the_services_refusal_of_a_declined_invitation(invitation):
    """Whether an answered invitation may be answered again is the service's rule
    (speakers.services.accept_invitation): the page only shows what the service said."""
    token = services.invitation_token(invitation)
    client = Client()

    declined = client.post(f"/speaker/invitation/{token}/", {"answer": "decline"})
    declined_again = client.post(f"/speaker/invitation/{token}/", {"answer": "decline"})
    accepted_after = client.post(f"/speaker/invitation/{token}/", {"answer": "accept"})

    invitation.refresh_from_db()
    assert (declined.status_code, declined_again.status_code) == (200, 200)
    assert accepted_after.status_code == 409
    assert 'data-code="invitation_declined"' in accepted_after.content.decode()
    assert "You declined this invitation; ask the organisers to invite you again." in accepted_after.content.decode()
    assert invitation.status == AssignmentStatus.DECLINED
