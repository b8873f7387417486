"""A small programme with one person in every role, for the permission matrix and the fuzzer.

Roles (the order of the matrix columns): anonymous, attendee, another attendee, speaker,
another speaker, a former speaker (whose account was unlinked from the speaker profile that
spoke at the event), check-in staff of the event, check-in staff of another event of the same
organiser, check-in staff of another organiser's event, organiser of another event, organiser.
"The" objects in URLs belong to the organiser's event, the attendee and the speaker, so the
"another" and "former" roles must be refused.
"""

import datetime as dt
import secrets
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from tests import factories

ROLES = (
    "anonymous",
    "attendee",
    "other_attendee",
    "speaker",
    "other_speaker",
    "former_speaker",
    "staff",
    "staff_sibling",
    "staff_elsewhere",
    "organiser_elsewhere",
    "organiser",
)
# token-shaped strings that belong to nobody
UNKNOWN_TOKEN = "n0body-s-t0ken-" + "x" * 20
UNKNOWN_PK = 987654


@dataclass
class World:
    users: dict
    event: object
    other_event: object
    series: object
    registration: object
    other_registration: object
    checkin: object
    question: object
    invitation: object
    speaker: object
    assignment: object
    unavailability: object
    feed: object
    outbox_message: object
    programme: object = None
    cohort: object = None
    enrolment: object = None
    certificate: object = None
    extra: dict = field(default_factory=dict)

    def client(self, role: str) -> APIClient:
        client = APIClient()
        if self.users.get(role) is not None:
            client.force_authenticate(self.users[role])
        return client


def _register(event, user):
    from registrations.services.registration import register

    return register(event=event, name=user.get_full_name() or user.username, email=user.email, user=user,
                    consent_data_processing=True)  # fmt: skip


def build_world() -> World:
    from feeds.models import CalendarFeed
    from notifications.models import OutboxMessage
    from registrations.models import CheckIn
    from speakers.models import SpeakerUnavailability

    organiser = factories.OrganiserFactory(username="matrix-organiser")
    attendee = factories.UserFactory(username="matrix-attendee", email="ada.attendee@example.org")
    other_attendee = factories.UserFactory(username="matrix-other", email="otto.other@example.org")
    speaker_user = factories.UserFactory(username="matrix-speaker")
    other_speaker_user = factories.UserFactory(username="matrix-other-speaker")
    door_staff = factories.UserFactory(username="matrix-door-staff")
    sibling_staff = factories.UserFactory(username="matrix-sibling-staff")
    staff = factories.UserFactory(username="matrix-staff")
    former_speaker_user = factories.UserFactory(username="matrix-former-speaker")
    other_organiser = factories.OrganiserFactory(username="matrix-other-organiser")

    event = factories.EventFactory(organisers=[organiser], title="Matrix workshop")
    other_event = factories.EventFactory(organisers=[other_organiser], title="Elsewhere visit")
    event.checkin_staff.add(door_staff)
    # the organiser's other event: its door staff are walled off from the world's event all the same
    sibling_event = factories.EventFactory(organisers=[organiser], title="Sibling fair")
    sibling_event.checkin_staff.add(sibling_staff)
    other_event.checkin_staff.add(staff)
    series = factories.SeriesFactory()
    series.organisers.add(organiser)
    # the series' door team: someone at its door, and a link waiting for an answer
    series_door = factories.UserFactory(username="matrix-series-door")
    series.checkin_staff.add(series_door)

    registration = _register(event, attendee)
    other_registration = _register(other_event, other_attendee)
    _register(event, other_attendee)
    checkin = CheckIn.objects.create(
        registration=registration, event=event, checked_in_at=timezone.now(), by=organiser, device="door"
    )
    speaker = factories.SpeakerFactory(user=speaker_user, name="Sara Speaker")
    other_speaker = factories.SpeakerFactory(user=other_speaker_user, name="Omar Other")
    assignment = factories.SpeakerAssignmentFactory(event=event, speaker=speaker, status="accepted")
    factories.SpeakerAssignmentFactory(event=other_event, speaker=other_speaker, status="accepted")
    # spoke at the event with this account, which was then unlinked from the profile
    former = factories.SpeakerFactory(user=former_speaker_user, name="Farida Former")
    factories.SpeakerAssignmentFactory(event=event, speaker=former, status="accepted")
    CalendarFeed.objects.create(scope="speaker", user=former_speaker_user, token=secrets.token_urlsafe(24))
    former.user = None
    former.save(update_fields=["user"])
    start = timezone.now() + dt.timedelta(days=30)
    unavailability = SpeakerUnavailability.objects.create(
        speaker=speaker, start=start, end=start + dt.timedelta(days=1)
    )
    feed = CalendarFeed.objects.create(scope="attendee", user=attendee, token=secrets.token_urlsafe(24))
    world = World(
        users={
            "anonymous": None,
            "attendee": attendee,
            "other_attendee": other_attendee,
            "speaker": speaker_user,
            "other_speaker": other_speaker_user,
            "former_speaker": former_speaker_user,
            "staff": door_staff,
            "staff_sibling": sibling_staff,
            "staff_elsewhere": staff,
            "organiser_elsewhere": other_organiser,
            "organiser": organiser,
        },
        event=event,
        other_event=other_event,
        series=series,
        registration=registration,
        other_registration=other_registration,
        checkin=checkin,
        question=factories.QuestionFactory(event=event),
        invitation=factories.InvitationFactory(event=event),
        speaker=speaker,
        assignment=assignment,
        unavailability=unavailability,
        feed=feed,
        outbox_message=OutboxMessage.objects.filter(recipient_email=attendee.email).first(),
    )
    # a failed message: the one an organiser would send again (a pending one is refused, 409)
    OutboxMessage.objects.filter(pk=getattr(world.outbox_message, "pk", None)).update(status="failed")
    programme = factories.ProgrammeFactory(organisers=[organiser])
    world.programme = programme
    world.cohort = factories.CohortFactory(programme=programme)
    world.enrolment = factories.EnrolmentFactory(cohort=world.cohort, user=attendee, email=attendee.email)
    from teams.services import invite_to_series_door, invite_to_team

    world.extra["series_door"] = series_door
    world.extra["series_invitation"] = invite_to_series_door(series=series, email="door@example.org", by=organiser)
    world.extra["event_invitation"] = invite_to_team(
        event=event, email="door@example.org", role="checkin", by=organiser
    )
    return world


@pytest.fixture
def world(db) -> World:
    return build_world()


# --- the URL patterns ---------------------------------------------------------------------


def iter_patterns(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from iter_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def methods_of(pattern: URLPattern) -> list[str]:
    callback = pattern.callback
    actions = getattr(callback, "actions", None)
    if actions:
        return sorted(method.upper() for method in actions)
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is None:
        return ["GET"]
    return [method.upper() for method in ("get", "post", "put", "patch", "delete") if hasattr(view_class, method)]


def api_endpoints() -> list[tuple[str, str, str]]:
    """(url name, method, route) of every API operation, as the resolver has them."""
    found = []
    for route, pattern in iter_patterns():
        if not route.startswith("api/"):
            continue
        for method in methods_of(pattern):
            found.append((pattern.name, method, route))
    return found
