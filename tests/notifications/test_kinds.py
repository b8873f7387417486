"""Every kind of message, rendered and sent: content, recipient, attachments."""

import io

import icalendar
import pytest
import zxingcpp
from django.core import mail
from PIL import Image

from notifications import kinds
from notifications.models import OutboxMessage, OutboxStatus
from notifications.services import queue_message
from registrations.models import Invitation
from registrations.services.tickets import ticket_payload
from tests import factories
from tests.notifications.conftest import make_registration


def _send(django_capture_on_commit_callbacks, **kwargs) -> tuple[OutboxMessage, object]:
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_message(**kwargs)
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT, message.last_error
    assert len(mail.outbox) == 1
    return message, mail.outbox[0]


def _attachment(email, filename):
    for name, content, content_type in email.attachments:
        if name == filename:
            return content, content_type
    raise AssertionError(f"{filename} not attached; have {[a[0] for a in email.attachments]}")


def _html(email) -> str:
    (html, mimetype), *_ = email.alternatives
    assert mimetype == "text/html"
    return html


def _calendar(email) -> icalendar.Calendar:
    content, content_type = _attachment(email, "invite.ics")
    if isinstance(content, str):
        content = content.encode()
    return icalendar.Calendar.from_ical(content), content_type


# kind → (subject fragment, body fragment, attachments)
REGISTRANT_KINDS = {
    kinds.REGISTRATION_CONFIRMED: ("is confirmed", "Show the QR code at the door", {"ticket.png", "invite.ics"}),
    kinds.REGISTRATION_PENDING: ("We received your registration", "review every registration", set()),
    kinds.REGISTRATION_APPROVED: ("You are in", "approved your registration", {"ticket.png", "invite.ics"}),
    kinds.REGISTRATION_REJECTED: ("Your registration for", "could not offer you a seat", set()),
    kinds.WAITING_LIST_JOINED: ("waiting list", "position 3", set()),
    kinds.SEAT_OFFERED: ("is free for you", "holding it for you", set()),
    kinds.WAITING_LIST_PROMOTED: ("you have a seat", "moved from the waiting list", {"ticket.png", "invite.ics"}),
    kinds.REGISTRATION_CANCELLED: ("is cancelled", "removes the event from your calendar", {"invite.ics"}),
    kinds.EVENT_CHANGED: ("Changed:", "The details now are", {"invite.ics"}),
    kinds.EVENT_CANCELLED: ("Cancelled:", "is cancelled", {"invite.ics"}),
    kinds.REMINDER: ("Reminder:", "starts tomorrow", set()),
    kinds.FOLLOW_UP_ATTENDED: ("Thank you for joining", "Please tell us how it went", set()),
    kinds.FOLLOW_UP_NO_SHOW: ("We missed you", "Coming up next", set()),
}
CONTEXTS = {
    kinds.WAITING_LIST_JOINED: {"position": 3},
    kinds.REMINDER: {"starts_in": "tomorrow"},
    kinds.FOLLOW_UP_NO_SHOW: {
        "next_events": [
            {
                "title": "Next CV clinic",
                "start": "2026-12-01T14:00:00+00:00",
                "zone": "Asia/Baku",
                "url": "http://x/events/9/",
            }
        ]
    },
}


@pytest.mark.parametrize("kind", list(REGISTRANT_KINDS))
def test_registrant_message_renders_content_recipient_and_attachments(kind, db, django_capture_on_commit_callbacks):
    event = factories.EventFactory(
        title="CV clinic",
        venue_name="Innovation Centre",
        feedback_url="https://forms.example.org/cv",
        resources_url="https://example.org/cv-slides",
    )
    status = kinds.REGISTRATION_STATUS_OF_KIND.get(kind, "confirmed")
    registration = make_registration(event, name="Aysel Mammadova", email="aysel@example.org", status=status)
    subject_part, body_part, attachments = REGISTRANT_KINDS[kind]

    message, email = _send(
        django_capture_on_commit_callbacks,
        kind=kind,
        recipient_email=registration.email,
        recipient_name=registration.name,
        about=registration,
        event=event,
        context=CONTEXTS.get(kind),
    )

    assert email.to == ["Aysel Mammadova <aysel@example.org>"]
    assert subject_part in email.subject
    assert body_part in email.body
    assert "Aysel Mammadova" in email.body
    assert "CV clinic" in _html(email)
    assert {name for name, *_ in email.attachments} == attachments
    assert message.kind == kind
    assert message.about == registration


