"""Fixtures for registering: events in each mode, and a shortcut to register through the service."""

import itertools

import pytest
from rest_framework.test import APIClient

from notifications.models import OutboxMessage
from registrations.services.registration import register
from tests import factories

_people = itertools.count(1)


def sign_up(event, *, email=None, name=None, party_size=1, **extra):
    """Register one person through the real service, with consent given."""
    number = next(_people)
    extra.setdefault("consent_data_processing", True)
    return register(
        event=event,
        name=name or f"Attendee {number}",
        email=email or f"attendee{number}@example.org",
        party_size=party_size,
        **extra,
    )


def messages_to(email, kind=None) -> list[str]:
    """The kinds of message queued for ``email``, oldest first."""
    rows = OutboxMessage.objects.filter(recipient_email=email).order_by("id")
    if kind:
        rows = rows.filter(kind=kind)
    return [row.kind for row in rows]


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def event(organiser):
    return factories.EventFactory(organisers=[organiser], capacity=3)
