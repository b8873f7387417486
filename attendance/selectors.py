"""Reads of attendance imports, limited to what a user may see."""

from django.db.models import QuerySet

from attendance.models import AttendanceImport
from events.models import Event


def _organised_event_ids(user):
    return Event.organisers.through.objects.filter(user_id=user.pk).values("event_id")


def imports_visible_to(user) -> QuerySet[AttendanceImport]:
    imports = AttendanceImport.objects.select_related("event").defer("content")
    if user.is_superuser:
        return imports
    return imports.filter(event_id__in=_organised_event_ids(user))


def imports_managed_by(user) -> QuerySet[AttendanceImport]:
    """Who may see an import may also retry it or match its rows: the event's organisers."""
    return imports_visible_to(user)
