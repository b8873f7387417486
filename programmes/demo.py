"""The demo programme: the mentoring year, its cohort of mentees with mentors, their attendance so far.

Runs after the events, speakers and registrations demos (``manage.py load_programme_demo``, or
from ``load_demo``). Idempotent: when the programme exists, nothing changes.
Everything goes through the services (enrolment registers through the registrations service,
alerts go through the outbox); only past attendance is written directly, as a finalised record.
"""

import datetime as dt
import zoneinfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from events import services as event_services
from events.demo import ensure_organiser, programme_end, programme_start
from events.models import Event, EventStatus, Region, Series
from programmes import certificates, journeys, services
from programmes.models import Enrolment, Programme
from registrations.models import Registration
from registrations.services.registration import register
from speakers.models import Speaker

BAKU = zoneinfo.ZoneInfo("Asia/Baku")


def programme_title() -> str:
    """Named for its year, like the real ones (see events.demo: the year is relative to today)."""
    return f"STEM mentorship {programme_start():%Y}/{programme_end():%y}"


MENTOR_USERNAME = "mentor"
MENTOR_PASSWORD = "mentor-demo"  # a demo login on the developer's own machine

# name, sector, age group, region, attendance pattern over the sessions held (A attended, M missed)
MENTEES = [
    ("Aysu Mammadli", "student", "18_24", "baku", "AAAAAAAAAA"),
    ("Nuray Aliyeva", "student", "18_24", "ganja", "AAMAAAAAAA"),
    ("Lamiya Hasanli", "student", "under_18", "shaki", "AMMAAAAAAA"),
    ("Zahra Guliyeva", "not_working", "25_34", "baku", "AAAAAAAAMM"),
    ("Fatima Karimli", "private_sector", "25_34", "", "MAAAMAAAAA"),
    ("Gunay Rzayeva", "", "", "", "AAAMAMAAAA"),
    ("Sabina Ismayilova", "academia", "25_34", "baku", "AMAMAMAMAM"),
    ("Aytaj Babayeva", "student", "18_24", "lankaran", "AAAAAAAAAA"),
    ("Konul Najafova", "", "18_24", "", "MMAAAAAAAA"),
    ("Jamila Valiyeva", "student", "", "guba", "AAAAAMMMAA"),
    ("Rena Abbasova", "government", "35_plus", "baku", "AAAAAAAAAA"),
    ("Turkan Jafarova", "student", "18_24", "ganja", "AAMAAAAMAA"),
]
LEAVER = "Gunay Rzayeva"


def _mentor_login(mentor):
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=MENTOR_USERNAME,
        defaults={"first_name": mentor.name.split()[0], "last_name": mentor.name.split()[-1], "email": mentor.email},
    )
    if created:
        user.set_password(MENTOR_PASSWORD)
        user.save()
    if mentor.user_id is None and not type(mentor).objects.filter(user=user).exists():
        mentor.user = user
        mentor.save(update_fields=["user"])
    return user


def _finalise(event: Event, outcomes: dict[str, str]) -> None:
    """Write a held event's attendance as finalisation would have (no follow-ups: it is history)."""

    for email, outcome in outcomes.items():
        Registration.objects.filter(event=event, email=email, status="confirmed").update(attendance=outcome)
    # the rest of the room: most came
    others = Registration.objects.filter(event=event, status="confirmed", attendance="unknown").order_by("id")
    for index, registration in enumerate(others):
        Registration.objects.filter(pk=registration.pk).update(attendance="no_show" if index % 5 == 4 else "attended")
    Event.objects.filter(pk=event.pk, attendance_finalised_at__isnull=True).update(
        attendance_finalised_at=event.end + dt.timedelta(hours=1)
    )


