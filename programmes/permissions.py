"""Who may see and change programmes, cohorts, journeys and certificates."""

from rest_framework import permissions

from events.permissions import is_organiser


def can_manage_programme(user, programme) -> bool:
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    # `organisers` is prefetched by the selectors: no query per programme
    return any(organiser.pk == user.pk for organiser in programme.organisers.all())


def is_participant(user, enrolment) -> bool:
    return bool(user and user.is_authenticated and enrolment.user_id == user.pk)


def can_read_enrolment_profile(user, enrolment) -> bool:
    """Whether ``user`` may read the enrolment's profile (sector, age group, region): the rule of
    ``selectors.enrolment_profiles_visible_to`` for one enrolment (its programme's organisers
    loaded). The participant and the programme's organisers; not the mentor."""
    return is_participant(user, enrolment) or can_manage_programme(user, enrolment.cohort.programme)


def can_act_for_enrolment(user, enrolment) -> bool:
    """Skipping a session or leaving: the participant themself or the programme's organisers."""
    return is_participant(user, enrolment) or can_manage_programme(user, enrolment.cohort.programme)


class IsOrganiser(permissions.BasePermission):
    message = "Only organisers can do this."

    def has_permission(self, request, view):
        return is_organiser(request.user)


class CanManageProgramme(permissions.BasePermission):
    message = "You do not organise this programme."

    def has_object_permission(self, request, view, obj):
        programme = getattr(obj, "programme", obj)
        return can_manage_programme(request.user, programme)
