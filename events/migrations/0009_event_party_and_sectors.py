from django.db import migrations, models
from django.db.models import Q


def keep_parties_where_people_brought_them(apps, schema_editor):
    """Before this field any registration could bring up to 30 people: events that are family
    visits, or where someone already brought a party, keep that; the rest register alone."""
    event_model = apps.get_model("events", "Event")
    registration_model = apps.get_model("registrations", "Registration")
    with_parties = registration_model.objects.filter(party_size__gt=1).values("event_id")
    event_model.objects.filter(Q(kind="outreach_visit") | Q(pk__in=with_parties)).update(max_party_size=30)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0008_published_at_backfill"),
        ("registrations", "0002_registration_rules"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="max_party_size",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="event",
            name="sectors",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(keep_parties_where_people_brought_them, migrations.RunPython.noop),
    ]
