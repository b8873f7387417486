"""The outbox: every message is a row before it is sent; nothing is lost, nothing sent twice.

- ``queue_message`` writes a small row that says *what* to send (kind, recipient, the
  objects it is about, language, a JSON context) and, after the caller's transaction
  commits, asks a worker to send it. The unique ``dedup_key`` makes queuing idempotent.
- ``send_outbox_messages`` claims rows with a conditional update (pending → sending) under a
  fresh claim token and a lease, renders each claimed row from the current state of what it
  is about, sends them over ONE mail connection renewing the lease as it goes, writes down
  each one sent at once (``sent_at``) and records the texts and the end of the claim for
  small groups. A second delivery of the same task finds nothing left to claim.
- Failures go back to pending with a later ``next_attempt_at`` (backoff) and end as failed.
- ``sweep_outbox`` (twice a minute) frees rows whose lease ran out (their worker died),
  hands out rows whose retry time came, and again what a lost task left pending: a lease after
  its hand-out once the job queue is empty or no worker has worked on the outbox for a lease's
  length, else after ``OUTBOX_LOST_AFTER_MINUTES``.
"""

import base64
import contextlib
import datetime as dt
import functools
import hashlib
import logging
import re
import smtplib
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import get_connection
from django.core.mail.message import sanitize_address
from django.db import IntegrityError, transaction
from django.db import connection as database
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from events.models import Event, EventStatus
from events.services import log_action
from events_project.periodic import process_each
from events_project.prepared import execute_direct, insert, insert_many, listened
from notifications import kinds
from notifications.exceptions import OutboxError
from notifications.jobs import broker, enqueue, wake_once, woken
from notifications.language import language_of
from notifications.mime import ProgrammeEmail
from notifications.models import RESENDABLE_STATUSES, MessageTemplateOverride, OutboxMessage, OutboxStatus
from notifications.services import preferences
from notifications.services.fan_out import FanOutRenderer
from notifications.services.rendering import (
    RenderedMessage,
    calendar_method,
    carries_calendar_invitation,
    render,
    sender,
)

logger = logging.getLogger(__name__)

SEND_TASK = "notifications.tasks.send_messages"
DRAIN_TASK = "notifications.tasks.send_pending"
# a drain asked for and not started after this long is taken for lost: the next row asks again
DRAIN_WAKE_SECONDS = 10
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


def lease() -> dt.timedelta:
    """How long a claim holds without renewal. A worker renews it every quarter of that while
    it works, so a claim that runs out belongs to a worker that died (or hangs)."""
    return dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def new_message_id() -> str:
    """A Message-ID unique across deployments and time (not derived from the row's id)."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">").strip() or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


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
    """What to send (the worker renders it when it sends)."""

    kind: str
    recipient_email: str
    recipient_name: str = ""
    about: object = None
    event: object = None
    dedup_key: str | None = None
    context: dict | None = None
    event_start: dt.datetime | None = None
    language: str = ""

    def key(self) -> str:
        key = self.dedup_key or default_dedup_key(
            kind=self.kind, recipient_email=self.recipient_email, about=self.about, event=self.event
        )
        return _fit(key)


def _row(spec: MessageSpec, *, key: str) -> dict:
    """The row's values: what to send. Nothing is rendered here (the worker does it at send time)."""
    about = spec.about
    if spec.event is not None:
        # Fail where the fault is: an event whose timezone is unknown cannot be rendered later
        # either, so the caller's job (and its transaction) stops here, not the outbox (cached).
        spec.event.zone  # noqa: B018
    return {
        "kind": spec.kind,
        "recipient_email": spec.recipient_email,
        "recipient_name": spec.recipient_name[:200],
        "language": spec.language or language_of(about),
        "context": spec.context or {},
        "message_id": new_message_id(),
        "about_type_id": ContentType.objects.get_for_model(about).pk if about is not None else None,
        "about_id": about.pk if about is not None else None,
        "event_id": spec.event.pk if spec.event is not None else None,
        "event_start": spec.event_start,
        "dedup_key": key,
    }


def _build(spec: MessageSpec, *, key: str) -> OutboxMessage:
    """The row as an instance (with the event it is about), not yet saved."""
    row = _row(spec, key=key)
    del row["event_id"]
    return OutboxMessage(**row, event=spec.event)


def _send_after_commit(message_ids: list[int]) -> None:
    def hand_out():
        size = batch_size()
        for index in range(0, len(message_ids), size):
            enqueue(SEND_TASK, message_ids[index : index + size], keep_result=False)

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
    language: str = "",
    about_is_new: bool = False,
) -> OutboxMessage:
    """Write one message to the outbox (what to send; rendered when sent) and send it after commit.

    ``context``: JSON-serialisable values the templates need beyond ``about`` and ``event``.
    ``language``: the recipient's; empty takes the one recorded on ``about`` (a registration's,
    a speaker's) or the site's default.
    Idempotent on ``dedup_key``: queuing the same message again returns the existing row
    and sends nothing. ``about_is_new``: ``about`` was created in the caller's transaction, so
    no message about it can exist yet (the default key holds its primary key): the duplicate
    check and its savepoint are skipped (a registration's hot path).
    Side effect: a send job after the surrounding transaction commits.
    """
    if kind not in kinds.ALL_KINDS:
        raise OutboxError(_("Unknown message kind %(kind)s.") % {"kind": repr(kind)}, "unknown_kind")
    spec = MessageSpec(
        kind=kind,
        recipient_email=recipient_email.strip(),
        recipient_name=recipient_name or "",
        about=about,
        event=event,
        dedup_key=dedup_key,
        context=context,
        language=language,
    )
    key = spec.key()
    if about_is_new and dedup_key is None and about is not None:
        message = insert(_build(spec, key=key))
        _send_after_commit([message.pk])
        return message
    existing = OutboxMessage.objects.filter(dedup_key=key).first()
    if existing is not None:
        return existing
    message = _build(spec, key=key)
    try:
        # the savepoint keeps the caller's transaction usable when the key exists already
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        # queued before (a repeated request, or someone else a moment ago)
        return OutboxMessage.objects.get(dedup_key=key)
    _send_after_commit([message.pk])
    return message


