"""The demo roster: 30 mentors, 40 webinar specialists (some of them role models who travel
to the regions), and their assignments to the demo events of events/demo.py.

Idempotent: speakers are found again by email, assignments by (event, speaker). Assignments
are written directly rather than through ``assign_speaker``, so that loading the demo sends
no invitations and can place speakers at events already past.
"""

import datetime as dt
import itertools

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from events.demo import OUTREACH, WEBINARS
from events.models import Event, EventKind, Region
from speakers.models import AssignmentRole, AssignmentStatus, Speaker, SpeakerAssignment, SpeakerRole, StemField

# the mentors of the demo's mentoring circle: the first of the roster's mentors, who lead its
# sessions in turn and are paired with the demo cohort's mentees (programmes.demo)
CIRCLE_MENTORS = 4

SPEAKER_USERNAME = "speaker"
SPEAKER_PASSWORD = "speaker-demo"  # a demo login on the developer's own machine

FIRST_NAMES = [
    "Aysel", "Leyla", "Nigar", "Gunel", "Sevinj", "Aynur", "Lala", "Narmin", "Fidan", "Samira", "Konul", "Sabina",
    "Gulnar", "Aytan", "Nargiz", "Ulviyya", "Shahla", "Zarifa", "Turkan", "Rena", "Elmira", "Jamila", "Khadija",
    "Parvana", "Sadaf", "Vusala", "Lamiya", "Nazrin", "Gunay", "Madina",
]  # fmt: skip
LAST_NAMES = [
    "Mammadova", "Hasanova", "Aliyeva", "Guliyeva", "Ismayilova", "Rzayeva", "Huseynova", "Babayeva", "Karimova",
    "Valiyeva", "Abbasova", "Jafarova", "Qasimova", "Suleymanova", "Mustafayeva", "Orujova", "Nasibova",
]  # fmt: skip
ORGANISATIONS = [
    "Azercosmos", "SOCAR", "ADA University", "Baku Higher Oil School", "Azerbaijan Medical University", "PASHA Bank",
    "Baku State University", "Azerconnect", "Azersun", "Innovation and Digital Development Agency",
]  # fmt: skip
TITLES = {
    "computer_science": "Software engineer",
    "data_science": "Data scientist",
    "cybersecurity": "Security analyst",
    "engineering": "Petroleum engineer",
    "energy": "Renewable energy engineer",
    "mathematics": "Quantitative analyst",
    "physics": "Satellite systems engineer",
    "chemistry": "Research chemist",
    "biology": "Biotechnologist",
    "medicine": "Physician researcher",
    "entrepreneurship": "Founder",
    "education": "STEM teacher trainer",
}
TRAVEL_REGIONS = ["ganja", "shaki", "lankaran", "guba", "mingachevir", "gabala", "shamakhi"]


def _names():
    """Distinct full names; the webinar speakers of events/demo.py come first."""
    seen = []
    for _, name in WEBINARS:
        seen.append(name)
    for first, last in itertools.product(FIRST_NAMES, LAST_NAMES):
        name = f"{first} {last}"
        if name not in seen:
            seen.append(name)
    return seen


def _email(name: str) -> str:
    return name.lower().replace(" ", ".") + "@speakers.example.org"


def _roster() -> list[dict]:
    fields = StemField.values
    profiles = []
    for index, name in enumerate(_names()[:70]):
        field = fields[index % len(fields)]
        mentor = index >= 40  # 30 mentors
        roles = [SpeakerRole.MENTOR] if mentor else [SpeakerRole.PANELLIST]
        if index % 4 == 0:
            roles.append(SpeakerRole.ROLE_MODEL)
        if index % 9 == 0:
            roles.append(SpeakerRole.TRAINER)
        languages = ["az", "en"] + (["ru"] if index % 3 == 0 else [])
        profiles.append(
            {
                "name": name,
                "email": _email(name),
                "title": TITLES[field],
                "organisation": ORGANISATIONS[index % len(ORGANISATIONS)],
                "stem_fields": [field],
                "topics": [str(StemField(field).label), "Careers for women in STEM"],
                "bio": f"{name} works as a {TITLES[field].lower()} and mentors young women entering the field.",
                "languages": languages,
                "roles": [role.value for role in SpeakerRole if role in roles],
                "public_email": "" if index % 2 else _email(name).replace("@speakers.", "@public."),
                "linkedin_url": f"https://www.linkedin.com/in/demo-{index + 1}",
                "phone": f"+994 50 555 {index:02d} {index * 7 % 100:02d}",
                "travel": [TRAVEL_REGIONS[index % len(TRAVEL_REGIONS)], "baku"]
                if SpeakerRole.ROLE_MODEL in roles
                else [],
            }
        )
    return profiles


def _speaker(profile: dict, regions: dict) -> Speaker:
    travel = profile.pop("travel")
    speaker, created = Speaker.objects.get_or_create(email=profile["email"], defaults=profile)
    if created and travel:
        speaker.travel_regions.set([regions[slug] for slug in travel if slug in regions])
    return speaker


