from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from events_project import fields  # noqa: PLC0415 (DRF's serializers import models)

        fields.install()  # every serializer's dates within events_project.limits

        from events.roles import ensure_organisers_group  # noqa: PLC0415 (imports models: only once the app registry is ready)

        post_migrate.connect(ensure_organisers_group, sender=self)

        from django.contrib.auth import get_user_model  # noqa: PLC0415 (a model: only once the apps are ready)

        from events_project.auth import forget_tokens_of_old_password  # noqa: PLC0415 (imports DRF's token model)

        post_save.connect(forget_tokens_of_old_password, sender=get_user_model(), dispatch_uid="forget_tokens")

        from events import workspace  # noqa: PLC0415 (imports models: only once the app registry is ready)

        workspace.add_section(_("My events"), "manage-events", order=10)
        workspace.add_section(_("Series"), "manage-series", order=20)
        workspace.add_event_tab(_("Overview"), "manage-event", order=0)
        workspace.add_event_tab(_("Edit"), "manage-event-edit", order=10)
