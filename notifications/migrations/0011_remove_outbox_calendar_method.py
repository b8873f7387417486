from django.db import migrations


class Migration(migrations.Migration):
    # apart from 0010's data: PostgreSQL alters no table that has row updates pending in the
    # same transaction
    dependencies = [
        ("notifications", "0010_outbox_calendar_invitation_sent"),
    ]

    operations = [
        migrations.RemoveField(model_name="outboxmessage", name="calendar_method"),
    ]
