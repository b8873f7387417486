"""The programme models moved to the programmes app (programmes.0001 takes over their state)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0005_enrolment_mentor"),
        ("programmes", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Certificate"),
                migrations.DeleteModel(name="MissedSessionsAlert"),
                migrations.DeleteModel(name="SessionSkip"),
                migrations.DeleteModel(name="Enrolment"),
                migrations.DeleteModel(name="Cohort"),
                migrations.DeleteModel(name="Programme"),
            ]
        )
    ]
