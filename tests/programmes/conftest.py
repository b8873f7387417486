"""Fixtures for programmes: a mentoring series in a programme, and recorded attendance."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from events.models import EventKind, EventStatus
from registrations.models import Registration
from tests import factories

_numbers = itertools.count(1)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def record(event, email, attendance="attended", *, status="confirmed", party_size=1, **fields) -> Registration:
    """A registration as it stands after the event: what finalisation or a report left behind."""
    return Registration.objects.create(
        event=event,
        name=fields.pop("name", email.split("@")[0].title()),
        email=email,
        status=status,
        attendance=attendance,
        party_size=party_size,
        seats_held=party_size if status == "confirmed" else 0,
        consent_data_processing=True,
        source=fields.pop("source", "cohort"),
        **fields,
    )


def session(series, start, **fields):
    """One occurrence of ``series`` at ``start`` (aware), published unless told otherwise; like
    one the series makes (``events.services``), it is organised by the series' organisers."""
    fields.setdefault("status", EventStatus.PUBLISHED)
    fields.setdefault("organisers", list(series.organisers.all()))
    return factories.EventFactory(
        title=f"{series.title} #{next(_numbers)}",
        kind=series.kind,
        series=series,
        series_original_start=start,
        start=start,
        end=start + dt.timedelta(minutes=90),
        **fields,
    )


@pytest.fixture
def programme(organiser):
    return factories.ProgrammeFactory(title="STEM mentoring 2026/27", organisers=[organiser])


@pytest.fixture
def mentoring_series(programme):
    series = factories.SeriesFactory(title="Mentoring circle", kind=EventKind.MENTORING_SESSION, published=True)
    series.organisers.set(programme.organisers.all())  # a programme takes only its organisers' series
    programme.series.add(series)
    return series


@pytest.fixture
def cohort(programme, mentoring_series):
    return factories.CohortFactory(programme=programme, series=mentoring_series, name="Mentees 2026")


@pytest.fixture
def mentor():
    user = factories.UserFactory(username="mentor-nigar", email="nigar@example.org")
    return factories.SpeakerFactory(
        name="Nigar Aliyeva", email="nigar.private@example.org", roles=["mentor"], user=user
    )


@pytest.fixture
def past():
    """Start times of past sessions, a fortnight apart, oldest first."""
    first = (timezone.now() - dt.timedelta(days=120)).replace(microsecond=0)
    return [first + dt.timedelta(days=14 * index) for index in range(8)]


@pytest.fixture
def future():
    first = (timezone.now() + dt.timedelta(days=7)).replace(microsecond=0)
    return [first + dt.timedelta(days=14 * index) for index in range(4)]
