from django.db import migrations, models

# What rendering.build_attachments attached when these rows were sent, as far as the row tells
# it (a frozen copy of the rule as it stood, which is what history needs): the ticket kinds went
# only while the registration was confirmed, so with the invitation; the cancellations always
# carried theirs. An event_changed carried one only if its registration was confirmed then,
# which no row records: those stay unknown (empty).
SENT_WITH_REQUEST = ("registration_confirmed", "registration_approved", "waiting_list_promoted")
SENT_WITH_CANCEL = ("event_cancelled", "registration_cancelled")


def record_sent_calendar_parts(apps, schema_editor):
    OutboxMessage = apps.get_model("notifications", "OutboxMessage")
    sent = OutboxMessage.objects.filter(status="sent", event__isnull=False)
    sent.filter(kind__in=SENT_WITH_REQUEST).update(calendar_method="REQUEST")
    sent.filter(kind__in=SENT_WITH_CANCEL).update(calendar_method="CANCEL")


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0008_message_preference_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="calendar_method",
            field=models.CharField(blank=True, max_length=10),
        ),
        migrations.RunPython(record_sent_calendar_parts, migrations.RunPython.noop, elidable=True),
    ]
