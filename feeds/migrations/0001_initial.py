"""Calendar feeds become an app of their own (the model was in the events app).

The table exists (events.0003): this migration moves the model's state and content type;
0002 renames the table and drops the stored speaker id (a speaker feed follows its account).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label="feeds", model="calendarfeed").exists():
        content_type.objects.filter(app_label="events", model="calendarfeed").update(app_label="feeds")


def restore_content_type(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="feeds", model="calendarfeed").update(app_label="events")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("events", "0006_programmes_moved"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CalendarFeed",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("scope", models.CharField(choices=[("attendee", "My registrations"), ("speaker", "My speaking engagements"), ("organiser", "Events I organise")], max_length=10)),
                        ("email", models.EmailField(blank=True, help_text="For guests without an account (attendee scope).", max_length=254)),
                        ("speaker_id", models.BigIntegerField(blank=True, help_text="speakers.Speaker primary key", null=True)),
                        ("token", models.CharField(max_length=64, unique=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        ("last_fetched_at", models.DateTimeField(blank=True, null=True)),
                        ("user", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="calendar_feeds", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "events_calendarfeed",
                        "indexes": [models.Index(fields=["scope", "user"], name="events_cale_scope_6ef2ee_idx")],
                    },
                ),
            ]
        ),
        migrations.RunPython(move_content_type, restore_content_type),
    ]
