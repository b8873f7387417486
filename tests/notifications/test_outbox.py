"""The outbox: sent once, retried with backoff, failures visible, swept when tasks are lost."""

import datetime as dt

import pytest
from django.core import mail
from django.core.mail import get_connection
from django.core.mail.message import sanitize_address
from django.db import connection
from django.utils import timezone

from notifications import kinds
from notifications.jobs import broker
from notifications.models import OutboxMessage, OutboxStatus
from notifications.services import outbox, queue_message, resend_message, send_outbox_messages, sweep_outbox
from notifications.tasks import send_messages
from tests import factories
from tests.notifications.conftest import make_registration
from tests.notifications.mail_backends import CountingBackend, FlakyBackend, SMTPServer


def _time_passes(message, *, minutes=0):
    """The retry time of ``message`` (or its claim, ``minutes`` ago) is reached."""
    now = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=now - dt.timedelta(seconds=1),
        claimed_at=now - dt.timedelta(minutes=minutes),
    )


def _queue(registration, **kwargs):
    return queue_message(
        kind=kwargs.pop("kind", kinds.REGISTRATION_CONFIRMED),
        recipient_email=registration.email,
        recipient_name=registration.name,
        about=registration,
        event=registration.event,
        **kwargs,
    )


def test_queue_message_sends_after_commit(registration, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue(registration)
        assert mail.outbox == []  # nothing leaves before the transaction commits

    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 1
    assert message.sent_at is not None
    assert [email.to for email in mail.outbox] == [["Aysel Mammadova <aysel@example.org>"]]


def test_queue_message_twice_returns_the_same_row_and_sends_once(registration, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _queue(registration)
        second = _queue(registration)
    with django_capture_on_commit_callbacks(execute=True):
        third = _queue(registration)

    assert first.pk == second.pk == third.pk
    assert OutboxMessage.objects.count() == 1
    assert len(mail.outbox) == 1


def test_same_reminder_queued_twice_is_sent_once(registration, django_capture_on_commit_callbacks):
    key = f"reminder:{registration.pk}:60:{registration.event.start.isoformat()}"
    with django_capture_on_commit_callbacks(execute=True):
        _queue(registration, kind=kinds.REMINDER, dedup_key=key)
        _queue(registration, kind=kinds.REMINDER, dedup_key=key)

    assert OutboxMessage.objects.filter(dedup_key=key).count() == 1
    assert len(mail.outbox) == 1


def test_task_delivered_again_after_sending_does_not_resend(registration, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue(registration)

    # the ORM broker hands the same task out a second time
    outcome = send_messages([message.pk])

    assert outcome == {"sent": 0, "failed": 0, "cancelled": 0}
    assert len(mail.outbox) == 1


def test_worker_crash_while_sending_is_swept_and_sent_once(registration, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        message = _queue(registration)
    # a worker claimed the row and was killed before the mail server answered
    claimed = outbox.claim(message_ids=[message.pk], now=timezone.now())
    assert [row.pk for row in claimed] == [message.pk]

    too_early = sweep_outbox()
    OutboxMessage.objects.filter(pk=message.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    swept = sweep_outbox()
    send_messages([message.pk])  # and the lost original task arrives late
    message.refresh_from_db()

    assert too_early["freed"] == 0
    assert swept == {"freed": 1, "failed": 0, "requeued": 1}
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 2
    assert len(mail.outbox) == 1


def test_a_message_sent_before_its_worker_died_is_recorded_sent_not_sent_again(
    registration, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        message = _queue(registration)
    # a worker claimed the row, sent the message and wrote that down, then was killed before it
    # recorded its group (the status and the text)
    (claimed,) = outbox.claim(message_ids=[message.pk], now=timezone.now())
    rendered = outbox.render_message(claimed)
    get_connection().send_messages([outbox._email(claimed, rendered)])
    with connection.cursor() as cursor:
        assert outbox.mark_sent(cursor, message_id=claimed.pk, token=claimed.claim_token, rendered=rendered) is True
    OutboxMessage.objects.filter(pk=message.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        swept = sweep_outbox()
    send_messages([message.pk])  # and the lost original task arrives late
    message.refresh_from_db()

    assert swept == {"freed": 0, "failed": 0, "requeued": 0}
    assert message.status == OutboxStatus.SENT
    assert (message.claim_token, message.lease_until, message.attempts) == ("", None, 1)
    assert message.sent_at is not None
    # a confirmation's calendar invitation is a fact of that sending, recorded with it
    assert message.calendar_invitation_sent is True
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_each_message_is_recorded_sent_before_the_next_goes(settings):
    """What a worker killed at any moment leaves: every message before the one in flight is
    recorded sent, committed (seen from another connection), so only that one could go twice."""
    from tests.notifications.mail_backends import WitnessBackend

    settings.EMAIL_BACKEND = "tests.notifications.mail_backends.WitnessBackend"
    WitnessBackend.seen = []
    event = factories.EventFactory(title="CV clinic")
    addresses = [f"p{number}@example.org" for number in range(4)]
    specs = [
        outbox.MessageSpec(kind=kinds.REMINDER, recipient_email=address, event=event, dedup_key=f"witness:{address}")
        for address in addresses
    ]

    # outside a transaction: handed to the (synchronous) worker at once, one batch
    ids = outbox.queue_messages(specs)

    assert WitnessBackend.seen == [addresses[:number] for number in range(4)]
    assert OutboxMessage.objects.filter(pk__in=ids, status=OutboxStatus.SENT).count() == 4


def test_sweep_hands_out_a_message_whose_task_was_lost(registration, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        message = _queue(registration)  # the on-commit task never runs: Redis lost it

    fresh = sweep_outbox()
    OutboxMessage.objects.filter(pk=message.pk).update(
        handed_out_at=timezone.now() - outbox.lost_after() - dt.timedelta(seconds=1)
    )
    later = sweep_outbox()
    message.refresh_from_db()

    assert fresh["requeued"] == 0
    assert later["requeued"] == 1
    assert message.status == OutboxStatus.SENT
    assert len(mail.outbox) == 1


def test_a_backlog_is_not_handed_out_again_every_minute(registration, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        message = _queue(registration)  # its task waits behind a long queue
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=timezone.now() - dt.timedelta(minutes=3))

    swept = [sweep_outbox()["requeued"] for _ in range(3)]

    assert swept == [0, 0, 0]


def test_failure_is_retried_with_backoff_then_sent(registration, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.notifications.mail_backends.FlakyBackend"
    FlakyBackend.failures = 2
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue(registration)
    message.refresh_from_db()
    first_retry_at = message.next_attempt_at

    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert "SMTPDataError" in message.last_error
    assert first_retry_at > timezone.now()

    assert first_retry_at - timezone.now() > outbox.retry_delay(1) - dt.timedelta(seconds=10)
    # not due yet: the sweep leaves it alone
    assert sweep_outbox()["requeued"] == 0
    _time_passes(message)
    sweep_outbox()
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.next_attempt_at - timezone.now() > outbox.retry_delay(2) - dt.timedelta(seconds=10)

    _time_passes(message)
    sweep_outbox()
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 3
    assert message.last_error == ""
    assert len(mail.outbox) == 1


def test_failure_after_the_last_attempt_is_final_and_visible(
    registration, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.notifications.mail_backends.DownBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue(registration)
    for _ in range(5):
        message.refresh_from_db()
        if message.status != OutboxStatus.PENDING:
            break
        _time_passes(message)
        sweep_outbox()
    message.refresh_from_db()

    assert message.status == OutboxStatus.FAILED
    assert message.attempts == 3
    assert "Connection unexpectedly closed" in message.last_error
    assert message.next_attempt_at is None
    # a failed message is not retried any more
    assert sweep_outbox(now=timezone.now() + dt.timedelta(days=1))["requeued"] == 0
    assert len(mail.outbox) == 0


def test_resend_sends_a_failed_message_again(registration, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.notifications.mail_backends.DownBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 1
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue(registration)
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        resend_message(message=message)
    message.refresh_from_db()

    assert message.status == OutboxStatus.SENT
    assert message.attempts == 1
    assert len(mail.outbox) == 1


def test_resend_while_sending_is_refused(registration, django_capture_on_commit_callbacks):
    from notifications.exceptions import OutboxError

    with django_capture_on_commit_callbacks(execute=False):
        message = _queue(registration)
    outbox.claim(message_ids=[message.pk], now=timezone.now())

    with pytest.raises(OutboxError) as error:
        resend_message(message=message)

    assert error.value.code == "message_sending"


def test_a_batch_shares_one_mail_connection(event, settings):
    settings.EMAIL_BACKEND = "tests.notifications.mail_backends.CountingBackend"
    CountingBackend.opened = 0
    specs = [
        outbox.MessageSpec(
            kind=kinds.REMINDER,
            recipient_email=f"p{n}@example.org",
            event=event,
            dedup_key=f"batch-test:{n}",
        )
        for n in range(25)
    ]
    ids = outbox.queue_messages(specs)

    outcome = send_outbox_messages(message_ids=ids)

    assert outcome["sent"] == 25
    assert CountingBackend.opened == 1
    assert len(mail.outbox) == 25


@pytest.fixture
def smtp_server(settings):
    """Django's own SMTP backend talking to a real SMTP server on this machine."""
    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield server


def _batch(event, *names):
    specs = [
        outbox.MessageSpec(
            kind=kinds.REMINDER, recipient_email=f"{name}@example.org", event=event, dedup_key=f"smtp-test:{name}"
        )
        for name in names
    ]
    return outbox.queue_messages(specs)


def test_a_mail_server_hanging_up_on_one_recipient_does_not_fail_the_rest_of_the_batch(event, smtp_server):
    ids = _batch(event, "first", "hangs-up", "second", "third")

    outcome = send_outbox_messages(message_ids=ids)

    assert smtp_server.delivered == ["first@example.org", "second@example.org", "third@example.org"]
    assert outcome == {"sent": 3, "failed": 1, "cancelled": 0}
    rows = {row.recipient_email: row for row in OutboxMessage.objects.filter(pk__in=ids)}
    assert rows["hangs-up@example.org"].status == OutboxStatus.PENDING
    assert "421" in rows["hangs-up@example.org"].last_error
    assert {rows[name].status for name in ("first@example.org", "second@example.org", "third@example.org")} == {
        OutboxStatus.SENT
    }


def test_a_refused_recipient_fails_alone_and_the_batch_goes_on(event, smtp_server):
    ids = _batch(event, "first", "refused", "second")

    outcome = send_outbox_messages(message_ids=ids)

    assert smtp_server.delivered == ["first@example.org", "second@example.org"]
    assert outcome == {"sent": 2, "failed": 1, "cancelled": 0}
    # "550 no such user" is for good: failed at once (visible to the organisers), not tried for hours
    refused = OutboxMessage.objects.get(recipient_email="refused@example.org")
    assert (refused.status, refused.attempts, refused.next_attempt_at) == (OutboxStatus.FAILED, 1, None)
    assert "550" in refused.last_error


def test_stale_reminder_for_a_moved_event_is_cancelled_not_sent(registration, django_capture_on_commit_callbacks):
    event = registration.event
    with django_capture_on_commit_callbacks(execute=False):
        ids = outbox.queue_messages(
            [
                outbox.MessageSpec(
                    kind=kinds.REMINDER,
                    recipient_email=registration.email,
                    about=registration,
                    event=event,
                    dedup_key="stale-test",
                    event_start=event.start,
                )
            ]
        )
    event.start += dt.timedelta(days=1)
    event.end += dt.timedelta(days=1)
    event.save(update_fields=["start", "end"])

    outcome = send_outbox_messages(message_ids=ids)

    assert outcome == {"sent": 0, "failed": 0, "cancelled": 1}
    assert OutboxMessage.objects.get(pk=ids[0]).status == OutboxStatus.CANCELLED
    assert mail.outbox == []


def test_message_id_is_unique_and_kept_for_retries_but_new_for_a_resend(
    registration, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue(registration)
    message.refresh_from_db()
    stored = message.message_id
    first = mail.outbox[0].extra_headers["Message-ID"]

    with django_capture_on_commit_callbacks(execute=True):
        resend_message(message=message)

    second = mail.outbox[1].extra_headers["Message-ID"]
    assert first == stored
    assert first != second == message.message_id
    # not derived from the row's id: two deployments sending from one domain never clash
    assert not first.startswith(f"<outbox-{message.pk}@")
    assert len(first.split("@")[0]) == 33
    assert second.endswith("@example.org>")


def test_second_registration_gets_its_own_message(event, django_capture_on_commit_callbacks):
    first = make_registration(event, email="one@example.org")
    second = make_registration(event, email="two@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        _queue(first)
        _queue(second)

    assert sorted(email.to[0] for email in mail.outbox) == [
        "Aysel Mammadova <one@example.org>",
        "Aysel Mammadova <two@example.org>",
    ]


def test_a_slow_mail_server_makes_the_batch_hand_back_the_rest(event, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.notifications.mail_backends.SlowBackend"
    settings.OUTBOX_SEND_BUDGET_SECONDS = 0.12
    specs = [
        outbox.MessageSpec(kind=kinds.REMINDER, recipient_email=f"p{n}@example.org", event=event, dedup_key=f"slow:{n}")
        for n in range(6)
    ]
    with django_capture_on_commit_callbacks(execute=False):
        ids = outbox.queue_messages(specs)

    with django_capture_on_commit_callbacks(execute=False) as handed_back:
        outcome = send_outbox_messages(message_ids=ids)

    pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
    assert 1 <= outcome["sent"] < 6
    assert outcome["handed_back"] == 6 - outcome["sent"] == pending.count()
    assert set(pending.values_list("attempts", "next_attempt_at")) == {(0, None)}
    assert len(handed_back) == 1  # a new task for the rest, after commit
    settings.OUTBOX_SEND_BUDGET_SECONDS = 60
    handed_back[0]()
    assert len(mail.outbox) == 6
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 6


def test_the_row_says_what_to_send_and_the_worker_renders_it(registration, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        message = _queue(registration)
    row = OutboxMessage.objects.get(pk=message.pk)

    # nothing rendered in the request: no subject, no bodies, no QR, no .ics
    assert (row.subject, row.body_text, row.body_html, row.attachments) == ("", "", "", [])
    assert row.context == {}

    send_messages([message.pk])
    row.refresh_from_db()
    (email,) = mail.outbox
    assert row.subject == email.subject == "Your seat at CV clinic is confirmed"
    assert {name for name, *_ in email.attachments} == {"ticket.png", "invite.ics"}


def test_resend_tells_the_current_state(registration, django_capture_on_commit_callbacks):
    registration.status = "waitlisted"
    registration.save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue(registration, kind=kinds.WAITING_LIST_JOINED, context={"position": 1})
    registration.status = "cancelled"
    registration.save(update_fields=["status"])

    with django_capture_on_commit_callbacks(execute=True):
        resend_message(message=message)
    message.refresh_from_db()

    # "you are on the waiting list" is no longer true: not sent again
    assert len(mail.outbox) == 1
    assert message.status == OutboxStatus.CANCELLED
    assert "cancelled now" in message.last_error


def test_a_killed_workers_claim_is_freed_when_its_lease_runs_out(registration, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        message = _queue(registration)
    now = timezone.now()
    outbox.claim(message_ids=[message.pk], now=now)  # and the worker is killed

    while_held = sweep_outbox(now=now + outbox.lease() - dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        after = sweep_outbox(now=now + outbox.lease() + dt.timedelta(seconds=1))
    message.refresh_from_db()

    assert while_held == {"freed": 0, "failed": 0, "requeued": 0}
    assert after["freed"] == 1
    # recovery within a minute: the lease (20 s) plus the sweep's half-minute
    assert outbox.lease() + dt.timedelta(seconds=30) < dt.timedelta(minutes=1)
    assert message.status == OutboxStatus.SENT
    assert len(mail.outbox) == 1


def test_a_working_worker_renews_its_lease(registration, django_capture_on_commit_callbacks, monkeypatch):
    with django_capture_on_commit_callbacks(execute=False):
        message = _queue(registration)
    now = timezone.now()
    (claimed,) = outbox.claim(message_ids=[message.pk], now=now - dt.timedelta(seconds=15))
    held = outbox.Lease(claimed.claim_token)
    held.renewed -= held.every + 1  # a quarter of the lease has passed

    assert held.keep() is True
    claimed.refresh_from_db()
    assert claimed.lease_until > now + outbox.lease() - dt.timedelta(seconds=2)
    assert sweep_outbox(now=now + dt.timedelta(seconds=10))["freed"] == 0


def test_a_worker_that_lost_its_lease_sends_nothing_more(registration, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        message = _queue(registration)
    (claimed,) = outbox.claim(message_ids=[message.pk], now=timezone.now())
    held = outbox.Lease(claimed.claim_token)
    # the sweep took the worker for dead and freed the row
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.PENDING, claim_token="")
    held.renewed -= held.every + 1

    assert held.keep() is False


def test_lost_tasks_are_handed_out_again_soon_when_no_worker_is_busy(registration, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        message = _queue(registration)  # a killed cluster took the task with it
    now = timezone.now() + outbox.lease() + dt.timedelta(seconds=1)

    with django_capture_on_commit_callbacks(execute=True):
        swept = sweep_outbox(now=now)
    message.refresh_from_db()

    assert swept["requeued"] == 1
    assert message.status == OutboxStatus.SENT


def test_lost_tasks_wait_while_a_worker_works_through_a_backlog(
    registration, event, django_capture_on_commit_callbacks
):
    other = make_registration(event, email="busy@example.org")
    with django_capture_on_commit_callbacks(execute=False):
        waiting = _queue(registration)
        busy = _queue(other)
    broker().enqueue("the waiting message's task, still in the queue")
    now = timezone.now() + outbox.lease() + dt.timedelta(seconds=1)
    outbox.claim(message_ids=[busy.pk], now=now)  # a live worker holds a lease

    swept = sweep_outbox(now=now)

    assert swept["requeued"] == 0
    assert OutboxMessage.objects.get(pk=waiting.pk).status == OutboxStatus.PENDING


def test_lost_tasks_are_handed_out_again_once_the_queue_is_empty_while_a_worker_is_busy(
    registration, event, django_capture_on_commit_callbacks
):
    # a killed cluster took this task from the queue; the other cluster works on
    other = make_registration(event, email="busy@example.org")
    with django_capture_on_commit_callbacks(execute=False):
        lost = _queue(registration)
        busy = _queue(other)
    now = timezone.now() + outbox.lease() + dt.timedelta(seconds=1)
    outbox.claim(message_ids=[busy.pk], now=now)  # a live worker holds a lease
    assert broker().queue_size() == 0

    with django_capture_on_commit_callbacks(execute=True):
        early = sweep_outbox(now=now - dt.timedelta(seconds=2))  # not a lease since its hand-out yet
        swept = sweep_outbox(now=now)

    assert early["requeued"] == 0
    assert swept["requeued"] == 1
    assert OutboxMessage.objects.get(pk=lost.pk).status == OutboxStatus.SENT
    assert OutboxMessage.objects.get(pk=busy.pk).status == OutboxStatus.SENDING  # its worker's, untouched
    assert len(mail.outbox) == 1


def test_resend_of_a_message_still_on_its_way_is_refused(registration):
    from notifications.exceptions import OutboxError

    message = _queue(registration)  # pending: its send job has not run

    with pytest.raises(OutboxError) as refused:
        resend_message(message=message)

    assert refused.value.code == "message_pending"
    assert not message.can_be_resent


@pytest.mark.parametrize(
    ("name", "email"),
    [
        ("Aysel Mammadova", "aysel@example.org"),
        ("", "a.b+c_d-e@Sub.Example.ORG"),
        ("Participant 42", "participant42@example.org"),
        ("J. Smith", "j@example.org"),
        ("O'Brien, Pat", "pat@example.org"),
        ("Ünal Ağa", "unal@example.org"),
        ("Line\nbreak", "line@example.org"),
        ("Two  spaces ", "two@example.org"),
        ("a" * 80, "long@example.org"),
        ("Name", "ünal@exämple.org"),
        ("Name", 'quoted"local@example.org'),
    ],
)
def test_the_to_header_is_what_sanitize_address_writes(name, email):
    assert outbox.recipient_header(name, email) == sanitize_address((" ".join(name.split()), email), "utf-8")
