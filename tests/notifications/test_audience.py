"""Who may see what in a message: the join link and a calendar acceptance only for people who
hold a place (confirmed registrants, accepted speakers), whatever the kind."""

import base64

import icalendar
import pytest
from django.core import mail

from notifications import kinds
from notifications.audience import ACCEPTED_SPEAKER, ATTENDEE, INVITED_SPEAKER, REGISTRANT, audience_of
from notifications.services import queue_message
from notifications.services.rendering import render
from registrations.models import RegistrationStatus
from speakers.services import tell_speakers_event_changed
from tests import factories
from tests.notifications.conftest import make_registration

JOIN = "https://zoom.example.org/j/98765?pwd=SECRET"


@pytest.fixture
def webinar(db):
    return factories.WebinarFactory(title="Careers in data science", join_url=JOIN)


def _sent(callbacks, **kwargs):
    mail.outbox = []
    with callbacks(execute=True):
        queue_message(**kwargs)
    assert len(mail.outbox) == 1
    return mail.outbox[0]


def _everything(email) -> str:
    parts = [email.subject, email.body]
    parts += [part.decode() if isinstance(part, bytes) else part for part, _ in email.alternatives]
    for name, content, _type in email.attachments:
        if name.endswith(".ics"):
            parts.append(content.decode() if isinstance(content, bytes) else content)
    return "\n".join(parts)


REGISTRANT_KINDS = [
    kinds.REGISTRATION_CONFIRMED,
    kinds.REGISTRATION_PENDING,
    kinds.REGISTRATION_APPROVED,
    kinds.REGISTRATION_REJECTED,
    kinds.WAITING_LIST_JOINED,
    kinds.SEAT_OFFERED,
    kinds.WAITING_LIST_PROMOTED,
    kinds.REGISTRATION_CANCELLED,
    kinds.EVENT_CHANGED,
    kinds.EVENT_CANCELLED,
    kinds.REMINDER,
    kinds.FOLLOW_UP_ATTENDED,
    kinds.FOLLOW_UP_NO_SHOW,
]
MAY_JOIN_KINDS = {
    kinds.REGISTRATION_CONFIRMED,
    kinds.REGISTRATION_APPROVED,
    kinds.WAITING_LIST_PROMOTED,
    kinds.EVENT_CHANGED,
    kinds.REMINDER,
}


def _rendered_text(rendered) -> str:
    parts = [rendered.subject, rendered.body_text, rendered.body_html]
    parts += [base64.b64decode(a["content"]).decode() for a in rendered.attachments if a["filename"].endswith(".ics")]
    return "\n".join(parts)


@pytest.mark.parametrize("status", list(RegistrationStatus.values))
@pytest.mark.parametrize("kind", REGISTRANT_KINDS)
def test_join_link_reaches_a_registrant_only_when_confirmed(kind, status, webinar):
    registration = make_registration(webinar, name="Nigar Aliyeva", email="nigar@example.org", status=status)

    # rendered directly: the outbox would not even send most of these (a kind that no longer
    # matches the registration's state is cancelled), the renderer must still be safe
    rendered = render(
        kind=kind,
        recipient_email=registration.email,
        recipient_name=registration.name,
        about=registration,
        event=webinar,
        context={"position": 2, "starts_in": "tomorrow", "join_url": JOIN},
    )

    allowed = status == RegistrationStatus.CONFIRMED and kind in MAY_JOIN_KINDS
    assert ("SECRET" in _rendered_text(rendered)) == allowed
    assert audience_of(kind=kind, about=registration).role == (
        ATTENDEE if status == RegistrationStatus.CONFIRMED else REGISTRANT
    )


def test_join_link_reaches_a_confirmed_attendee_through_the_outbox(webinar, django_capture_on_commit_callbacks):
    registration = make_registration(webinar, name="Nigar Aliyeva", email="nigar@example.org")

    email = _sent(
        django_capture_on_commit_callbacks,
        kind=kinds.REGISTRATION_CONFIRMED,
        recipient_email=registration.email,
        recipient_name=registration.name,
        about=registration,
        event=webinar,
    )

    assert "SECRET" in email.body


@pytest.mark.parametrize(
    ("status", "role", "sees_join", "partstat"),
    [
        ("invited", INVITED_SPEAKER, False, None),
        ("accepted", ACCEPTED_SPEAKER, True, "ACCEPTED"),
    ],
)
def test_event_change_tells_speakers_only_what_their_answer_allows(
    status, role, sees_join, partstat, webinar, django_capture_on_commit_callbacks
):
    assignment = factories.SpeakerAssignmentFactory(event=webinar, status=status)
    webinar.sequence += 1
    webinar.save()
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        tell_speakers_event_changed(event=webinar, changed_fields={"start"})

    (email,) = mail.outbox
    assert audience_of(kind=kinds.EVENT_CHANGED, about=assignment).role == role
    assert ("SECRET" in _everything(email)) == sees_join
    invites = [content for name, content, _ in email.attachments if name.endswith(".ics")]
    if partstat is None:
        # she has not said yes: no calendar entry that would record an acceptance
        assert invites == []
    else:
        (ics,) = invites
        (vevent,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
        assert vevent["ATTENDEE"].params["PARTSTAT"] == partstat
