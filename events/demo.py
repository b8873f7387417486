"""The demo programme drawn from the mission. Idempotent: events are found again by title.

Dated relative to today: the programme year starts on the first of the month two months ago and
runs nine months, so the demo always has sessions held (with attendance) and sessions to come, and
tests built on it do not change with the calendar.
"""

import datetime as dt
import zoneinfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from events import services
from events.models import Event, EventFormat, EventKind, Region, RegistrationMode, Series
from events.roles import make_organiser

BAKU = zoneinfo.ZoneInfo("Asia/Baku")
THURSDAY = 3
ORGANISER_USERNAME = "organiser"
ORGANISER_PASSWORD = "organiser-demo"  # a demo login on the developer's own machine, printed by `run`

WEBINARS = [
    ("Careers in data science", "Aysel Mammadova"),
    ("From school olympiads to engineering", "Leyla Hasanova"),
    ("Women in cybersecurity", "Nigar Aliyeva"),
    ("Renewable energy careers in the Caspian region", "Gunel Guliyeva"),
    ("How to get into AI research", "Sevinj Ismayilova"),
    ("Biotechnology and medicine", "Aynur Rzayeva"),
    ("Building apps: a first job in software", "Lala Huseynova"),
    ("Space science and satellites", "Narmin Babayeva"),
    ("Scholarships and studying STEM abroad", "Fidan Karimova"),
    ("Entrepreneurship for women engineers", "Samira Valiyeva"),
]

OUTREACH = [
    ("ganja", "School No. 12"),
    ("shaki", "Shaki Youth House"),
    ("lankaran", "Lankaran Lyceum"),
    ("guba", "Guba Community Centre"),
]


def programme_start(today: dt.date | None = None) -> dt.date:
    """The first day of the demo's programme year: the first of the month two months ago."""
    today = today or timezone.localdate(timezone=BAKU)
    year, month = divmod(today.year * 12 + today.month - 1 - 2, 12)
    return dt.date(year, month + 1, 1)


def month_of(months: int) -> tuple[int, int]:
    """(year, month) ``months`` after the programme's first month."""
    start = programme_start()
    year, month = divmod(start.year * 12 + start.month - 1 + months, 12)
    return year, month + 1


def local(months: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """Day ``day`` of the programme's month ``months`` (0: its first), Baku time."""
    year, month = month_of(months)
    return dt.datetime(year, month, day, hour, minute, tzinfo=BAKU)


def nth_weekday(months: int, n: int, weekday: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """The ``n``-th ``weekday`` (0: Monday) of the programme's month ``months``."""
    first = local(months, 1, hour, minute)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def programme_end() -> dt.date:
    """The last day of the programme's ninth month."""
    return (local(9, 1) - dt.timedelta(days=1)).date()


def ensure_organiser():
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=ORGANISER_USERNAME,
        defaults={"first_name": "Demo", "last_name": "Organiser", "email": "organiser@example.org"},
    )
    if created:
        user.set_password(ORGANISER_PASSWORD)
        user.save()
    make_organiser(user)
    return user


def _event(organiser, title, **fields) -> Event:
    event = Event.objects.filter(title=title, series__isnull=True).first()
    if event is None:
        event = services.create_event(by=organiser, title=title, **fields)
        services.publish_event(event=event, by=organiser)
    return event


@transaction.atomic
def load() -> dict:
    organiser = ensure_organiser()
    series = Series.objects.filter(title="Mentoring circle").first()
    if series is None:
        series = services.create_series(
            by=organiser,
            title="Mentoring circle",
            description="Mentors and mentees meet twice a month, for nine months.",
            kind=EventKind.MENTORING_SESSION,
            format=EventFormat.HYBRID,
            timezone="Asia/Baku",
            rrule=f"FREQ=MONTHLY;BYDAY=+2TH,+4TH;UNTIL={programme_end():%Y%m%d}T235959",
            first_start=nth_weekday(0, 2, THURSDAY, 18, 30),
            duration_minutes=90,
            # no circle on the fourth Thursday of the fourth month (a holiday)
            exdates=[nth_weekday(3, 4, THURSDAY, 18, 30).replace(tzinfo=None).isoformat()],
            venue_name="Innovation Centre",
            venue_address="Baku, Nizami street 100",
            region=Region.objects.get(slug="baku"),
            city="Baku",
            online_platform="Zoom",
            join_url="https://zoom.example.org/j/mentoring",
            capacity=330,
            audience="mentees",
        )
        services.publish_series(series=series, by=organiser)

    for index, (title, speaker) in enumerate(WEBINARS):
        start = local(1, 6, 19, 0) + dt.timedelta(weeks=2 * index)
        _event(
            organiser,
            title,
            description=f"A one-hour webinar with {speaker} on STEM careers, with questions from mentees.",
            kind=EventKind.WEBINAR,
            format=EventFormat.ONLINE,
            start=start,
            end=start + dt.timedelta(hours=1),
            online_platform="Zoom",
            join_url=f"https://zoom.example.org/j/webinar-{index + 1}",
            capacity=300,
            language="az" if index % 3 else "en",
            audience="public",
            feedback_url="https://forms.example.org/webinar-feedback",
        )

    baku = Region.objects.get(slug="baku")
    _event(
        organiser,
        "The role of women in STEM: a roundtable",
        description="Government, civil society, the private sector and academia on closing the gender gap in STEM.",
        kind=EventKind.ROUNDTABLE,
        format=EventFormat.IN_PERSON,
        start=local(5, 11, 10, 0),
        end=local(5, 11, 13, 0),
        venue_name="Landmark Hotel, conference hall",
        venue_address="Baku, Nizami street 90A",
        region=baku,
        city="Baku",
        capacity=40,
        registration_mode=RegistrationMode.INVITATION,
        rsvp_deadline=local(5, 1, 18, 0),
        asks_recording_consent=True,
        chatham_house_rule=True,
        audience="stakeholders",
        sectors=["government", "civil_society", "private_sector", "academia"],
    )

    for index, (slug, venue) in enumerate(OUTREACH):
        region = Region.objects.get(slug=slug)
        start = local(2, 14, 11, 0) + dt.timedelta(weeks=3 * index)
        _event(
            organiser,
            f"Role models visit {region.name}",
            description="Women engineers and scientists meet pupils, parents and teachers.",
            kind=EventKind.OUTREACH_VISIT,
            format=EventFormat.IN_PERSON,
            start=start,
            end=start + dt.timedelta(hours=3),
            venue_name=venue,
            region=region,
            city=region.name,
            latitude=region.latitude,
            longitude=region.longitude,
            capacity=80,
            audience="parents",
            max_party_size=6,
        )

    for title, kind, start in [
        ("CV and interview workshop", EventKind.WORKSHOP, local(3, 5, 11, 0)),
        ("Psychological resilience training", EventKind.TRAINING, local(3, 12, 11, 0)),
        ("Career coaching clinic", EventKind.COACHING, local(4, 16, 11, 0)),
    ]:
        _event(
            organiser,
            title,
            description="Small-group, hands-on session for mentees.",
            kind=kind,
            format=EventFormat.IN_PERSON,
            start=start,
            end=start + dt.timedelta(hours=3),
            venue_name="Innovation Centre",
            venue_address="Baku, Nizami street 100",
            region=baku,
            city="Baku",
            capacity=25,
            audience="mentees",
        )
    return {"organiser": organiser, "series": series}
