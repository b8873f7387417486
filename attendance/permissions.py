from rest_framework import permissions

from events.permissions import is_organiser


class IsOrganiser(permissions.BasePermission):
    message = "Only organisers can see attendance imports and figures."

    def has_permission(self, request, view):
        return is_organiser(request.user)
