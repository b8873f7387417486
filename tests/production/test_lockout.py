"""Sign-in lockout (django-axes) on every sign-in path: after AXES_FAILURE_LIMIT wrong passwords
for one username from one address, even the right password is refused for a while."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "a long and right passphrase"


@pytest.fixture
def ada():
    user = factories.UserFactory(username="ada", is_staff=True, is_superuser=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def _attempts(send, settings) -> list:
    """AXES_FAILURE_LIMIT wrong passwords (the last one locks the pair out), then the right one."""
    wrong = [send("wrong guess") for _ in range(settings.AXES_FAILURE_LIMIT)]
    return [*wrong, send(PASSWORD)]


def test_site_sign_in_locks_out_after_the_limit(ada, settings):
    client = Client()

    responses = _attempts(
        lambda password: client.post("/accounts/login/", {"username": "ada", "password": password}), settings
    )

    limit = settings.AXES_FAILURE_LIMIT
    assert [r.status_code for r in responses] == [200] * (limit - 1) + [429, 429]  # the form again, then locked
    assert (responses[-1].status_code, int(responses[-1]["Retry-After"]) > 0) == (429, True)
    assert "_auth_user_id" not in client.session


def test_admin_sign_in_locks_out_after_the_limit(ada, settings):
    client = Client()

    responses = _attempts(
        lambda password: client.post("/admin/login/", {"username": "ada", "password": password, "next": "/admin/"}),
        settings,
    )

    assert responses[-1].status_code == 429
    assert client.get("/admin/").status_code == 302  # still signed out


def test_api_token_locks_out_after_the_limit(ada, settings):
    client = APIClient()

    responses = _attempts(
        lambda password: client.post("/api/auth/token/", {"username": "ada", "password": password}), settings
    )

    assert [r.status_code for r in responses] == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429, 429]
    assert (responses[-1].status_code, responses[-1].json()["code"]) == (429, "locked_out")


def test_the_right_password_within_the_limit_signs_in_and_resets(ada, settings):
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/api/auth/token/", {"username": "ada", "password": "wrong guess"})

    first = client.post("/api/auth/token/", {"username": "ada", "password": PASSWORD})
    again = [client.post("/api/auth/token/", {"username": "ada", "password": "x"}) for _ in range(2)]

    assert first.status_code == 200
    assert [r.status_code for r in again] == [400, 400]  # the count started over


def test_another_account_from_the_same_address_is_not_locked(ada, settings):
    other = factories.UserFactory(username="bob")
    other.set_password(PASSWORD)
    other.save()
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/api/auth/token/", {"username": "ada", "password": "wrong guess"})

    response = client.post("/api/auth/token/", {"username": "bob", "password": PASSWORD})

    assert response.status_code == 200


def test_behind_a_proxy_a_stranger_locks_out_only_their_own_address(ada, settings):
    """NUM_PROXIES=1: the client is the last X-Forwarded-For hop, for the lockout as for the rate
    limits. Axes read REMOTE_ADDR, the proxy's for everyone: a stranger's five wrong passwords
    locked the account out for its owner too."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    stranger = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    owner = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    guesses = [
        stranger.post("/accounts/login/", {"username": "ada", "password": "wrong guess"})
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]

    signed_in = owner.post("/accounts/login/", {"username": "ada", "password": PASSWORD})

    assert (guesses[-1].status_code, signed_in.status_code) == (429, 302)


def test_without_a_trusted_proxy_a_made_up_forwarded_address_dodges_no_lockout(ada, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
    responses = [
        Client(HTTP_X_FORWARDED_FOR=f"203.0.113.{number}").post(
            "/api/auth/token/", {"username": "ada", "password": password}
        )
        for number, password in enumerate(["wrong guess"] * settings.AXES_FAILURE_LIMIT + [PASSWORD])
    ]

    assert responses[-1].status_code == 429