@transaction.atomic
def load() -> dict:

    programme = Programme.objects.filter(title=programme_title()).first()
    if programme is not None:
        return {"programme": programme}
    organiser = ensure_organiser()
    now = timezone.now()
    series = Series.objects.filter(title="Mentoring circle").first()
    if series is None:
        return {}
    starts = dt.datetime.combine(programme_start(), dt.time(), tzinfo=BAKU)
    ends = dt.datetime.combine(programme_end(), dt.time(23, 59), tzinfo=BAKU)
    one_offs = Event.objects.filter(series__isnull=True, start__gte=starts, start__lte=ends).exclude(
        status=EventStatus.DRAFT
    )
    programme = services.create_programme(
        by=organiser,
        title=programme_title(),
        description="Mentoring circles twice a month, webinars with women in STEM, outreach visits to the regions, "
        "a roundtable and hands-on workshops, over nine months.",
        starts_on=starts.date(),
        ends_on=programme_end(),
        completion_threshold=0.7,
        series=[series],
        events=list(one_offs),
    )
    # a series published in November leaves its past occurrences as drafts; these took place
    for event in series.occurrences.filter(status=EventStatus.DRAFT, end__lte=now, detached_from_series=False):
        event_services.publish_event(event=event, by=organiser)
    cohort = services.create_cohort(
        programme=programme, name=f"Mentees {programme_start():%Y}/{programme_end():%y}", series=series, by=organiser
    )
    # roles is a JSON list: filtered here, as SQLite has no JSON containment lookup
    mentors = [speaker for speaker in Speaker.objects.order_by("id") if "mentor" in (speaker.roles or [])][:4]
    mentor_user = _mentor_login(mentors[0]) if mentors else None

    regions = {region.slug: region for region in Region.objects.all()}
    enrolments = []
    for index, (name, sector, age_group, region, _) in enumerate(MENTEES):
        enrolments.append(
            services.enrol(
                cohort=cohort,
                name=name,
                email=name.lower().replace(" ", ".") + "@example.org",
                sector=sector,
                age_group=age_group,
                region=regions.get(region),
                mentor=mentors[index % len(mentors)] if mentors else None,
                by=organiser,
                now=starts,  # they joined in September: registered for every session since
            )
        )

    held = list(series.occurrences.filter(status=EventStatus.PUBLISHED, end__lte=now).order_by("start"))
    for position, event in enumerate(held):
        outcomes = {}
        for enrolment, (*_, pattern) in zip(enrolments, MENTEES, strict=True):
            # the patterns end today: the latest session held takes the last letter
            letter = pattern[(len(pattern) - len(held) + position) % len(pattern)]
            outcomes[enrolment.email] = "attended" if letter == "A" else "no_show"
        _finalise(event, outcomes)

    # mentees go to the programme's webinars and workshops too
    # (only events whose attendance is still open: a finalised one has sent its follow-ups, and
    # people added afterwards would be counted as attending without ever being told)
    open_events = programme.events.filter(end__lte=now, attendance_finalised_at__isnull=True)
    for event in open_events.filter(kind__in=["webinar", "workshop"]).order_by("start")[:4]:
        for enrolment in enrolments[::3]:
            register(
                event=event,
                name=enrolment.name,
                email=enrolment.email,
                consent_data_processing=True,
                source="organiser",
            )
    for event in open_events.filter(status=EventStatus.PUBLISHED):
        _finalise(event, {})

    for enrolment in enrolments:
        journeys.review_missed_sessions(enrolment=enrolment)
    upcoming = series.occurrences.filter(status=EventStatus.PUBLISHED, start__gt=now).order_by("start").first()
    if upcoming is not None:
        services.skip_session(enrolment=enrolments[1], event=upcoming, reason="University exam that evening")
    leaver = next(enrolment for enrolment in enrolments if enrolment.name == LEAVER)
    services.leave_cohort(enrolment=leaver, by=organiser)
    active = list(Enrolment.objects.filter(cohort=cohort, status="active").select_related("cohort__programme"))
    issued = [
        certificates.issue_certificate(enrolment=journey.enrolment, by=organiser)
        for journey in journeys.build_journeys(active).values()
        if journey.completed and journey.attended >= 3
    ]
    return {
        "programme": programme,
        "mentor_login": (MENTOR_USERNAME, MENTOR_PASSWORD) if mentor_user else None,
        "certificates": len(issued),
    }
