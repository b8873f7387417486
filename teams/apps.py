from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "teams"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from events import workspace  # noqa: PLC0415 (imports models: only once the app registry is ready)
        from events.selectors import add_subject_namer  # noqa: PLC0415 (imports models)
        from teams.selectors import name_team_subjects  # noqa: PLC0415 (imports models)

        workspace.add_event_tab(_("Team"), "manage-event-team", order=60)
        # an event's log names whom a team invitation went to, and who left the team (events cannot import teams)
        add_subject_namer(name_team_subjects)
