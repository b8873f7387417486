from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _

from events import signals
from events_project import search_folding_sql


class RegistrationsConfig(AppConfig):
    name = "registrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registration.search_name is computed on SQLite by a function of ours (events_project.search_folding_sql)
        connection_created.connect(search_folding_sql.add_sqlite_function, dispatch_uid="registrations.search_fold")

        from registrations import receivers  # noqa: PLC0415 (imports models: only once the app registry is ready)

        signals.event_cancelled.connect(receivers.on_event_cancelled, dispatch_uid="registrations.event_cancelled")
        signals.event_changed.connect(receivers.on_event_changed, dispatch_uid="registrations.event_changed")
        signals.occurrences_changed.connect(
            receivers.on_occurrences_changed, dispatch_uid="registrations.occurrences_changed"
        )
        signals.occurrences_cancelled.connect(
            receivers.on_occurrences_cancelled, dispatch_uid="registrations.occurrences_cancelled"
        )

        # the ticket mails' QR image: the outbox (below this app) asks for it through its registry
        from notifications.services import rendering  # noqa: PLC0415 (imports models: only once the app registry is ready)
        from registrations.services.tickets import qr_png  # noqa: PLC0415 (imports models: only once the app registry is ready)

        rendering.add_ticket_image(rendering.REGISTRATION, qr_png)

        from events import workspace  # noqa: PLC0415 (imports models: only once the app registry is ready)

        workspace.add_event_tab(_("Registrations"), "manage-event-registrations", order=15)
        workspace.add_event_tab(_("Questions"), "manage-event-questions", order=20)
        workspace.add_event_tab(_("Invitations"), "manage-event-invitations", order=30, shown_for=_takes_invitations)


def _takes_invitations(event) -> bool:
    """Invitation codes are the door of an event by invitation (a roundtable): the tab shows there
    (the page itself answers on every event, for links kept elsewhere)."""
    return event.registration_mode == "invitation"
