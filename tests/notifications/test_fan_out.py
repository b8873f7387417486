"""A fan-out renders its templates once per group and fills in each recipient's own values:
every message must still be exactly what a full render of it says."""

import base64
import datetime as dt
import email
import re

import pytest
from django.core import mail
from django.db.models import prefetch_related_objects
from django.utils import timezone

from notifications import kinds
from notifications.models import MessagePreference, MessageTemplateOverride, OutboxMessage, OutboxStatus
from notifications.services import outbox, preferences, send_outbox_messages
from notifications.services.fan_out import FanOutRenderer
from notifications.services.rendering import _template
from registrations import tasks
from registrations.models import ChangeNotice, Registration
from registrations.services.reminders import queue_due_reminders
from tests import factories
from tests.notifications.conftest import make_registration
from tests.notifications.mail_backends import RefusingBackend

# a month ahead of the real clock, 14:00 UTC (18:00 in Baku): sending refuses a reminder for an event that
# has started, so a fixed date here would fail every test once that date had passed
START = (timezone.now() + dt.timedelta(days=30)).replace(hour=14, minute=0, second=0, microsecond=0)
DAY_BEFORE = START - dt.timedelta(days=1)

# names that would show a stamp's mistakes: markup, links and addresses (urlize), line breaks,
# an empty name (the template's other greeting), a name that looks like a stamp's marker
NAMES = [
    "Aysel Mammadova",
    "O'Brien & <Sons>",
    "J. Smith",
    "bob@example.org",
    "www",
    "Line\nbreak",
    "",
    "Ünal Ağa",
    "x\ue000name&\ue001",
    "https://evil.example.com",
    "Dr Who.",
    "Leyla Aliyeva",
]


def _webinar(**fields):
    return factories.WebinarFactory(title="Careers & data", start=START, end=START + dt.timedelta(hours=1), **fields)


# what goes through the mail API (an address's name cannot hold a line break)
SENDABLE_NAMES = [name for name in NAMES if "\n" not in name]


def _people(event, count=12, languages=("", "az", "en"), names=SENDABLE_NAMES):
    people = []
    for number in range(count):
        person = make_registration(event, name="Someone", email=f"person{number}@example.org")
        Registration.objects.filter(pk=person.pk).update(
            name=names[number % len(names)], language=languages[number % len(languages)]
        )
        people.append(person)
    return people


def _queued_reminders(event):
    queue_due_reminders(now=DAY_BEFORE)
    return list(OutboxMessage.objects.filter(event=event, kind=kinds.REMINDER).order_by("pk"))


def _batch(messages):
    """The rows as a worker reads them (claim's query, without claiming)."""
    rows = list(OutboxMessage.objects.filter(pk__in=[message.pk for message in messages]).order_by("pk"))
    prefetch_related_objects(rows, "about", "event")
    return rows


def _with_and_without_stamps(rows, overrides=None):
    renderer = FanOutRenderer()
    stamped = [outbox.render_message(row, overrides=overrides or {}, languages={}, renderer=renderer) for row in rows]
    full = [outbox.render_message(row, overrides=overrides or {}, languages={}) for row in rows]
    return renderer, stamped, full


# the preferences links are signed with the time, a calendar entry is stamped with it (to the
# second): two renders a second apart differ there
SIGNED = re.compile(r"/messages/(preferences|unsubscribe)/[^/\s\"<>]+/")
STAMPED_AT = re.compile(r"DTSTAMP:\w+")


def _comparable(messages):
    comparable = []
    for message in messages:
        values = dict(vars(message))
        values["attachments"] = [
            {**attachment, "content": STAMPED_AT.sub("DTSTAMP:…", base64.b64decode(attachment["content"]).decode())}
            for attachment in message.attachments
        ]
        comparable.append({key: SIGNED.sub(r"/messages/\1/…/", repr(value)) for key, value in values.items()})
    return comparable


# names that tidying a text would change (spaces in a run, at an end, a tab) or that make a long line:
# a stamp fills in its tidied texts only for names on one line, the others are tidied after filling in
UNTIDY_NAMES = ["Two  spaces", " Leading", "Trailing ", "Tab\tname", "Aysel", "x" * 190, "Nbsp\u00a0name"]


