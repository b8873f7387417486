from django.core.management.base import BaseCommand

from programmes import demo as programme_demo


class Command(BaseCommand):
    help = "Load the demo programme's cohort, attendance and certificates (after load_demo; idempotent)."

    def handle(self, *args, **options):
        result = programme_demo.load()
        if not result:
            self.stderr.write("No 'Mentoring circle' series: run load_demo first.")
            return
        self.stdout.write(f"demo data: programme {result['programme'].title!r} ok")
        login = result.get("mentor_login")
        if login:
            self.stdout.write(self.style.SUCCESS(f"Mentor login: {login[0]} / {login[1]}"))
