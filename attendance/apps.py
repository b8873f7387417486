from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "attendance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from events import workspace

        workspace.add_event_tab(_("Attendance"), "manage-event-attendance", order=45)
