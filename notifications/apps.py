from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from events import signals
        from notifications import receivers

        signals.event_changed.connect(receivers.on_event_changed, dispatch_uid="notifications.event_changed")

        from django.utils.translation import gettext_lazy as _

        from events import workspace

        workspace.add_section(_("Outbox"), "manage-outbox", order=40)
        workspace.add_event_tab(_("Messages"), "manage-event-messages", order=50)
