"""One rule for the venue's line: the place is not said twice when the address says it already."""

import pytest
from django.utils import translation

from events import ical
from events.regions import address_of, place_of
from tests import factories
from tests.ical.conftest import parse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("address", "city", "region", "expected"),
    [
        # the testers' report: "Innovation Centre, Baku, Nizami street 100, Baku"
        ("Nizami street 100, Baku", "Baku", "baku", "Innovation Centre, Nizami street 100, Baku"),
        ("Nizami street 100, BAKU", "", "baku", "Innovation Centre, Nizami street 100, BAKU"),
        ("Bakı, Nizami küçəsi 100", "Baku", "baku", "Innovation Centre, Bakı, Nizami küçəsi 100"),
        ("M.F. Axundov 5, Şəki", "", "shaki", "Innovation Centre, M.F. Axundov 5, Şəki"),
        # a city of its own in a region: each said once, the other kept
        ("Central square 1, Kish", "Kish", "shaki", "Innovation Centre, Central square 1, Kish, Shaki"),
        ("Central square 1", "Kish", "shaki", "Innovation Centre, Central square 1, Kish, Shaki"),
        # a word only beginning like the place is not the place
        ("Bakuvian street 3", "Baku", "baku", "Innovation Centre, Bakuvian street 3, Baku"),
        ("Nizami street 100", "Baku", "baku", "Innovation Centre, Nizami street 100, Baku"),
        ("Main street 1, Berlin", "Berlin", None, "Innovation Centre, Main street 1, Berlin"),
    ],
)
def test_the_place_is_said_once_after_the_address(address, city, region, expected):
    event = factories.EventFactory(
        venue_name="Innovation Centre",
        venue_address=address,
        city=city,
        region=factories.region(region) if region else None,
    )

    with translation.override("en"):
        assert address_of(event) == expected


def test_pages_and_calendar_files_say_the_baku_address_once(client):
    event = factories.EventFactory(
        venue_name="Innovation Centre", venue_address="Nizami street 100, Baku", city="Baku",
        region=factories.region("baku"),
    )  # fmt: skip

    page = client.get(event.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    calendar = parse(client.get("/calendar/events.ics", HTTP_ACCEPT_LANGUAGE="en"))
    location = str(next(c for c in calendar.walk("VEVENT") if str(c["UID"]) == ical.event_uid(event))["LOCATION"])

    assert location == "Innovation Centre, Nizami street 100, Baku"
    assert "<dd>Innovation Centre<br>Nizami street 100, Baku\n    </dd>" in page
    assert "location=Innovation+Centre%2C+Nizami+street+100%2C+Baku&amp;" in page  # Google Calendar's link
    assert place_of(event) == "Baku"  # a card without the address still says where
    assert ical.location_text(event) == location
