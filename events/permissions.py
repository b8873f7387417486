"""Who may do what with events. Small predicates, and the DRF classes built on them."""

from rest_framework import permissions

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
    """Check-in rights are per event: its organisers and its check-in staff."""
    if can_manage_event(user, event):
        return True
    return bool(user and user.is_authenticated) and event.checkin_staff.filter(pk=user.pk).exists()


def can_manage_series(user, series) -> bool:
    if not user or not user.is_authenticated:
        return False
    return user.is_superuser or any(organiser.pk == user.pk for organiser in series.organisers.all())


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
