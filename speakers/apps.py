from django.apps import AppConfig


class SpeakersConfig(AppConfig):
    name = "speakers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from events import signals
        from speakers import receivers

        signals.event_changed.connect(receivers.tell_speakers_of_change, dispatch_uid="speakers.event_changed")
        signals.event_cancelled.connect(
            receivers.tell_speakers_of_cancellation, dispatch_uid="speakers.event_cancelled"
        )

        from django.utils.translation import gettext_lazy as _

        from events import workspace

        workspace.add_event_tab(_("Speakers"), "manage-event-speakers", order=40)
