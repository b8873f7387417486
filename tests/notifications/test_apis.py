"""Organisers' outbox and message templates; the periodic schedules."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_q.models import Schedule
from rest_framework.test import APIClient

from events_project.exceptions import DomainError
from notifications import kinds
from notifications.models import MessageTemplateOverride, OutboxMessage, OutboxStatus
from notifications.services import queue_message
from notifications.services.outbox import send_outbox_messages
from tests import factories
from tests.notifications.conftest import make_registration
from tests.pages.conftest import signed_in

START = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def my_event(organiser):
    return factories.EventFactory(title="CV clinic", organisers=[organiser])


@pytest.fixture
def other_event(db):
    return factories.EventFactory(title="Someone else's event")


def _messages(event, count, *, status=OutboxStatus.PENDING):
    for n in range(count):
        registration = make_registration(event, email=f"p{n}.{event.pk}@example.org")
        message = queue_message(
            kind=kinds.REMINDER, recipient_email=registration.email, about=registration, event=event
        )
        OutboxMessage.objects.filter(pk=message.pk).update(status=status)


# --- outbox --------------------------------------------------------------------------------


def test_outbox_lists_only_messages_about_my_events(organiser_client, my_event, other_event):
    _messages(my_event, 2)
    _messages(other_event, 3)

    response = organiser_client.get("/api/outbox/")

    assert response.status_code == 200
    assert response.data["count"] == 2
    assert {item["event"] for item in response.data["results"]} == {my_event.pk}


def test_outbox_filters_failed_messages_and_shows_the_error(organiser_client, my_event):
    _messages(my_event, 2)
    failed = OutboxMessage.objects.filter(event=my_event).first()
    OutboxMessage.objects.filter(pk=failed.pk).update(
        status=OutboxStatus.FAILED, last_error="SMTPRecipientsRefused: mailbox full", attempts=5
    )

    response = organiser_client.get("/api/outbox/", {"status": "failed", "event": my_event.pk})

    assert response.data["count"] == 1
    (item,) = response.data["results"]
    assert item["id"] == failed.pk
    assert item["last_error"] == "SMTPRecipientsRefused: mailbox full"
    assert item["attempts"] == 5


@pytest.mark.parametrize("count", [1, 5])
def test_outbox_list_query_count_does_not_grow(count, organiser, organiser_client, db):
    event = factories.EventFactory(organisers=[organiser])
    _messages(event, count)
    organiser_client.get("/api/outbox/")  # warm caches (content types, groups)

    with CaptureQueriesContext(connection) as queries:
        response = organiser_client.get("/api/outbox/")

    assert response.data["count"] == count
    assert len(queries) == 2  # count, page (the organiser check is cached on the user)


def test_outbox_is_for_organisers_only(api_client, db):
    user = factories.UserFactory()
    client = APIClient()
    client.force_authenticate(user)

    assert api_client.get("/api/outbox/").status_code in (401, 403)
    response = client.get("/api/outbox/")
    assert response.status_code == 403


def test_outbox_detail_shows_the_body(organiser_client, my_event):
    _messages(my_event, 1)
    message = OutboxMessage.objects.get(event=my_event)

    response = organiser_client.get(f"/api/outbox/{message.pk}/")

    assert response.status_code == 200
    assert "CV clinic" in response.data["body_text"]


def test_outbox_detail_shows_no_private_link(organiser, organiser_client, my_event, django_capture_on_commit_callbacks):
    """A message's text carries its recipient's private links (a ticket's management link, a team
    or speaker invitation): they are the recipient's alone. Organisers read what was sent with each
    secret left out, so that nobody, a co-organiser removed later included, keeps a registrant's
    ticket or another person's invitation from the outbox."""
    from teams.services import invite_to_team

    registration = make_registration(my_event, email="aysel@example.org")
    ticket = queue_message(kind=kinds.REMINDER, recipient_email=registration.email, about=registration, event=my_event)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite_to_team(event=my_event, email="door@example.org", role="checkin", by=organiser)
    sent = OutboxMessage.objects.get(kind=kinds.TEAM_INVITATION)
    assert invitation.token in sent.body_text  # sent, with the link, to the person invited

    answers = [organiser_client.get(f"/api/outbox/{message.pk}/").data for message in (ticket, sent)]

    secrets = [registration.manage_token, registration.ticket_secret, invitation.token]
    texts = [answer["body_text"] + answer["body_html"] for answer in answers]
    assert [secret for secret in secrets for text in texts if secret in text] == []
    assert "/registrations/manage/…/" in answers[0]["body_text"]
    assert "/team/accept/…/" in answers[1]["body_text"]
    assert "CV clinic" in answers[0]["body_text"]


