"""Who may see and change attendance imports: the organisers of their event (all to superusers)."""

from django.db.models import QuerySet

from attendance.models import AttendanceImport
from events.selectors import events_managed_by


def imports_visible_to(user) -> QuerySet[AttendanceImport]:
    return imports_managed_by(user)


def imports_managed_by(user) -> QuerySet[AttendanceImport]:
    """Who may see an import may also retry it or match its rows: the event's organisers."""
    events = events_managed_by(user).order_by().values("pk")
    return AttendanceImport.objects.select_related("event").defer("content").filter(event_id__in=events)
