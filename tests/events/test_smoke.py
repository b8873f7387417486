import pytest

pytestmark = pytest.mark.django_db


def test_event_list_is_public_and_paginated(api_client):
    from tests.factories import EventFactory

    EventFactory.create_batch(3)

    response = api_client.get("/api/events/")

    assert response.status_code == 200
    assert response.json()["count"] == 3
