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
        logins = [("Organiser", ORGANISER_USERNAME, ORGANISER_PASSWORD)]
        for label in DEMO_APPS:
            app = apps.get_app_config(label)
            if module_has_submodule(app.module, "demo"):
                loaded = import_module(f"{label}.demo").load()
                self.stdout.write(f"demo data: {label} ok")
                # an app whose demo has a person to sign in as names them ("speaker_login": (username, password))
                for key, login in (loaded if isinstance(loaded, dict) else {}).items():
                    if key.endswith("_login") and login:
                        logins.append((key.removesuffix("_login").replace("_", " ").capitalize(), *login))
        for role, username, password in logins:
            self.stdout.write(self.style.SUCCESS(f"{role} login: {username} / {password}"))
