"""Every kind of message, for every recipient role it has, in both languages, sent through the
outbox and read back as a mail client would: content fit for that recipient (no join link to
those who may not have it), language of subject and body, headers, MIME structure, and links
that are absolute and open a page."""

import re
from email import message_from_bytes, policy

import pytest
from django.conf import settings
from django.core import mail

from notifications import kinds
from notifications.audience import HOLDS_A_PLACE
from notifications.services import queue_message
from notifications.services.outbox import FAN_OUT_KINDS
from tests import factories
from tests.notifications.conftest import make_registration

JOIN = "https://zoom.example.org/j/4242?pwd=SECRET"
GREETING = {"en": "Hello", "az": "Salam"}


def _registration(status):
    def build(event, language):
        registration = make_registration(
            event, name="Aysel Məmmədova", email="aysel@example.org", status=status, language=language
        )
        return {"about": registration, "recipient_email": registration.email, "recipient_name": registration.name}

    return build


def _speaker(status, *, to_organiser=False):
    def build(event, language):
        assignment = factories.SpeakerAssignmentFactory(
            event=event, status=status, speaker__name="Leyla Əliyeva", speaker__email="leyla@example.org"
        )
        recipient = ("organiser@example.org", "Kamran") if to_organiser else ("leyla@example.org", "Leyla Əliyeva")
        return {
            "about": assignment,
            "recipient_email": recipient[0],
            "recipient_name": recipient[1],
            "language": language,
            "context": {
                "speaker_name": "Leyla Əliyeva",
                "respond_url": f"{settings.SITE_URL}{event.get_absolute_url()}",
                "response_deadline": event.start.isoformat(),
                "invited_at": event.start.isoformat(),
                "accepted": True,
            },
        }

    return build


def _mentor(event, language):
    enrolment = factories.EnrolmentFactory(name="Nigar Həsənova", email="nigar@example.org")
    return {
        "about": enrolment,
        "recipient_email": "mentor@example.org",
        "recipient_name": "Mentor",
        "language": language,
        "context": {
            "participant_name": "Nigar Həsənova",
            "participant_email": "nigar@example.org",
            "missed_count": 2,
            "missed_sessions": [{"title": "Circle", "start": event.start.isoformat(), "zone": "Asia/Baku"}] * 2,
            "attendance_rate": 80.0,
        },
    }


def _participant(event, language):
    enrolment = factories.EnrolmentFactory(name="Nigar Həsənova", email="nigar@example.org")
    return {
        "about": enrolment,
        "recipient_email": enrolment.email,
        "recipient_name": enrolment.name,
        "language": language,
        "context": {
            "cohort_name": "Cohort A",
            "programme_title": "Mentoring",
            "cancelled_places": [{"title": "Circle", "start": event.start.isoformat(), "zone": "Asia/Baku"}],
            "left_waiting_lists": [],
        },
    }


def _enrolled(event, language):
    enrolment = factories.EnrolmentFactory(name="Nigar Həsənova", email="nigar@example.org")
    session = {"title": "Circle", "start": event.start.isoformat(), "zone": "Asia/Baku"}
    return {
        "about": enrolment,
        "recipient_email": enrolment.email,
        "recipient_name": enrolment.name,
        "language": language,
        "context": {
            "cohort_name": "Cohort A",
            "programme_title": "Mentoring",
            "booked_places": [session],
            "waiting_lists": [session],
            "tickets_url": f"{settings.SITE_URL}/tickets/recover/",
        },
    }


def _invitee(event, language):
    invitation = factories.InvitationFactory(event=event, email="guest@example.org", name="Guest")
    return {
        "about": invitation,
        "recipient_email": invitation.email,
        "recipient_name": invitation.name,
        "language": language,
        "context": {"invitation_code": invitation.code},
    }


def _person(context):
    def build(event, language):
        return {"recipient_email": "someone@example.org", "language": language, "context": context(event)}

    return build


