"""The demo programme: the mentoring year, its cohort of mentees with mentors, their attendance so far;
and the coding club that ended before it, whose completers hold certificates.

Runs after the events, speakers and registrations demos (``manage.py load_programme_demo``, or
from ``load_demo``). Idempotent: each programme is made once (found again by its title).
The mentoring year is under way: nobody holds its certificate yet (the daily task issues them the
day after its last day). Certificates are where the rules give them: the finished coding club.
Everything goes through the services (enrolment registers through the registrations service,
alerts go through the outbox); only past attendance is written directly, as a finalised record.
"""

import datetime as dt
import zoneinfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from events import services as event_services
from events.demo import ensure_organiser, nth_weekday, programme_end, programme_start
from events.models import Event, EventFormat, EventKind, EventStatus, Region, Series
from programmes import certificates, journeys, services
from programmes.models import Programme
from registrations.models import Registration
from registrations.services.attendance import record_attendance
from registrations.services.registration import register
from speakers.demo import circle_mentors

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

SATURDAY = 5
# the coding club of the three months before the mentoring year: some mentees came first there
# (name from MENTEES, attendance pattern over its three workshops); a threshold of 0.7 over three
# workshops asks all three, so two of them finish without a certificate
CLUB_WORKSHOPS = ["Coding club: Python basics", "Coding club: data and charts", "Coding club: a first app"]
CLUB_MEMBERS = [
    ("Aysu Mammadli", "AAA"),
    ("Nuray Aliyeva", "AAA"),
    ("Lamiya Hasanli", "AMA"),
    ("Aytaj Babayeva", "AAA"),
    ("Konul Najafova", "MMA"),
    ("Rena Abbasova", "AAA"),
]


def club_title() -> str:
    return f"Coding club {nth_weekday(-3, 2, SATURDAY):%Y}"


def _email(name: str) -> str:
    return name.lower().replace(" ", ".") + "@example.org"


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
    """Write a held event's attendance as finalisation would have (no follow-ups: it is history),
    by the automatic sources' rule (a decision by hand stands)."""
    now = timezone.now()
    for email, outcome in outcomes.items():
        registrations = Registration.objects.filter(event=event, email=email, status="confirmed")
        record_attendance(registrations=registrations, attendance=outcome, now=now)
    # the rest of the room: most came
    others = Registration.objects.filter(event=event, status="confirmed", attendance="unknown").order_by("id")
    for index, registration in enumerate(others):
        record_attendance(
            registrations=Registration.objects.filter(pk=registration.pk),
            attendance="no_show" if index % 5 == 4 else "attended",
            now=now,
        )
    Event.objects.filter(pk=event.pk, attendance_finalised_at__isnull=True).update(
        attendance_finalised_at=event.end + dt.timedelta(hours=1)
    )


def _coding_club(organiser) -> Programme:
    """The programme that ended before the mentoring year, with its certificates: issued as the
    daily task issues them the day after a programme's last day (by nobody: "the system")."""
    club = Programme.objects.filter(title=club_title()).first()
    if club is not None:
        return club
    regions = {region.slug: region for region in Region.objects.all()}
    workshops = []
    for months, title in zip([-3, -2, -1], CLUB_WORKSHOPS, strict=True):
        start = nth_weekday(months, 2, SATURDAY, 11, 0)
        event = Event.objects.filter(title=title, series__isnull=True).first()
        if event is None:
            event = event_services.create_event(
                by=organiser,
                title=title,
                description="A Saturday of coding for girls from 15, with a mentor at each table.",
                kind=EventKind.WORKSHOP,
                format=EventFormat.IN_PERSON,
                start=start,
                end=start + dt.timedelta(hours=3),
                venue_name="Innovation Centre",
                venue_address="Baku, Nizami street 100",
                region=regions.get("baku"),
                city="Baku",
                capacity=25,
                audience="mentees",
            )
            event_services.publish_event(event=event, by=organiser)
        workshops.append(event)
    club = services.create_programme(
        by=organiser,
        title=club_title(),
        description="Three Saturday coding workshops before the mentoring year.",
        # the first of its first workshop's month to the day before the mentoring year
        starts_on=workshops[0].start.astimezone(BAKU).date().replace(day=1),
        ends_on=programme_start() - dt.timedelta(days=1),
        completion_threshold=0.7,
        events=workshops,
    )
    cohort = services.create_cohort(programme=club, name=f"Coders {club.starts_on:%Y}", by=organiser)
    members = [
        services.enrol(
            cohort=cohort,
            name=name,
            email=_email(name),
            by=organiser,
            now=workshops[0].start - dt.timedelta(days=14),  # before the first workshop
        )
        for name, _pattern in CLUB_MEMBERS
    ]
    for position, event in enumerate(workshops):
        _finalise(
            event,
            {
                enrolment.email: "attended" if pattern[position] == "A" else "no_show"
                for enrolment, (_name, pattern) in zip(members, CLUB_MEMBERS, strict=True)
            },
        )
    certificates.issue_certificates(programme=club, by=None)
    return club


@transaction.atomic
def load() -> dict:
    organiser = ensure_organiser()
    club = _coding_club(organiser)
    programme = Programme.objects.filter(title=programme_title()).first()
    if programme is not None:
        return {"programme": programme, "club": club}
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
    # the circle's mentors, who lead its sessions in turn (speakers.demo): the mentor login speaks at them
    mentors = circle_mentors()
    mentor_user = _mentor_login(mentors[0]) if mentors else None

    regions = {region.slug: region for region in Region.objects.all()}
    enrolments = []
    for index, (name, sector, age_group, region, _) in enumerate(MENTEES):
        enrolments.append(
            services.enrol(
                cohort=cohort,
                name=name,
                email=_email(name),
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
    # no certificate yet: the programme runs until programme_end() (the daily task issues them after)
    return {
        "programme": programme,
        "club": club,
        "mentor_login": (MENTOR_USERNAME, MENTOR_PASSWORD) if mentor_user else None,
    }
