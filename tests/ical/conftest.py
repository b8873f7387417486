import icalendar
import pytest


def parse(response_or_bytes) -> icalendar.Calendar:
    body = getattr(response_or_bytes, "content", response_or_bytes)
    return icalendar.Calendar.from_ical(body)


def vevents(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    """VEVENTs by UID."""
    return {str(component["UID"]): component for component in calendar.walk("VEVENT")}


@pytest.fixture
def anonymous_client():
    from django.test import Client

    return Client()