@dataclass(frozen=True)
class MessageAboutNew:
    """The outbox row :func:`queue_message` writes about an object created in the same statement
    (``about_is_new``), for a caller that writes both in one: the row unsaved, without the
    object's primary key, which its ``about_id`` and its ``dedup_key`` (``key_before``, the key,
    ``key_after``) take in the statement."""

    message: OutboxMessage
    key_before: str
    key_after: str


# the longest a database's primary key is written (a bigint)
_PK_DIGITS = 20


def message_about_new(*, kind: str, recipient_email: str, recipient_name: str, about, event) -> MessageAboutNew | None:
    """What ``queue_message(..., about_is_new=True)`` would write about ``about`` (unsaved), or
    None when its key might need shortening (a very long address) or someone listens to the saving
    of outbox rows (a statement sends no signals): then queue it that way."""
    if kind not in kinds.ALL_KINDS:
        raise OutboxError(_("Unknown message kind %(kind)s.") % {"kind": repr(kind)}, "unknown_kind")
    recipient_email = recipient_email.strip()
    if kind in kinds.VERSIONED_BY_EVENT_SEQUENCE or listened(OutboxMessage):
        return None
    before, after = f"{kind}:{_about_label(about)}:", f":{recipient_email}"
    if len(before) + _PK_DIGITS + len(after) > DEDUP_KEY_MAX:
        return None
    spec = MessageSpec(
        kind=kind, recipient_email=recipient_email, recipient_name=recipient_name or "", about=about, event=event
    )
    return MessageAboutNew(_build(spec, key=""), before, after)


def queued_about_new(written: MessageAboutNew, *, pk: int, about_id: int) -> OutboxMessage:
    """The row of ``written`` was written (``pk``) about ``about_id``: sent after commit (at once
    outside a transaction) by a drain of its kind (:func:`drain_outbox`), asked for once for all
    the rows written until it starts, not by a job of its own as by :func:`queue_message`."""
    message = written.message
    message.pk, message.about_id = pk, about_id
    message.dedup_key = f"{written.key_before}{about_id}{written.key_after}"
    message._state.adding = False
    # a rush writes hundreds of these a second: one drain of their kind, not a job each
    transaction.on_commit(lambda: wake_once(DRAIN_TASK, message.kind, flag=message.kind, seconds=DRAIN_WAKE_SECONDS))
    return message


