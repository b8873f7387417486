"""Organisers are no longer staff: the admin is for superusers only, and the Organisers group
carries no model permissions (the selectors decide, per object, in the organiser workspace)."""

from django.db import migrations

ORGANISERS_GROUP = "Organisers"


def organisers_are_not_staff(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("auth", "User")
    group = Group.objects.filter(name=ORGANISERS_GROUP).first()
    if group is None:
        return
    group.permissions.clear()
    User.objects.filter(groups=group, is_superuser=False, is_staff=True).update(is_staff=False)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0010_region_name_az"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(organisers_are_not_staff, migrations.RunPython.noop)]
