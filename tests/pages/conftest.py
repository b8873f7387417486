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
        self.ids, self.described_by, self.tags, self.summary_links = set(), [], {}, []
        self._in_summary = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
            self.tags[attributes["id"]] = tag
        self.described_by += (attributes.get("aria-describedby") or "").split()
        if "data-error-summary" in attributes:
            self._in_summary = True
        elif self._in_summary and tag == "a" and (attributes.get("href") or "").startswith("#"):
            self.summary_links.append(attributes["href"][1:])


def descriptions(html: str) -> tuple[list[str], list[str]]:
    """The ids a page's aria-describedby attributes name, and those of them no element has (a
    screen reader then reads a field without its error or help)."""
    page = _References(html)
    return page.described_by, [reference for reference in page.described_by if reference not in page.ids]


def unread_descriptions(html: str) -> list[str]:
    """Help texts and error lists (ids ending _helptext, _error) that no aria-describedby names:
    a screen reader never reads them with their field."""
    page = _References(html)
    return sorted(
        identifier
        for identifier in page.ids
        if identifier.endswith(("_helptext", "_error")) and identifier not in page.described_by
    )


def summary_targets_not_focusable(html: str) -> list[str]:
    """The error summary's links whose target is missing or cannot take focus (a fieldset, a
    paragraph): following one leaves the keyboard where it was."""
    page = _References(html)
    return [target for target in page.summary_links if page.tags.get(target) not in ("input", "select", "textarea")]


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
