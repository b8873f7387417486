from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "attendance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from events import workspace  # noqa: PLC0415 (imports models: only once the app registry is ready)

        workspace.add_event_tab(_("Attendance"), "manage-event-attendance", order=45)
