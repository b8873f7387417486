from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):

        from django_q.signals import post_spawn  # noqa: PLC0415 (imports django-q2's models)

        from events import workspace  # noqa: PLC0415 (imports models: only once the app registry is ready)
        from notifications.jobs import freeze_start_up_objects  # noqa: PLC0415

        post_spawn.connect(freeze_start_up_objects, dispatch_uid="notifications.freeze_start_up_objects")

        workspace.add_section(_("Outbox"), "manage-outbox", order=40)
        workspace.add_event_tab(_("Messages"), "manage-event-messages", order=50)
