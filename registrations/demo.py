"""Demo registrations for the demo programme (events.demo). Idempotent: an event that already has
registrations is left alone. Everything goes through the services, so seats, the waiting list and
the outbox look exactly as they would in real use."""

import itertools

from django.db import transaction
from django.utils import timezone

from events.demo import OUTREACH, WEBINARS, ensure_organiser
from events.models import Event, EventStatus, Region
from registrations.models import Registration
from registrations.services import invitations as invitation_services
from registrations.services import questions as question_services
from registrations.services import registration as services

FIRST_NAMES = [
    "Aysel", "Leyla", "Nigar", "Gunel", "Sevinj", "Aynur", "Lala", "Narmin", "Fidan", "Samira", "Konul", "Ulviyya",
    "Aytan", "Sabina", "Nargiz", "Jamila", "Rena", "Turkan", "Zarifa", "Mehriban", "Elvin", "Rashad", "Orkhan",
    "Tural", "Farid", "Kamran", "Ilkin", "Murad",
]  # fmt: skip
LAST_NAMES = [
    "Mammadova", "Aliyeva", "Hasanova", "Guliyeva", "Huseynova", "Ismayilova", "Karimova", "Rzayeva", "Babayeva",
    "Valiyeva", "Abbasova", "Jafarova", "Najafova", "Mustafayeva",
]  # fmt: skip
CHILDREN = ["Ali", "Aysu", "Nuray", "Emil", "Zahra", "Kanan", "Lamiya", "Huseyn", "Fatima", "Ramin"]
ROUNDTABLE_GUESTS = [
    ("Elnur Mammadov", "Ministry of Science and Education", "government"),
    ("Sevda Aliyeva", "State Committee for Family, Women and Children Affairs", "government"),
    ("Ramil Hasanov", "Innovation and Digital Development Agency", "government"),
    ("Gulnar Ibrahimova", "Women in Tech Azerbaijan", "civil_society"),
    ("Togrul Abbasov", "Youth STEM Network", "civil_society"),
    ("Nazrin Safarova", "Girls Code Baku", "civil_society"),
    ("Kamala Huseynova", "Caspian Energy Company", "private_sector"),
    ("Orkhan Guliyev", "Baku Software House", "private_sector"),
    ("Aida Karimova", "Azercell", "private_sector"),
    ("Prof. Lala Mehdiyeva", "ADA University", "academia"),
    ("Dr. Farid Alakbarov", "Baku State University", "academia"),
    ("Dr. Ulviyya Rzayeva", "Azerbaijan Technical University", "academia"),
]


def _people():
    for number, (first, last) in enumerate(itertools.product(FIRST_NAMES, LAST_NAMES)):
        yield f"{first} {last}", f"{first}.{last}.{number}".lower() + "@example.org"


def _sign_up(event, people, count, **extra):
    registrations = []
    for _ in range(count):
        name, email = next(people)
        registrations.append(
            services.register(event=event, name=name, email=email, consent_data_processing=True, **extra)
        )
    return registrations


def _add(event, organiser, people, count, **extra):
    """For events whose registration has closed (past ones): added as the organiser would."""
    registrations = []
    for _ in range(count):
        name, email = next(people)
        registrations.append(
            services.add_registration(
                event=event, by=organiser, name=name, email=email, consent_data_processing=True, **extra
            ).registration
        )
    return registrations


def _untouched(title) -> Event | None:
    event = Event.objects.filter(title=title, series__isnull=True, status=EventStatus.PUBLISHED).first()
    if event is None or Registration.objects.filter(event=event).exists():
        return None
    return event


def _workshop(people):
    """Full, with a waiting list, one cancellation and the promotion it caused."""
    event = _untouched("CV and interview workshop")
    if event is None:
        return
    question_services.create_question(
        event=event, label="Which stage are you at?", kind="choice", required=True,
        choices=["School", "University", "First job", "Changing careers"],
    )  # fmt: skip
    question = event.questions.get()
    stages = itertools.cycle(question.choices)
    confirmed = []
    for _ in range(event.capacity or 25):
        confirmed += _sign_up(event, people, 1, answers={question.pk: next(stages)})
    _sign_up(event, people, 5, answers={question.pk: "University"})
    services.cancel_registration(registration=confirmed[3])


def _roundtable(organiser, people):
    """Invitation only: invitations by sector, most answered, one delegate substituted."""
    event = _untouched("The role of women in STEM: a roundtable")
    if event is None or event.invitations.exists():
        return
    invitations = []
    for name, organisation, sector in ROUNDTABLE_GUESTS:
        email = name.split()[-1].lower() + "." + organisation.split()[0].lower() + "@example.org"
        invitations.append(
            invitation_services.create_invitation(
                event=event, email=email, name=name, sector=sector, organisation=organisation, by=organiser
            )
        )
    registered = []
    for invitation in invitations[:9]:
        registered.append(
            services.register(
                event=event,
                name=invitation.name,
                email=invitation.email,
                consent_data_processing=True,
                consent_recording=invitation.sector != "government",
                invitation_code=invitation.code,
            )
        )
    services.transfer_registration(
        registration=registered[0], name="Vusal Mammadli", email="vusal.ministry@example.org", by=organiser
    )


def _outreach(people, title):
    """Parents bring their children: parties counted against capacity."""
    event = _untouched(title)
    if event is None:
        return
    children = itertools.cycle(CHILDREN)
    for size in [3, 2, 4, 1, 5, 2]:
        _sign_up(event, people, 1, party_size=size, party_names=[next(children) for _ in range(size - 1)])


def _past(organiser, people, title, count, **extra):
    event = _untouched(title)
    if event is None:
        return
    _add(event, organiser, people, count, **extra)


@transaction.atomic
def load() -> dict:
    organiser = ensure_organiser()
    people = _people()
    _workshop(people)
    _roundtable(organiser, people)
    now = timezone.now()
    # only the demo's own events: one an organiser made while trying the site keeps its registrations
    # (and its party limit: filling it with a family of five stopped `dev.py run` from starting again)
    visits = [f"Role models visit {region.name}" for region in Region.objects.filter(slug__in=dict(OUTREACH))]
    webinars = [title for title, _ in WEBINARS]
    for event in Event.objects.filter(
        kind="outreach_visit", status=EventStatus.PUBLISHED, series__isnull=True, title__in=visits
    ):
        if event.end > now:
            _outreach(people, event.title)
        else:
            _past(organiser, people, event.title, 4, party_size=2)
    for event in Event.objects.filter(
        kind="webinar", status=EventStatus.PUBLISHED, series__isnull=True, title__in=webinars
    )[:5]:
        if event.end <= now:
            _past(organiser, people, event.title, 6)
        elif _untouched(event.title):
            _sign_up(event, people, 6)
    return {"registrations": Registration.objects.count()}
