"""The door's record in the admin: listed, read-only, undone by an action."""

import pytest
from django.test import Client

from registrations.checkin import services as door
from registrations.models import CheckIn
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_with_checkin(event, staff, ticket):
    door.check_in(event_id=event.pk, secret=ticket.ticket_secret, by=staff, device="door-1")
    admin_user = factories.UserFactory(is_superuser=True, is_staff=True)
    admin_user.refresh_from_db()  # the factory's password hash was never saved: the session would not match
    client = Client()
    client.force_login(admin_user)
    return client


def test_admin_lists_check_ins(admin_client_with_checkin):
    response = admin_client_with_checkin.get("/admin/registrations/checkin/")

    assert response.status_code == 200
    assert "door-1" in response.content.decode()


def test_admin_undo_action_undoes(admin_client_with_checkin):
    checkin = CheckIn.objects.get()

    response = admin_client_with_checkin.post(
        "/admin/registrations/checkin/", {"action": "undo", "_selected_action": [checkin.pk]}
    )

    checkin.refresh_from_db()
    assert response.status_code == 302
    assert checkin.undone_at is not None


def test_admin_cannot_add_check_ins(admin_client_with_checkin):
    response = admin_client_with_checkin.get("/admin/registrations/checkin/add/")

    assert response.status_code == 403


@pytest.mark.parametrize(("language", "erased_name"), [("en", "an erased account"), ("az", "silinmiş hesab")])
def test_admin_names_the_scanner_as_the_site_does_never_the_raw_username(
    admin_client_with_checkin, staff, language, erased_name
):
    # the admin showed the username, for an erased account its placeholder "erased-<id>"
    from registrations.services.privacy import erase_personal_data

    checkin = CheckIn.objects.get()
    headers = {"accept-language": language}

    listed = admin_client_with_checkin.get("/admin/registrations/checkin/", headers=headers).content.decode()
    assert "Aysel Mammadova" in listed and staff.username not in listed

    erase_personal_data(user=staff)
    staff.refresh_from_db()
    listed = admin_client_with_checkin.get("/admin/registrations/checkin/", headers=headers).content.decode()
    shown = admin_client_with_checkin.get(
        f"/admin/registrations/checkin/{checkin.pk}/change/", headers=headers
    ).content.decode()

    assert erased_name in listed and erased_name in shown
    assert staff.username not in listed and staff.username not in shown
