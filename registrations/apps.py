from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    name = "registrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from events import signals
        from registrations import receivers

        signals.event_cancelled.connect(receivers.on_event_cancelled, dispatch_uid="registrations.event_cancelled")
        signals.event_changed.connect(receivers.on_event_changed, dispatch_uid="registrations.event_changed")

        from django.utils.translation import gettext_lazy as _

        from events import workspace

        workspace.add_event_tab(_("Registrations"), "manage-event-registrations", order=15)
        workspace.add_event_tab(_("Questions"), "manage-event-questions", order=20)
        workspace.add_event_tab(_("Invitations"), "manage-event-invitations", order=30)