def test_confirmation_carries_a_qr_ticket_that_decodes_to_the_ticket_payload(
    registration, django_capture_on_commit_callbacks
):
    _, email = _send(
        django_capture_on_commit_callbacks,
        kind=kinds.REGISTRATION_CONFIRMED,
        recipient_email=registration.email,
        recipient_name=registration.name,
        about=registration,
        event=registration.event,
    )

    png, content_type = _attachment(email, "ticket.png")
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)), formats=zxingcpp.BarcodeFormat.QRCode)
    assert content_type == "image/png"
    assert [barcode.text for barcode in decoded] == [ticket_payload(registration)]


@pytest.mark.parametrize(
    ("language", "label"),
    [("en", "See or cancel your registration"), ("az", "Qeydiyyatınıza baxın və ya onu ləğv edin")],
)
def test_confirmation_button_offers_what_the_ticket_page_does(
    registration, django_capture_on_commit_callbacks, client, language, label
):
    """The button said "See, change or cancel your registration": the ticket page it opens shows
    the registration and cancels it, and has nothing to change it with."""
    _, email = _send(
        django_capture_on_commit_callbacks,
        kind=kinds.REGISTRATION_CONFIRMED,
        recipient_email=registration.email,
        recipient_name=registration.name,
        about=registration,
        event=registration.event,
        language=language,
    )
    manage_url = next(line for line in email.body.splitlines() if "/registrations/manage/" in line).split(": ", 1)
    ticket_page = client.get(manage_url[1].removeprefix("http://testserver"))

    assert manage_url[0] == label
    assert ticket_page.status_code == 200
    assert "/cancel/" in ticket_page.text


def test_confirmation_carries_a_calendar_request_for_the_event(registration, django_capture_on_commit_callbacks):
    event = registration.event
    _, email = _send(
        django_capture_on_commit_callbacks,
        kind=kinds.REGISTRATION_CONFIRMED,
        recipient_email=registration.email,
        recipient_name=registration.name,
        about=registration,
        event=event,
    )

    calendar, content_type = _calendar(email)
    (vevent,) = calendar.walk("VEVENT")
    assert "method=REQUEST" in content_type
    assert calendar["METHOD"] == "REQUEST"
    assert vevent.decoded("DTSTART") == event.start
    assert str(vevent["SUMMARY"]) == "CV clinic"
    assert "aysel@example.org" in str(vevent["ATTENDEE"])


def test_event_changed_carries_an_updated_request_with_the_raised_sequence(
    registration, django_capture_on_commit_callbacks
):
    event = registration.event
    event.sequence = 3
    event.save(update_fields=["sequence"])

    _, email = _send(
        django_capture_on_commit_callbacks,
        kind=kinds.EVENT_CHANGED,
        recipient_email=registration.email,
        about=registration,
        event=event,
    )

    calendar, _ = _calendar(email)
    (vevent,) = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "REQUEST"
    assert int(vevent["SEQUENCE"]) == 3


@pytest.mark.parametrize("kind", [kinds.EVENT_CANCELLED, kinds.REGISTRATION_CANCELLED])
def test_cancellation_carries_a_calendar_cancel(kind, registration, django_capture_on_commit_callbacks):
    registration.status = kinds.REGISTRATION_STATUS_OF_KIND.get(kind, registration.status)
    registration.save(update_fields=["status"])
    _, email = _send(
        django_capture_on_commit_callbacks,
        kind=kind,
        recipient_email=registration.email,
        about=registration,
        event=registration.event,
    )

    calendar, content_type = _calendar(email)
    assert "method=CANCEL" in content_type
    assert calendar["METHOD"] == "CANCEL"
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["STATUS"]) == "CANCELLED"


def test_event_changed_twice_is_two_messages(registration, django_capture_on_commit_callbacks):
    event = registration.event
    with django_capture_on_commit_callbacks(execute=True):
        first = queue_message(
            kind=kinds.EVENT_CHANGED, recipient_email=registration.email, about=registration, event=event
        )
        event.sequence += 1
        event.save(update_fields=["sequence"])
        second = queue_message(
            kind=kinds.EVENT_CHANGED, recipient_email=registration.email, about=registration, event=event
        )

    assert first.pk != second.pk
    assert len(mail.outbox) == 2


