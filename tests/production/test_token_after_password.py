"""An API token is given for a password: a new password (changed, reset, set by a superuser)
ends it, as Django ends the account's other sessions. A token taken from its owner stopped
working only when the owner found it and deleted it."""

import re

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "the old long passphrase"
NEW = "a brand new passphrase 42"


@pytest.fixture
def nigar():
    user = factories.UserFactory(username="nigar", email="nigar@example.org")
    user.set_password(PASSWORD)
    user.save()
    return user


def _token(username: str, password: str) -> str:
    answer = APIClient().post("/api/auth/token/", {"username": username, "password": password}, format="json")
    assert answer.status_code == 200
    return answer.json()["token"]


def _reads_with(token: str) -> int:
    return APIClient(headers={"Authorization": f"Token {token}"}).get("/api/me/registrations/").status_code


def test_changing_the_password_ends_the_old_token(nigar):
    token = _token("nigar", PASSWORD)
    web = Client()
    web.post("/accounts/login/", {"username": "nigar", "password": PASSWORD})

    changed = web.post(
        "/accounts/password_change/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )

    assert changed.status_code == 302
    assert _reads_with(token) == 401
    assert _reads_with(_token("nigar", NEW)) == 200


def test_resetting_the_password_ends_the_old_token(nigar, client, django_capture_on_commit_callbacks):
    token = _token("nigar", PASSWORD)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password_reset/", {"email": "nigar@example.org"})
    link = re.search(r"http://127\.0\.0\.1:8000(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    choose = client.get(link, follow=True)
    done = client.post(choose.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})

    assert done.status_code == 302
    assert _reads_with(token) == 401


def test_a_new_password_set_in_code_ends_the_token(nigar):
    token = _token("nigar", PASSWORD)

    nigar.set_password(NEW)
    nigar.save()

    assert Token.objects.filter(user=nigar).exists() is False
    assert _reads_with(token) == 401


def test_other_saves_keep_the_token(nigar, settings):
    token = _token("nigar", PASSWORD)

    nigar.first_name = "Nigar"
    nigar.save()
    # signing in again with a password stored by an older hasher rehashes it: not a new password
    nigar.password = make_password(PASSWORD, hasher="md5")
    nigar.save()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher", *settings.PASSWORD_HASHERS]
    again = _token("nigar", PASSWORD)

    assert again == token
    assert _reads_with(token) == 200


def test_the_new_password_page_says_what_becomes_of_the_calendar_links(nigar):
    """A private calendar link is not ended by a new password (a subscription that stops silently
    would cost a speaker their schedule's changes): the page that confirms the password says so, and
    where to make new links if the old password was known to someone else."""
    web = Client()
    web.post("/accounts/login/", {"username": "nigar", "password": PASSWORD})
    created = web.post("/my/calendars/", {"action": "create", "scope": "attendee"})
    assert created.status_code == 302

    done = web.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
        follow=True,
    )

    assert "Your private calendar links keep working." in done.text
    assert 'href="/my/calendars/"' in done.text
    assert nigar.calendar_feeds.filter(revoked_at__isnull=True).count() == 1
