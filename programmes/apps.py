from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "programmes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        import programmes.receivers  # noqa: F401  (cohorts follow new occurrences)
        from events import workspace

        workspace.add_section(_("Dashboard"), "dashboard", order=5)
