"""Data for one benchmark run: a door event with confirmed tickets, and events about to be rushed.

Run inside the benchmark's environment (DJANGO_SETTINGS_MODULE=bench.settings); prints JSON
with the ids, the staff token and the tickets' QR payloads.
"""

import datetime as dt
import json
import sys

import django

# seats enough that a sustained rush never fills them: every registration is confirmed and mailed
HOT_CAPACITY = 10_000_000


def seed(*, tickets: int, rush_capacity: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from events.models import Event, EventKind, EventStatus
    from registrations.models import Registration, RegistrationStatus
    from registrations.services.tickets import ticket_payload

    start = timezone.now() + dt.timedelta(hours=1)
    common = {
        "kind": EventKind.WORKSHOP,
        "status": EventStatus.PUBLISHED,
        "published_at": timezone.now(),
        "start": start,
        "end": start + dt.timedelta(hours=3),
    }
    door = Event.objects.create(title="Bench: outreach visit", capacity=None, **common)
    rush = Event.objects.create(title="Bench: the rush", capacity=rush_capacity, waiting_list_enabled=True, **common)
    # the sustained rush (over HTTP) and its SQL floor (seat UPDATE + INSERT) each on an event of its own
    hot = Event.objects.create(
        title="Bench: the hot webinar", capacity=HOT_CAPACITY, waiting_list_enabled=True, **common
    )
    floor = Event.objects.create(title="Bench: the SQL floor", capacity=HOT_CAPACITY, **common)
    staff = get_user_model().objects.create_user("bench-staff", "staff@example.org", "bench", first_name="Door")
    door.checkin_staff.add(staff)
    now = timezone.now()
    registrations = Registration.objects.bulk_create(
        [
            Registration(
                event=door,
                name=f"Pupil {number}",
                email=f"pupil{number}@example.org",
                status=RegistrationStatus.CONFIRMED,
                seats_held=1,
                consent_data_processing=True,
                confirmed_at=now,
            )
            for number in range(tickets)
        ],
        batch_size=500,
    )
    return {
        "door_event": door.pk,
        "rush_event": rush.pk,
        "rush_capacity": rush_capacity,
        "hot_event": hot.pk,
        "floor_event": floor.pk,
        "template_registration": registrations[0].pk,
        "token": Token.objects.create(user=staff).key,
        "payloads": [ticket_payload(registration) for registration in registrations],
    }


if __name__ == "__main__":
    django.setup()
    print(json.dumps(seed(tickets=int(sys.argv[1]), rush_capacity=int(sys.argv[2]))))
