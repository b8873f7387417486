"""The organiser workspace: who may enter, and that an organiser sees only their own events."""

import pytest

from tests import factories
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_workspace_lists_only_the_organisers_own_events(client, organiser):
    own = factories.EventFactory(organisers=[organiser], title="Our webinar")
    factories.EventFactory(title="Someone else's roundtable")
    signed_in(client, organiser)

    page = client.get("/manage/?show=all")

    assert page.status_code == 200
    assert own.title in page.text
    assert "Someone else&#x27;s roundtable" not in page.text
    assert page["Cache-Control"] == "private, no-store"


def test_workspace_answers_404_for_another_organisers_event(client, organiser):
    other = factories.EventFactory()
    own = factories.EventFactory(organisers=[organiser])
    signed_in(client, organiser)

    assert client.get(f"/manage/events/{own.pk}/").status_code == 200
    assert client.get(f"/manage/events/{other.pk}/").status_code == 404


def test_workspace_refuses_people_who_are_not_organisers(client):
    anonymous = client.get("/manage/")
    signed_in(client, factories.UserFactory())
    attendee = client.get("/manage/")

    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert attendee.status_code == 403
