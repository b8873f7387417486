"""Reads of the outbox and templates, limited to what a user may see."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, QuerySet

from events.models import Event
from events.selectors import events_managed_by
from notifications.models import MessageTemplateOverride, OutboxMessage, OutboxStatus


def _organised_event_ids(user):
    return Event.organisers.through.objects.filter(user_id=user.pk).values("event_id")


def outbox_visible_to(user) -> QuerySet[OutboxMessage]:
    """Superusers see every message; organisers the messages about events they organise."""
    messages = OutboxMessage.objects.select_related("event").defer("body_html", "attachments")
    if user.is_superuser:
        return messages
    return messages.filter(event_id__in=_organised_event_ids(user))


def outbox_managed_by(user) -> QuerySet[OutboxMessage]:
    """Messages about the events a user may change: what the workspace's outbox lists and resends."""
    return (
        OutboxMessage.objects.filter(event__in=events_managed_by(user).values("pk"))
        .select_related("event")
        .defer("body_html", "attachments")
    )


def outbox_counts(messages: QuerySet[OutboxMessage]) -> dict[str, int]:
    counts = {status: 0 for status in OutboxStatus.values}
    for row in messages.values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]
    return counts


def templates_visible_to(user) -> QuerySet[MessageTemplateOverride]:
    templates = MessageTemplateOverride.objects.select_related("event")
    if user.is_superuser:
        return templates
    return templates.filter(event_id__in=_organised_event_ids(user))


def messaged_about(*, event_id: int, model, kinds: tuple[str, ...]) -> QuerySet:
    """Primary keys of the ``model`` rows that have a message of one of ``kinds`` about them
    (in the outbox, whatever its status): who already got a follow-up."""
    return OutboxMessage.objects.filter(
        event_id=event_id, kind__in=kinds, about_type=ContentType.objects.get_for_model(model)
    ).values("about_id")
