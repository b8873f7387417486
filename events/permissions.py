"""Who may do what with events. Small predicates, and the DRF classes built on them."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from events.models import Event, Series
from events.selectors import (
    events_checked_in_by,
    events_managed_by,
    events_visible_to,
    series_managed_by,
    series_visible_to,
)
from events_project.exceptions import Forbidden, NotFound

ORGANISERS_GROUP = "Organisers"


def is_organiser(user) -> bool:
    """An organiser may create events and series; they manage the ones they organise."""
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_organiser", None)
    if cached is None:
        cached = user.groups.filter(name=ORGANISERS_GROUP).exists()
        user._is_organiser = cached
    return cached


def can_manage_event(user, event) -> bool:
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    # `organisers` is prefetched by the list selectors: no query per event.
    return any(organiser.pk == user.pk for organiser in event.organisers.all())


def can_check_in(user, event) -> bool:
    """Whether the user may work ``event``'s door. The rule (its organisers and its check-in
    staff) is the selector's, ``events_checked_in_by``, that the check-in API and pages use."""
    return events_checked_in_by(user).filter(pk=event.pk).exists()


def can_manage_series(user, series) -> bool:
    if not user or not user.is_authenticated:
        return False
    return user.is_superuser or any(organiser.pk == user.pk for organiser in series.organisers.all())


def event_to_manage(user, event_id) -> Event:
    """The event ``event_id`` for an API that changes it: 404 when the user may not see it (an
    unknown id and someone else's draft answer alike), 403 when they see it but do not organise
    it (the one rule the API's event-scoped endpoints share)."""
    event = events_managed_by(user).filter(pk=event_id).first()
    if event is not None:
        return event
    if not events_visible_to(user).filter(pk=event_id).exists():
        raise NotFound(_("No such event."), "event_not_found")
    raise Forbidden(_("You do not organise this event."), "not_organiser")


def series_to_manage(user, series_id) -> Series:
    """The series ``series_id`` for an API that changes it: 404 when the user may not see it (a
    draft series of someone else's answers like an unknown id), 403 when seen but not organised."""
    series = series_managed_by(user).filter(pk=series_id).first()
    if series is not None:
        return series
    if not series_visible_to(user).filter(pk=series_id).exists():
        raise NotFound(_("No such series."), "series_not_found")
    raise Forbidden(_("You do not organise this series."), "not_organiser")


def can_view_event(user, event) -> bool:
    return event.is_public or can_manage_event(user, event)


class IsOrganiserOrReadOnly(permissions.BasePermission):
    message = "Only organisers can change events."

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or is_organiser(request.user)


class CanManageEvent(permissions.BasePermission):
    message = "You do not organise this event."

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return can_view_event(request.user, obj)
        return can_manage_event(request.user, obj)


class CanManageSeries(permissions.BasePermission):
    message = "You do not organise this series."

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return can_manage_series(request.user, obj)