def test_an_organisers_own_wording_shows_no_private_link_in_the_outbox(organiser, organiser_client, my_event, settings):
    """The link's secret stays out of what organisers read whatever their wording puts around it:
    in the subject (the outbox list, the workspace's outbox page), glued to the next word, and in a
    site address written with capitals (a mail client opens it all the same)."""
    from notifications.services.templates import set_template_override

    settings.SITE_URL = "https://Events.Example.org"
    set_template_override(
        event=my_event,
        kind=kinds.REMINDER,
        subject="Your ticket {{ manage_url }}",
        body="Open {{ manage_url }}now, or {{ manage_url }}cancel/",
        by=organiser,
    )
    registration = make_registration(my_event, email="aysel@example.org")
    # the capitals version of the link, as a mail client would open it
    typed = f"HTTPS://EVENTS.EXAMPLE.ORG/registrations/manage/{registration.manage_token}/"
    message = queue_message(kind=kinds.REMINDER, recipient_email=registration.email, about=registration, event=my_event)
    send_outbox_messages(message_ids=[message.pk])
    sent = OutboxMessage.objects.get(pk=message.pk)
    assert (sent.status, mail.outbox[-1].subject) == (OutboxStatus.SENT, sent.subject)
    assert f"/registrations/manage/{registration.manage_token}/now" in mail.outbox[-1].body  # the recipient's link
    OutboxMessage.objects.filter(pk=message.pk).update(body_text=f"{sent.body_text}\n{typed}")

    detail = organiser_client.get(f"/api/outbox/{message.pk}/").data
    listed = organiser_client.get("/api/outbox/").data["results"]
    page = signed_in(Client(), organiser).get("/manage/outbox/").content.decode()

    assert registration.manage_token in OutboxMessage.objects.get(pk=message.pk).body_text
    shown = [detail["subject"], detail["body_text"], detail["body_html"], *(row["subject"] for row in listed), page]
    assert [text for text in shown if registration.manage_token in text] == []
    assert detail["subject"] == "Your ticket https://Events.Example.org/registrations/manage/…/"
    assert "Open https://Events.Example.org/registrations/manage/…/now" in detail["body_text"]
    assert "HTTPS://EVENTS.EXAMPLE.ORG/registrations/manage/…/" in detail["body_text"]


def test_outbox_detail_of_another_organisers_message_is_not_found(organiser_client, other_event):
    _messages(other_event, 1)
    message = OutboxMessage.objects.get(event=other_event)

    response = organiser_client.get(f"/api/outbox/{message.pk}/")

    assert response.status_code == 404
    assert response.data["code"] == "not_found"


def test_organiser_resends_a_failed_message(organiser_client, my_event, django_capture_on_commit_callbacks):
    _messages(my_event, 1, status=OutboxStatus.FAILED)
    message = OutboxMessage.objects.get(event=my_event)

    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(f"/api/outbox/{message.pk}/resend/")

    message.refresh_from_db()
    assert response.status_code == 200
    assert message.status == OutboxStatus.SENT
    assert len(mail.outbox) == 1


# --- message templates -------------------------------------------------------------------


def test_organiser_overrides_a_message_for_their_event(organiser_client, my_event, django_capture_on_commit_callbacks):
    response = organiser_client.post(
        "/api/message-templates/",
        {"event": my_event.pk, "kind": "reminder", "subject": "Tomorrow: {{ event }}", "body": "Hi {{ name }}!"},
        format="json",
    )
    registration = make_registration(my_event, name="Aysel Mammadova", email="aysel@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        queue_message(
            kind=kinds.REMINDER,
            recipient_email=registration.email,
            recipient_name=registration.name,
            about=registration,
            event=my_event,
        )

    assert response.status_code == 201
    assert response.data["kind"] == "reminder"
    assert mail.outbox[0].subject == "Tomorrow: CV clinic"
    assert mail.outbox[0].body.startswith("Hi Aysel Mammadova!\n\n")


