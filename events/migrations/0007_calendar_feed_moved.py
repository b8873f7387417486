"""The calendar feed model moved to the feeds app (feeds.0001 takes over its state)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0006_programmes_moved"),
        ("feeds", "0001_initial"),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="CalendarFeed")])]
