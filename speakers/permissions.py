"""Who may do what with speakers. Small predicates, and the DRF classes built on them."""

from rest_framework import permissions

from events.permissions import is_organiser


class IsOrganiser(permissions.BasePermission):
    message = "Only organisers can do this."

    def has_permission(self, request, view):
        return is_organiser(request.user)


class OrganisersWriteRosterReadOnly(permissions.BasePermission):
    message = "Only organisers can change the speaker roster."

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or is_organiser(request.user)