def test_a_wording_longer_than_the_workspace_takes_is_refused_at_every_door(organiser_client, my_event):
    """The API took a text of any length: a megabyte of {{ venue }} made every reminder 45 MB,
    rendered in 19 s per recipient (and per preview); the workspace took at most 10,000."""
    from notifications.models import MessageTemplateOverride
    from notifications.services.templates import WORDING_BODY_MAX, preview_message

    too_long = "{{ venue }}" * (WORDING_BODY_MAX // 11 + 1)
    created = organiser_client.post(
        "/api/message-templates/", {"event": my_event.pk, "kind": "reminder", "body": too_long}, format="json"
    )
    kept = organiser_client.post(
        "/api/message-templates/",
        {"event": my_event.pk, "kind": "reminder", "body": "x" * WORDING_BODY_MAX},
        format="json",
    )
    changed = organiser_client.patch(f"/api/message-templates/{kept.data['id']}/", {"body": too_long}, format="json")

    assert (created.status_code, created.json()["code"]) == (400, "message_too_long")
    assert kept.status_code == 201
    assert (changed.status_code, changed.json()["code"]) == (400, "message_too_long")
    assert MessageTemplateOverride.objects.get().body == "x" * WORDING_BODY_MAX
    with pytest.raises(DomainError) as refused:
        preview_message(event=my_event, kind="reminder", body=too_long)
    assert refused.value.code == "message_too_long"


def test_override_for_someone_elses_event_is_forbidden(organiser_client, other_event):
    response = organiser_client.post(
        "/api/message-templates/", {"event": other_event.pk, "kind": "reminder", "subject": "x"}, format="json"
    )

    assert response.status_code == 403
    assert response.data["code"] == "not_organiser"
    assert not MessageTemplateOverride.objects.exists()


def test_override_of_someone_elses_event_is_forbidden_whether_or_not_it_has_one(organiser_client, other_event):
    """The unique (event, kind) check answered before the organiser check: "must make a unique
    set" told a stranger which wording another organiser's event had changed."""
    MessageTemplateOverride.objects.create(event=other_event, kind="reminder", subject="Theirs")

    response = organiser_client.post(
        "/api/message-templates/", {"event": other_event.pk, "kind": "reminder", "subject": "x"}, format="json"
    )

    assert (response.status_code, response.data["code"]) == (403, "not_organiser")
    assert MessageTemplateOverride.objects.get().subject == "Theirs"


def test_a_second_override_of_the_same_kind_replaces_the_first(organiser_client, my_event):
    for subject in ("First", "Second"):
        response = organiser_client.post(
            "/api/message-templates/", {"event": my_event.pk, "kind": "reminder", "subject": subject}, format="json"
        )
        assert response.status_code == 201, response.data

    assert list(MessageTemplateOverride.objects.values_list("subject", flat=True)) == ["Second"]


def test_override_with_unknown_placeholder_is_a_400(organiser_client, my_event):
    response = organiser_client.post(
        "/api/message-templates/",
        {"event": my_event.pk, "kind": "reminder", "body": "{{ registration.manage_token }}"},
        format="json",
    )

    assert response.status_code == 400
    assert response.data["code"] == "unknown_placeholder"


@pytest.mark.parametrize("subject", ["Soon\r\nBcc: all@example.org", "Soon\nagain", "Soon\rnow", "Soon\u2028now"])
def test_override_with_a_subject_of_more_than_one_line_is_a_400(organiser_client, my_event, subject):
    response = organiser_client.post(
        "/api/message-templates/", {"event": my_event.pk, "kind": "reminder", "subject": subject}, format="json"
    )

    # a subject is a mail header: one line, never stored as typed
    assert response.status_code == 400
    assert response.data["code"] == "subject_not_one_line"
    assert not MessageTemplateOverride.objects.exists()


def test_changing_an_override_to_a_subject_of_two_lines_is_a_400(organiser_client, my_event):
    override = MessageTemplateOverride.objects.create(event=my_event, kind="reminder", subject="Soon")

    response = organiser_client.patch(
        f"/api/message-templates/{override.pk}/", {"subject": "Soon\r\nagain"}, format="json"
    )

    assert response.status_code == 400
    assert response.data["code"] == "subject_not_one_line"
    override.refresh_from_db()
    assert override.subject == "Soon"


@pytest.mark.parametrize("count", [1, 5])
def test_template_list_query_count_does_not_grow(count, organiser, organiser_client, db):
    for _ in range(count):
        MessageTemplateOverride.objects.create(
            event=factories.EventFactory(organisers=[organiser]), kind="reminder", subject="x"
        )
    organiser_client.get("/api/message-templates/")

    with CaptureQueriesContext(connection) as queries:
        response = organiser_client.get("/api/message-templates/")

    assert response.data["count"] == count
    assert len(queries) == 2


def test_organiser_edits_and_deletes_an_override(organiser_client, my_event):
    override = MessageTemplateOverride.objects.create(event=my_event, kind="reminder", subject="x")

    edited = organiser_client.patch(f"/api/message-templates/{override.pk}/", {"subject": "New"}, format="json")
    deleted = organiser_client.delete(f"/api/message-templates/{override.pk}/")

    assert edited.status_code == 200
    assert edited.data["subject"] == "New"
    assert deleted.status_code == 204
    assert not MessageTemplateOverride.objects.exists()


# --- schedules ---------------------------------------------------------------------------


def test_setup_schedules_points_a_moved_job_at_its_new_name(db):
    Schedule.objects.create(
        name="notifications: queue due reminders", func="notifications.tasks.queue_due_reminders",
        schedule_type=Schedule.MINUTES, minutes=1, repeats=-1,
    )  # fmt: skip

    call_command("setup_schedules", stdout=open("/dev/null", "w"))  # noqa: SIM115

    (reminders,) = Schedule.objects.filter(func__endswith="queue_due_reminders")
    assert reminders.name == "registrations: queue due reminders"
    assert reminders.func == "registrations.tasks.queue_due_reminders"


def test_setup_schedules_keeps_one_reminder_job_when_both_names_exist(db):
    for name in ("notifications: queue due reminders", "registrations: queue due reminders"):
        Schedule.objects.create(name=name, func="x.y", schedule_type=Schedule.MINUTES, minutes=1, repeats=-1)

    call_command("setup_schedules", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert list(Schedule.objects.filter(func__endswith="queue_due_reminders").values_list("name", flat=True)) == [
        "registrations: queue due reminders"
    ]


def test_setup_schedules_is_idempotent(db):
    call_command("setup_schedules", stdout=open("/dev/null", "w"))  # noqa: SIM115
    Schedule.objects.filter(name="registrations: queue due reminders").update(minutes=7)
    call_command("setup_schedules", stdout=open("/dev/null", "w"))  # noqa: SIM115

    schedules = {schedule.name: schedule for schedule in Schedule.objects.all()}
    # the outbox sweep twice (half a minute apart)
    assert len(schedules) == Schedule.objects.count() == 11
    assert schedules["registrations: queue due reminders"].minutes == 1
    assert {schedule.func for schedule in schedules.values()} == {
        "registrations.tasks.queue_due_reminders",
        "notifications.tasks.sweep_outbox",
        "attendance.tasks.finalise_attendance",
        "registrations.tasks.expire_offers",
        "registrations.tasks.send_lost_change_notices",
        "speakers.tasks.remind_unanswered_invitations",
        "programmes.tasks.review_all_missed_sessions",
        "programmes.tasks.issue_due_certificates",
        "programmes.tasks.tidy_enrolment_lists",
        "attendance.tasks.tidy_registration_exports",
    }


def test_a_deep_outbox_page_reads_its_own_messages_only(organiser, organiser_client, monkeypatch):
    """A deep page (``?page=2000``) was read in one query, the database sorting and skipping every
    message before it whole (their text, the event joined: 1-2 s for an organiser's 50,000): its
    rows are now read by id after their ids, and the page is the same."""
    from events_project import pagination

    monkeypatch.setattr(pagination, "DEEP_OFFSET", 4)
    event = factories.EventFactory(organisers=[organiser])
    _messages(event, 9)
    factories.OutboxMessageFactory(event=factories.EventFactory())  # someone else's
    everything = organiser_client.get("/api/outbox/?page_size=100").json()["results"]

    with CaptureQueriesContext(connection) as queries:
        response = organiser_client.get("/api/outbox/?page=3&page_size=3")

    assert [item["id"] for item in response.json()["results"]] == [item["id"] for item in everything[6:9]]
    assert response.json()["count"] == 9
    rows = [query["sql"] for query in queries.captured_queries if '"recipient_email"' in query["sql"]]
    assert len(rows) == 1 and "OFFSET" not in rows[0], rows