def test_online_reminder_includes_the_join_url_and_in_person_one_does_not(db, django_capture_on_commit_callbacks):
    webinar = factories.WebinarFactory(title="Careers in data science", join_url="https://zoom.example.org/j/42")
    workshop = factories.EventFactory(title="CV clinic")
    online = make_registration(webinar, email="online@example.org")
    in_person = make_registration(workshop, email="inperson@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        for registration in (online, in_person):
            queue_message(
                kind=kinds.REMINDER, recipient_email=registration.email, about=registration, event=registration.event
            )

    by_recipient = {email.to[0]: email for email in mail.outbox}
    assert "https://zoom.example.org/j/42" in by_recipient["online@example.org"].body
    assert "Join" in by_recipient["online@example.org"].body
    assert "zoom.example.org" not in by_recipient["inperson@example.org"].body


def test_times_are_written_in_the_event_timezone(db, django_capture_on_commit_callbacks):
    import datetime as dt

    start = dt.datetime(2026, 12, 3, 14, 30, tzinfo=dt.UTC)  # 18:30 in Baku, 15:30 in Berlin
    event = factories.EventFactory(title="Roundtable", timezone="Europe/Berlin", start=start)
    registration = make_registration(event, email="berlin@example.org", status="pending")

    _, email = _send(
        django_capture_on_commit_callbacks,
        kind=kinds.REGISTRATION_PENDING,
        recipient_email=registration.email,
        about=registration,
        event=event,
    )

    assert "Thursday 3 December 2026, 15:30–17:30, Berlin time (UTC+1)" in email.body


def test_invitation_to_register_links_the_personal_code(event, django_capture_on_commit_callbacks):
    invitation = Invitation.objects.create(event=event, email="minister@example.org", name="Leyla Aliyeva")

    _, email = _send(
        django_capture_on_commit_callbacks,
        kind=kinds.REGISTRATION_INVITATION,
        recipient_email=invitation.email,
        recipient_name=invitation.name,
        about=invitation,
        event=event,
        context={"invitation_code": invitation.code},
    )

    assert email.subject == "Invitation: CV clinic"
    assert f"/events/{event.pk}/register/?code={invitation.code}" in email.body


@pytest.mark.parametrize(
    ("kind", "context", "subject_part", "body_part"),
    [
        (
            kinds.SPEAKER_INVITATION,
            {"role": "Speaker", "respond_url": "http://testserver/speakers/respond/abc/"},
            "Would you speak at",
            "http://testserver/speakers/respond/abc/",
        ),
        (
            kinds.SPEAKER_INVITATION_REMINDER,
            {"respond_url": "http://testserver/speakers/respond/abc/"},
            "Reminder: would you speak",
            "We have not heard from you yet",
        ),
        (
            kinds.SPEAKER_UNANSWERED_ALERT,
            {"speaker_name": "Dr Rashad Huseynov"},
            "No answer yet from Dr Rashad Huseynov",
            "has not answered the invitation",
        ),
        (
            kinds.MISSED_SESSIONS_ALERT,
            {
                "participant_name": "Nigar Hasanova",
                "missed_count": 2,
                "series_title": "Mentoring circle",
                "missed_sessions": [{"title": "Mentoring circle #3"}, {"title": "Mentoring circle #4"}],
            },
            "Nigar Hasanova missed 2 sessions in a row",
            "Series: Mentoring circle",
        ),
    ],
)
def test_people_messages_render(kind, context, subject_part, body_part, event, django_capture_on_commit_callbacks):
    _, email = _send(
        django_capture_on_commit_callbacks,
        kind=kind,
        recipient_email="person@example.org",
        recipient_name="Kamran Ismayilov",
        event=event,
        dedup_key=f"{kind}:test",
        context=context,
    )

    assert email.to == ["Kamran Ismayilov <person@example.org>"]
    assert subject_part in email.subject
    assert body_part in email.body
    assert email.attachments == []


def test_every_kind_has_its_own_templates():
    from django.template.loader import get_template

    for kind in kinds.ALL_KINDS:
        for part in ("subject.txt", "body.txt"):
            assert get_template(f"notifications/{kind}/{part}")


def test_event_kind_default_replaces_the_general_template(db, django_capture_on_commit_callbacks):
    webinar = factories.WebinarFactory(title="Careers in data science")
    registration = make_registration(webinar, email="w@example.org")

    _, email = _send(
        django_capture_on_commit_callbacks,
        kind=kinds.REMINDER,
        recipient_email=registration.email,
        about=registration,
        event=webinar,
        context={"starts_in": "in one hour"},
    )

    assert email.subject == "Starts in one hour: Careers in data science (online)"
    assert "test your sound" in email.body


def test_organiser_override_replaces_subject_and_body_with_placeholders(
    registration, django_capture_on_commit_callbacks
):
    from notifications.services.templates import set_template_override

    set_template_override(
        event=registration.event,
        kind=kinds.REGISTRATION_CONFIRMED,
        subject="See you at {{ event }}, {{ name }}!",
        body="Dear {{name}},\nbring your CV on {{ start }}.\nManage: {{ manage_url }}\n<script>",
    )

    _, email = _send(
        django_capture_on_commit_callbacks,
        kind=kinds.REGISTRATION_CONFIRMED,
        recipient_email=registration.email,
        recipient_name=registration.name,
        about=registration,
        event=registration.event,
    )

    assert email.subject == "See you at CV clinic, Aysel Mammadova!"
    assert email.body.startswith("Dear Aysel Mammadova,\nbring your CV on ")
    assert f"/registrations/manage/{registration.manage_token}/" in email.body
    assert "&lt;script&gt;" in _html(email)
    assert "<script>" not in _html(email)
    # the ticket still travels with an organiser's own wording
    assert {name for name, *_ in email.attachments} == {"ticket.png", "invite.ics"}


def test_override_with_an_unknown_placeholder_is_refused(event):
    from notifications.exceptions import DomainError
    from notifications.services.templates import set_template_override

    with pytest.raises(DomainError) as error:
        set_template_override(event=event, kind=kinds.REMINDER, subject="Hi {{ registration.user.password }}")

    assert error.value.code == "unknown_placeholder"


def test_unknown_kind_is_refused(registration):
    from notifications.exceptions import OutboxError

    with pytest.raises(OutboxError) as error:
        queue_message(kind="newsletter", recipient_email=registration.email)

    assert error.value.code == "unknown_kind"
    assert not OutboxMessage.objects.exists()


def test_rescheduling_tells_seat_holders_with_an_updated_invitation(event, django_capture_on_commit_callbacks):
    import datetime as dt

    from events.services import update_event
    from registrations.models import RegistrationStatus

    holder = make_registration(event, name="Aysel Mammadova", email="aysel@example.org")
    make_registration(event, email="waiting@example.org", status=RegistrationStatus.WAITLISTED)
    new_start = event.start + dt.timedelta(days=1)

    with django_capture_on_commit_callbacks(execute=True):
        update_event(event=event, start=new_start, end=new_start + dt.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        update_event(event=event, description="A new description.")

    assert [email.to for email in mail.outbox] == [["Aysel Mammadova <aysel@example.org>"]]
    email = mail.outbox[0]
    assert email.subject == "Changed: CV clinic"
    assert "has changed (time)" in email.body
    calendar, _ = _calendar(email)
    (vevent,) = calendar.walk("VEVENT")
    assert vevent.decoded("DTSTART") == new_start
    assert int(vevent["SEQUENCE"]) == 1
    assert OutboxMessage.objects.get(kind=kinds.EVENT_CHANGED).about == holder


def test_outreach_visit_confirmation_speaks_to_a_family(db, django_capture_on_commit_callbacks):
    from events.models import EventKind

    visit = factories.EventFactory(title="Ganja school visit", kind=EventKind.OUTREACH_VISIT, region=factories.region())
    registration = make_registration(visit, name="Ramil Aliyev", email="ramil@example.org", party_size=3)

    _, email = _send(
        django_capture_on_commit_callbacks,
        kind=kinds.REGISTRATION_CONFIRMED,
        recipient_email=registration.email,
        recipient_name=registration.name,
        about=registration,
        event=visit,
    )

    assert email.subject == "Your visit: Ganja school visit is confirmed"
    assert "seats for 3 people at Ganja school visit are confirmed" in email.body
    assert "one code admits your whole group" in email.body
    assert {name for name, *_ in email.attachments} == {"ticket.png", "invite.ics"}


def test_every_message_opens_with_a_capital_after_the_greeting():
    """After "Hello Aysel," the text starts a new sentence: "Your seat at…", not "your seat at…"."""
    from pathlib import Path

    lower = []
    for path in Path("notifications/templates/notifications").rglob("body.*"):
        lines = [line for line in path.read_text().splitlines() if line.strip()]
        for before, line in zip(lines, lines[1:], strict=False):
            text = line.removeprefix("<p>")
            if "Hello" in before and text[:1].islower():
                lower.append(f"{path}: {line[:40]}")

    assert lower == []
