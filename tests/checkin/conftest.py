"""Fixtures for the door: an event, its check-in staff, and confirmed tickets."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from events import services as event_services
from registrations.models import Registration, RegistrationStatus
from registrations.services import tickets
from tests import factories


def make_registration(event, *, status=RegistrationStatus.CONFIRMED, name=None, email=None, party_size=1):
    """A registration in a given state, written directly: the door only reads them."""
    count = Registration.objects.count()
    return Registration.objects.create(
        event=event,
        name=name or f"Attendee {count}",
        email=email or f"attendee{count}@example.org",
        status=status,
        party_size=party_size,
        seats_held=party_size if status == RegistrationStatus.CONFIRMED else 0,
        consent_data_processing=True,
    )


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def happening_now(**fields):
    """An event under way: the door works on the day (offline scans are dated around it)."""
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    return factories.EventFactory(start=start, end=start + dt.timedelta(hours=3), **fields)


@pytest.fixture
def event(organiser):
    return happening_now(organisers=[organiser])


@pytest.fixture
def staff(event):
    user = factories.UserFactory(first_name="Aysel", last_name="Mammadova")
    event.checkin_staff.add(user)
    return user


@pytest.fixture
def staff_client(staff):
    return client_for(staff)


@pytest.fixture
def ticket(event):
    return make_registration(event, name="Leyla Aliyeva", email="leyla@example.org")


def scan_url(event) -> str:
    return f"/api/events/{event.pk}/checkin/"


def series_under_way(organiser, *, sessions: int):
    """A published weekly in-person series of ``sessions`` whose first session is under way (its
    door open): the series and its sessions in order. The series' and drafts' door tests share it."""
    series = event_services.create_series(
        by=organiser,
        title="Mentoring circle",
        kind="mentoring_session",
        format="in_person",
        venue_name="Baku Engineering Hub",
        timezone="Asia/Baku",
        rrule=f"FREQ=WEEKLY;COUNT={sessions}",
        first_start=(timezone.now() - dt.timedelta(hours=1)).replace(microsecond=0),
        duration_minutes=180,
        published=True,
    )
    return series, list(series.occurrences.order_by("start"))


def scan_a_new_ticket(user, event):
    """``user`` scans the ticket of someone just registered for ``event``."""
    registration = make_registration(event)
    return client_for(user).post(scan_url(event), {"secret": tickets.ticket_payload(registration), "device": "d"})
