from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "programmes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        import programmes.receivers  # noqa: F401  (cohorts follow new occurrences)
