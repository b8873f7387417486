from django.db import migrations, models

# calendar_method said what the last sending carried, so a resend without a calendar part erased
# an invitation the recipient had been sent; what is kept is whether any sending carried one.
# (A recorded CANCEL is dropped: nothing reads it, and a cancellation is no invitation.)


def record_invitations(apps, schema_editor):
    OutboxMessage = apps.get_model("notifications", "OutboxMessage")
    OutboxMessage.objects.filter(calendar_method="REQUEST").update(calendar_invitation_sent=True)


def record_methods(apps, schema_editor):
    OutboxMessage = apps.get_model("notifications", "OutboxMessage")
    OutboxMessage.objects.filter(calendar_invitation_sent=True).update(calendar_method="REQUEST")


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0009_outbox_calendar_method"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="calendar_invitation_sent",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(record_invitations, record_methods, elidable=True),
    ]
