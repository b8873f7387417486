"""The Organisers group: who may plan events and use the admin."""

from django.contrib.auth.models import Group, Permission

from events.permissions import ORGANISERS_GROUP

ORGANISER_APPS = ["events", "registrations", "speakers", "notifications"]


def ensure_organisers_group(**kwargs) -> Group:
    """Create the Organisers group with every permission on the service's own models.

    Runs after each migrate (permissions exist only then), so it is idempotent.
    """
    group, _ = Group.objects.get_or_create(name=ORGANISERS_GROUP)
    permissions = Permission.objects.filter(content_type__app_label__in=ORGANISER_APPS)
    group.permissions.add(*permissions)
    return group


def make_organiser(user) -> None:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(ensure_organisers_group())
