"""The outbox: every message is a row before it is sent; nothing is lost, nothing sent twice.

- ``queue_message`` writes the row (rendered) and, after the caller's transaction commits,
  asks a worker to send it. The unique ``dedup_key`` makes queuing idempotent.
- ``send_outbox_messages`` claims rows with a conditional update (pending → sending) under a
  fresh claim token, sends the claimed ones over ONE mail connection, and records the outcome.
  A second delivery of the same task finds nothing left to claim.
- Failures go back to pending with a later ``next_attempt_at`` (backoff) and end as failed.
- ``sweep_outbox`` (every minute) hands out rows whose retry time came, again what a lost
  task left pending (``handed_out_at`` older than ``OUTBOX_LOST_AFTER_MINUTES``), and frees
  rows a killed worker left in sending.
"""

import base64
import datetime as dt
import hashlib
import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import sanitize_address
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from events.models import EventStatus
from events_project.periodic import process_each
from notifications import kinds
from notifications.exceptions import OutboxError
from notifications.jobs import enqueue
from notifications.models import MessageTemplateOverride, OutboxMessage, OutboxStatus
from notifications.services.rendering import render

logger = logging.getLogger(__name__)

SEND_TASK = "notifications.tasks.send_messages"
DEDUP_KEY_MAX = 255


def max_attempts() -> int:
    return settings.OUTBOX_MAX_ATTEMPTS


def batch_size() -> int:
    return settings.OUTBOX_BATCH_SIZE


# minutes to wait after the 1st, 2nd, ... failed attempt
RETRY_BACKOFF_MINUTES = (1, 5, 30, 120, 360)


def retry_delay(attempts: int) -> dt.timedelta:
    index = min(max(attempts, 1), len(RETRY_BACKOFF_MINUTES)) - 1
    return dt.timedelta(minutes=RETRY_BACKOFF_MINUTES[index])


def send_budget_seconds() -> float:
    """How long one batch may spend talking to the mail server: half the task timeout."""
    return settings.OUTBOX_SEND_BUDGET_SECONDS


def lost_after() -> dt.timedelta:
    """A pending row whose task has not run for this long is taken for lost (Redis broker)."""
    return dt.timedelta(minutes=settings.OUTBOX_LOST_AFTER_MINUTES)


def stuck_after() -> dt.timedelta:
    # A worker kills a task after Q_CLUSTER["timeout"]; a row still "sending" well after
    # that belongs to a task that died.
    return dt.timedelta(seconds=2 * settings.Q_CLUSTER.get("timeout", 60))


def _about_label(about) -> str:
    return about._meta.label_lower if about is not None else "none"


def default_dedup_key(*, kind: str, recipient_email: str, about=None, event=None) -> str:
    about_pk = about.pk if about is not None else (event.pk if event is not None else "")
    key = f"{kind}:{_about_label(about)}:{about_pk}:{recipient_email}"
    if kind in kinds.VERSIONED_BY_EVENT_SEQUENCE and event is not None:
        key = f"{key}:seq{event.sequence}"
    return key


def _fit(key: str) -> str:
    if len(key) <= DEDUP_KEY_MAX:
        return key
    return f"{key[:190]}#{hashlib.sha256(key.encode()).hexdigest()}"


@dataclass
class MessageSpec:
    """What to send; rendering waits until the key is known to be new."""

    kind: str
    recipient_email: str
    recipient_name: str = ""
    about: object = None
    event: object = None
    dedup_key: str | None = None
    context: dict | None = None
    event_start: dt.datetime | None = None

    def key(self) -> str:
        key = self.dedup_key or default_dedup_key(
            kind=self.kind, recipient_email=self.recipient_email, about=self.about, event=self.event
        )
        return _fit(key)


