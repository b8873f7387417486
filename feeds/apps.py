from django.apps import AppConfig

from events_project.privacy import register_personal_data


class FeedsConfig(AppConfig):
    name = "feeds"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from feeds import services  # noqa: PLC0415 (imports models: only once the app registry is ready)

        register_personal_data(name="calendar_feeds", export=services.export_feeds_of, erase=services.erase_feeds_of)
