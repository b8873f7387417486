"""A year of real volume on top of the demo, for finding what grows with rows (N+1 queries,
unpaginated lists, missing indexes). Run after `manage.py load_demo` on a database of your own:

    DATA_DIR=/tmp/x-data DATABASE_URL=postgres://... DEBUG=1 SECRET_KEY=x \
        .venv/bin/python manage.py shell -c "from bench.volume_seed import seed; print(seed())"

Rows are written with bulk_create (no messages queued, no rules checked), as the demo's
organiser ("organiser") and three other organisers:
- the demo's mentoring series (its cohort) grows to 300 mentees in four cohorts with 30 mentors,
  registered for every session, attendance of the held ones recorded, missed-session alerts;
- 40 speakers on 60 webinars; three webinars with 2,000 registrations each;
- 5,000 held events with ten registrations each; an in-person event today with 2,000 tickets and
  a door-staff login ("door-staff" / "door-staff");
- 50,000 outbox messages; attendance imports; 200 events for each other organiser.
"""

import datetime as dt
import hashlib
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

BATCH = 2000


def _organiser(username):
    from events.roles import make_organiser

    user, created = get_user_model().objects.get_or_create(username=username, defaults={"email": f"{username}@ex.org"})
    if created:
        user.set_password(username)
        user.save()
        make_organiser(user)
    return user


def _events(organiser, rows):
    from events.models import Event

    events = Event.objects.bulk_create(rows, batch_size=BATCH)
    through = Event.organisers.through
    through.objects.bulk_create([through(event_id=e.pk, user_id=organiser.pk) for e in events], batch_size=BATCH)
    return events


def _registrations(pairs, *, attendance=None, status="confirmed"):
    """pairs: (event, n) → n confirmed registrations each."""
    from registrations.models import Registration

    now = timezone.now()
    rows = []
    for event, count in pairs:
        for number in range(count):
            rows.append(
                Registration(
                    event=event,
                    name=f"Person {event.pk}-{number}",
                    email=f"p{event.pk}-{number}@example.org",
                    status=status,
                    seats_held=1 if status == "confirmed" else 0,
                    consent_data_processing=True,
                    confirmed_at=now,
                    attendance=(attendance(number) if attendance else "unknown"),
                )
            )
    Registration.objects.bulk_create(rows, batch_size=BATCH)
    from django.db.models import Count

    from events.models import Event

    for event_id, taken in (
        Registration.objects.filter(event__in=[e for e, _ in pairs], status="confirmed")
        .values_list("event")
        .annotate(n=Count("id"))
    ):
        Event.objects.filter(pk=event_id).update(seats_taken=taken)