CASES = {
    kinds.REGISTRATION_CONFIRMED: [("attendee", _registration("confirmed"))],
    kinds.REGISTRATION_PENDING: [("registrant", _registration("pending"))],
    kinds.REGISTRATION_APPROVED: [("attendee", _registration("confirmed"))],
    kinds.REGISTRATION_REJECTED: [("registrant", _registration("rejected"))],
    kinds.WAITING_LIST_JOINED: [("registrant", _registration("waitlisted"))],
    kinds.SEAT_OFFERED: [("registrant", _registration("offered"))],
    kinds.WAITING_LIST_PROMOTED: [("attendee", _registration("confirmed"))],
    kinds.REGISTRATION_CANCELLED: [("registrant", _registration("cancelled"))],
    kinds.REGISTRATION_INVITATION: [("invitee", _invitee)],
    kinds.EVENT_CHANGED: [
        ("attendee", _registration("confirmed")),
        ("registrant", _registration("offered")),
        ("accepted_speaker", _speaker("accepted")),
        ("invited_speaker", _speaker("invited")),
    ],
    kinds.EVENT_CANCELLED: [("attendee", _registration("confirmed")), ("invited_speaker", _speaker("invited"))],
    kinds.SPEAKER_INVITATION: [("invited_speaker", _speaker("invited"))],
    kinds.SPEAKER_INVITATION_REMINDER: [("invited_speaker", _speaker("invited"))],
    kinds.SPEAKER_UNANSWERED_ALERT: [("organiser", _speaker("invited", to_organiser=True))],
    kinds.SPEAKER_ANSWERED: [("organiser", _speaker("accepted", to_organiser=True))],
    kinds.REMINDER: [("attendee", _registration("confirmed"))],
    kinds.FOLLOW_UP_ATTENDED: [("attendee", _registration("confirmed"))],
    kinds.FOLLOW_UP_NO_SHOW: [("attendee", _registration("confirmed"))],
    kinds.ATTENDANCE_CORRECTED: [("attendee", _registration("confirmed"))],
    kinds.MISSED_SESSIONS_ALERT: [("mentor", _mentor)],
    kinds.TICKET_LINKS: [("person", _person(lambda event: {"registrations": []}))],
    kinds.TEAM_INVITATION: [
        ("person", _person(lambda event: {"accept_url": f"{settings.SITE_URL}/", "role": "checkin", "inviter": "K"}))
    ],
    kinds.ORGANISER_MESSAGE: [("attendee", _registration("confirmed"))],
    kinds.COHORT_LEFT: [("participant", _participant)],
    kinds.COHORT_ENROLLED: [("participant", _enrolled)],
    kinds.CERTIFICATE_LINK: [("person", _person(lambda event: {"certificate_url": f"{settings.SITE_URL}/events/"}))],
    kinds.SPEAKER_ACCOUNT_LINK: [("person", _person(lambda event: {"link_url": f"{settings.SITE_URL}/events/"}))],
    kinds.PASSWORD_RESET: [
        ("person", _person(lambda event: {"reset_url": f"{settings.SITE_URL}/accounts/reset/x/y/", "username": "u"}))
    ],
    kinds.EXPORT_READY: [
        (
            "person",
            _person(
                lambda event: {
                    "rows": 3,
                    "event_title": event.title,
                    "dashboard_url": f"{settings.SITE_URL}/manage/dashboard/#recent-exports",
                }
            ),
        )
    ],
    kinds.CERTIFICATE_ISSUED: [
        (
            "person",
            _person(lambda event: {"programme_title": "Mentoring", "certificate_url": f"{settings.SITE_URL}/events/"}),
        )
    ],
}

PARAMS = [
    pytest.param(kind, role, build, language, id=f"{kind}-{role}-{language}")
    for kind, cases in CASES.items()
    for role, build in cases
    for language in ("en", "az")
]


def test_every_kind_is_covered():
    assert set(CASES) == set(kinds.ALL_KINDS)


@pytest.mark.parametrize(("kind", "role", "build", "language"), PARAMS)
def test_message_for_recipient(kind, role, build, language, client, db, django_capture_on_commit_callbacks):
    event = factories.WebinarFactory(title="Robototexnika", join_url=JOIN, format="hybrid", venue_name="Mərkəz")
    event.organisers.add(factories.OrganiserFactory(email="organiser@example.org"))
    spec = build(event, language)
    context = {"position": 2, "offset_minutes": 60, "subject": "Xəbər", "message": "Mətn", **spec.pop("context", {})}
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        queue_message(kind=kind, event=event, context=context, **spec)

    (email,) = mail.outbox
    raw = email.message().as_bytes()
    parsed = message_from_bytes(raw, policy=policy.default)
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()

    # language
    assert parsed["Content-Language"] == language
    assert f'<html lang="{language}"' in html
    assert GREETING[language] in text
    # headers
    assert parsed["Subject"] == email.subject
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["Reply-To"] == "organiser@example.org"
    assert re.fullmatch(r"<[0-9a-f]{32}@example\.org>", parsed["Message-ID"])
    assert ("List-Unsubscribe" in parsed) == (kind in FAN_OUT_KINDS)
    # content fit for the recipient: the join link only to those who hold a place
    everything = raw.decode("utf-8", "replace")
    if role not in HOLDS_A_PLACE:
        assert "SECRET" not in everything
    # MIME: text and HTML alternatives; a calendar part as clients expect
    for part in parsed.walk():
        if part.get_content_type() == "text/calendar":
            assert part.get_param("method") in ("REQUEST", "CANCEL")
            assert part["Content-Type"].lower().count("charset") == 1
    # look: one button at least 44 px high, viewport and color-scheme, footer
    assert 'name="viewport"' in html and 'name="color-scheme"' in html
    assert "events@example.org" in text
    # links: absolute, and the site's own ones open a page
    for link in set(re.findall(r'href="([^"]+)"', html)):
        assert link.startswith(("http://", "https://", "mailto:")), link
        if link.startswith(settings.SITE_URL):
            path = link[len(settings.SITE_URL) :] or "/"
            assert client.get(path).status_code in (200, 302), link
