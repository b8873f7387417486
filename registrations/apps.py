from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    name = "registrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from events import signals
        from registrations import receivers

        signals.event_cancelled.connect(receivers.on_event_cancelled, dispatch_uid="registrations.event_cancelled")
        signals.event_changed.connect(receivers.on_event_changed, dispatch_uid="registrations.event_changed")
