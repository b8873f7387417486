from rest_framework import permissions

from events.permissions import is_organiser


class IsOrganiser(permissions.BasePermission):
    message = "Only organisers can see the outbox, message templates and attendance imports."

    def has_permission(self, request, view):
        return is_organiser(request.user)
