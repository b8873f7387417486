"""Who may see and change the outbox and message templates.

One pair per model: ``*_visible_to`` (read) and ``*_managed_by`` (change). Both belong to
the organisers of their event (every one to superusers); a message about no event is the
superusers' alone, unless an app above this one says whose it is (``add_outbox_scope``: a
cohort's enrolment messages are its programme's organisers'); a password reset or a speaker's
account message stays the superusers'.
"""

from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet

from events.selectors import events_managed_by
from notifications.models import MessageTemplateOverride, OutboxMessage, OutboxStatus


def _managed_event_ids(user) -> QuerySet:
    return events_managed_by(user).order_by().values("pk")


def _is_superuser(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser)


# the apps above say which of the messages about no event a user manages: ``scope(user)`` is a
# ``Q`` on OutboxMessage (apps register theirs in ``AppConfig.ready``)
_OUTBOX_SCOPES: list[Callable[..., Q]] = []


def add_outbox_scope(scope: Callable[..., Q]) -> None:
    """Messages an app queues about something of its own and no event (a cohort's enrolment):
    ``scope(user)`` is a ``Q`` of those ``user`` manages, for the outbox's pages, API and admin."""
    if scope not in _OUTBOX_SCOPES:
        _OUTBOX_SCOPES.append(scope)


def outbox_visible_to(user) -> QuerySet[OutboxMessage]:
    """Superusers see every message; organisers the messages about events they organise (and
    those the apps' scopes give them: their programmes' cohort messages)."""
    return outbox_managed_by(user)


def outbox_managed_by(user) -> QuerySet[OutboxMessage]:
    messages = OutboxMessage.objects.select_related("event").defer("body_html", "attachments")
    if _is_superuser(user):
        return messages
    mine = Q(event_id__in=_managed_event_ids(user))
    for scope in _OUTBOX_SCOPES:
        mine |= Q(event__isnull=True) & scope(user)
    return messages.filter(mine)


def outbox_counts(messages: QuerySet[OutboxMessage]) -> dict[str, int]:
    counts = {status: 0 for status in OutboxStatus.values}
    for row in messages.values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]
    return counts


def templates_visible_to(user) -> QuerySet[MessageTemplateOverride]:
    return templates_managed_by(user)


def templates_managed_by(user) -> QuerySet[MessageTemplateOverride]:
    return MessageTemplateOverride.objects.select_related("event").filter(event_id__in=_managed_event_ids(user))


def messaged_about(*, event_id: int, model, kinds: tuple[str, ...]) -> QuerySet:
    """Primary keys of the ``model`` rows that have a message of one of ``kinds`` about them
    (in the outbox, whatever its status): who already got a follow-up."""
    return OutboxMessage.objects.filter(
        event_id=event_id, kind__in=kinds, about_type=ContentType.objects.get_for_model(model)
    ).values("about_id")


def count_queued(*, event, kind: str, key_ending: str) -> int:
    """How many messages of ``kind`` about ``event`` are in the outbox (whatever their status)
    with a dedup key ending in ``key_ending``: how far a fan-out has gone (the reminders')."""
    return OutboxMessage.objects.filter(event=event, kind=kind, dedup_key__endswith=key_ending).count()


def calendar_invitation_sent(registrations) -> set[int]:
    """The primary keys of those of ``registrations`` (model instances of one model) whose
    registrant was sent a calendar invitation (METHOD:REQUEST) for their place: one query.

    Read from the outbox, from what each message carried when it was sent
    (``OutboxMessage.calendar_invitation_sent``, written by the sender from
    rendering.build_attachments' files), not from a registration's state: a place booked without
    a message (a cohort's sessions) has no invitation in anyone's calendar. A message an
    organiser sent again counts its earlier sendings, whatever the last one carried."""
    registrations = list(registrations)
    if not registrations:
        return set()
    return set(
        OutboxMessage.objects.filter(
            about_type=ContentType.objects.get_for_model(type(registrations[0])),
            about_id__in=[registration.pk for registration in registrations],
            calendar_invitation_sent=True,
        )
        .order_by()
        .values_list("about_id", flat=True)
    )
