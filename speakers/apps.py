from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from events import signals


class SpeakersConfig(AppConfig):
    name = "speakers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from speakers import receivers  # noqa: PLC0415 (imports models: only once the app registry is ready)

        signals.event_changed.connect(receivers.tell_speakers_of_change, dispatch_uid="speakers.event_changed")
        signals.occurrences_changed.connect(
            receivers.tell_speakers_of_changes, dispatch_uid="speakers.occurrences_changed"
        )
        signals.event_cancelled.connect(
            receivers.tell_speakers_of_cancellation, dispatch_uid="speakers.event_cancelled"
        )
        signals.occurrences_cancelled.connect(
            receivers.tell_speakers_of_cancellations, dispatch_uid="speakers.occurrences_cancelled"
        )

        from events import workspace  # noqa: PLC0415 (imports models: only once the app registry is ready)

        workspace.add_event_tab(_("Speakers"), "manage-event-speakers", order=40)

        # the calendar files attached to mail name the speakers as the public .ics does (one builder)
        from events import ical  # noqa: PLC0415 (imports models: only once the app registry is ready)
        from speakers.selectors import accepted_speaker_lines  # noqa: PLC0415 (imports models: only once the app registry is ready)

        ical.register_speaker_lines(accepted_speaker_lines)
