"""An email address names a mailbox on the internet, one way only.

A domain written in its own letters (bücher.de) and in the ASCII form mail uses (xn--bcher-kva.de)
are one mailbox: the site keeps the ASCII form, so the same person is found, not registered twice.
An address at an IP address ([127.0.0.1]) or at the bare host name "localhost" is no one's
mailbox on the internet: a stranger's registration would make the outbox deliver to the service's
own machine or its private network. Both are refused, at every door, with "invalid_email".
"""

import pytest

from registrations.models import Registration
from tests import factories


@pytest.fixture
def event(db):
    return factories.EventFactory()


def register(api_client, event, email):
    return api_client.post(
        f"/api/events/{event.pk}/registrations/",
        {"name": "Aysel Aliyeva", "email": email, "consent_data_processing": True},
        format="json",
    )


@pytest.mark.parametrize(
    "email",
    ["aysel@[127.0.0.1]", "aysel@[IPv6:::1]", "aysel@localhost", "aysel@LOCALHOST", "aysel@[10.0.0.5]"],
)
def test_the_api_refuses_an_address_at_a_machine(api_client, event, email):
    response = register(api_client, event, email)

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_email"
    assert not Registration.objects.exists()


@pytest.mark.parametrize("email", ["aysel@[127.0.0.1]", "aysel@localhost"])
def test_the_page_refuses_an_address_at_a_machine(client, event, email):
    response = client.post(
        f"/events/{event.pk}/register/",
        {"name": "Aysel Aliyeva", "email": email, "consent_data_processing": "on", "party_size": 1},
    )

    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not Registration.objects.exists()


def test_no_service_checks_an_address_with_djangos_own_validator(request):
    """One rule (events_project.limits.validate_email): Django's own validate_email takes
    [127.0.0.1] and localhost."""
    import pathlib
    import re

    root = pathlib.Path(request.config.rootpath)
    offenders = [
        str(path.relative_to(root))
        for path in root.glob("*/**/*.py")
        if ".venv" not in path.parts
        and "tests" not in path.parts
        and re.search(r"from django\.core\.validators import .*\bvalidate_email\b|\bEmailValidator\(", path.read_text())
        and path.name != "limits.py"
    ]
    assert offenders == []


def test_a_domain_in_its_own_letters_and_in_ascii_is_one_address(api_client, event):
    first = register(api_client, event, "aysel@bücher.de")
    second = register(api_client, event, "Aysel@XN--BCHER-KVA.de")

    assert first.status_code == 201, first.content
    assert second.json()["code"] == "already_registered"
    assert list(Registration.objects.values_list("email", flat=True)) == ["aysel@xn--bcher-kva.de"]


def test_the_page_keeps_a_domain_in_ascii(client, event):
    response = client.post(
        f"/events/{event.pk}/register/",
        {"name": "Aysel Aliyeva", "email": "Aysel@Bücher.de", "consent_data_processing": "on", "party_size": 1},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Registration.objects.get().email == "aysel@xn--bcher-kva.de"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Aysel@Example.org", "aysel@example.org"),
        ("aysel@bücher.de", "aysel@xn--bcher-kva.de"),
        ("aysel@xn--bcher-kva.de", "aysel@xn--bcher-kva.de"),
        ("aysel@BÜCHER.DE", "aysel@xn--bcher-kva.de"),
        # no address at all, or a domain no IDNA encoder takes: left for the validator to refuse
        ("not an address", "not an address"),
        ("a@" + "x" * 70 + ".org", "a@" + "x" * 70 + ".org"),
        ("a@b..c", "a@b..c"),
        ("", ""),
    ],
)
def test_tidy_email_keeps_the_domain_in_ascii(typed, kept):
    from events_project.typed_text import tidy_email

    assert tidy_email(typed) == kept


def test_tidy_email_of_plain_ascii_is_its_full_rule():
    # the rule written out (tidy_email answers plain ASCII at once): every ASCII character, around
    # an address and inside it
    import unicodedata

    from events_project.typed_text import tidy_email, without_invisible

    for code in range(128):
        character = chr(code)
        for typed in (f"{character}Aysel@Example.ORG{character}", f"ay{character}sel@ex{character}ample.org"):
            assert tidy_email(typed) == unicodedata.normalize("NFC", without_invisible(typed).strip().lower())
