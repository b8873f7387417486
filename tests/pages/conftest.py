import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from registrations.services.registration import register
from tests import factories

PAGE_BUDGET = 200 * 1024
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"')


class _References(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.ids, self.described_by = set(), []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        self.described_by += (attributes.get("aria-describedby") or "").split()


def descriptions(html: str) -> tuple[list[str], list[str]]:
    """The ids a page's aria-describedby attributes name, and those of them no element has (a
    screen reader then reads a field without its error or help)."""
    page = _References(html)
    return page.described_by, [reference for reference in page.described_by if reference not in page.ids]


def first_load_bytes(response) -> int:
    """The page plus the styles and scripts it loads at once (what a phone downloads first)."""
    html = response.content.decode()
    total = len(response.content)
    for url in set(ASSET.findall(html)):
        path = finders.find(url.removeprefix("/static/"))
        assert path, url
        total += Path(path).stat().st_size
    return total


@pytest.fixture
def first_load():
    return first_load_bytes


@pytest.fixture
def event(db):
    return factories.EventFactory(title="Robotics workshop", capacity=2)


@pytest.fixture
def sign_up():
    def sign_up(event, *, name="Aysel Aliyeva", email="aysel@example.org", **extra):
        return register(event=event, name=name, email=email, consent_data_processing=True, **extra)

    return sign_up


def signed_in(client, user):
    """Log the client in. The shared factories set the password without saving it, and a
    session remembers a hash of the password: save first, or the next request logs out."""
    user.save()
    client.force_login(user)
    return client


@pytest.fixture
def organiser_web(client, organiser):
    return signed_in(client, organiser)
