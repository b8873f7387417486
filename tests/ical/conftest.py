import icalendar
import pytest


def parse(response_or_bytes) -> icalendar.Calendar:
    body = getattr(response_or_bytes, "content", response_or_bytes)
    return icalendar.Calendar.from_ical(body)


def unfolded(response_or_bytes) -> bytes:
    """The body with RFC 5545 line folding undone, so that a long URL cannot hide across a fold."""
    body = getattr(response_or_bytes, "content", response_or_bytes)
    return body.replace(b"\r\n ", b"")


def vevents(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    """VEVENTs by UID."""
    return {str(component["UID"]): component for component in calendar.walk("VEVENT")}


@pytest.fixture
def anonymous_client():
    from django.test import Client

    return Client()
