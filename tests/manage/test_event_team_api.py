"""An event's team through the API: the same services as the team tab, behind the same walls."""

import re

import pytest
from django.core import mail

from events.models import EventFormat
from events.permissions import can_check_in, can_manage_event
from teams import services
from teams.models import TeamInvitation
from tests import factories

pytestmark = pytest.mark.django_db
LINK = re.compile(r"http://[^\s\"]+/team/accept/([A-Za-z0-9_\-]+)/")


def accept_emailed_link(name: str, password: str = "team-member-2030"):
    (message,) = mail.outbox
    mail.outbox.clear()
    token = LINK.search(message.body).group(1)
    return services.accept_team_invitation(token=token, name=name, password=password)


def test_an_organiser_invites_lists_and_removes_the_team_of_an_event(
    organiser_client, own_event, django_capture_on_commit_callbacks
):
    base = f"/api/events/{own_event.pk}/team"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        door = organiser_client.post(f"{base}/invitations/", {"email": "Nigar@Example.org", "role": "checkin"})
    assert door.status_code == 201, door.data
    assert (door.data["email"], door.data["role"], door.data["state"]) == ("nigar@example.org", "checkin", "pending")
    assert "token" not in door.data and "token_hash" not in door.data
    nigar = accept_emailed_link("Nigar Huseynova")
    assert can_check_in(nigar, own_event)

    with django_capture_on_commit_callbacks(execute=True):
        co = organiser_client.post(
            f"{base}/invitations/", {"email": "leyla@example.org", "role": "organiser"}, format="json"
        )
    assert co.status_code == 201, co.data
    leyla = accept_emailed_link("Leyla Aliyeva")
    assert can_manage_event(leyla, own_event)

    listed = organiser_client.get(f"{base}/invitations/").data["results"]
    assert [(row["email"], row["state"], row["used_by"]) for row in listed] == [
        ("leyla@example.org", "used", "Leyla Aliyeva"),
        ("nigar@example.org", "used", "Nigar Huseynova"),
    ]
    organisers = organiser_client.get(f"{base}/organisers/").data["results"]
    assert {row["email"] for row in organisers} == {own_event.organisers.first().email, "leyla@example.org"}
    staff = organiser_client.get(f"{base}/door-staff/").data["results"]
    assert staff == [{"id": nigar.pk, "name": "Nigar Huseynova", "email": "nigar@example.org"}]

    assert organiser_client.delete(f"{base}/door-staff/{nigar.pk}/").status_code == 204
    assert not can_check_in(nigar, own_event)
    assert organiser_client.delete(f"{base}/door-staff/{nigar.pk}/").status_code == 404
    assert organiser_client.delete(f"{base}/organisers/{leyla.pk}/").status_code == 204
    own_event.refresh_from_db()
    assert not can_manage_event(leyla, own_event)


def test_withdrawing_a_link_and_the_refusals_answer_with_their_codes(organiser_client, organiser, own_event):
    base = f"/api/events/{own_event.pk}/team"
    pending = organiser_client.post(f"{base}/invitations/", {"email": "x@example.org", "role": "checkin"})
    withdrawn = organiser_client.post(f"{base}/invitations/{pending.data['id']}/withdraw/")
    assert (withdrawn.status_code, withdrawn.data["state"]) == (200, "revoked")

    again = organiser_client.post(f"{base}/invitations/", {"email": organiser.email, "role": "organiser"})
    assert (again.status_code, again.data["code"]) == (409, "already_in_team")
    wrong_role = organiser_client.post(f"{base}/invitations/", {"email": "y@example.org", "role": "owner"})
    assert wrong_role.status_code == 400 and "role" in wrong_role.data["errors"]
    bad_address = organiser_client.post(f"{base}/invitations/", {"email": "not an address", "role": "checkin"})
    assert bad_address.status_code == 400
    last = organiser_client.delete(f"{base}/organisers/{organiser.pk}/")
    assert (last.status_code, last.data["code"]) == (400, "last_organiser")

    online = factories.EventFactory(organisers=[organiser], format=EventFormat.ONLINE, venue_name="")
    no_door = organiser_client.post(
        f"/api/events/{online.pk}/team/invitations/", {"email": "z@example.org", "role": "checkin"}
    )
    assert (no_door.status_code, no_door.data["code"]) == (400, "no_door")
    assert TeamInvitation.objects.filter(event=own_event).count() == 1


def test_another_organiser_gets_nothing_of_an_events_team(organiser, own_event):
    from rest_framework.test import APIClient

    invitation = services.invite_to_team(event=own_event, email="door@example.org", role="checkin", by=organiser)
    other = factories.OrganiserFactory()
    theirs = factories.EventFactory(organisers=[other])
    outsider = APIClient()
    outsider.force_authenticate(other)
    base = f"/api/events/{own_event.pk}/team/"
    # the published event is seen by everyone: 403; its team is its organisers' alone
    for path in ("invitations/", "organisers/", "door-staff/"):
        assert outsider.get(base + path).status_code == 403
    refused = outsider.post(f"{base}invitations/", {"email": "spy@example.org", "role": "organiser"})
    assert (refused.status_code, refused.data["code"]) == (403, "not_organiser")
    assert outsider.delete(f"{base}organisers/{organiser.pk}/").status_code == 403
    # another event's link through one's own event's path: not there
    through_own = outsider.post(f"/api/events/{theirs.pk}/team/invitations/{invitation.pk}/withdraw/")
    assert through_own.status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None and list(own_event.organisers.all()) == [organiser]

    draft = factories.EventFactory(organisers=[organiser], status="draft")
    assert outsider.get(f"/api/events/{draft.pk}/team/organisers/").status_code == 404
