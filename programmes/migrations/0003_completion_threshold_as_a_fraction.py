"""A programme's completion threshold becomes a fraction 0–1 (70 → 0.7), the one unit of every
attendance threshold (attendance.rates)."""

import django.core.validators
from django.db import migrations, models


def per_cent_to_fraction(apps, schema_editor):
    Programme = apps.get_model("programmes", "Programme")
    for programme in Programme.objects.filter(completion_threshold__gt=1):
        Programme.objects.filter(pk=programme.pk).update(completion_threshold=programme.completion_threshold / 100)


def fraction_to_per_cent(apps, schema_editor):
    Programme = apps.get_model("programmes", "Programme")
    for programme in Programme.objects.filter(completion_threshold__lte=1):
        Programme.objects.filter(pk=programme.pk).update(completion_threshold=round(programme.completion_threshold * 100))


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0002_tables_renamed"),
    ]

    operations = [
        migrations.AlterField(
            model_name="programme",
            name="completion_threshold",
            field=models.FloatField(
                default=0.7,
                help_text="Share of sessions attended that earns a completion certificate, from 0.01 to 1 (0.7 is 70 %).",
                validators=[
                    django.core.validators.MinValueValidator(0.01),
                    django.core.validators.MaxValueValidator(1),
                ],
            ),
        ),
        migrations.RunPython(per_cent_to_fraction, fraction_to_per_cent),
    ]
