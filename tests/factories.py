"""factory_boy factories shared by the whole suite. Each app's part is marked."""

import datetime as dt
import hashlib
import importlib
import secrets

import factory
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils.timezone import localdate, now

from events.models import Event, EventFormat, EventKind, EventStatus, Region, Series
from events.roles import make_organiser

# --- accounts -------------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("password")


class OrganiserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"organiser{n}")

    @factory.post_generation
    def organiser_role(user, create, extracted, **kwargs):
        if create:
            make_organiser(user)


# --- events ---------------------------------------------------------------------------


def ensure_regions() -> None:
    """The seeded regions, seeded again by their migrations if a live-server test's flush removed
    them, under the primary keys the migration gave them (a later test's serialized rollback
    restores them by key: other keys would collide on the slug)."""
    if Region.objects.exists():
        return
    for name in ("0002_seed_regions", "0010_region_name_az"):
        migration = importlib.import_module(f"events.migrations.{name}")
        seed = migration.seed if hasattr(migration, "seed") else migration.name_regions
        seed(django_apps, None)
    seeded = importlib.import_module("events.migrations.0002_seed_regions").REGIONS
    for number, row in enumerate(seeded, start=1):
        Region.objects.filter(slug=row[1]).update(id=number)


def region(slug="ganja") -> Region:
    ensure_regions()
    return Region.objects.get(slug=slug)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Event {n}")
    description = "An event of the STEM mentorship programme."
    kind = EventKind.WORKSHOP
    format = EventFormat.IN_PERSON
    status = EventStatus.PUBLISHED
    timezone = "Asia/Baku"
    start = factory.LazyFunction(lambda: (now() + dt.timedelta(days=7)).replace(microsecond=0))
    end = factory.LazyAttribute(lambda event: event.start + dt.timedelta(hours=2))
    venue_name = "Innovation Centre"
    city = "Baku"
    # written in English, so are its messages to people whose language is unknown (the model's default is az)
    language = "en"
    capacity = 50
    # families may come: the registration tests bring parties; events.models defaults to 1
    max_party_size = 10
    published_at = factory.LazyFunction(now)

    @factory.post_generation
    def organisers(event, create, extracted, **kwargs):
        if create and extracted:
            event.organisers.set(extracted)


class WebinarFactory(EventFactory):
    kind = EventKind.WEBINAR
    format = EventFormat.ONLINE
    venue_name = ""
    city = ""
    online_platform = "Zoom"
    join_url = factory.Sequence(lambda n: f"https://zoom.example.org/j/{n}")


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Series {n}")
    kind = EventKind.MENTORING_SESSION
    format = EventFormat.IN_PERSON
    timezone = "Asia/Baku"
    rrule = "FREQ=WEEKLY;COUNT=4"
    language = "en"
    first_start = factory.LazyFunction(lambda: (now() + dt.timedelta(days=7)).replace(microsecond=0))
    duration_minutes = 90


# --- speakers -------------------------------------------------------------------------


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "speakers.Speaker"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Speaker {n}")
    title = "Engineer"
    organisation = "Caspian Tech"
    stem_fields = factory.LazyFunction(lambda: ["engineering"])
    languages = factory.LazyFunction(lambda: ["az", "en"])
    roles = factory.LazyFunction(lambda: ["panellist"])
    bio = "Builds things."
    email = factory.Sequence(lambda n: f"speaker{n}@private.example.org")
    phone = "+994 50 000 00 00"
    private_notes = "Prefers mornings."

    @factory.post_generation
    def travel_regions(speaker, create, extracted, **kwargs):
        if create and extracted:
            speaker.travel_regions.set(extracted)


class SpeakerAssignmentFactory(factory.django.DjangoModelFactory):
    """An invitation written directly (no message queued): use services.assign_speaker to test inviting."""

    class Meta:
        model = "speakers.SpeakerAssignment"

    event = factory.SubFactory(EventFactory)
    speaker = factory.SubFactory(SpeakerFactory)
    role = "panellist"
    status = "invited"
    invited_at = factory.LazyFunction(now)
    response_deadline = factory.LazyAttribute(lambda assignment: assignment.event.start - dt.timedelta(days=1))


# --- registrations --------------------------------------------------------------------


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "registrations.Question"

    event = factory.SubFactory(EventFactory)
    label = factory.Sequence(lambda n: f"Question {n}")
    kind = "text"
    required = False


class InvitationFactory(factory.django.DjangoModelFactory):
    """Written directly (no message queued): use services.invitations.create_invitation to test inviting."""

    class Meta:
        model = "registrations.Invitation"

    event = factory.SubFactory(EventFactory, registration_mode="invitation")
    email = factory.Sequence(lambda n: f"delegate{n}@ministry.example.org")
    name = factory.Sequence(lambda n: f"Delegate {n}")
    sector = "government"


