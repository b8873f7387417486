"""Programmes become an app of their own (they were models of the events app).

The tables already exist (events.0004, events.0005): this migration only moves the models'
state and their content types; 0002 gives the tables this app's names.
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import programmes.models

MOVED = ["programme", "cohort", "enrolment", "sessionskip", "missedsessionsalert", "certificate"]


def move_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not content_type.objects.filter(app_label="programmes", model=model).exists():
            content_type.objects.filter(app_label="events", model=model).update(app_label="programmes")


def restore_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="programmes", model__in=MOVED).update(app_label="events")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("events", "0005_enrolment_mentor"),
        ("speakers", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
        migrations.CreateModel(
            name='Cohort',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('series', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='cohorts', to='events.series')),
            ],
            options={
                'db_table': 'events_cohort',
                'ordering': ['programme', 'name', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Enrolment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200)),
                ('email', models.EmailField(help_text="Stored lower-case; matches the participant's registrations.", max_length=254)),
                ('status', models.CharField(choices=[('active', 'Active'), ('left', 'Left')], default='active', max_length=10)),
                ('joined_at', models.DateTimeField()),
                ('left_at', models.DateTimeField(blank=True, null=True)),
                ('sector', models.CharField(blank=True, choices=[('student', 'Student'), ('academia', 'Academia and research'), ('private_sector', 'Private sector'), ('government', 'Government'), ('civil_society', 'Civil society'), ('not_working', 'Looking for work'), ('other', 'Other')], max_length=20)),
                ('age_group', models.CharField(blank=True, choices=[('under_18', 'Under 18'), ('18_24', '18–24'), ('25_34', '25–34'), ('35_plus', '35 and over')], max_length=10)),
                ('cohort', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='enrolments', to='programmes.cohort')),
                ('region', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='events.region')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='enrolments', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'events_enrolment',
                'ordering': ['cohort', 'name', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Certificate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(default=programmes.models.new_certificate_number, max_length=20, unique=True)),
                ('participant_name', models.CharField(max_length=200)),
                ('programme_title', models.CharField(max_length=200)),
                ('attendance_rate', models.PositiveSmallIntegerField(help_text='Per cent, at the time of issue.')),
                ('sessions_attended', models.PositiveIntegerField()),
                ('issued_at', models.DateTimeField()),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
                ('revoked_reason', models.CharField(blank=True, max_length=300)),
                ('issued_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                ('enrolment', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='certificates', to='programmes.enrolment')),
            ],
            options={
                'db_table': 'events_certificate',
                'ordering': ['-issued_at'],
            },
        ),
        migrations.CreateModel(
            name='MissedSessionsAlert',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('missed_count', models.PositiveSmallIntegerField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('enrolment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='missed_alerts', to='programmes.enrolment')),
                ('first_missed_event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='events.event')),
            ],
            options={
                'db_table': 'events_missedsessionsalert',
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='Programme',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200)),
                ('description', models.TextField(blank=True)),
                ('starts_on', models.DateField()),
                ('ends_on', models.DateField()),
                ('completion_threshold', models.PositiveSmallIntegerField(default=70, help_text='Per cent of sessions attended that earns a completion certificate.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(100)])),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('events', models.ManyToManyField(blank=True, help_text='One-off events outside its series.', related_name='programmes', to='events.event')),
                ('organisers', models.ManyToManyField(blank=True, related_name='organised_programmes', to=settings.AUTH_USER_MODEL)),
                ('series', models.ManyToManyField(blank=True, related_name='programmes', to='events.series')),
            ],
            options={
                'db_table': 'events_programme',
                'ordering': ['-starts_on', 'id'],
            },
        ),
        migrations.AddField(
            model_name='cohort',
            name='programme',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='cohorts', to='programmes.programme'),
        ),
        migrations.CreateModel(
            name='SessionSkip',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(blank=True, max_length=300)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('enrolment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='skips', to='programmes.enrolment')),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='events.event')),
            ],
            options={'db_table': 'events_sessionskip'},
        ),
        migrations.AddIndex(
            model_name='enrolment',
            index=models.Index(fields=['email'], name='events_enro_email_ebbf35_idx'),
        ),
        migrations.AddConstraint(
            model_name='enrolment',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'active')), fields=('cohort', 'email'), name='enrolment_one_active_per_email'),
        ),
        migrations.AddConstraint(
            model_name='certificate',
            constraint=models.UniqueConstraint(condition=models.Q(('revoked_at__isnull', True)), fields=('enrolment',), name='certificate_one_valid_per_enrolment'),
        ),
        migrations.AddConstraint(
            model_name='missedsessionsalert',
            constraint=models.UniqueConstraint(fields=('enrolment', 'first_missed_event'), name='missed_alert_once_per_streak'),
        ),
        migrations.AddConstraint(
            model_name='programme',
            constraint=models.CheckConstraint(condition=models.Q(('ends_on__gte', models.F('starts_on'))), name='programme_ends_after_start', violation_error_code='end_before_start', violation_error_message='The programme must end on or after its first day.'),
        ),
        migrations.AddConstraint(
            model_name='cohort',
            constraint=models.UniqueConstraint(fields=('programme', 'name'), name='cohort_unique_name'),
        ),
        migrations.AddConstraint(
            model_name='sessionskip',
            constraint=models.UniqueConstraint(fields=('enrolment', 'event'), name='skip_once_per_event'),
        ),
        migrations.AddField(
            model_name='enrolment',
            name='mentor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='mentees', to='speakers.speaker'),
        ),
            ],
        ),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
