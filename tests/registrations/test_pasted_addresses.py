"""An email address pasted with an invisible character (a zero-width space from a chat, a
byte-order mark from a document) is the address, at every door: refused as invalid before."""

import pytest
from django.core import mail

from registrations.models import Registration
from tests import factories

PASTED = "\u200bAysel.Aliyeva\u200b@Example.org\ufeff"


@pytest.fixture
def event(db):
    return factories.EventFactory()


def test_the_api_registers_a_pasted_address(api_client, event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            f"/api/events/{event.pk}/registrations/",
            {"name": "Aysel Aliyeva", "email": PASTED, "consent_data_processing": True},
            format="json",
        )

    assert response.status_code == 201, response.content
    assert Registration.objects.get(event=event).email == "aysel.aliyeva@example.org"
    assert mail.outbox[0].to == ["Aysel Aliyeva <aysel.aliyeva@example.org>"]


def test_the_page_registers_a_pasted_address(client, event):
    response = client.post(
        f"/events/{event.pk}/register/",
        {"name": "Aysel Aliyeva", "email": PASTED, "consent_data_processing": "on", "party_size": 1},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Registration.objects.get(event=event).email == "aysel.aliyeva@example.org"


def test_every_declared_email_field_is_the_projects(request):
    """The rule lives in events_project.fields: a form or serializer declaring Django's or DRF's
    own email field would refuse a pasted address again."""
    import pathlib
    import re

    root = pathlib.Path(request.config.rootpath)
    offenders = [
        str(path.relative_to(root))
        for path in root.glob("*/**/*.py")
        if ".venv" not in path.parts
        and "tests" not in path.parts
        and "migrations" not in path.parts
        and path.name != "fields.py"
        and re.search(r"(forms|serializers)\.EmailField\(", path.read_text())
    ]
    assert offenders == []