def _build(spec: MessageSpec, *, key: str, overrides: dict | None = None) -> OutboxMessage:
    event = spec.event
    if overrides is None:
        override = (
            MessageTemplateOverride.objects.filter(event=event, kind=spec.kind).first() if event is not None else None
        )
    else:
        override = overrides.get((getattr(event, "pk", None), spec.kind))
    rendered = render(
        kind=spec.kind,
        recipient_email=spec.recipient_email,
        recipient_name=spec.recipient_name,
        about=spec.about,
        event=event,
        context=spec.context,
        override=override,
    )
    about = spec.about
    return OutboxMessage(
        kind=spec.kind,
        recipient_email=spec.recipient_email,
        recipient_name=spec.recipient_name[:200],
        subject=rendered.subject,
        body_text=rendered.body_text,
        body_html=rendered.body_html,
        attachments=rendered.attachments,
        about_type=ContentType.objects.get_for_model(about) if about is not None else None,
        about_id=about.pk if about is not None else None,
        event=event,
        event_start=spec.event_start,
        dedup_key=key,
    )


def _send_after_commit(message_ids: list[int]) -> None:
    def hand_out():
        size = batch_size()
        for index in range(0, len(message_ids), size):
            enqueue(SEND_TASK, message_ids[index : index + size])

    transaction.on_commit(hand_out)


def queue_message(
    *,
    kind: str,
    recipient_email: str,
    recipient_name: str = "",
    about=None,
    event=None,
    dedup_key: str | None = None,
    context: dict | None = None,
    about_is_new: bool = False,
) -> OutboxMessage:
    """Write one message to the outbox (rendered now) and send it after commit.

    Idempotent on ``dedup_key``: queuing the same message again returns the existing row
    and sends nothing. ``about_is_new``: ``about`` was created in the caller's transaction, so
    no message about it can exist yet (the default key holds its primary key): the duplicate
    check and its savepoint are skipped (a registration's hot path).
    Side effect: a send job after the surrounding transaction commits.
    """
    if kind not in kinds.ALL_KINDS:
        raise OutboxError(f"Unknown message kind {kind!r}.", "unknown_kind")
    spec = MessageSpec(
        kind=kind,
        recipient_email=recipient_email.strip(),
        recipient_name=recipient_name or "",
        about=about,
        event=event,
        dedup_key=dedup_key,
        context=context,
    )
    key = spec.key()
    if about_is_new and dedup_key is None and about is not None:
        message = _build(spec, key=key)
        message.save(force_insert=True)
        _send_after_commit([message.pk])
        return message
    existing = OutboxMessage.objects.filter(dedup_key=key).first()
    if existing is not None:
        return existing
    message = _build(spec, key=key)
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        # queued by someone else a moment ago
        return OutboxMessage.objects.get(dedup_key=key)
    _send_after_commit([message.pk])
    return message


def existing_keys(keys: Iterable[str]) -> set[str]:
    keys = list(keys)
    found = set()
    for index in range(0, len(keys), 500):
        found.update(
            OutboxMessage.objects.filter(dedup_key__in=keys[index : index + 500]).values_list("dedup_key", flat=True)
        )
    return found


def queue_messages(specs: Iterable[MessageSpec]) -> list[int]:
    """Queue many messages at once (reminder and follow-up fan-outs).

    Only keys not yet in the outbox are rendered; rows are inserted in bulk and handed to
    the workers in batches after commit. Returns the primary keys of the new rows.
    """
    by_key = {}
    for spec in specs:
        by_key.setdefault(spec.key(), spec)
    if not by_key:
        return []
    already = existing_keys(by_key)
    new_keys = [key for key in by_key if key not in already]
    if not new_keys:
        return []
    event_ids = {getattr(by_key[key].event, "pk", None) for key in new_keys} - {None}
    overrides = {
        (override.event_id, override.kind): override
        for override in MessageTemplateOverride.objects.filter(event_id__in=event_ids)
    }
    messages = [_build(by_key[key], key=key, overrides=overrides) for key in new_keys]
    with transaction.atomic():
        OutboxMessage.objects.bulk_create(messages, batch_size=500, ignore_conflicts=True)
        ids = []
        for index in range(0, len(new_keys), 500):
            ids.extend(
                OutboxMessage.objects.filter(
                    dedup_key__in=new_keys[index : index + 500], status=OutboxStatus.PENDING
                ).values_list("pk", flat=True)
            )
        ids.sort()
        _send_after_commit(ids)
    return ids


