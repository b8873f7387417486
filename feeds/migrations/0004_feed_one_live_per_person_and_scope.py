from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Separate from the data migration before it: PostgreSQL refuses to alter a table with
    pending trigger events from rows updated in the same transaction."""

    dependencies = [
        ("feeds", "0003_revoke_duplicate_feeds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='calendarfeed',
            constraint=models.UniqueConstraint(condition=models.Q(('revoked_at__isnull', True), ('user__isnull', False)), fields=('user', 'scope'), name='feed_one_live_per_account_and_scope'),
        ),
        migrations.AddConstraint(
            model_name='calendarfeed',
            constraint=models.UniqueConstraint(condition=models.Q(('revoked_at__isnull', True), ('user__isnull', True)), fields=('email', 'scope'), name='feed_one_live_per_guest_and_scope'),
        ),
    ]
