"""AttendanceImport moves from notifications to attendance: state only. The table keeps its name
(``notifications_attendanceimport``, see ``Meta.db_table``), so existing databases keep their rows."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FORMATS = [
    ("auto", "Detect"),
    ("zoom", "Zoom participants export"),
    ("teams", "Microsoft Teams attendance report"),
    ("generic", "name,email,duration"),
]


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("events", "0001_initial"),
        ("notifications", "0004_attendance_import_send_corrections"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AttendanceImport",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("filename", models.CharField(blank=True, max_length=255)),
                        ("content", models.BinaryField()),
                        ("content_sha256", models.CharField(max_length=64)),
                        ("format", models.CharField(choices=FORMATS, default="auto", max_length=10)),
                        ("detected_format", models.CharField(blank=True, choices=FORMATS, max_length=10)),
                        ("threshold_percent", models.PositiveSmallIntegerField(default=50)),
                        ("send_corrections", models.BooleanField(default=False)),
                        (
                            "status",
                            models.CharField(
                                choices=[("queued", "Queued"), ("done", "Imported"), ("failed", "Failed")],
                                default="queued",
                                max_length=10,
                            ),
                        ),
                        ("error", models.TextField(blank=True)),
                        ("error_code", models.CharField(blank=True, max_length=50)),
                        ("rows", models.PositiveIntegerField(default=0)),
                        ("matched", models.PositiveIntegerField(default=0)),
                        ("attended", models.PositiveIntegerField(default=0)),
                        ("unmatched_rows", models.JSONField(blank=True, default=list)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "event",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="attendance_imports",
                                to="events.event",
                            ),
                        ),
                        (
                            "uploaded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "notifications_attendanceimport",
                        "ordering": ["-created_at", "-id"],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("status", "failed"), _negated=True),
                                fields=("event", "content_sha256"),
                                name="attendance_import_once_per_file",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
