"""Events that were published before publish_event recorded the moment get one, so that
"never published means never public" holds for old rows too."""

from django.db import migrations
from django.db.models import F


def backfill(apps, schema_editor):
    event = apps.get_model("events", "Event")
    event.objects.filter(status__in=["published", "completed"], published_at__isnull=True).update(
        published_at=F("created_at")
    )


class Migration(migrations.Migration):
    dependencies = [("events", "0007_calendar_feed_moved")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
