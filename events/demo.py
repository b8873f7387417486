"""The demo programme drawn from the mission. Idempotent: events are found again by title."""

import datetime as dt
import zoneinfo

from django.contrib.auth import get_user_model
from django.db import transaction

from events import services
from events.models import Event, EventFormat, EventKind, Region, RegistrationMode, Series
from events.roles import make_organiser

BAKU = zoneinfo.ZoneInfo("Asia/Baku")
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


def local(year, month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=BAKU)


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
            description="Mentors and mentees meet twice a month, September to May.",
            kind=EventKind.MENTORING_SESSION,
            format=EventFormat.HYBRID,
            timezone="Asia/Baku",
            rrule="FREQ=MONTHLY;BYDAY=+2TH,+4TH;UNTIL=20270531T235959",
            first_start=local(2026, 9, 10, 18, 30),
            duration_minutes=90,
            exdates=["2026-12-24T18:30:00"],
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
        start = local(2026, 10, 6, 19, 0) + dt.timedelta(weeks=2 * index)
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
        start=local(2027, 2, 11, 10, 0),
        end=local(2027, 2, 11, 13, 0),
        venue_name="Landmark Hotel, conference hall",
        venue_address="Baku, Nizami street 90A",
        region=baku,
        city="Baku",
        capacity=40,
        registration_mode=RegistrationMode.INVITATION,
        rsvp_deadline=local(2027, 2, 1, 18, 0),
        asks_recording_consent=True,
        chatham_house_rule=True,
        audience="stakeholders",
        sectors=["government", "civil_society", "private_sector", "academia"],
    )

    for index, (slug, venue) in enumerate(OUTREACH):
        region = Region.objects.get(slug=slug)
        start = local(2026, 11, 14, 11, 0) + dt.timedelta(weeks=3 * index)
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
        ("CV and interview workshop", EventKind.WORKSHOP, local(2026, 12, 5, 11, 0)),
        ("Psychological resilience training", EventKind.TRAINING, local(2026, 12, 12, 11, 0)),
        ("Career coaching clinic", EventKind.COACHING, local(2027, 1, 16, 11, 0)),
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
