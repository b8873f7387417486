"""AttendanceImport now belongs to the attendance app (attendance.0001_initial): state only, the
table and its rows stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_attendance_import_send_corrections"),
        ("attendance", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AttendanceImport")],
            database_operations=[],
        ),
    ]
