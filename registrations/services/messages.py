"""The one way registrations speak to registrants: a message queued in the notifications outbox."""

import datetime as dt
import hashlib
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event, EventStatus
from events.services import log_action
from events_project.periodic import process_each
from notifications import kinds
from notifications.jobs import enqueue
from notifications.services import (
    MessageSpec,
    queue_message,
    queue_messages,
    rewrite_waiting_context,
    supersede_waiting,
    waiting_contexts,
)
from notifications.services.rendering import CHANGED_PART_OF_FIELD
from notifications.services.templates import check_subject
from registrations.exceptions import InvalidRegistrationTransition, RegistrationError
from registrations.models import ChangeNotice, Registration, RegistrationStatus

SUBJECT_MAX = 200
BODY_MAX = 5000

# what a registrant must know about; a new title or description is not worth an email
NOTIFIED_FIELDS = CHANGED_PART_OF_FIELD  # the fields a registrant is told of, and what each is


def is_over(event: Event) -> bool:
    return event.end <= timezone.now()


def tell_registrant(registration: Registration, kind: str, *, new_registration: bool = False, **context) -> None:
    """Queue one message about ``registration`` to its registrant (sent after commit).

    ``new_registration``: it was created in this transaction, so no message about it can be
    queued yet (the outbox skips its duplicate check).

    Nothing about a place at an event that is over (a person added by hand afterwards gets
    no "your place is confirmed" with the join link of a past event).
    """
    if not registration.email:
        return
    if kind in kinds.ABOUT_A_COMING_EVENT and is_over(registration.event):
        return
    queue_message(
        kind=kind,
        recipient_email=registration.email,
        recipient_name=registration.name,
        about=registration,
        event=registration.event,
        context=context or None,
        about_is_new=new_registration,
    )


def tell_registrants(registrations: list[Registration], kind: str, *, event: Event, context_of=None) -> None:
    """:func:`tell_registrant` for many registrations of ``event`` at once, queued together
    (``context_of(registration)``: each message's context)."""
    if kind in kinds.ABOUT_A_COMING_EVENT and is_over(event):
        return
    queue_messages(
        [
            MessageSpec(
                kind=kind,
                recipient_email=registration.email.strip(),
                recipient_name=registration.name,
                about=registration,
                event=event,
                context=(context_of(registration) if context_of else None) or None,
            )
            for registration in registrations
            if registration.email
        ]
    )


def resend_ticket(*, registration: Registration, by=None, now=None) -> Registration:
    """Send a confirmed registration's ticket again (QR code and calendar invitation attached).

    A second request within the same minute is the same message (double clicks send once).
    Raises ``not_a_ticket`` unless the registration is confirmed, ``no_email`` without an address,
    ``event_over`` once the event has ended.
    Side effect: registration_confirmed, queued again under a new key.
    """
    registration.refresh_from_db()
    if registration.status != RegistrationStatus.CONFIRMED:
        raise InvalidRegistrationTransition(_("Only a confirmed registration has a ticket to send."), "not_a_ticket")
    if not registration.email:
        raise RegistrationError(_("This registration has no email address."), "no_email")
    if is_over(registration.event):
        raise InvalidRegistrationTransition(_("The event is over: its ticket is no longer needed."), "event_over")
    now = now or timezone.now()
    queue_message(
        kind=kinds.REGISTRATION_CONFIRMED,
        recipient_email=registration.email,
        recipient_name=registration.name,
        about=registration,
        event=registration.event,
        dedup_key=f"ticket_resent:{registration.pk}:{now:%Y%m%d%H%M}",
    )
    log_action(by=by, action="registration.ticket_resent", event=registration.event, subject=registration)
    return registration


class RegistrantsMessaged(NamedTuple):
    """What writing to chosen registrants did: the page says all three, so that "Everyone listed
    (2)" followed by one message sent is explained rather than left to look like a loss."""

    queued: int  # messages on their way
    already_sent: int  # chosen people who had these very words already: not written to again
    without_address: int  # chosen people with no email address (a walk-in booked without one)


