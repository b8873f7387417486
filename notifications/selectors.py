"""Who may see and change the outbox, message templates and attendance imports.

One pair per model: ``*_visible_to`` (read) and ``*_managed_by`` (change). All three belong to
the organisers of their event (every one to superusers); a message about no event (a password
reset, a speaker's account) is the superusers' alone.
"""

from django.db.models import QuerySet

from events.selectors import events_managed_by
from notifications.models import AttendanceImport, MessageTemplateOverride, OutboxMessage


def _managed_event_ids(user) -> QuerySet:
    return events_managed_by(user).order_by().values("pk")


def _is_superuser(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser)


def outbox_visible_to(user) -> QuerySet[OutboxMessage]:
    """Superusers see every message; organisers the messages about events they organise."""
    return outbox_managed_by(user)


def outbox_managed_by(user) -> QuerySet[OutboxMessage]:
    messages = OutboxMessage.objects.select_related("event").defer("body_html", "attachments")
    if _is_superuser(user):
        return messages
    return messages.filter(event_id__in=_managed_event_ids(user))


def templates_visible_to(user) -> QuerySet[MessageTemplateOverride]:
    return templates_managed_by(user)


def templates_managed_by(user) -> QuerySet[MessageTemplateOverride]:
    return MessageTemplateOverride.objects.select_related("event").filter(event_id__in=_managed_event_ids(user))


def imports_visible_to(user) -> QuerySet[AttendanceImport]:
    return imports_managed_by(user)


def imports_managed_by(user) -> QuerySet[AttendanceImport]:
    imports = AttendanceImport.objects.select_related("event").defer("content")
    return imports.filter(event_id__in=_managed_event_ids(user))
