"""How a page's messages are announced: a refusal at once (role="alert"), the rest politely
(role="status"), wherever on the page they stand (``messages_at``)."""

import datetime as dt
import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.template.loader import render_to_string
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db


def regions(page: str) -> dict:
    """The messages of each message region of ``page``, by its role."""
    found = re.findall(r'<div role="(alert|status)"><ul class="messages">(.*?)</ul></div>', page)
    return {role: re.findall(r"<li[^>]*>(.*?)</li>", items) for role, items in found}


def test_a_refusal_is_an_alert_and_a_change_done_a_status(client):
    organiser = factories.OrganiserFactory()
    client.force_login(organiser)
    programme = factories.ProgrammeFactory(organisers=[organiser])
    start = timezone.make_aware(dt.datetime.combine(programme.starts_on, dt.time(10)))
    inside = factories.EventFactory(title="Robotics", organisers=[organiser], start=start + dt.timedelta(days=30))
    before = factories.EventFactory(title="Winter school", organisers=[organiser], start=start - dt.timedelta(days=30))
    url = f"/manage/programmes/{programme.pk}/"

    client.post(url, {"action": "add_event", "event": before.pk})
    refused = client.get(url).content.decode()
    client.post(url, {"action": "add_event", "event": inside.pk})
    added = client.get(url).content.decode()

    assert list(regions(refused)) == ["alert"] and regions(refused)["alert"][0].startswith("“Winter school” does not")
    assert regions(added) == {"status": ["“Robotics” is in the programme now."]}


def test_errors_and_warnings_are_alerts_success_and_info_statuses():
    shown = [Message(level, name) for level, name in [(constants.SUCCESS, "saved"), (constants.ERROR, "refused"),
             (constants.INFO, "noted"), (constants.WARNING, "careful")]]  # fmt: skip

    page = render_to_string("_messages.html", {"shown": shown})

    assert regions(page) == {"alert": ["refused", "careful"], "status": ["saved", "noted"]}


def test_a_message_for_a_row_the_page_does_not_draw_is_drawn_at_the_end_not_lost(rf):
    """``events.workspace.back_to_row`` tags a button's messages with the row it comes back to;
    a page without that row (or without a place for them) still says them, after its content."""
    shown = [Message(constants.SUCCESS, "moved", extra_tags="question-9"), Message(constants.INFO, "plain")]

    page = render_to_string("base.html", {"messages": shown}, request=rf.get("/"))

    main = page.split('<main id="main">')[1].split("</main>")[0]
    drawn = re.findall(r'<div role="status"><ul class="messages"><li class="\w+">(\w+)</li>', main)
    assert drawn == ["plain", "moved"]  # the untagged at the top, the row's after the content