@pytest.mark.parametrize("names", [NAMES, UNTIDY_NAMES], ids=["names", "names tidying would change"])
def test_every_stamped_message_is_its_full_render(names, db, django_capture_on_commit_callbacks):
    event = _webinar()
    _people(event, count=len(names) * 3, names=names)
    with django_capture_on_commit_callbacks(execute=False):
        rows = _batch(_queued_reminders(event))

    renderer, stamped, full = _with_and_without_stamps(rows)

    assert _comparable(stamped) == _comparable(full)
    # the stamps did the work: one per language and kind of greeting, none given up
    assert renderer._stamps and all(stamp is not None for stamp in renderer._stamps.values())


def test_each_recipient_gets_their_own_name_links_and_language(db, django_capture_on_commit_callbacks):
    event = _webinar()
    people = _people(event, count=6, languages=("az", "en"))
    with django_capture_on_commit_callbacks(execute=False):
        rows = _batch(_queued_reminders(event))

    _renderer, stamped, _full = _with_and_without_stamps(rows)

    for person, row, message in zip(people, rows, stamped, strict=True):
        person.refresh_from_db()
        assert row.recipient_email == person.email
        assert f"/registrations/manage/{person.manage_token}/" in message.body_text
        assert message.language == person.language
        if person.name:
            assert f"Hello {person.name}," in message.body_text or f"Salam, {person.name}" in message.body_text
    assert stamped[0].subject != stamped[1].subject  # az, then en


def test_a_recipients_chosen_language_is_used_when_the_row_records_none(db, django_capture_on_commit_callbacks):
    event = _webinar()
    people = _people(event, count=6, languages=("",))
    MessagePreference.objects.create(email=people[1].email, language="az")
    with django_capture_on_commit_callbacks(execute=True):
        queue_due_reminders(now=DAY_BEFORE)

    by_address = {message.to[0].rsplit("<", 1)[-1].strip(">"): message for message in mail.outbox}
    assert len(by_address) == 6
    assert by_address[people[1].email].extra_headers["Content-Language"] == "az"
    assert {by_address[person.email].extra_headers["Content-Language"] for person in people if person != people[1]} == {
        "en"
    }
    assert by_address[people[1].email].subject != by_address[people[0].email].subject


def test_each_message_carries_its_own_unsubscribe_link(db, django_capture_on_commit_callbacks):
    event = _webinar()
    people = _people(event, count=5)
    with django_capture_on_commit_callbacks(execute=True):
        queue_due_reminders(now=DAY_BEFORE)

    assert len(mail.outbox) == 5
    for message in mail.outbox:
        parsed = email.message_from_bytes(message.message().as_bytes())
        token = parsed["List-Unsubscribe"].strip("<>").rstrip("/").rsplit("/", 1)[-1]
        recipient = message.to[0].rsplit("<", 1)[-1].strip(">")
        assert preferences.email_of_token(token) == recipient
        assert f"/messages/preferences/{token}/" in message.body
        html = message.alternatives[0][0]
        assert f"/messages/unsubscribe/{token}/" in html
    assert {message.to[0].rsplit("<", 1)[-1].strip(">") for message in mail.outbox} == {p.email for p in people}


def test_an_organisers_wording_is_filled_in_for_each_recipient(db, django_capture_on_commit_callbacks):
    event = _webinar()
    people = _people(event, count=4, languages=("",))
    MessageTemplateOverride.objects.create(
        event=event,
        kind=kinds.REMINDER,
        subject="{{ name }}: {{ event_title }}",
        body="Dear {{ name }}, see {{ manage_url }}",
    )
    with django_capture_on_commit_callbacks(execute=False):
        rows = _batch(_queued_reminders(event))
    overrides = {(event.pk, kinds.REMINDER): MessageTemplateOverride.objects.get()}

    _renderer, stamped, full = _with_and_without_stamps(rows, overrides)

    assert _comparable(stamped) == _comparable(full)
    for person, message in zip(people, stamped, strict=True):
        person.refresh_from_db()
        assert message.body_text.startswith(f"Dear {person.name}, see http")
        assert person.manage_token in message.body_text


