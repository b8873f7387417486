"""Create (or bring up to date) every periodic job of the service. Safe to run at each start."""

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone
from django_q.models import Schedule

# name → (dotted function, minutes between runs). The name is the row's key: a job that moved
# to another app is renamed (RENAMED) and its row pointed at the new function.
SCHEDULES = {
    "registrations: queue due reminders": ("registrations.tasks.queue_due_reminders", 1),
    "notifications: sweep the outbox": ("notifications.tasks.sweep_outbox", 1),
    "attendance: finalise ended events": ("attendance.tasks.finalise_attendance", 5),
    "registrations: expire seat offers": ("registrations.tasks.expire_offers", 5),
    "registrations: send lost change notices": ("registrations.tasks.send_lost_change_notices", 1),
    "speakers: remind unanswered invitations": ("speakers.tasks.remind_unanswered_invitations", 60),
    "programmes: review missed sessions": ("programmes.tasks.review_all_missed_sessions", 60),
    "programmes: issue due certificates": ("programmes.tasks.issue_due_certificates", 1440),
    "programmes: tidy enrolment lists": ("programmes.tasks.tidy_enrolment_lists", 5),
    "attendance: tidy registrations exports": ("attendance.tasks.tidy_registration_exports", 15),
}

# The same job once more, half a minute out of step: the outbox sweep then runs twice a
# minute, so that a killed worker's messages go out again within a minute (its claims'
# 20-second lease, then at most 30 seconds to the next sweep).
HALF_PAST = {"notifications: sweep the outbox, half past": "notifications: sweep the outbox"}

# old name → new name of a job that moved between apps: its row keeps its history and next run
# under the new name (a second row would run the job twice a minute).
RENAMED = {"notifications: queue due reminders": "registrations: queue due reminders"}


class Command(BaseCommand):
    help = "Create the django-q2 schedules (reminders, outbox, attendance, offers, speakers, programmes) idempotently."

    def handle(self, *args, **options):
        for old, new in RENAMED.items():
            if Schedule.objects.filter(name=new).exists():
                Schedule.objects.filter(name=old).delete()
            elif Schedule.objects.filter(name=old).update(name=new):
                self.stdout.write(f"renamed: {old} -> {new}")
        for name, (func, minutes) in SCHEDULES.items():
            _, created = Schedule.objects.update_or_create(
                name=name,
                defaults={
                    "func": func,
                    "schedule_type": Schedule.MINUTES,
                    "minutes": minutes,
                    "repeats": -1,
                },
            )
            self.stdout.write(f"{'created' if created else 'updated'}: {name} ({func}, every {minutes} min)")
        for name, twin in HALF_PAST.items():
            func, minutes = SCHEDULES[twin]
            schedule, created = Schedule.objects.get_or_create(
                name=name,
                defaults={
                    "func": func,
                    "schedule_type": Schedule.MINUTES,
                    "minutes": minutes,
                    "repeats": -1,
                    "next_run": timezone.now() + dt.timedelta(seconds=30),
                },
            )
            self.stdout.write(f"{'created' if created else 'kept'}: {name} ({func}, every {minutes} min)")