# --- sending ---------------------------------------------------------------------------


def _is_stale(message: OutboxMessage, now: dt.datetime) -> str:
    """Why a reminder must not go out any more ("" if it may)."""
    if message.event_start is None or message.event is None:
        return ""
    event = message.event
    if event.status != EventStatus.PUBLISHED:
        return "The event is no longer published."
    if event.start != message.event_start:
        return "The event was moved; a reminder for the new time replaces this one."
    if event.start <= now:
        return "The event has started."
    return ""


def _email(message: OutboxMessage, connection) -> EmailMultiAlternatives:
    to = sanitize_address((message.recipient_name, message.recipient_email), "utf-8")
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "localhost"
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        connection=connection,
        # the same row always carries the same Message-ID, so a mail system can drop a
        # duplicate that a crash between "sent" and "recorded" would cause
        headers={"Message-ID": f"<outbox-{message.pk}@{domain}>"},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for attachment in message.attachments or []:
        email.attach(attachment["filename"], base64.b64decode(attachment["content"]), attachment.get("content_type"))
    return email


def claim(*, message_ids: list[int], now: dt.datetime) -> list[OutboxMessage]:
    """Take the rows that are still pending and due; nobody else can take them now."""
    token = uuid.uuid4().hex
    OutboxMessage.objects.filter(pk__in=message_ids, status=OutboxStatus.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    ).update(status=OutboxStatus.SENDING, claimed_at=now, claim_token=token, attempts=F("attempts") + 1)
    return list(
        OutboxMessage.objects.filter(claim_token=token, status=OutboxStatus.SENDING)
        .select_related("event")
        .order_by("pk")
    )


def _record_failure(message: OutboxMessage, error: str, now: dt.datetime) -> None:
    final = message.attempts >= max_attempts()
    OutboxMessage.objects.filter(pk=message.pk, claim_token=message.claim_token).update(
        status=OutboxStatus.FAILED if final else OutboxStatus.PENDING,
        last_error=error[:2000],
        next_attempt_at=None if final else now + retry_delay(message.attempts),
        claim_token="",
        handed_out_at=None,
    )
    level = logging.ERROR if final else logging.WARNING
    logger.log(level, "Sending outbox message %s failed (attempt %s): %s", message.pk, message.attempts, error)