@pytest.fixture
def reminder_reading_the_registration(settings, tmp_path):
    """A reminder template that looks into the registration (a stamp cannot know what it reads)."""
    folder = tmp_path / "notifications" / "reminder" / "webinar"
    folder.mkdir(parents=True)
    template = "{% autoescape off %}Hello {{ name }}, {{ registration.email }}{% endautoescape %}"
    (folder / "body.txt").write_text(template)
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    _template.cache_clear()
    yield
    _template.cache_clear()


def test_a_template_that_reads_the_registration_is_rendered_in_full(
    db, reminder_reading_the_registration, django_capture_on_commit_callbacks
):
    event = _webinar()
    people = _people(event, count=4, languages=("",))
    with django_capture_on_commit_callbacks(execute=False):
        rows = _batch(_queued_reminders(event))

    renderer, stamped, full = _with_and_without_stamps(rows)

    assert _comparable(stamped) == _comparable(full)
    for person, message in zip(people, stamped, strict=True):
        assert message.body_text.startswith(f"Hello {Registration.objects.get(pk=person.pk).name}, {person.email}")
    assert list(renderer._stamps.values()) == [None]


def test_a_refused_message_does_not_stop_the_batch_and_is_retried_once(
    db, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.notifications.mail_backends.RefusingBackend"
    event = _webinar()
    people = _people(event, count=6, languages=("",))
    RefusingBackend.refused = {people[2].email}
    with django_capture_on_commit_callbacks(execute=True):
        queue_due_reminders(now=DAY_BEFORE)

    refused = OutboxMessage.objects.get(recipient_email=people[2].email)
    assert refused.status == OutboxStatus.PENDING
    assert refused.attempts == 1
    assert "SMTPRecipientsRefused" in refused.last_error
    assert OutboxMessage.objects.filter(event=event, status=OutboxStatus.SENT).count() == 5
    assert len(mail.outbox) == 5

    # its retry time comes: sent once, the others not again
    OutboxMessage.objects.filter(pk=refused.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    ids = list(OutboxMessage.objects.filter(event=event).values_list("pk", flat=True))
    assert send_outbox_messages(message_ids=ids)["sent"] == 1
    assert send_outbox_messages(message_ids=ids)["sent"] == 0

    refused.refresh_from_db()
    assert refused.status == OutboxStatus.SENT
    assert refused.attempts == 2
    delivered = [message.to[0].rsplit("<", 1)[-1].strip(">") for message in mail.outbox]
    assert sorted(delivered) == sorted(person.email for person in people)


# fewer messages than one group whose texts are recorded together, and more
@pytest.mark.parametrize("count", [4, outbox.SENT_GROUP + 3])
def test_the_sent_row_records_what_its_recipient_got(db, django_capture_on_commit_callbacks, count):
    event = _webinar()
    _people(event, count=count, languages=("",))
    with django_capture_on_commit_callbacks(execute=True):
        queue_due_reminders(now=DAY_BEFORE)

    for row in OutboxMessage.objects.filter(event=event):
        (sent,) = [message for message in mail.outbox if row.recipient_email in message.to[0]]
        assert row.status == OutboxStatus.SENT
        assert (row.subject, row.body_text) == (sent.subject, sent.body)
        assert row.sent_at is not None
        assert (row.claim_token, row.lease_until) == ("", None)
    assert len(mail.outbox) == count


def test_muted_recipients_are_skipped_in_a_stamped_batch(db, django_capture_on_commit_callbacks):
    event = _webinar()
    people = _people(event, count=5, languages=("",))
    preferences.unsubscribe(email=people[3].email)
    with django_capture_on_commit_callbacks(execute=True):
        queue_due_reminders(now=DAY_BEFORE)

    assert sorted(message.to[0].rsplit("<", 1)[-1].strip(">") for message in mail.outbox) == sorted(
        person.email for person in people if person != people[3]
    )
    assert OutboxMessage.objects.get(recipient_email=people[3].email).status == OutboxStatus.CANCELLED


def test_an_event_change_tells_each_registrant_with_their_own_calendar_update(db, django_capture_on_commit_callbacks):
    from events.services import update_event

    event = factories.EventFactory(title="CV clinic", start=START, end=START + dt.timedelta(hours=2))
    people = _people(event, count=5, languages=("",))
    new_start = START + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        update_event(event=event, start=new_start, end=new_start + dt.timedelta(hours=2))

    changed = {message.to[0].rsplit("<", 1)[-1].strip(">"): message for message in mail.outbox}
    assert set(changed) == {person.email for person in people}
    for person in people:
        person.refresh_from_db()
        message = changed[person.email]
        assert f"/registrations/manage/{person.manage_token}/" in message.body
        (ics,) = [content for name, content, _type in message.attachments if name == "invite.ics"]
        text = ics.decode() if isinstance(ics, bytes) else ics
        assert person.email in text.replace("\r\n ", "")
        others = {other.email for other in people} - {person.email}
        assert not any(other in text.replace("\r\n ", "") for other in others)


def test_two_changes_before_the_first_notice_went_out_make_one_notice(db, django_capture_on_commit_callbacks):
    from events.services import update_event

    event = factories.EventFactory(title="CV clinic", start=START, end=START + dt.timedelta(hours=2))
    people = _people(event, count=3, languages=("",))
    new_start = START + dt.timedelta(days=1)
    # the organiser moves the event; the job writes the notices, the worker is still busy with other mail
    with django_capture_on_commit_callbacks(execute=False):
        update_event(event=event, start=new_start, end=new_start + dt.timedelta(hours=2))
    (pending,) = ChangeNotice.objects.values_list("pk", flat=True)
    tasks.send_change_notice(pending)  # the job
    # a minute later its place
    with django_capture_on_commit_callbacks(execute=True):
        update_event(event=event, venue_name="Youth Centre")

    notices = sorted(message.to[0].rsplit("<", 1)[-1].strip(">") for message in mail.outbox)
    assert notices == sorted(person.email for person in people)  # one each, not two
    assert all("CV clinic has changed (time, place)." in message.body for message in mail.outbox)
    superseded = OutboxMessage.objects.filter(kind=kinds.EVENT_CHANGED, status=OutboxStatus.CANCELLED)
    assert superseded.count() == 3
    assert {row.last_error for row in superseded} == {"A later change notice replaces this one."}


def test_stamped_event_changes_are_their_full_render(db, django_capture_on_commit_callbacks):
    from events.services import update_event

    event = factories.EventFactory(title="CV clinic", start=START, end=START + dt.timedelta(hours=2))
    _people(event, count=len(NAMES) * 2, names=NAMES)
    new_start = START + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=False):
        update_event(event=event, start=new_start, end=new_start + dt.timedelta(hours=2))
    (pending,) = ChangeNotice.objects.values_list("pk", flat=True)
    tasks.send_change_notice(pending)  # the job, its rows not yet sent
    rows = _batch(OutboxMessage.objects.filter(event=event, kind=kinds.EVENT_CHANGED))

    renderer, stamped, full = _with_and_without_stamps(rows)

    assert len(rows) == len(NAMES) * 2
    assert _comparable(stamped) == _comparable(full)
    assert renderer._stamps and all(stamp is not None for stamp in renderer._stamps.values())


def test_a_name_with_a_line_break_still_gets_its_message(db, django_capture_on_commit_callbacks):
    event = _webinar()
    (person,) = _people(event, count=1, languages=("",), names=["Line\nbreak"])
    with django_capture_on_commit_callbacks(execute=True):
        queue_due_reminders(now=DAY_BEFORE)

    (message,) = mail.outbox
    assert message.to == [f"Line break <{person.email}>"]
    assert message.body.startswith("Hello Line\nbreak,")
    assert OutboxMessage.objects.get(recipient_email=person.email).status == OutboxStatus.SENT


def _speakers_queries(queries) -> list[str]:
    # the accepted speakers' lookup (speakers.selectors), not the rows a batch is about
    return [query["sql"] for query in queries if "speakers_speaker" in query["sql"] and "JOIN" in query["sql"]]


def _change_notices(event, count, languages):
    from events.services import update_event

    people = _people(event, count=count, languages=languages)
    new_start = (event.start + dt.timedelta(days=1)).replace(microsecond=0)
    update_event(event=event, start=new_start, end=new_start + dt.timedelta(hours=2))
    (pending,) = ChangeNotice.objects.values_list("pk", flat=True)
    tasks.send_change_notice(pending)  # the job writes the notices, the worker has not sent them
    return people


def test_a_batch_looks_up_its_events_speakers_once(db, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    event = factories.EventFactory(title="CV clinic", start=START, end=START + dt.timedelta(hours=2))
    factories.SpeakerAssignmentFactory(
        event=event, speaker__name="Leyla Hasanova", speaker__title="", status="accepted"
    )
    with django_capture_on_commit_callbacks(execute=False):
        people = _change_notices(event, count=4, languages=("az", "en"))
    ids = list(
        OutboxMessage.objects.filter(
            event=event, kind=kinds.EVENT_CHANGED, recipient_email__in=[p.email for p in people]
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )

    with CaptureQueriesContext(connection) as queries:
        outcome = send_outbox_messages(message_ids=ids)

    assert outcome["sent"] == 4
    assert len(_speakers_queries(queries.captured_queries)) == 1
    calendars = [
        content.decode() if isinstance(content, bytes) else content
        for message in mail.outbox
        for name, content, _type in message.attachments
        if name == "invite.ics"
    ]
    assert len(calendars) == 4
    # each in its reader's language: the role's name is translated per message, not once for the batch
    unfolded = sorted(calendar.replace("\r\n ", "") for calendar in calendars)
    assert sum("Leyla Hasanova (panellist)" in calendar for calendar in unfolded) == 2
    assert sum("Leyla Hasanova (" in calendar and "(panellist)" not in calendar for calendar in unfolded) == 2


def test_the_next_batch_names_a_speaker_accepted_since(db, django_capture_on_commit_callbacks):
    event = factories.EventFactory(title="CV clinic", start=START, end=START + dt.timedelta(hours=2))
    factories.SpeakerAssignmentFactory(event=event, speaker__name="Leyla Hasanova", status="accepted")
    with django_capture_on_commit_callbacks(execute=False):
        people = _change_notices(event, count=2, languages=("",))
    first, second = (
        OutboxMessage.objects.get(event=event, kind=kinds.EVENT_CHANGED, recipient_email=person.email).pk
        for person in people
    )
    assert send_outbox_messages(message_ids=[first])["sent"] == 1
    factories.SpeakerAssignmentFactory(event=event, speaker__name="Rauf Guliyev", status="accepted")

    assert send_outbox_messages(message_ids=[second])["sent"] == 1

    before, after = (
        next(content for name, content, _type in message.attachments if name == "invite.ics") for message in mail.outbox
    )
    before, after = (
        (text.decode() if isinstance(text, bytes) else text).replace("\r\n ", "") for text in (before, after)
    )
    assert "Leyla Hasanova" in before and "Rauf Guliyev" not in before
    assert "Leyla Hasanova" in after and "Rauf Guliyev" in after


def test_a_fan_outs_subject_is_encoded_once_not_per_message(db, django_capture_on_commit_callbacks):
    from email import policy
    from email.header import Header
    from unittest import mock

    event = _webinar()
    _people(event, count=4, languages=("az",), names=["Aysel Mammadova"])
    encode = Header.encode
    encoded = []

    def counted(header, *args, **kwargs):
        encoded.append(str(header))
        return encode(header, *args, **kwargs)

    with mock.patch.object(Header, "encode", autospec=True, side_effect=counted):
        with django_capture_on_commit_callbacks(execute=True):
            queue_due_reminders(now=DAY_BEFORE)
        # what the file and SMTP backends write: each message written out
        written = [(message.subject, message.message().as_bytes(linesep="\r\n")) for message in mail.outbox]

    (subject,) = {subject for subject, _raw in written}
    assert not subject.isascii()  # Azerbaijani: the costly kind (encoded words, folded in Python)
    assert len(written) == 4
    assert encoded.count(subject) <= 1  # once for the process (0 if an earlier test wrote it)
    for _subject, raw in written:
        assert b"\r\nSubject: =?utf-8?" in raw
        assert email.message_from_bytes(raw, policy=policy.default)["Subject"] == subject
