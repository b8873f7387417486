from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):

        from events import workspace  # noqa: PLC0415 (imports models: only once the app registry is ready)

        workspace.add_section(_("Outbox"), "manage-outbox", order=40)
        workspace.add_event_tab(_("Messages"), "manage-event-messages", order=50)