@transaction.atomic
def seed() -> dict:
    from attendance.models import AttendanceImport
    from events.models import Event, EventFormat, EventKind, EventStatus, Series
    from notifications.models import OutboxMessage
    from programmes.models import Cohort, Enrolment, MissedSessionsAlert, Programme
    from registrations.models import CheckIn, Registration
    from speakers.models import Speaker, SpeakerAssignment

    random.seed(5)
    now = timezone.now().replace(microsecond=0)
    organiser = get_user_model().objects.get(username="organiser")

    # --- the mentoring series: 300 mentees in four cohorts, 30 mentors ---------------------
    series = Series.objects.get(title="Mentoring circle")
    programme = Programme.objects.get(series=series)
    sessions = list(series.occurrences.order_by("start"))
    mentors = Speaker.objects.bulk_create(
        [Speaker(name=f"Mentor {n}", email=f"mentor{n}@private.example.org", roles=["mentor"]) for n in range(30)]
    )
    first = Cohort.objects.get(programme=programme, series=series)
    cohorts = [first] + [
        Cohort.objects.create(programme=programme, series=series, name=f"Mentees group {n}") for n in range(2, 5)
    ]
    have = Enrolment.objects.filter(cohort__programme=programme).count()
    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(
                cohort=cohorts[n % 4],
                name=f"Mentee {n}",
                email=f"mentee{n}@example.org",
                joined_at=now - dt.timedelta(days=120),
                mentor=mentors[n % 30],
            )
            for n in range(300 - have)
        ]
    )
    held = [s for s in sessions if s.end <= now]
    rows = []
    for session in sessions:
        for enrolment in enrolments:
            attended = session in held and random.random() < 0.8
            rows.append(
                Registration(
                    event=session,
                    name=enrolment.name,
                    email=enrolment.email,
                    status="confirmed",
                    source="cohort",
                    seats_held=1,
                    consent_data_processing=True,
                    confirmed_at=now,
                    attendance=("attended" if attended else "no_show") if session in held else "unknown",
                )
            )
    Registration.objects.bulk_create(rows, batch_size=BATCH)
    if len(held) >= 2:
        MissedSessionsAlert.objects.bulk_create(
            [MissedSessionsAlert(enrolment=e, first_missed_event=held[-2], missed_count=2) for e in enrolments[::7]]
        )

    # --- 40 speakers on 60 webinars, three of them with 2,000 registrations ------------------
    speakers = Speaker.objects.bulk_create(
        [Speaker(name=f"Speaker vol {n}", email=f"vol{n}@private.example.org", roles=["panellist"]) for n in range(40)]
    )
    webinars = _events(
        organiser,
        [
            Event(
                title=f"Webinar {n}",
                kind=EventKind.WEBINAR,
                format=EventFormat.ONLINE,
                status=EventStatus.PUBLISHED,
                published_at=now,
                start=now + dt.timedelta(days=n * 4 - 120, hours=2),
                end=now + dt.timedelta(days=n * 4 - 120, hours=3),
                online_platform="Zoom",
                join_url=f"https://zoom.example.org/j/{n}",
                capacity=None,
            )
            for n in range(60)
        ],
    )
    SpeakerAssignment.objects.bulk_create(
        [
            SpeakerAssignment(
                event=w,
                speaker=speakers[(i + k) % 40],
                status="accepted",
                invited_at=now - dt.timedelta(days=200),
                response_deadline=w.start - dt.timedelta(days=1),
                order=k,
            )
            for i, w in enumerate(webinars)
            for k in range(3)
        ]
    )
    big = [webinars[25], webinars[35], webinars[45]]  # past, a little past, to come
    _registrations([(w, 2000) for w in big], attendance=lambda n: "attended" if n % 3 else "no_show")
    _registrations([(w, 30) for w in webinars if w not in big])

    # --- 5,000 held events ------------------------------------------------------------------
    kinds = [EventKind.WORKSHOP, EventKind.OUTREACH_VISIT, EventKind.WEBINAR, EventKind.ROUNDTABLE]
    past = _events(
        organiser,
        [
            Event(
                title=f"Held event {n}",
                kind=kinds[n % 4],
                format=EventFormat.ONLINE if kinds[n % 4] == EventKind.WEBINAR else EventFormat.IN_PERSON,
                status=EventStatus.PUBLISHED,
                published_at=now - dt.timedelta(days=800),
                start=now - dt.timedelta(days=700, hours=-n * 3),
                end=now - dt.timedelta(days=700, hours=-n * 3 - 2),
                capacity=30,
                attendance_finalised_at=now - dt.timedelta(days=1),
                city="Baku",
            )
            for n in range(5000)
        ],
    )
    _registrations([(e, 10) for e in past], attendance=lambda n: "attended" if n % 4 else "no_show")
    programme.events.add(*webinars)

    # --- the door: an in-person event today with 2,000 tickets, some checked in -----------
    (door,) = _events(
        organiser,
        [
            Event(
                title="Big outreach day",
                kind=EventKind.OUTREACH_VISIT,
                status=EventStatus.PUBLISHED,
                published_at=now,
                start=now + dt.timedelta(hours=1),
                end=now + dt.timedelta(hours=5),
                capacity=None,
                city="Ganja",
            )
        ],
    )
    _registrations([(door, 2000)])
    staff, created = get_user_model().objects.get_or_create(username="door-staff")
    staff.set_password("door-staff")
    staff.save()
    door.checkin_staff.add(staff)
    CheckIn.objects.bulk_create(
        [
            CheckIn(registration=r, event=door, checked_in_at=now, source="manual", by=staff)
            for r in Registration.objects.filter(event=door)[:600]
        ]
    )

    # --- the outbox: 50,000 messages ---------------------------------------------------------
    targets = webinars + past[:500] + [door]
    statuses = ["sent"] * 8 + ["failed", "pending"]
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                kind="registration_confirmed",
                recipient_email=f"r{n}@example.org",
                recipient_name=f"R {n}",
                subject="You are registered",
                body_text="See you there.",
                dedup_key=f"vol:{n}",
                event=targets[n % len(targets)],
                status=statuses[n % 10],
            )
            for n in range(50_000)
        ],
        batch_size=BATCH,
    )

    # --- attendance imports on the big webinars --------------------------------------------
    for w in big[:2]:
        content = "Name,Email,Duration (minutes)\n" + "".join(
            f"Person {w.pk}-{n},p{w.pk}-{n}@example.org,{40 + n % 50}\n" for n in range(2000)
        )
        content = content.encode()
        for k in range(3):
            data = content + f"Extra {k},extra{k}@example.org,5\n".encode()
            AttendanceImport.objects.create(
                event=w,
                uploaded_by=organiser,
                filename=f"zoom-{k}.csv",
                content=data,
                content_sha256=hashlib.sha256(data).hexdigest(),
                status="failed" if k < 2 else "done",
                rows=2001,
                matched=2000,
                attended=1500,
                unmatched_rows=[{"line": 2002, "name": f"Extra {k}", "email": f"extra{k}@example.org"}],
            )

    # --- other organisers with their own data -------------------------------------------------
    for number in range(3):
        other = _organiser(f"other-organiser-{number}")
        theirs = _events(
            other,
            [
                Event(
                    title=f"Other {number} event {n}",
                    kind=EventKind.WORKSHOP,
                    status=EventStatus.PUBLISHED,
                    published_at=now,
                    start=now + dt.timedelta(days=n - 100),
                    end=now + dt.timedelta(days=n - 100, hours=2),
                    capacity=40,
                )
                for n in range(200)
            ],
        )
        _registrations([(e, 20) for e in theirs])
    return {
        "door": door.pk,
        "big_webinars": [w.pk for w in big],
        "programme": programme.pk,
        "cohorts": [c.pk for c in cohorts],
        "series": series.pk,
        "events": Event.objects.count(),
        "registrations": Registration.objects.count(),
    }