def drain_outbox(*, kind: str) -> dict:
    """Send every pending message of ``kind`` that waits for its first attempt (or for another
    after a stopped worker's), oldest first, a batch at a time: the job that
    :func:`queued_about_new` asks for once for any number of rows (``notifications.jobs.wake_once``).

    The wake-up's flag is deleted before the first look at the rows: a row written before that
    is seen here (a batch that comes back full is followed by another), a row written after it
    asks for a drain of its own. Safe to run twice and at once: each batch is claimed before it
    is sent (:func:`send_outbox_messages`). Returns counts by outcome.
    """
    woken(kind)
    outcome = {"sent": 0, "failed": 0, "cancelled": 0}
    size = batch_size()
    # a rush that writes rows as fast as they are sent would keep one job going past its timeout
    deadline = time.monotonic() + send_budget_seconds()
    while True:
        ids = list(
            OutboxMessage.objects.filter(kind=kind, status=OutboxStatus.PENDING, next_attempt_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        if not ids:
            return outcome
        batch = send_outbox_messages(message_ids=ids)
        for name, count in batch.items():
            outcome[name] = outcome.get(name, 0) + count
        if len(ids) < size or batch.get("handed_back") or batch.get("lost"):
            # all there was; or the batch ran out of time or lease (what it handed back has a
            # job of its own, the sweep takes the rest)
            return outcome
        if time.monotonic() > deadline:
            # the rest to a drain of its own (the one a newer row asked for, or a new one)
            wake_once(DRAIN_TASK, kind, flag=kind, seconds=DRAIN_WAKE_SECONDS)
            return outcome


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

    Only keys not yet in the outbox are written; rows are inserted in bulk and handed to
    the workers in batches after commit. A spec without an address (a walk-in registered at
    the door without one) is left out: there is nobody to write to, and its row would only
    fail every attempt. Returns the primary keys of the new rows.
    """
    by_key = {}
    for spec in specs:
        if not spec.recipient_email.strip():
            continue
        by_key.setdefault(spec.key(), spec)
    if not by_key:
        return []
    already = existing_keys(by_key)
    new_keys = [key for key in by_key if key not in already]
    if not new_keys:
        return []
    with transaction.atomic():
        try:
            # the keys were free a moment ago: written, and their primary keys come back at once
            with transaction.atomic():
                ids = sorted(insert_many(OutboxMessage, [_row(by_key[key], key=key) for key in new_keys]))
        except IntegrityError:
            # someone queued some of them meanwhile: write the others and look up what was written
            OutboxMessage.objects.bulk_create(
                [_build(by_key[key], key=key) for key in new_keys], batch_size=500, ignore_conflicts=True
            )
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


SUPERSEDED = gettext_noop("A later change notice replaces this one.")


def supersede_waiting(
    *, kind: str, event_id: int, about_model, about_ids: Iterable[int], keep_keys: Iterable[str] = ()
) -> dict[int, list[dict]]:
    """Cancel the messages of ``kind`` about ``about_ids`` (``about_model`` rows) of one event that
    still wait to be sent (pending, not claimed by a worker): a newer message, rendered from the
    current state when it is sent, tells everything they would have told (two changes of an event
    before the first notice went out make one notice, not two alike). Returns the contexts of the
    messages cancelled, by what they are about, so the newer one may name what they named.
    ``keep_keys``: the newer messages' own keys (a row under one of them is the newer message
    itself, queued before: it stays). Call it in the transaction that queues the newer message."""
    return supersede_waiting_of_events(
        kind=kind, event_ids=[event_id], about_model=about_model, about_ids=about_ids, keep_keys=keep_keys
    )


def supersede_waiting_of_events(
    *, kind: str, event_ids: Iterable[int], about_model, about_ids: Iterable[int], keep_keys: Iterable[str] = ()
) -> dict[int, list[dict]]:
    """supersede_waiting for the messages of many events at once (the sessions a series edit
    changed), in the same three statements whatever their number."""
    wanted = set(about_ids)
    if not wanted:
        return {}
    type_id = ContentType.objects.get_for_model(about_model).pk
    kept = {_fit(key) for key in keep_keys}
    # the kept keys are left out here, not in SQL: a series' hundreds of keys are no statement's limit
    waiting = [
        (pk, about_id)
        for pk, about_id, key in OutboxMessage.objects.filter(
            kind=kind, event_id__in=list(event_ids), about_type_id=type_id, status=OutboxStatus.PENDING
        ).values_list("pk", "about_id", "dedup_key")
        if about_id in wanted and key not in kept
    ]
    if not waiting:
        return {}
    pks = [pk for pk, _about in waiting]
    # conditional: a row a worker claimed meanwhile goes out as it is
    OutboxMessage.objects.filter(pk__in=pks, status=OutboxStatus.PENDING).update(
        status=OutboxStatus.CANCELLED, last_error=SUPERSEDED, claim_token="", lease_until=None, next_attempt_at=None
    )
    superseded: dict[int, list[dict]] = {}
    for about_id, context in OutboxMessage.objects.filter(
        pk__in=pks, status=OutboxStatus.CANCELLED, last_error=SUPERSEDED
    ).values_list("about_id", "context"):
        superseded.setdefault(about_id, []).append(context or {})
    return superseded


def waiting_contexts(keys: Iterable[str]) -> dict[str, tuple[int, dict]]:
    """The messages queued under ``keys`` that still wait to be sent (pending): their primary key
    and context, by key. A notice derived again (a change's job run twice, or after a later change
    of the same event) names what it names in the waiting row instead of writing a second one."""
    keys = [_fit(key) for key in keys]
    found = {}
    for index in range(0, len(keys), 500):
        for pk, key, context in OutboxMessage.objects.filter(
            dedup_key__in=keys[index : index + 500], status=OutboxStatus.PENDING
        ).values_list("pk", "dedup_key", "context"):
            found[key] = (pk, context or {})
    return found


def rewrite_waiting_context(*, message_id: int, context: dict) -> bool:
    """Give a message still waiting (pending, not claimed) a new context; False once a worker took it."""
    return bool(OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.PENDING).update(context=context))


# --- sending ---------------------------------------------------------------------------


# the fan-outs: a recipient may turn them off (List-Unsubscribe); transactional mail stays
FAN_OUT_KINDS = frozenset({kinds.REMINDER, kinds.FOLLOW_UP_ATTENDED, kinds.FOLLOW_UP_NO_SHOW})


# Why a message did not go out, stored in English (the API's ``last_error`` and the logs read it so)
# and marked for translation: the outbox page shows it in the reader's language.
STALE_REGISTRATION = {
    "pending": gettext_noop("The registration is awaiting approval now; this message would no longer be true."),
    "confirmed": gettext_noop("The registration is confirmed now; this message would no longer be true."),
    "waitlisted": gettext_noop("The registration is on the waiting list now; this message would no longer be true."),
    "offered": gettext_noop("A seat is offered to the registrant now; this message would no longer be true."),
    "cancelled": gettext_noop("The registration is cancelled now; this message would no longer be true."),
    "rejected": gettext_noop("The registration is turned down now; this message would no longer be true."),
}
ABOUT_GONE = gettext_noop("What the message was about no longer exists.")
EVENT_NOT_PUBLISHED = gettext_noop("The event is no longer published.")
EVENT_MOVED = gettext_noop("The event was moved; a reminder for the new time replaces this one.")
EVENT_STARTED = gettext_noop("The event has started.")
EVENT_CANCELLED_SINCE = gettext_noop("The event is cancelled; its cancellation tells it.")
# what is about taking part in an event still to come: not sent once the event is cancelled
FOR_A_COMING_EVENT = kinds.ABOUT_A_COMING_EVENT | {kinds.SPEAKER_INVITATION, kinds.SPEAKER_INVITATION_REMINDER}
RECIPIENT_MUTED = gettext_noop("The recipient turned these messages off.")
WORKER_STOPPED = gettext_noop("The worker stopped while sending; out of attempts.")


def _about(message: OutboxMessage):
    """``message.about``: the object set on the row with it (``_attach_related``, a prefetch), as
    it was set, else looked up. Reading it through the generic relation checks its content type
    anew every time (some 20 µs, twice per message of a fan-out, half of all the rendering)."""
    about_field = OutboxMessage._meta.get_field("about")
    if about_field.is_cached(message):
        return about_field.get_cached_value(message)
    return message.about


def _is_stale(message: OutboxMessage, now: dt.datetime) -> str:
    """Why a message must not go out any more ("" if it may)."""
    about = _about(message)
    if message.about_type_id is not None and about is None:
        return ABOUT_GONE
    wanted = kinds.REGISTRATION_STATUSES_OF_KIND.get(message.kind)
    if (
        wanted
        and about is not None
        and about._meta.label_lower == "registrations.registration"
        and about.status not in wanted
    ):
        return STALE_REGISTRATION.get(
            about.status, f"The registration is {about.status} now; this message would no longer be true."
        )
    if (
        message.kind in FOR_A_COMING_EVENT
        and message.event is not None
        and message.event.status == EventStatus.CANCELLED
    ):
        # a change notice (a calendar REQUEST), an invitation to speak, a ticket going out after,
        # or next to, the event's cancellation
        return EVENT_CANCELLED_SINCE
    if message.event_start is None or message.event is None:
        return ""
    event = message.event
    if event.status != EventStatus.PUBLISHED:
        return EVENT_NOT_PUBLISHED
    if event.start != message.event_start:
        return EVENT_MOVED
    if event.start <= now:
        return EVENT_STARTED
    return ""


def _attach_related(messages: list[OutboxMessage]) -> None:
    """Give a batch's rows their event and what they are about, each fetched once per type, and
    what they are about the batch's Event objects: what ``prefetch_related("event", "about")``
    followed by setting ``about.event`` gives, without the generic relation's checks per row
    (reading ``message.about`` looks up its content type every time)."""
    events = Event._base_manager.in_bulk({message.event_id for message in messages} - {None})
    wanted: dict[int, set] = {}
    for message in messages:
        if message.about_type_id is not None and message.about_id is not None:
            wanted.setdefault(message.about_type_id, set()).add(message.about_id)
    found: dict[int, dict] = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is not None:
            found[type_id] = model._base_manager.in_bulk([model._meta.pk.to_python(pk) for pk in ids])
    event_field, about_field = OutboxMessage._meta.get_field("event"), OutboxMessage._meta.get_field("about")
    for message in messages:
        event = events.get(message.event_id)
        about = found.get(message.about_type_id, {}).get(message.about_id)
        event_field.set_cached_value(message, event)
        about_field.set_cached_value(message, about)
        if about is not None and event is not None and getattr(about, "event_id", None) == message.event_id:
            about.event = event


def render_message(
    message: OutboxMessage,
    *,
    overrides: dict | None = None,
    languages: dict | None = None,
    renderer: FanOutRenderer | None = None,
) -> RenderedMessage:
    """What ``message`` says now: rendered from the current state of what it is about, in the
    language recorded on the row, else the one the recipient chose (``languages``: the batch's,
    looked up once), else the site's. ``renderer``: a batch's, which renders the templates of a
    fan-out once per group (notifications.services.fan_out)."""
    language = message.language
    if not language:
        chosen = languages if languages is not None else preferences.languages_of([message.recipient_email])
        language = chosen.get(message.recipient_email.strip().lower(), "")
    if overrides is None:
        override = (
            MessageTemplateOverride.objects.filter(event_id=message.event_id, kind=message.kind).first()
            if message.event_id
            else None
        )
    else:
        override = overrides.get((message.event_id, message.kind))
    extra, headers = {}, {}
    if message.kind in FAN_OUT_KINDS:
        preferences_url, unsubscribe = preferences.links(message.recipient_email)
        extra = {"preferences_url": preferences_url, "unsubscribe_url": unsubscribe}
        # RFC 2369 and RFC 8058: the mail provider's own "unsubscribe" button, one click
        headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    rendered = (renderer.render if renderer is not None else render)(
        kind=message.kind,
        recipient_email=message.recipient_email,
        recipient_name=message.recipient_name,
        about=_about(message),
        event=message.event,
        context=message.context,
        override=override,
        language=language,
        extra=extra,
    )
    rendered.headers.update(headers)
    if message.attachments:
        # a row queued before rendering moved to send time: its tickets were rendered then
        rendered.attachments = list(message.attachments)
    return rendered


# a name and an address that Django's sanitize_address leaves as they are (checked by the tests
# against it): letters and digits in words, a plain ASCII address with short domain labels
PLAIN_NAME = re.compile(r"[A-Za-z0-9]+(?: [A-Za-z0-9]+)*")
PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*")


def recipient_header(name: str, email: str) -> str:
    """The To header: the name on one line (typed with a line break, it would make the header
    invalid and the message fail every attempt), quoted or encoded as needed. A plain name and
    address are written at once; sanitize_address parses both, a tenth of a fan-out's work."""
    name = " ".join(name.split())
    if (
        len(name) <= 60
        and len(email) <= 120
        and (not name or PLAIN_NAME.fullmatch(name))
        and PLAIN_ADDRESS.fullmatch(email)
    ):
        return f"{name} <{email}>" if name else email
    return sanitize_address((name, email), "utf-8")


def _email(message: OutboxMessage, rendered: RenderedMessage, *, reply_to: list[str] | None = None) -> ProgrammeEmail:
    # no connection on the message: the batch sends it on its own (and locmem would copy one along)
    to = recipient_header(message.recipient_name, message.recipient_email)
    headers = {
        **rendered.headers,
        "Message-ID": message.message_id or new_message_id(),
        # RFC 3834: out-of-office and other automatic replies stay quiet
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
    }
    email = ProgrammeEmail(
        subject=rendered.subject,
        body=rendered.body_text,
        from_email=sender(rendered.language),
        to=[to],
        headers=headers,
        reply_to=reply_to or None,
    )
    if rendered.body_html:
        email.attach_alternative(rendered.body_html, "text/html")
    attachments = rendered.attachments or []
    calendars = [item for item in attachments if calendar_method(item)]
    for attachment in attachments:
        content = base64.b64decode(attachment["content"])
        content_type = attachment.get("content_type") or ""
        if calendars == [attachment]:
            # what calendar clients act on: the invitation as an alternative of the message. Only
            # a message's one calendar file: alternatives say the same thing in other forms, and
            # several sessions' files are not that (the recipient opens each attached file)
            email.attach_alternative(content, content_type)
        email.attach(attachment["filename"], content, content_type)
    return email


def reply_to_of(event_ids) -> dict[int, list[str]]:
    """The organisers' addresses of each event: a reply reaches them, not the sending address."""
    addresses: dict[int, list[str]] = {}
    for event_id, email in Event.organisers.through.objects.filter(event_id__in=list(event_ids)).values_list(
        "event_id", "user__email"
    ):
        if email:
            addresses.setdefault(event_id, []).append(email)
    return addresses


SENDING_READS = (
    "kind",
    "recipient_email",
    "recipient_name",
    "language",
    "context",
    "attachments",
    "message_id",
    "about_type",
    "about_id",
    "event",
    "event_start",
    "status",
    "attempts",
    "claim_token",
)


def claim(*, message_ids: list[int], now: dt.datetime) -> list[OutboxMessage]:
    """Take the rows that are still pending and due, under a lease; nobody else can take them
    while the lease holds."""
    token = uuid.uuid4().hex
    OutboxMessage.objects.filter(pk__in=message_ids, status=OutboxStatus.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    ).update(
        status=OutboxStatus.SENDING,
        claimed_at=now,
        lease_until=now + lease(),
        claim_token=token,
        attempts=F("attempts") + 1,
        # set by this claim's worker once it sent the message (mark_sent)
        sent_at=None,
    )
    messages = list(
        OutboxMessage.objects.filter(claim_token=token, status=OutboxStatus.SENDING)
        # what sending reads: a fan-out's batch skips the bodies and seven timestamps per row
        .only(*SENDING_READS)
        .order_by("pk")
    )
    # one Event object per event of the batch (not one per row), shared with what the rows are about
    _attach_related(messages)
    return messages


class Lease:
    """A batch's claim, renewed while the worker works through it."""

    def __init__(self, token: str):
        self.token = token
        self.every = lease().total_seconds() / 4
        self.renewed = time.monotonic()

    def keep(self) -> bool:
        """Renew the claim when a quarter of the lease has passed. False: the claim was lost
        (the sweep took this worker for dead), so the rows are someone else's now."""
        if time.monotonic() - self.renewed < self.every:
            return True
        now = timezone.now()
        held = OutboxMessage.objects.filter(claim_token=self.token, status=OutboxStatus.SENDING).update(
            lease_until=now + lease()
        )
        self.renewed = time.monotonic()
        return held > 0


def refused_for_good(error: Exception) -> bool:
    """The mail server refused every recipient of the message with a permanent answer (5xx: no
    such mailbox, an address it will never take): trying again in an hour changes nothing, so the
    message fails at once and shows among the failed ones (a temporary 4xx is tried again)."""
    if not isinstance(error, smtplib.SMTPRecipientsRefused) or not error.recipients:
        return False
    return all(isinstance(code, int) and 500 <= code < 600 for code, _text in error.recipients.values())


def _record_failure(message: OutboxMessage, error: str, now: dt.datetime, *, final: bool = False) -> None:
    final = final or message.attempts >= max_attempts()
    OutboxMessage.objects.filter(pk=message.pk, claim_token=message.claim_token).update(
        status=OutboxStatus.FAILED if final else OutboxStatus.PENDING,
        last_error=error[:2000],
        next_attempt_at=None if final else now + retry_delay(message.attempts),
        claim_token="",
        lease_until=None,
        handed_out_at=None,
    )
    level = logging.ERROR if final else logging.WARNING
    logger.log(level, "Sending outbox message %s failed (attempt %s): %s", message.pk, message.attempts, error)


# how many sent messages have their texts recorded (and their claim ended) together (SQLite)
SENT_GROUP = 25


def records_each_message_whole() -> bool:
    """Whether a sent message is recorded whole (status, text, end of the claim) by the statement
    that writes it down, rather than by its ``sent_at`` alone with the rest per group.

    What a statement costs the worker differs. On PostgreSQL it is the round trip (the server
    writes the row in its own process), so one statement per message that says everything costs
    least. SQLite writes in the worker's process, by what the statement touches: the status and
    the claim token are in three indexes, the text makes the row grow, so the message is written
    down by its ``sent_at`` alone (less than half of that) and the rest for a group at once."""
    return database.vendor == "postgresql"


@functools.lru_cache(maxsize=8)
def _sent_sql(vendor: str) -> dict[str, str]:
    fields = {field.name: field.column for field in OutboxMessage._meta.concrete_fields}
    qn = database.ops.quote_name
    table, column = qn(OutboxMessage._meta.db_table), {name: qn(column) for name, column in fields.items()}
    ended = (
        f"{column['status']} = %s, {column['last_error']} = '', {column['claim_token']} = '', "
        f"{column['lease_until']} = NULL, {column['next_attempt_at']} = NULL"
    )
    mine = f"WHERE {column['id']} = %s AND {column['claim_token']} = %s"
    # an invitation that went out stays in the recipient's calendar: a later sending of the row
    # (an organiser's resend, rendered from today's state) adds to the record, never erases it
    invited = column["calendar_invitation_sent"]
    sent = f"{column['sent_at']} = %s, {invited} = ({invited} OR %s)"
    return {
        # two non-indexed columns of one row: the cheapest write that says "it went out" (and
        # whether it carried a calendar invitation, a fact of this sending)
        "mark": f"UPDATE {table} SET {sent} {mine}",
        "whole": f"UPDATE {table} SET {sent}, {ended}, {column['subject']} = %s, {column['body_text']} = %s {mine}",
        "record": f"UPDATE {table} SET {ended}, {column['subject']} = %s, {column['body_text']} = %s {mine}",
    }


def mark_sent(cursor, *, message_id: int, token: str, rendered: RenderedMessage, whole: bool = False) -> bool:
    """Write down at once that one claimed message went out, and whether it carried a calendar
    invitation (``calendar_invitation_sent``, what notifications.selectors.calendar_invitation_sent
    reads: set by a sending that carried one, left as it was by one that did not); False if the
    claim was no longer ours.

    ``whole`` (``records_each_message_whole``): the message is recorded whole, sent, with its
    subject and text, its claim ended. Else only its ``sent_at`` (and invitation) is
    written: the row stays ``sending`` under the claim until ``record_sent`` records the rest for
    its group; a worker killed in between leaves it to the sweep, which records it as sent, not
    to be sent again.

    Written out, not through the ORM: it runs once per message of a fan-out, and building it
    through the ORM cost five times the statement itself."""
    # the cursor's own connection: ``django.db.connection`` finds it anew (a context-local
    # lookup) on every attribute read, twice per message here
    connection = cursor.db
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    invited = carries_calendar_invitation(rendered.attachments)
    if whole:
        params = [now, invited, OutboxStatus.SENT.value, rendered.subject, rendered.body_text, message_id, token]
        if connection.vendor == "postgresql":
            # the same statement, prepared once per session and run by libpq without the cursors
            # around it: about half the CPU (events_project.prepared.execute_direct), and still
            # committed before the next message goes
            changed = execute_direct(
                connection, name="outbox_sent_whole", sql=_sent_sql("postgresql")["whole"], params=params
            )
            return changed == 1
        cursor.execute(_sent_sql(connection.vendor)["whole"], params)
    else:
        cursor.execute(_sent_sql(connection.vendor)["mark"], [now, invited, message_id, token])
    return cursor.rowcount == 1


def record_sent(cursor, *, token: str, texts: list[tuple[int, str, str]]) -> None:
    """End the claim of messages ``mark_sent`` wrote down (status sent), with what each said:
    ``texts`` holds (primary key, subject, text) of a group of them, written in one transaction."""
    if not texts:
        return
    with transaction.atomic():
        cursor.executemany(
            _sent_sql(database.vendor)["record"],
            [(OutboxStatus.SENT.value, subject, body, pk, token) for pk, subject, body in texts],
        )


@contextlib.contextmanager
def commits_not_waiting_for_the_disk():
    """On PostgreSQL, the commits of a send batch do not wait for the disk (``synchronous_commit``
    off for this connection while the batch runs): a batch commits once per message sent, and
    waiting for a flush each time made a fan-out wait more than it worked. A killed worker loses
    nothing by it (its commits are in the server); only a crash of the database server itself
    may lose the last fraction of a second of records, and those messages go once more, under
    the same Message-ID."""
    if database.vendor != "postgresql" or database.in_atomic_block:
        yield
        return
    with database.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        try:
            with database.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except Exception:  # noqa: BLE001 -- a broken connection is closed and made anew anyway
            logger.warning("Could not reset synchronous_commit", exc_info=True)


def send_outbox_messages(*, message_ids: list[int], now: dt.datetime | None = None) -> dict:
    """Render and send the given messages that are pending and due, over one mail connection.

    Safe to run twice and concurrently: each row is sent only by the one run that claimed it,
    and written down as sent as soon as it is (a killed worker leaves at most the message in
    flight to go again; the sweep records the ones it had sent). Returns counts by outcome.
    """
    with commits_not_waiting_for_the_disk():
        return _send(message_ids=message_ids, now=now or timezone.now())


def _reconnect(connection) -> None:
    """A fresh connection after a message failed: the mail server may have hung up on it (a
    ``421`` to one recipient, a provider throttling) and the old one then refuses every later
    message of the batch (``please run connect() first``), each losing an attempt for that one
    recipient. A server that is down stays down: the next message fails by itself."""
    try:
        connection.close()
    except Exception:  # noqa: BLE001 -- closing a connection the server already dropped
        logger.debug("Closing the failed mail connection failed", exc_info=True)
    try:
        connection.open()
    except Exception:  # noqa: BLE001 -- the next message tries again and records its own failure
        logger.warning("Could not reopen the mail connection", exc_info=True)


def _send(*, message_ids: list[int], now: dt.datetime) -> dict:
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
                status=OutboxStatus.CANCELLED, last_error=reason, claim_token="", lease_until=None
            )
            outcome["cancelled"] += 1
        else:
            sendable.append(message)
    muted = preferences.muted_among(message.recipient_email for message in sendable if message.kind in FAN_OUT_KINDS)
    if muted:
        wanted = []
        for message in sendable:
            if message.kind in muted.get(message.recipient_email.lower(), ()):
                OutboxMessage.objects.filter(pk=message.pk, claim_token=message.claim_token).update(
                    status=OutboxStatus.CANCELLED, last_error=RECIPIENT_MUTED, claim_token=""
                )
                outcome["cancelled"] += 1
            else:
                wanted.append(message)
        sendable = wanted
    if not sendable:
        return outcome

    try:
        connection = get_connection()
        connection.open()
    except Exception as exc:  # noqa: BLE001 -- any backend error: the mail server is down, retry all later
        for message in sendable:
            _record_failure(message, f"{type(exc).__name__}: {exc}", now)
        outcome["failed"] += len(sendable)
        return outcome
    event_ids = {message.event_id for message in sendable} - {None}
    overrides = {
        (override.event_id, override.kind): override
        for override in MessageTemplateOverride.objects.filter(event_id__in=event_ids)
    }
    reply_to = reply_to_of(event_ids)
    languages = preferences.languages_of(message.recipient_email for message in sendable if not message.language)
    renderer = FanOutRenderer()
    token = sendable[0].claim_token
    held = Lease(token)
    # A worker kills a task after Q_CLUSTER["timeout"]; a slow mail server must not make a
    # batch outlive it (its rows would be freed by the sweep and go out twice).
    deadline = time.monotonic() + send_budget_seconds()
    unsent, lost = [], []
    sent = 0
    texts: list[tuple[int, str, str]] = []
    whole = records_each_message_whole()

    def prepared(message: OutboxMessage) -> tuple:
        try:
            rendered = render_message(message, overrides=overrides, languages=languages, renderer=renderer)
            return rendered, _email(message, rendered, reply_to=reply_to.get(message.event_id)), None
        except Exception as exc:  # noqa: BLE001 -- a template's or an attachment's: this message fails, not the batch
            return None, None, exc

    group = []
    cursor = database.cursor()
    try:
        for position, message in enumerate(sendable):
            if not held.keep():
                lost = sendable[position:]
                break
            if time.monotonic() > deadline:
                unsent = sendable[position:]
                break
            if position % SENT_GROUP == 0:
                # a group's messages made one after the other, then sent one by one: rendering
                # and MIME building each stay warm in the processor's caches (measured: some 8 %
                # less CPU a message than making and sending each in turn)
                group = [prepared(each) for each in sendable[position : position + SENT_GROUP]]
            rendered, email, error = group[position % SENT_GROUP]
            if error is None:
                try:
                    connection.send_messages([email])
                except Exception as exc:  # noqa: BLE001 -- backends: SMTP, socket and provider errors alike
                    error = exc
                    _reconnect(connection)
            if error is not None:
                _record_failure(message, f"{type(error).__name__}: {error}", now, final=refused_for_good(error))
                outcome["failed"] += 1
            else:
                # Written down at once, not at the end of the batch: a worker killed mid-batch then
                # leaves only the message in flight to go out again, not every one sent before it.
                sent += 1
                mark_sent(cursor, message_id=message.pk, token=token, rendered=rendered, whole=whole)
                if whole:
                    continue
                texts.append((message.pk, rendered.subject, rendered.body_text))
                if len(texts) >= SENT_GROUP:
                    record_sent(cursor, token=token, texts=texts)
                    texts = []
    finally:
        try:
            connection.close()
        except Exception:
            logger.warning("Closing the mail connection failed", exc_info=True)
        try:
            record_sent(cursor, token=token, texts=texts)
        except Exception:
            # they are written down as sent: the sweep records them so when the lease runs out
            logger.warning("Recording %s sent messages failed; the sweep will", len(texts), exc_info=True)
        cursor.close()
    if lost:
        logger.warning("Outbox batch lost its lease; %s messages left to the sweep", len(lost))
        outcome["lost"] = len(lost)
    if unsent:
        # handed back untouched: not an attempt, and due at once
        unsent_ids = [message.pk for message in unsent]
        OutboxMessage.objects.filter(pk__in=unsent_ids, claim_token=token).update(
            status=OutboxStatus.PENDING,
            claim_token="",
            lease_until=None,
            attempts=F("attempts") - 1,
            next_attempt_at=None,
            handed_out_at=timezone.now(),
        )
        outcome["handed_back"] = len(unsent_ids)
        transaction.on_commit(lambda: enqueue(SEND_TASK, unsent_ids, keep_result=False))
    outcome["sent"] = sent
    return outcome


