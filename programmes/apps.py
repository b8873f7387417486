from django.apps import AppConfig

from events_project.privacy import register_personal_data


class ProgrammesConfig(AppConfig):
    name = "programmes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.utils.translation import gettext_lazy as _  # noqa: PLC0415 (only once the app registry is ready)

        import programmes.receivers  # noqa: F401, PLC0415 (cohorts follow new occurrences; imports models)
        from events import workspace  # noqa: PLC0415 (only once the app registry is ready)
        from notifications.selectors import add_outbox_scope  # noqa: PLC0415 (imports models)
        from programmes import selectors, services  # noqa: PLC0415 (imports models: only once the app registry is ready)

        register_personal_data(
            name="enrolments", export=services.export_enrolments_of, erase=services.erase_enrolments_of
        )

        # a programme's messages to and about its participants are about no event: its organisers'
        add_outbox_scope(selectors.programme_messages_managed_by)

        workspace.add_section(_("Dashboard"), "dashboard", order=5)
        workspace.add_section(_("Programmes"), "manage-programmes", order=30)