def message_registrants(*, event: Event, registration_ids, subject: str, body: str, by=None) -> RegistrantsMessaged:
    """An organiser writes to chosen registrants of ``event``: one outbox message each.

    Only registrations of this event with an email address are written to; the same text to
    the same person is queued once (sending the form twice sends nothing new). Returns how many
    messages were queued, and how many of those chosen were not written to and why.
    A subject of more than one line is refused (``subject_not_one_line``).
    Side effect: organiser_message to each, sent after commit.
    """
    # one line, as every subject an organiser writes: a line break was folded into a space unseen
    check_subject(subject)
    subject = " ".join((subject or "").split())
    body = (body or "").strip()
    if not subject or not body:
        raise RegistrationError(_("Write a subject and a message."), "message_required")
    if len(subject) > SUBJECT_MAX or len(body) > BODY_MAX:
        raise RegistrationError(_("The message is too long."), "message_too_long")
    ids = {int(pk) for pk in registration_ids}
    if not ids:
        raise RegistrationError(_("Choose at least one registrant."), "nobody_chosen")
    fingerprint = hashlib.sha256(f"{subject}\n{body}".encode()).hexdigest()[:16]
    chosen = Registration.objects.filter(event=event, pk__in=ids)
    registrations = chosen.exclude(email="").order_by("pk")
    specs = [
        MessageSpec(
            kind=kinds.ORGANISER_MESSAGE,
            recipient_email=registration.email,
            recipient_name=registration.name,
            about=registration,
            event=event,
            dedup_key=f"organiser_message:{fingerprint}:{registration.pk}",
            context={"subject": subject, "message": body},
        )
        for registration in registrations
    ]
    queued = len(queue_messages(specs))
    if queued:
        log_action(by=by, action="registration.messaged", event=event, data={"recipients": queued})
    return RegistrantsMessaged(
        queued=queued, already_sent=len(specs) - queued, without_address=chosen.count() - len(specs)
    )


def changes_to_tell(changed_fields) -> list[str]:
    """What of ``changed_fields`` a registrant must hear of, by name ("place", "time", ...)."""
    return sorted({NOTIFIED_FIELDS[name] for name in changed_fields if name in NOTIFIED_FIELDS})


def queue_change_notices(*, event: Event, changed_fields=frozenset()) -> bool:
    """After the change of ``event`` commits, a job tells its registrants (send_change_notice).

    The request that changed the event only writes one :class:`ChangeNotice` row and queues its
    job: a series edit moved thousands of registrations' notices, one outbox row each, and the
    request waited for every one of them (1.5 s and more for the demo's 3,500 registrants). The
    row commits with the change, so a job lost on the way is run by the sweep
    (``send_lost_change_notices``). Returns whether a notice is due.
    Side effect: the ``registrations.tasks.send_change_notice`` job after commit.
    """
    fields = sorted(name for name in changed_fields if name in NOTIFIED_FIELDS)
    if not fields or event.status != EventStatus.PUBLISHED:
        return False
    pending = ChangeNotice.objects.create(event=event, changed_fields=fields, changed_at=timezone.now())
    transaction.on_commit(lambda: enqueue("registrations.tasks.send_change_notice", pending.pk))
    return True


def queue_change_notices_of_events(*, changes) -> int:
    """queue_change_notices for many events at once (the sessions a series edit changed:
    ``changes``, a list of (event, changed fields)): their pending changes written in one statement
    and one job after commit for all of them (send_change_notices), not one a session. The
    notices are the same (each session's own, sent by send_change_notice). Returns how many
    events have a notice due. Side effect: the ``registrations.tasks.send_change_notices`` job."""
    now = timezone.now()
    pending = []
    for event, changed_fields in changes:
        fields = sorted(name for name in changed_fields if name in NOTIFIED_FIELDS)
        if fields and event.status == EventStatus.PUBLISHED:
            pending.append(ChangeNotice(event=event, changed_fields=fields, changed_at=now))
    if not pending:
        return 0
    ids = [notice.pk for notice in ChangeNotice.objects.bulk_create(pending)]
    transaction.on_commit(lambda: enqueue("registrations.tasks.send_change_notices", ids))
    return len(ids)


