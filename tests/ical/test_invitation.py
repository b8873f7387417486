"""Email invitations (iTIP, RFC 5546): METHOD, ORGANIZER, ATTENDEE and a rising SEQUENCE."""

import base64
import datetime as dt

import pytest
import recurring_ical_events

from events import ical, services
from events.ical import invitation_ics
from notifications.services.rendering import build_attachments
from registrations.models import Registration
from tests import factories
from tests.ical.conftest import parse, unfolded

pytestmark = pytest.mark.django_db


def _only_event(body):
    calendar = parse(body)
    (component,) = calendar.walk("VEVENT")
    return calendar, component


def test_request_invitation_has_method_organizer_attendee_and_sequence():
    event = factories.EventFactory(timezone="Europe/Berlin")

    calendar, component = _only_event(
        invitation_ics(event=event, attendee_email="nigar@example.org", attendee_name="Nigar Mammadova")
    )

    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(component["UID"]) == ical.event_uid(event)
    assert str(component["ORGANIZER"]) == "mailto:events@example.org"
    attendee = component["ATTENDEE"]
    assert str(attendee) == "mailto:nigar@example.org"
    assert attendee.params["CN"] == "Nigar Mammadova"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert component["SEQUENCE"] == 0
    assert str(component["STATUS"]) == "CONFIRMED"
    assert component.start == event.start
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Berlin"]
    assert len(recurring_ical_events.of(calendar).at(event.start.astimezone(event.zone).date())) == 1


def test_change_sends_a_request_with_a_higher_sequence():
    event = factories.EventFactory()
    before = _only_event(invitation_ics(event=event, attendee_email="a@example.org", attendee_name="A"))[1]

    event = services.update_event(event=event, start=event.start + dt.timedelta(hours=2),
                                  end=event.end + dt.timedelta(hours=2))  # fmt: skip
    after = _only_event(invitation_ics(event=event, attendee_email="a@example.org", attendee_name="A"))[1]

    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after.start == event.start
    assert str(after["UID"]) == str(before["UID"])


def test_cancel_invitation_has_method_cancel_and_status_cancelled():
    event = services.cancel_event(event=factories.EventFactory(), reason="Storm warning")

    calendar, component = _only_event(
        invitation_ics(event=event, attendee_email="a@example.org", attendee_name="A", method="CANCEL")
    )

    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(component["STATUS"]) == "CANCELLED"
    assert component["SEQUENCE"] == event.sequence == 1
    assert str(component["ATTENDEE"]) == "mailto:a@example.org"


def test_invitation_has_join_url_only_for_a_confirmed_attendee():
    webinar = factories.WebinarFactory(join_url="https://zoom.example.org/j/77", seats_taken=1)
    confirmed = Registration.objects.create(event=webinar, name="B", email="b@example.org", status="confirmed",
                                            seats_held=1, consent_data_processing=True)  # fmt: skip
    pending = Registration.objects.create(event=webinar, name="C", email="c@example.org", status="pending",
                                          consent_data_processing=True)  # fmt: skip

    def invitation_for(registration):
        attachments = build_attachments(
            kind="event_changed", recipient_email=registration.email, recipient_name="", about=registration,
            event=webinar,
        )  # fmt: skip
        return [base64.b64decode(a["content"]) for a in attachments if a["filename"] == "invite.ics"]

    (ics,) = invitation_for(confirmed)
    assert b"zoom.example.org/j/77" in unfolded(ics)
    # someone who holds no place gets no calendar entry that says she takes part
    assert invitation_for(pending) == []


def test_invitation_rejects_unknown_method():
    with pytest.raises(ValueError):
        invitation_ics(event=factories.EventFactory(), attendee_email="a@example.org", method="PUBLISH")


def test_the_confirmations_invitation_names_the_speakers_as_the_public_ics_does(
    client, django_capture_on_commit_callbacks
):
    from django.core import mail  # noqa: PLC0415

    from notifications import kinds  # noqa: PLC0415
    from notifications.services import queue_message  # noqa: PLC0415

    event = factories.EventFactory(title="Robotics day")
    speaker = factories.SpeakerFactory(name="Dr Rashad Huseynov", title="Roboticist")
    factories.SpeakerAssignmentFactory(event=event, speaker=speaker, role="keynote", status="accepted")
    registration = factories.RegistrationFactory(event=event, email="leyla@example.org")
    public = parse(client.get(f"/api/events/{event.pk}/ics/").content)
    (public_event,) = public.walk("VEVENT")

    with django_capture_on_commit_callbacks(execute=True):
        queue_message(
            kind=kinds.REGISTRATION_CONFIRMED,
            recipient_email=registration.email,
            recipient_name=registration.name,
            about=registration,
            event=event,
        )

    (email,) = mail.outbox
    (attached,) = [content for name, content, _type in email.attachments if name == "invite.ics"]
    (vevent,) = parse(attached).walk("VEVENT")
    speakers_line = "Speakers: Dr Rashad Huseynov, Roboticist (keynote)"
    assert speakers_line in str(public_event["DESCRIPTION"]).splitlines()
    assert speakers_line in str(vevent["DESCRIPTION"]).splitlines()