def send_outbox_messages(*, message_ids: list[int], now: dt.datetime | None = None) -> dict:
    """Send the given messages that are pending and due, over one mail connection.

    Safe to run twice and concurrently: each row is sent only by the one run that claimed it.
    Returns counts by outcome.
    """
    now = now or timezone.now()
    claimed = claim(message_ids=message_ids, now=now)
    outcome = {"sent": 0, "failed": 0, "cancelled": 0}
    if not claimed:
        return outcome
    sendable = []
    for message in claimed:
        try:
            reason = _is_stale(message, now)
        except Exception as exc:  # noqa: BLE001 -- one bad row: recorded (retried, then failed), the others go on
            _record_failure(message, f"{type(exc).__name__}: {exc}", now)
            outcome["failed"] += 1
            continue
        if reason:
            OutboxMessage.objects.filter(pk=message.pk, claim_token=message.claim_token).update(
                status=OutboxStatus.CANCELLED, last_error=reason, claim_token=""
            )
            outcome["cancelled"] += 1
        else:
            sendable.append(message)
    if not sendable:
        return outcome

    sent_ids = []
    try:
        connection = get_connection()
        connection.open()
    except Exception as exc:  # noqa: BLE001 -- any backend error: the mail server is down, retry all later
        for message in sendable:
            _record_failure(message, f"{type(exc).__name__}: {exc}", now)
        outcome["failed"] += len(sendable)
        return outcome
    # A worker kills a task after Q_CLUSTER["timeout"]; a slow mail server must not make a
    # batch outlive it (its rows would sit in "sending" until the sweep, then go out twice).
    deadline = time.monotonic() + send_budget_seconds()
    unsent = []
    try:
        for position, message in enumerate(sendable):
            if time.monotonic() > deadline:
                unsent = sendable[position:]
                break
            try:
                connection.send_messages([_email(message, connection)])
            except Exception as exc:  # noqa: BLE001 -- backends raise SMTP, socket and provider errors alike
                _record_failure(message, f"{type(exc).__name__}: {exc}", now)
                outcome["failed"] += 1
            else:
                # Recorded at once, not at the end of the batch: a worker killed mid-batch then
                # leaves only the message in flight to go out again, not every one sent before it.
                OutboxMessage.objects.filter(pk=message.pk, claim_token=message.claim_token).update(
                    status=OutboxStatus.SENT,
                    sent_at=timezone.now(),
                    last_error="",
                    claim_token="",
                    next_attempt_at=None,
                )
                sent_ids.append(message.pk)
    finally:
        try:
            connection.close()
        except Exception:
            logger.warning("Closing the mail connection failed", exc_info=True)
    token = sendable[0].claim_token
    if unsent:
        # handed back untouched: not an attempt, and due at once
        unsent_ids = [message.pk for message in unsent]
        OutboxMessage.objects.filter(pk__in=unsent_ids, claim_token=token).update(
            status=OutboxStatus.PENDING,
            claim_token="",
            attempts=F("attempts") - 1,
            next_attempt_at=None,
            handed_out_at=timezone.now(),
        )
        outcome["handed_back"] = len(unsent_ids)
        transaction.on_commit(lambda: enqueue(SEND_TASK, unsent_ids))
    outcome["sent"] = len(sent_ids)
    return outcome


def sweep_outbox(*, now: dt.datetime | None = None) -> dict:
    """Hand out again what fell through the cracks.

    - rows left in ``sending`` longer than a task may run: their worker died; back to
      pending (or failed when out of attempts);
    - rows ``pending`` and due whose task was lost (Redis broker) or whose retry time came.
    """
    now = now or timezone.now()
    stuck = OutboxMessage.objects.filter(status=OutboxStatus.SENDING, claimed_at__lt=now - stuck_after())
    failed = stuck.filter(attempts__gte=max_attempts()).update(
        status=OutboxStatus.FAILED, claim_token="", last_error="The worker stopped while sending; out of attempts."
    )
    freed = stuck.update(status=OutboxStatus.PENDING, claim_token="", next_attempt_at=None, handed_out_at=None)
    # Due rows that no task holds, or whose task has had long enough (the backlog of a big
    # fan-out is not a lost task: it is not handed out again every minute).
    due = (
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(handed_out_at__isnull=True) | Q(handed_out_at__lte=now - lost_after()))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    ids = list(due[:20_000])
    size = batch_size()

    def hand_out(chunk: list[int]) -> int:
        OutboxMessage.objects.filter(pk__in=chunk, status=OutboxStatus.PENDING).update(handed_out_at=now)
        enqueue(SEND_TASK, chunk)
        return len(chunk)

    chunks = [ids[index : index + size] for index in range(0, len(ids), size)]
    requeued = process_each(chunks, hand_out, job="outbox sweep", row_id=lambda chunk: f"{chunk[0]}..{chunk[-1]}")
    return {"freed": freed, "failed": failed, "requeued": sum(requeued)}


@transaction.atomic
def resend_message(*, message: OutboxMessage, by=None) -> OutboxMessage:
    """An organiser sends a failed (or sent, or cancelled) message again, as the same row.

    Side effect: a send job after commit.
    """
    updated = (
        OutboxMessage.objects.filter(pk=message.pk)
        .exclude(status=OutboxStatus.SENDING)
        .update(
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=None,
            last_error="",
            claim_token="",
            sent_at=None,
            handed_out_at=timezone.now(),
        )
    )
    if not updated:
        raise OutboxError("The message is being sent right now.", "message_sending")
    _send_after_commit([message.pk])
    message.refresh_from_db()
    return message