class RegistrationFactory(factory.django.DjangoModelFactory):
    """Written directly (no message queued, no rules checked) but with the event's counters kept
    right: a confirmed or offered one takes its seats, a waiting one joins the count. Use
    registrations.services.registration.register to test registering."""

    class Meta:
        model = "registrations.Registration"

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Attendee {n}")
    email = factory.Sequence(lambda n: f"attendee{n}@example.org")
    status = "confirmed"
    party_size = 1
    consent_data_processing = True
    consented_at = factory.LazyFunction(now)
    seats_held = factory.LazyAttribute(lambda r: r.party_size if r.status in ("confirmed", "offered") else 0)
    confirmed_at = factory.LazyAttribute(lambda r: now() if r.status == "confirmed" else None)
    waiting_since = factory.LazyAttribute(lambda r: now() if r.status == "waitlisted" else None)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        registration = super()._create(model_class, *args, **kwargs)
        event = type(registration.event).objects.filter(pk=registration.event_id)
        if registration.seats_held:
            event.update(seats_taken=F("seats_taken") + registration.seats_held)
        if registration.status == "waitlisted":
            event.update(waiting_count=F("waiting_count") + 1)
        registration.event.refresh_from_db(fields=["seats_taken", "waiting_count"])
        return registration


class CheckInFactory(factory.django.DjangoModelFactory):
    """A check-in row as the door writes it. Use registrations.checkin.services.check_in to test the door."""

    class Meta:
        model = "registrations.CheckIn"

    registration = factory.SubFactory(RegistrationFactory)
    event = factory.SelfAttribute("registration.event")
    checked_in_at = factory.LazyFunction(now)
    source = "manual"


# --- notifications, feeds, teams, attendance ------------------------------------------


class OutboxMessageFactory(factory.django.DjangoModelFactory):
    """A rendered message waiting in the outbox. Use notifications.services.queue_message to test queueing."""

    class Meta:
        model = "notifications.OutboxMessage"

    kind = "registration_confirmed"
    recipient_email = factory.Sequence(lambda n: f"recipient{n}@example.org")
    recipient_name = factory.Sequence(lambda n: f"Recipient {n}")
    subject = "You are registered"
    body_text = "See you there."
    dedup_key = factory.Sequence(lambda n: f"factory:{n}")


class CalendarFeedFactory(factory.django.DjangoModelFactory):
    """A private feed. Use feeds.services to test creating and revoking one."""

    class Meta:
        model = "feeds.CalendarFeed"

    user = factory.SubFactory(UserFactory)
    scope = "attendee"
    token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))


class TeamInvitationFactory(factory.django.DjangoModelFactory):
    """An invitation to an event's team with a known ``token`` (the row keeps only its hash).
    Use teams.services.invite_to_team to test inviting."""

    class Meta:
        model = "teams.TeamInvitation"
        exclude = ["token"]

    event = factory.SubFactory(EventFactory)
    email = factory.Sequence(lambda n: f"helper{n}@example.org")
    role = "checkin"
    token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))
    token_hash = factory.LazyAttribute(lambda invitation: hashlib.sha256(invitation.token.encode()).hexdigest())
    expires_at = factory.LazyFunction(lambda: now() + dt.timedelta(days=7))


class AttendanceImportFactory(factory.django.DjangoModelFactory):
    """An uploaded participant report, not yet read. Use attendance's services to test importing."""

    class Meta:
        model = "attendance.AttendanceImport"

    event = factory.SubFactory(EventFactory, start=factory.LazyFunction(lambda: now() - dt.timedelta(days=1)))
    filename = "participants.csv"
    content = b"Name,Email,Duration (minutes)\nAysel Aliyeva,aysel@example.org,90\n"
    content_sha256 = factory.LazyAttribute(lambda report: hashlib.sha256(report.content).hexdigest())


class SpeakerUnavailabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "speakers.SpeakerUnavailability"

    speaker = factory.SubFactory(SpeakerFactory)
    start = factory.LazyFunction(lambda: now() + dt.timedelta(days=20))
    end = factory.LazyAttribute(lambda period: period.start + dt.timedelta(days=3))


# --- programmes -----------------------------------------------------------------------


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programmes.Programme"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Mentoring year {n}")
    # under way whatever the day the suite runs: begun three months ago, ending about nine months
    # on. Fixed dates made every test that adds an event relative to today fail once today left
    # them (a programme takes only events starting within its dates).
    starts_on = factory.LazyFunction(lambda: localdate() - dt.timedelta(days=90))
    ends_on = factory.LazyAttribute(lambda programme: programme.starts_on + dt.timedelta(days=360))
    completion_threshold = 0.7

    @factory.post_generation
    def organisers(programme, create, extracted, **kwargs):
        if create and extracted:
            programme.organisers.set(extracted)


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programmes.Cohort"

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Cohort {n}")


class EnrolmentFactory(factory.django.DjangoModelFactory):
    """Written directly (no registrations): use programmes.services.enrol to test enrolling."""

    class Meta:
        model = "programmes.Enrolment"

    cohort = factory.SubFactory(CohortFactory)
    name = factory.Sequence(lambda n: f"Mentee {n}")
    email = factory.Sequence(lambda n: f"mentee{n}@example.org")
    joined_at = factory.LazyFunction(now)


class CertificateFactory(factory.django.DjangoModelFactory):
    """A valid certificate as issued. Use programmes.certificates.issue_certificate to test issuing."""

    class Meta:
        model = "programmes.Certificate"

    enrolment = factory.SubFactory(EnrolmentFactory)
    participant_name = factory.SelfAttribute("enrolment.name")
    programme_title = factory.SelfAttribute("enrolment.cohort.programme.title")
    attendance_rate = 80
    sessions_attended = 8
    issued_at = factory.LazyFunction(now)
