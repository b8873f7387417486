"""Who may see and change attendance imports: the organisers of their event (all to superusers);
and the registrants an organiser matches a report's rows to."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from attendance.exceptions import NotFound
from attendance.models import AttendanceImport
from events.models import Event
from events.selectors import events_managed_by
from events_project.limits import MAX_ID
from events_project.search_folding import fold
from events_project.typed_text import tidy_email
from registrations.models import Registration, RegistrationStatus


def imports_visible_to(user) -> QuerySet[AttendanceImport]:
    return imports_managed_by(user)


def imports_managed_by(user) -> QuerySet[AttendanceImport]:
    """Who may see an import may also retry it or match its rows: the event's organisers."""
    events = events_managed_by(user).order_by().values("pk")
    return AttendanceImport.objects.select_related("event").defer("content", "preview").filter(event_id__in=events)


def registrants_to_match(*, event: Event, taken=(), query: str = "") -> QuerySet[Registration]:
    """The confirmed registrants of ``event`` a report's row may be matched to (the caller checked
    the organiser's rights for ``event``): those not ``taken`` by another row, narrowed by part of
    a name or email address."""
    registrants = Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED).exclude(pk__in=taken)
    if query:
        # names folded as every name search folds them (events_project.search_folding)
        by_name = Q(name__icontains=query) | Q(search_name__contains=fold(query))
        registrants = registrants.filter(by_name | Q(email__icontains=query))
    return registrants.order_by("name", "pk")


def registrant_named(*, event: Event, value: str) -> Registration | None:
    """The registrant a row's match field names: empty is nobody (the match undone); an email
    address (what the page's list offers and what can be typed) or a registration's id, of a
    confirmed registrant of ``event``; anything else is :class:`NotFound` ``not_a_registrant``."""
    value = value.strip()
    if not value:
        return None
    registrants = registrants_to_match(event=event)
    if "@" in value:
        registration = registrants.filter(email=tidy_email(value)).first()
        if registration is None:
            raise NotFound(_("No confirmed registrant of this event has this email."), "not_a_registrant")
        return registration
    pk = int(value) if value.isascii() and value.isdigit() else 0
    registration = registrants.filter(pk=pk).first() if 1 <= pk <= MAX_ID else None
    if registration is None:
        raise NotFound(_("No such registrant of this event."), "not_a_registrant")
    return registration
