"""Who may do what with speakers. Small predicates, and the DRF classes built on them."""

from rest_framework import permissions

from events.permissions import is_organiser


def can_edit_speaker(user, speaker) -> bool:
    """Organisers edit every profile; a speaker only their own."""
    if not user or not user.is_authenticated:
        return False
    return is_organiser(user) or (speaker.user_id is not None and speaker.user_id == user.pk)


class IsOrganiser(permissions.BasePermission):
    message = "Only organisers can do this."

    def has_permission(self, request, view):
        return is_organiser(request.user)


class OrganisersWriteRosterReadOnly(permissions.BasePermission):
    message = "Only organisers can change the speaker roster."

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or is_organiser(request.user)
