"""The preferences and unsubscribe links: the address signed as Django's signing writes it, so every
link sent before still works, under the same secret and salt."""

import time

import pytest
from django.core import signing

from notifications.exceptions import NotFound
from notifications.services import preferences

ADDRESSES = ["aysel@example.org", "Aysel.Mammadova+news@Example.ORG", "müşfiq@nümunə.az", "a" * 60 + "@example.org"]


@pytest.mark.parametrize("address", ADDRESSES)
def test_a_link_is_what_django_signing_writes_for_the_address(address, monkeypatch):
    monkeypatch.setattr(time, "time", lambda: 1_796_000_000.5)

    token = preferences.preferences_token(address)

    assert token == signing.dumps(preferences.tidy_email(address), salt=preferences.SALT)
    assert preferences.email_of_token(token) == preferences.tidy_email(address)


@pytest.mark.parametrize("address", ADDRESSES)
def test_links_sent_before_still_work(address):
    # made as they were until 2026-11-29: signing.dumps(..., compress=True), which compresses the
    # address when that is shorter (the last one here)
    sent_before = signing.dumps(preferences.tidy_email(address), salt=preferences.SALT, compress=True)

    assert preferences.email_of_token(sent_before) == preferences.tidy_email(address)


def test_a_compressed_link_sent_before_still_works():
    address = "a" * 60 + "@example.org"
    sent_before = signing.dumps(address, salt=preferences.SALT, compress=True)

    assert sent_before.startswith(".")  # compressed
    assert preferences.email_of_token(sent_before) == address


def test_a_link_signed_with_another_salt_or_secret_is_refused(settings):
    address = "aysel@example.org"
    other_salt = signing.dumps(address, salt="notifications.other")
    token = preferences.preferences_token(address)

    with pytest.raises(NotFound):
        preferences.email_of_token(other_salt)
    with pytest.raises(signing.BadSignature):
        signing.loads(token, salt="notifications.other")
    settings.SECRET_KEY = "another secret, another deployment"
    with pytest.raises(NotFound):
        preferences.email_of_token(token)
    # a key rotated out (SECRET_KEY_FALLBACKS) still reads the links it signed
    settings.SECRET_KEY_FALLBACKS = ["another one", "django-insecure-kept-for-old-links"]
    settings.SECRET_KEY = "django-insecure-kept-for-old-links"
    old = preferences.preferences_token(address)
    settings.SECRET_KEY = "the new one"
    assert preferences.email_of_token(old) == address
    assert preferences.email_of_token(preferences.preferences_token(address)) == address


def test_a_tampered_link_is_refused():
    token = preferences.preferences_token("aysel@example.org")
    payload, stamp, signature = token.split(":")
    forged = signing.b64_encode(b'"someone@example.org"').decode()

    with pytest.raises(NotFound):
        preferences.email_of_token(f"{forged}:{stamp}:{signature}")