def _assign(event, speaker, role, order, status=AssignmentStatus.ACCEPTED, organiser=None, message=""):
    if event is None:
        return None
    invited_at = min(timezone.now(), event.start - dt.timedelta(days=21))
    assignment, _ = SpeakerAssignment.objects.get_or_create(
        event=event,
        speaker=speaker,
        defaults={
            "role": role,
            "order": order,
            "status": status,
            "message": message,
            "invited_at": invited_at,
            "invited_by": organiser,
            "responded_at": None if status == AssignmentStatus.INVITED else invited_at + dt.timedelta(days=2),
            "response_deadline": max(event.start - dt.timedelta(days=7), invited_at + dt.timedelta(days=1)),
        },
    )
    return assignment


def circle_mentors() -> list[Speaker]:
    """The mentoring circle's mentors, in the roster's order (none before the roster is loaded)."""
    emails = [profile["email"] for profile in _roster() if SpeakerRole.MENTOR in profile["roles"]][:CIRCLE_MENTORS]
    found = {speaker.email: speaker for speaker in Speaker.objects.filter(email__in=emails)}
    return [found[email] for email in emails if email in found]


def _event(title):
    return Event.objects.filter(title=title, series__isnull=True).first()


def _demo_login(speaker: Speaker):
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=SPEAKER_USERNAME,
        defaults={"first_name": speaker.name.split()[0], "last_name": speaker.name.split()[-1], "email": speaker.email},
    )
    if created:
        user.set_password(SPEAKER_PASSWORD)
        user.save()
    if speaker.user_id is None and not Speaker.objects.filter(user=user).exists():
        speaker.user = user
        speaker.save(update_fields=["user"])
    return user


@transaction.atomic
def load() -> dict:
    regions = {region.slug: region for region in Region.objects.all()}
    speakers = [_speaker(profile, regions) for profile in _roster()]
    by_name = {speaker.name: speaker for speaker in speakers}
    webinar_specialists, mentors = speakers[:40], speakers[40:]
    role_models = [speaker for speaker in speakers if SpeakerRole.ROLE_MODEL in speaker.roles]
    trainers = [speaker for speaker in speakers if SpeakerRole.TRAINER in speaker.roles]
    organiser = get_user_model().objects.filter(username="organiser").first()

    for index, (title, name) in enumerate(WEBINARS):
        event = _event(title)
        _assign(event, by_name[name], AssignmentRole.KEYNOTE, 0, organiser=organiser)
        # every third webinar still waits for its moderator's answer: the organisers' "not answered" view
        status = AssignmentStatus.INVITED if index % 3 == 2 else AssignmentStatus.ACCEPTED
        _assign(event, mentors[index], AssignmentRole.MODERATOR, 1, status=status, organiser=organiser)

    for index, (slug, _) in enumerate(OUTREACH):
        region = regions.get(slug)
        event = _event(f"Role models visit {region.name}") if region else None
        travellers = [speaker for speaker in role_models if speaker.travel_regions.filter(slug=slug).exists()]
        for order, speaker in enumerate((travellers or role_models[index * 3 :])[:3]):
            _assign(event, speaker, AssignmentRole.PANELLIST, order, organiser=organiser)

    roundtable = _event("The role of women in STEM: a roundtable")
    _assign(roundtable, mentors[-1], AssignmentRole.MODERATOR, 0, organiser=organiser)
    for order, speaker in enumerate(webinar_specialists[10:15], start=1):
        status = AssignmentStatus.INVITED if order >= 4 else AssignmentStatus.ACCEPTED
        _assign(roundtable, speaker, AssignmentRole.PANELLIST, order, status=status, organiser=organiser)
    _assign(
        roundtable, webinar_specialists[15], AssignmentRole.PANELLIST, 6, status=AssignmentStatus.DECLINED,
        organiser=organiser, message="I am abroad that week, sorry. Invite me next time!",
    )  # fmt: skip

    for index, title in enumerate(
        ["CV and interview workshop", "Psychological resilience training", "Career coaching clinic"]
    ):
        _assign(_event(title), trainers[index % len(trainers)], AssignmentRole.TRAINER, 0, organiser=organiser)

    # the circle's mentors lead its sessions in turn, all year: each (the demo's mentor login among
    # them) has sessions held and sessions to come in their speaker area
    sessions = Event.objects.filter(series__title="Mentoring circle", kind=EventKind.MENTORING_SESSION)
    leads = mentors[:CIRCLE_MENTORS]
    for index, session in enumerate(sessions.order_by("start")):
        _assign(session, leads[index % len(leads)], AssignmentRole.MENTOR, 0, organiser=organiser)

    user = _demo_login(by_name[WEBINARS[0][1]])
    return {"speakers": len(speakers), "speaker_login": (user.username, SPEAKER_PASSWORD)}
