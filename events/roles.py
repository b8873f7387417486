"""The Organisers group: who may plan events (in the organiser workspace under /manage/).

Organisers are not staff: the Django admin is for superusers only
(``events_project.admin_site.AdminSite.has_permission``), and the group carries no model
permissions (what an organiser may see and change is decided by the selectors, per object).
"""

from django.contrib.auth.models import Group

from events.permissions import ORGANISERS_GROUP


def ensure_organisers_group(**kwargs) -> Group:
    """The Organisers group (created after each migrate, so it is idempotent)."""
    group, _ = Group.objects.get_or_create(name=ORGANISERS_GROUP)
    return group


def make_organiser(user) -> None:
    user.groups.add(ensure_organisers_group())