def send_change_notices(pending_ids: list[int]) -> int:
    """send_change_notice for each of ``pending_ids``, each in its own transaction (one that fails
    is logged and left to the sweep; the others go on). Returns how many notices were queued."""
    return sum(process_each(list(pending_ids), send_change_notice, job="change notices", row_id=lambda pk: pk))


def send_change_notice(pending_id: int) -> int:
    """Tell the registrants of one pending change and forget it, in one transaction: the job and
    the sweep may both run it, and only the first that holds the row writes anything (another
    skips a row held, and finds none once it is gone). Returns how many notices were queued."""
    with transaction.atomic():
        pending = ChangeNotice.objects.select_for_update(skip_locked=True).filter(pk=pending_id).first()
        if pending is None:
            return 0
        told = tell_registrants_of_change(
            event=pending.event, changed_fields=pending.changed_fields, changed_at=pending.changed_at
        )
        pending.delete()
    return told


# a pending change older than this lost its job (which runs within seconds of the commit)
LOST_AFTER = dt.timedelta(minutes=2)


def send_lost_change_notices(*, now=None) -> int:
    """The sweep (every minute): pending changes whose job was lost, oldest first; one that fails
    is logged and tried again at the next run, the others go on."""
    lost = ChangeNotice.objects.filter(changed_at__lte=(now or timezone.now()) - LOST_AFTER).order_by("changed_at")
    ids = list(lost.values_list("pk", flat=True)[:200])
    return sum(process_each(ids, send_change_notice, job="lost change notices", row_id=lambda pk: pk))


@transaction.atomic
def tell_registrants_of_change(*, event: Event, changed_fields=frozenset(), changed_at=None) -> int:
    """Tell everyone holding a place (confirmed or offered) that the event's time, place or join
    details changed: one message per registrant and event version (the key carries the event's
    SEQUENCE, as it is when this runs). Returns how many messages were queued.

    Runs in a job after the change committed (queue_change_notices); safe to run twice and in any
    order: the event's row is held while it runs, a notice of an earlier version still waiting is
    replaced by this one (which names both changes), and a notice of this version already waiting
    takes this change's names instead of being written again. ``changed_at``: when the change was
    made; a place taken after it hears of nothing (it was booked on the new details).

    Side effects: ``event_changed`` outbox rows, sent after commit.
    """
    what = changes_to_tell(changed_fields)
    event = Event.objects.select_for_update().filter(pk=event.pk).first()
    if not what or event is None or event.status != EventStatus.PUBLISHED:
        return 0
    holders = Registration.objects.filter(
        event=event, status__in=(RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED)
    ).order_by("pk")
    if changed_at is not None:
        holders = holders.filter(created_at__lte=changed_at)
    holders = list(holders)
    specs = [
        MessageSpec(
            kind=kinds.EVENT_CHANGED,
            recipient_email=registration.email,
            recipient_name=registration.name,
            about=registration,
            event=event,
        )
        for registration in holders
    ]
    keys = {spec.key() for spec in specs}
    # a notice of an earlier change still waiting to go out is replaced by this one, which names both
    earlier = supersede_waiting(
        kind=kinds.EVENT_CHANGED,
        event_id=event.pk,
        about_model=Registration,
        about_ids=[registration.pk for registration in holders],
        keep_keys=keys,
    )
    waiting = waiting_contexts(keys)
    for spec in specs:
        named = set(what)
        contexts = list(earlier.get(spec.about.pk, []))
        if spec.key() in waiting:
            contexts.append(waiting[spec.key()][1])
        for context in contexts:
            named.update(part.strip() for part in str(context.get("changed", "")).split(",") if part.strip())
        spec.context = {"changed": ", ".join(sorted(named))}
        if spec.key() in waiting and waiting[spec.key()][1] != spec.context:
            # this version's notice waits already (queued by the job of another change): it names this one too
            rewrite_waiting_context(message_id=waiting[spec.key()][0], context=spec.context)
    return len(queue_messages(specs))
