"""A button on a row of a list that comes a page at a time comes back to the page that holds
the row, with the search and filters kept (``events.workspace.back_to_listed_row``): the way back
left the page out, and a row on page 2 came back to page 1, where it is not, with no word. A row
the filters no longer show is said to be gone, at the list's count, on the page the person was on."""

import html
import re

import pytest

from notifications.models import OutboxMessage
from registrations.manage_pages import PER_PAGE
from tests import factories
from tests.manage.test_row_anchors import assert_said_at

pytestmark = pytest.mark.django_db


def back_of(page) -> str:
    """The way back a row's form on ``page`` carries (its hidden ``back`` field)."""
    return html.unescape(
        re.search(r'<input type="hidden" name="back" value="([^"]*)"><button', page.content.decode())[1]
    )


@pytest.fixture
def crowded(organiser):
    """An event with more pending registrations than a page holds."""
    event = factories.EventFactory(organisers=[organiser], registration_mode="approval")
    people = [
        factories.RegistrationFactory(event=event, status="pending", name=f"Person {index:03}")
        for index in range(PER_PAGE + 5)
    ]
    return event, people


def test_a_row_on_page_two_comes_back_to_page_two_at_the_row(organiser_web, crowded):
    event, _ = crowded
    url = f"/manage/events/{event.pk}/registrations/"
    second = organiser_web.get(url, {"page": 2})
    row = second.context["page"].object_list[0]

    response = organiser_web.post(
        f"{url}?page=2", {"action": "resend", "registration": row.pk, "back": back_of(second)}
    )
    # a pending registration has no ticket to send: refused, the row stays where it was
    landed = organiser_web.get(response["Location"].partition("#")[0])

    assert back_of(second) == "page=2"
    assert response["Location"] == f"{url}?page=2#registration-{row.pk}"
    assert_said_at(landed.content.decode(), f"registration-{row.pk}")


def test_a_row_that_moves_to_another_page_comes_back_on_that_page(organiser_web, crowded):
    event, people = crowded
    url = f"/manage/events/{event.pk}/registrations/"
    searched = organiser_web.get(url, {"q": "Person"})
    last = people[-1]  # on page 2 while it waits for approval

    response = organiser_web.post(url, {"action": "approve", "registration": last.pk, "back": back_of(searched)})
    path, _, fragment = response["Location"].partition("#")
    landed = organiser_web.get(path)

    assert fragment == f"registration-{last.pk}"
    assert last.pk in [row.pk for row in landed.context["page"].object_list]
    assert "q=Person" in path
    assert_said_at(landed.content.decode(), fragment)


def test_a_row_the_filter_no_longer_shows_is_said_to_be_gone_on_the_same_page(organiser_web, crowded):
    event, people = crowded
    url = f"/manage/events/{event.pk}/registrations/"
    pending = organiser_web.get(url, {"status": "pending", "page": 2})
    row = pending.context["page"].object_list[0]

    response = organiser_web.post(url, {"action": "approve", "registration": row.pk, "back": back_of(pending)})
    landed = organiser_web.get(response["Location"].partition("#")[0]).content.decode()

    assert response["Location"] == f"{url}?status=pending&page=2#listed"
    assert f"{row.name} is no longer listed: not among those this search and these filters show." in landed
    assert f"{row.name} is approved and has their ticket." in landed
    assert_said_at(landed, "listed")


def test_send_again_on_the_second_page_of_the_outbox_comes_back_there(organiser, organiser_web):
    event = factories.EventFactory(organisers=[organiser])
    for _ in range(55):
        factories.OutboxMessageFactory(event=event, status=OutboxMessage.Status.FAILED)
    second = organiser_web.get("/manage/outbox/", {"page": 2})
    row = second.context["page"].object_list[0]

    response = organiser_web.post("/manage/outbox/", {"message": row.pk, "back": back_of(second)})
    landed = organiser_web.get(response["Location"].partition("#")[0]).content.decode()

    assert response["Location"] == f"/manage/outbox/?page=2#message-{row.pk}"
    assert_said_at(landed, f"message-{row.pk}")
