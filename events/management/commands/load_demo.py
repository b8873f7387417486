from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.module_loading import module_has_submodule

from events.demo import ORGANISER_PASSWORD, ORGANISER_USERNAME

# each app may add its part of the demo programme in its own `demo.load()`, in this order
DEMO_APPS = ["events", "speakers", "registrations", "notifications", "attendance", "programmes"]


class Command(BaseCommand):
    help = "Load the demo programme (idempotent: running it again changes nothing)."

    def handle(self, *args, **options):
        for label in DEMO_APPS:
            app = apps.get_app_config(label)
            if module_has_submodule(app.module, "demo"):
                import_module(f"{label}.demo").load()
                self.stdout.write(f"demo data: {label} ok")
        self.stdout.write(self.style.SUCCESS(f"Organiser login: {ORGANISER_USERNAME} / {ORGANISER_PASSWORD}"))
