"""Every page and feed URL of the site (outside /api/, which the schema fuzzer covers) answers
bad input with anything but a 5xx.

The URL patterns come from the resolver, so a new page is walked without being listed here.
Each pattern is asked with bad path values (ids past 2^63, zero, NUL, long and odd strings),
then, with real path values, with bad query strings and bad form bodies: huge numbers, dates
in year 1 and 9999, very long and odd text. The number of requests is fixed (no random
generation), a minute or so on two cores.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern
from django.urls.resolvers import RegexPattern, RoutePattern

from events_project.limits import MAX_ID
from tests.production.conftest import build_world, iter_patterns

pytestmark = pytest.mark.django_db

BAD_PATH_VALUES = {
    "id": ["99999999999999999999", str(MAX_ID), "0"],
    "str": ["%00", "x" * 5000, "%E2%80%AE..%2F..%2Fetc", "%F0%9F%90%88"],
    "path": ["99999999999999999999", "%00", "x" * 3000],
}
BAD_VALUES = [
    "99999999999999999999",
    "-1",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59-12:00",
    "0001-01-01",
    "9999-12-31T23:59",
    "x" * 5000,
    "ʕ•ᴥ•ʔ\u202e\ufeff<script>",
    "1e400",
    "",
]
# what pages read from query strings and forms, and what filters are called
NAMES = [
    "q", "page", "event", "kind", "format", "language", "region", "city", "date_from", "date_to", "show",
    "code", "series", "status", "field", "role", "upcoming", "scope", "action", "registration", "checkin",
    "answer", "typed", "device", "message", "name", "email", "party_size", "sector", "organisation", "website",
    "next", "o", "p", "e", "_changelist_filters", "language_code",
]  # fmt: skip


def _converter_kind(converter) -> str:
    name = type(converter).__name__
    return {"IdConverter": "id", "PathConverter": "path", "IntConverter": "id"}.get(name, "str")


def _real_values(world) -> dict:
    return {
        "pk": world.event.pk,
        "event_id": world.event.pk,
        "series_id": world.series.pk,
        "object_id": world.event.pk,
        "token": world.registration.manage_token,
        "uidb64": "MQ",
        "app_label": "events",
    }


def _fill(pattern: URLPattern, route: str, values: dict) -> str:
    if isinstance(pattern.pattern, RoutePattern):
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(values.get(match.group(1), "1")), route)
    else:
        # admin's app lists: the first choice of each named group
        def group(match):
            return values.get(match.group(1)) or match.group(2).split("|")[0]

        path = re.sub(r"\(\?P<(\w+)>([^)]*)\)", group, route).replace("^", "").replace("$", "")
    return "/" + path


def _urls_with_bad_paths(pattern, route, real) -> list[str]:
    converters = getattr(pattern.pattern, "converters", {})
    urls = []
    for name, converter in converters.items():
        for bad in BAD_PATH_VALUES[_converter_kind(converter)]:
            urls.append(_fill(pattern, route, {**real, name: bad}))
    return urls


def _bad_data(index: int) -> dict:
    # every name gets a value, a different one per name and per request
    return {name: BAD_VALUES[(index + position) % len(BAD_VALUES)] for position, name in enumerate(NAMES)}


def _site_patterns():
    for route, pattern in iter_patterns():
        if route.startswith("api/") or not isinstance(pattern.pattern, RoutePattern | RegexPattern):
            continue
        yield route, pattern


def test_every_page_and_feed_answers_bad_input_without_a_server_error():
    world = build_world()
    organiser = world.users["organiser"]
    organiser.is_staff = organiser.is_superuser = True  # every page opens, the admin too
    organiser.save()
    real = _real_values(world)
    failures, asked = [], 0

    def ask(client, method, url, data=None):
        nonlocal asked
        asked += 1
        response = getattr(client, method)(url, data or {})
        if response.status_code >= 500:
            failures.append(f"{method.upper()} {url[:200]} {str(data)[:100] if data else ''} -> {response.status_code}")

    anonymous = Client(raise_request_exception=False)
    signed_in = Client(raise_request_exception=False)
    patterns = list(_site_patterns())
    assert len(patterns) > 30
    for route, pattern in patterns:
        signed_in.force_login(organiser)  # a logout page may have signed the client out
        url = _fill(pattern, route, real)
        for bad_url in _urls_with_bad_paths(pattern, route, real):
            ask(anonymous, "get", bad_url)
            ask(signed_in, "get", bad_url)
        if route.startswith("admin/"):
            ask(signed_in, "get", url, _bad_data(0))  # the admin is Django's: its own pages, one look each
            continue
        for index in range(len(BAD_VALUES)):
            ask(signed_in, "get", url, _bad_data(index))
            ask(signed_in, "post", url, _bad_data(index))
        ask(anonymous, "get", url, _bad_data(0))
        ask(anonymous, "post", url, _bad_data(1))

    assert asked > 1000
    assert failures == []
