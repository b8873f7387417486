"""Who may see and change registrations.

Attendees reach their own registration through its private management token (or their account);
organisers of an event manage its registrations, questions and invitations. Anyone else gets 404
for a registration, so ids reveal nothing.
"""

from rest_framework import permissions

from events.permissions import can_manage_event, can_view_event


class OrganisesTheEvent(permissions.BasePermission):
    """For views nested under /events/{event_id}/: the view's ``event`` must be organised by the user."""

    message = "You do not organise this event."

    def has_permission(self, request, view):
        return can_manage_event(request.user, view.event)


class OrganisesOrReadsPublicEvent(permissions.BasePermission):
    """Anyone reads (the questions of a visible event); only its organisers write."""

    message = "You do not organise this event."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return can_view_event(request.user, view.event)
        return can_manage_event(request.user, view.event)
