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


def _admin_forms(rf):
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = factories.UserFactory(is_superuser=True, is_staff=True)
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label == "django_q":
            continue  # its admins take no form without a row, and it keeps no address
        yield model, model_admin.get_form(request)()


def test_every_admin_form_edits_an_address_with_the_projects_field(rf, db):
    # the admin's ModelForms built Django's own EmailField: a pasted address was "invalid" there
    from django import forms

    from events_project.fields import KeptEmailField

    checked, lax = 0, []
    for model, form in _admin_forms(rf):
        for name, field in form.fields.items():
            if isinstance(field, forms.EmailField):
                checked += 1
                if not isinstance(field, KeptEmailField):
                    lax.append(f"{model._meta.label}.{name}")
    assert checked >= 3
    assert lax == []


def test_the_admin_keeps_a_pasted_address_of_a_registration_as_the_site_does(rf, event):
    from django.contrib import admin

    registration = factories.RegistrationFactory(event=event)
    request = rf.get("/admin/")
    request.user = factories.UserFactory(is_superuser=True, is_staff=True)
    form_class = admin.site._registry[Registration].get_form(request, registration)

    field = form_class().fields["email"]

    # lower-case, as the services store every address (duplicates are found by it)
    assert field.clean(PASTED) == "aysel.aliyeva@example.org"
