from django.apps import AppConfig
from django.db.models.signals import post_migrate


class EventsConfig(AppConfig):
    name = "events"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from events.roles import ensure_organisers_group

        post_migrate.connect(ensure_organisers_group, sender=self)

        from django.utils.translation import gettext_lazy as _

        from events import workspace

        workspace.add_section(_("My events"), "manage-events", order=10)
        workspace.add_section(_("Series"), "manage-series", order=20)
        workspace.add_event_tab(_("Overview"), "manage-event", order=0)
        workspace.add_event_tab(_("Edit"), "manage-event-edit", order=10)