def _outbox_idle(now: dt.datetime) -> bool:
    """No worker has held or finished a claim for a lease's length: tasks handed out and not
    yet run are lost (a killed cluster takes the tasks it had fetched with it)."""
    since = now - lease()
    return not (
        OutboxMessage.objects.filter(status=OutboxStatus.SENDING, lease_until__gte=now).exists()
        or OutboxMessage.objects.filter(status=OutboxStatus.SENT, sent_at__gte=since).exists()
        or OutboxMessage.objects.filter(status=OutboxStatus.PENDING, handed_out_at__gte=since).exists()
    )


def _all_tasks_taken() -> bool:
    """The job queue holds no task: every send task handed out has been taken by a cluster. A
    row still pending and unclaimed a lease after its hand-out then sits with a cluster that
    died (a live one starts what it took within seconds; if not, a second task for the row
    finds it claimed and sends nothing)."""
    try:
        return broker().queue_size() == 0
    except Exception:  # noqa: BLE001 -- the broker unreachable: fall back to the waits below
        logger.warning("Could not read the job queue's length", exc_info=True)
        return False


def sweep_outbox(*, now: dt.datetime | None = None) -> dict:
    """Hand out again what fell through the cracks.

    - rows in ``sending`` whose lease ran out: their worker died; sent if it wrote down that it
      sent them (``sent_at``), else back to pending (or failed when out of attempts);
    - rows ``pending`` and due whose retry time came, or whose task was lost: a lease after
      their hand-out when the job queue is empty (every task was taken: a killed cluster took
      these with it) or the outbox is idle (no worker touched it for a lease's length), else
      after ``OUTBOX_LOST_AFTER_MINUTES`` (the backlog of a big fan-out is not a lost task).
    """
    now = now or timezone.now()
    expired = OutboxMessage.objects.filter(status=OutboxStatus.SENDING).filter(
        Q(lease_until__lt=now) | Q(lease_until__isnull=True, claimed_at__lt=now - lease())
    )
    # sent before their worker died (sent_at written down), not yet recorded: sent, never again
    recorded = expired.filter(sent_at__isnull=False).update(
        status=OutboxStatus.SENT, claim_token="", lease_until=None, next_attempt_at=None, last_error=""
    )
    if recorded:
        logger.warning("Recorded %s messages a stopped worker had sent as sent", recorded)
    failed = expired.filter(attempts__gte=max_attempts()).update(
        status=OutboxStatus.FAILED,
        claim_token="",
        lease_until=None,
        last_error=WORKER_STOPPED,
    )
    freed = expired.update(
        status=OutboxStatus.PENDING, claim_token="", lease_until=None, next_attempt_at=None, handed_out_at=None
    )
    waited = now - (lease() if _all_tasks_taken() or _outbox_idle(now) else lost_after())
    due = (
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(handed_out_at__isnull=True) | Q(handed_out_at__lte=waited))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    ids = list(due[:20_000])
    size = batch_size()

    def hand_out(chunk: list[int]) -> int:
        OutboxMessage.objects.filter(pk__in=chunk, status=OutboxStatus.PENDING).update(handed_out_at=now)
        enqueue(SEND_TASK, chunk, keep_result=False)
        return len(chunk)

    chunks = [ids[index : index + size] for index in range(0, len(ids), size)]
    requeued = process_each(chunks, hand_out, job="outbox sweep", row_id=lambda chunk: f"{chunk[0]}..{chunk[-1]}")
    return {"freed": freed, "failed": failed, "requeued": sum(requeued)}


@transaction.atomic
def resend_message(*, message: OutboxMessage, by=None) -> OutboxMessage:
    """An organiser sends a failed (or sent, or cancelled) message again, as the same row: it is
    rendered anew from the current state and goes out under a new Message-ID (a mail system
    would drop a second message with the first one's as a duplicate).

    Side effect: a send job after commit.
    """
    updated = OutboxMessage.objects.filter(pk=message.pk, status__in=RESENDABLE_STATUSES).update(
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=None,
        last_error="",
        claim_token="",
        lease_until=None,
        sent_at=None,
        # tickets are made anew too
        attachments=[],
        message_id=new_message_id(),
        handed_out_at=timezone.now(),
    )
    if not updated:
        if OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.PENDING).exists():
            raise OutboxError(_("This message is still on its way."), "message_pending")
        raise OutboxError(_("The message is being sent right now."), "message_sending")
    _send_after_commit([message.pk])
    message.refresh_from_db()
    log_action(by=by, action="message.resent", event=message.event, subject=message, data={"kind": message.kind})
    return message
