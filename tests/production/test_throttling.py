"""Rate limits where secrets are guessed or seats are rushed: sign-in, management links, registering."""

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from registrations.services.registration import register
from tests import factories


@pytest.fixture
def low_rates(monkeypatch):
    """Three requests a minute for every scope (the test settings lift the limits)."""
    rates = {scope: "3/minute" for scope in ("anon", "user", "register", "token", "login")}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    cache.clear()
    yield
    cache.clear()


def _four_times(send) -> list:
    return [send() for _ in range(4)]


def test_sign_in_is_throttled(db, low_rates):
    factories.UserFactory(username="ada")
    client = APIClient()

    responses = _four_times(lambda: client.post("/api/auth/token/", {"username": "ada", "password": "guess"}))

    assert [r.status_code for r in responses] == [400, 400, 400, 429]
    assert responses[-1].json()["code"] == "throttled"
    assert int(responses[-1]["Retry-After"]) > 0


def test_sign_in_still_works_within_the_limit(db, low_rates):
    user = factories.UserFactory(username="ada")
    user.set_password("a long passphrase")
    user.save()

    response = APIClient().post("/api/auth/token/", {"username": "ada", "password": "a long passphrase"})

    assert response.status_code == 200
    assert len(response.json()["token"]) == 40


def test_made_up_forwarded_for_does_not_reset_the_limit(db, low_rates):
    factories.UserFactory(username="ada")
    client = APIClient()
    statuses = []
    for number in range(4):
        response = client.post(
            "/api/auth/token/", {"username": "ada", "password": "guess"}, HTTP_X_FORWARDED_FOR=f"10.0.0.{number}"
        )
        statuses.append(response.status_code)

    assert statuses[-1] == 429


def test_guessing_management_links_is_throttled(db, low_rates):
    client = APIClient()

    responses = _four_times(lambda: client.get("/api/registrations/manage/guessed-token-abcdefghijkl/"))

    assert [r.status_code for r in responses] == [404, 404, 404, 429]


@pytest.mark.parametrize(
    "path",
    [
        "/registrations/manage/guessed-token-abcdefghijkl/",
        "/registrations/manage/guessed-token-abcdefghijkl/confirmation/",
        "/registrations/manage/guessed-token-abcdefghijkl/cancel/",
        "/speaker/invitation/guessed-token-abcdefghijkl/",
        "/team/accept/guessed-token-abcdefghijkl/",
        "/certificates/verify/guessed-token-abcdefghijkl/",
    ],
)
def test_guessing_links_through_the_pages_is_throttled_like_the_api(db, low_rates, path):
    client = Client()

    responses = _four_times(lambda: client.get(path))

    assert [r.status_code for r in responses][-1] == 429
    assert all(r.status_code != 429 for r in responses[:3])
    assert int(responses[-1]["Retry-After"]) > 0


def test_guessing_personal_data_links_is_throttled(db, low_rates):
    client = APIClient()

    responses = _four_times(lambda: client.get("/api/registrations/manage/guessed-token-abcdefghijkl/data/"))

    assert [r.status_code for r in responses] == [404, 404, 404, 429]


def test_registering_is_throttled(db, low_rates):
    event = factories.EventFactory(capacity=None)
    client = APIClient()
    emails = iter(f"person{n}@example.org" for n in range(4))

    responses = _four_times(
        lambda: client.post(
            f"/api/events/{event.pk}/registrations/",
            {"name": "P", "email": next(emails), "consent_data_processing": True},
            format="json",
        )
    )

    assert [r.status_code for r in responses] == [201, 201, 201, 429]


def test_tokens_are_unguessable(db):
    event = factories.EventFactory(capacity=None)
    registration = register(event=event, name="A", email="a@example.org", consent_data_processing=True)

    # 130 bits in the ticket secret, 192 in the management token
    assert len(registration.ticket_secret) == 26
    assert len(registration.manage_token) >= 32
    assert registration.manage_token != registration.ticket_secret


# --- how limits are counted (events_project.throttles) -------------------------------------


class Scoped:
    throttle_scope = "register"


def _throttle_request(address="10.1.2.3"):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    request = RequestFactory().post("/", REMOTE_ADDR=address)
    request.user = AnonymousUser()
    return request


@pytest.fixture(params=["local memory", "redis"])
def counters(request, monkeypatch, low_rates):
    """The cache the limits count in: the embedded default's, or Redis (production)."""
    from events_project.throttles import CountingRateThrottle

    if request.param == "local memory":
        yield cache
        return
    import os

    redis = pytest.importorskip("redis")
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {url}")
    from django_redis.cache import RedisCache

    counting = RedisCache(url, {"KEY_PREFIX": f"throttle-test-{os.getpid()}"})
    monkeypatch.setattr(CountingRateThrottle, "cache", counting)
    counting.clear()
    yield counting
    counting.clear()


def test_a_rush_on_one_limit_lets_exactly_the_rate_through(counters):
    import threading

    from events_project.throttles import ScopedRateThrottle

    barrier, answers = threading.Barrier(12), []

    def one():
        barrier.wait()
        answers.append(ScopedRateThrottle().allow_request(_throttle_request(), Scoped()))

    threads = [threading.Thread(target=one) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == [False] * 9 + [True] * 3


def test_retry_after_is_what_is_left_of_the_period(counters, monkeypatch):
    import time

    from events_project.throttles import ScopedRateThrottle

    start = time.time()
    clock = iter([start, start + 10, start + 20, start + 45, start + 46])
    monkeypatch.setattr(ScopedRateThrottle, "timer", lambda self: next(clock))
    throttles = [ScopedRateThrottle() for _ in range(4)]

    allowed = [throttle.allow_request(_throttle_request(), Scoped()) for throttle in throttles]

    assert allowed == [True, True, True, False]
    if counters is cache:
        assert throttles[-1].wait() == 15.0  # the period began at the first request and lasts a minute
    else:
        assert 55.0 <= throttles[-1].wait() <= 60.0  # Redis's own clock: the key's time to live
    assert ScopedRateThrottle().allow_request(_throttle_request("10.9.9.9"), Scoped()) is True
    assert throttles[-1].used() == 4


def test_a_period_ends_and_the_count_starts_again(counters, monkeypatch):
    import time

    from events_project.throttles import ScopedRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"register": "1/second"})

    first = [ScopedRateThrottle().allow_request(_throttle_request(), Scoped()) for _ in range(2)]
    time.sleep(1.1)
    later = ScopedRateThrottle().allow_request(_throttle_request(), Scoped())

    assert (first, later) == ([True, False], True)


def test_counters_ignore_what_drfs_own_throttle_left_in_the_cache(counters):
    from events_project.throttles import ScopedRateThrottle

    # DRF's key for the same client held a list of request times before the deploy
    counters.set("throttle_register_10.1.2.3", [1.0, 2.0], 60)

    allowed = [ScopedRateThrottle().allow_request(_throttle_request(), Scoped()) for _ in range(4)]

    assert allowed == [True, True, True, False]
