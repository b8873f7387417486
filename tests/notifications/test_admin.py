"""The notifications admin (superusers): organisers' wording is checked as the API checks it."""

import pytest

from notifications import kinds
from notifications.models import MessageTemplateOverride
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_override_with_an_unknown_placeholder_is_refused_in_the_admin(admin_client):
    event = factories.EventFactory()

    response = admin_client.post(
        "/admin/notifications/messagetemplateoverride/add/",
        {"event": event.pk, "kind": kinds.REMINDER, "subject": "Soon: {{ event }}", "body": "Hello {{ nme }},"},
    )

    # a misspelt placeholder would be sent as nothing ("Hello ,"): refused, as by the API
    assert response.status_code == 200
    assert "Unknown placeholder(s): nme." in response.content.decode()
    assert not MessageTemplateOverride.objects.exists()


def test_an_override_with_known_placeholders_is_saved_in_the_admin(admin_client):
    event = factories.EventFactory()

    response = admin_client.post(
        "/admin/notifications/messagetemplateoverride/add/",
        {"event": event.pk, "kind": kinds.REMINDER, "subject": "Soon: {{ event }}", "body": "Hello {{ name }},"},
    )

    assert response.status_code == 302
    assert MessageTemplateOverride.objects.get().body == "Hello {{ name }},"


def test_an_override_with_a_subject_of_two_lines_is_refused_in_the_admin(admin_client):
    event = factories.EventFactory()

    response = admin_client.post(
        "/admin/notifications/messagetemplateoverride/add/",
        {"event": event.pk, "kind": kinds.REMINDER, "subject": "Soon\r\nagain", "body": ""},
    )

    assert response.status_code == 200
    assert "The subject is one line: remove its line breaks." in response.content.decode()
    assert not MessageTemplateOverride.objects.exists()
