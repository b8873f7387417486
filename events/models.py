import datetime as dt
import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from events_project import limits
from events_project.people import tidy_name
from events_project.typed_text import tidy_line

# The bounds and the timezone rule live with every other input limit (events_project.limits);
# the names stay here for the models and their migrations.
validate_timezone = limits.validate_timezone
EARLIEST_YEAR, LATEST_YEAR = limits.EARLIEST_YEAR, limits.LATEST_YEAR


def check_plausible_times(instance, field_names) -> dict:
    """Dates far outside the programme's life are typos (and pre-1900 local-mean-time offsets
    such as +03:19:24 confuse every calendar client)."""
    return {
        name: limits.year_error_message()
        for name in field_names
        if getattr(instance, name) is not None and not limits.is_plausible(getattr(instance, name))
    }


def default_timezone() -> str:
    return settings.TIME_ZONE


def default_reminder_offsets() -> list[int]:
    """Minutes before the start: one day and one hour."""
    return [24 * 60, 60]


# Reminders go out between a minute and 60 days before the start, at most ten of them.
REMINDER_OFFSET_MAX_MINUTES = 60 * 24 * 60
MAX_REMINDER_OFFSETS = 10

# The numbers an organiser types, bounded for every way in (API, workspace forms, admin): an
# unbounded one overflows later, far from the input (a seat held for 10^12 hours is an
# OverflowError when someone cancels; a session of 10^12 minutes one when the series expands).
MAX_CAPACITY = 100_000
MAX_OFFER_HOLD_HOURS = 24 * 14
MIN_DURATION_MINUTES, MAX_DURATION_MINUTES = 5, 24 * 60
# one event lasts at most a year (a visit of several days, a summer school): 2027 to 2099 was a
# typo that put the event on every "happening now" list, calendar and door for decades
MAX_EVENT_LENGTH = dt.timedelta(days=366)


class Region(models.Model):
    """A region or city of Azerbaijan that outreach visits go to. Seed data, not free text."""

    class Kind(models.TextChoices):
        CITY = "city", _("City")
        DISTRICT = "district", _("District")

    name = models.CharField(max_length=100, unique=True, help_text=_("In English (Latin) spelling: Shaki."))
    name_az = models.CharField(max_length=100, blank=True, help_text=_("In Azerbaijani spelling: Şəki."))
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DISTRICT)
    economic_region = models.CharField(max_length=100, blank=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the language of the request: Şəki in the Azerbaijani interface."""
        if self.name_az and (translation.get_language() or "").split("-")[0] == "az":
            return self.name_az
        return self.name


class EventKind(models.TextChoices):
    WEBINAR = "webinar", _("Webinar")
    ROUNDTABLE = "roundtable", _("Roundtable")
    OUTREACH_VISIT = "outreach_visit", _("Outreach visit")
    MENTORING_SESSION = "mentoring_session", _("Mentoring session")
    WORKSHOP = "workshop", _("Workshop (CV and interview)")
    TRAINING = "training", _("Psychological training")
    COACHING = "coaching", _("Coaching")


class EventFormat(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")
    HYBRID = "hybrid", _("Hybrid")


# the formats that have a venue, so a door (``Event.has_venue``); an online-only event has neither
VENUE_FORMATS = (EventFormat.IN_PERSON, EventFormat.HYBRID)


class Audience(models.TextChoices):
    PUBLIC = "public", _("General public")
    MENTEES = "mentees", _("Mentees")
    MENTORS = "mentors", _("Mentors")
    PUPILS = "pupils", _("Pupils")
    PARENTS = "parents", _("Parents and pupils")
    TEACHERS = "teachers", _("Teachers and schools")
    PROFESSIONALS = "professionals", _("Professionals")
    STAKEHOLDERS = "stakeholders", _("Government, civil society and private sector")


class Language(models.TextChoices):
    AZERBAIJANI = "az", _("Azerbaijani")
    ENGLISH = "en", _("English")
    RUSSIAN = "ru", _("Russian")

    @classmethod
    def in_use(cls) -> str:
        """The language the person creating an event is working in (the page's or the API
        request's), which a new event starts in: an organiser who works in English invites her
        speakers in English. The Azerbaijani programme's own language when it is none of ours."""
        code = (translation.get_language() or "").split("-")[0].lower()
        return code if code in cls.values else cls.AZERBAIJANI

    @classmethod
    def asked_for(cls, *, accept_language: str, cookie: str = "") -> str:
        """:meth:`in_use` when a request named it (its language cookie or ``Accept-Language``), else
        "": an API client that names no language gets the model's default, not the site's English
        fallback."""
        in_use = cls.in_use()
        asked = [cookie, *(item.split(";", 1)[0] for item in accept_language.split(","))]
        return in_use if any(code.strip().lower().split("-")[0] == in_use for code in asked) else ""


class Sector(models.TextChoices):
    """Where a participant works; roundtables bring several sectors to one table."""

    GOVERNMENT = "government", _("Government")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    ACADEMIA = "academia", _("Academia")
    OTHER = "other", _("Other")


# The one cap on a party (a parent with their children, a teacher with a class), for every form, serializer
# and service, at the door too; larger groups are arranged by hand.
MAX_PARTY_SIZE = 30


class RegistrationMode(models.TextChoices):
    OPEN = "open", _("Open: first come, first served")
    APPROVAL = "approval", _("Approval by an organiser")
    INVITATION = "invitation", _("By invitation only")


class WhenFull(models.TextChoices):
    """What an online registration becomes while no seat is open to a newcomer (``Event.when_full``)."""

    REQUEST = "request"  # approval mode: a request (pending) the organisers decide on
    WAITING_LIST = "waiting_list"
    REFUSED = "refused"  # "This event is full."


# the one-line texts of an event and a series, kept as a person's name is (typed_text.tidy_line)
_ONE_LINE_DETAILS = ("title", "venue_name", "venue_address", "city", "online_platform")


class EventDetails(models.Model):
    """What an event and the series that generates events have in common."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=limits.DESCRIPTION_MAX_LENGTH)
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    format = models.CharField(max_length=10, choices=EventFormat.choices, default=EventFormat.IN_PERSON)
    timezone = models.CharField(max_length=64, default=default_timezone, validators=[validate_timezone])
    venue_name = models.CharField(max_length=200, blank=True)
    venue_address = models.CharField(max_length=300, blank=True)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT)
    city = models.CharField(max_length=100, blank=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    online_platform = models.CharField(max_length=100, blank=True)
    join_url = models.URLField(blank=True, help_text=_("Shown only to registered attendees, speakers and organisers."))
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text=_("Empty means unlimited."))
    registration_mode = models.CharField(max_length=12, choices=RegistrationMode.choices, default=RegistrationMode.OPEN)
    audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.PUBLIC)
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.AZERBAIJANI)

    class Meta:
        abstract = True

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def clean_fields(self, exclude=None):
        # the title is one line: a line break typed into it broke every calendar file of the event
        # (a 500) and every mail about it (stuck in the outbox), and started a line of its own in
        # their text; tabs and runs of blanks are one space, as in a person's name
        # a right-to-left override or another invisible formatting character goes, as in a
        # person's name ("Webinar \u202egnp.exe" read "Webinar exe.png" on every list and mail);
        # a title of nothing else stays as typed, for detail_errors to refuse in words
        for name in _ONE_LINE_DETAILS:
            value = getattr(self, name)
            if isinstance(value, str):
                setattr(self, name, tidy_line(value) or " ".join(value.split()))
        super().clean_fields(exclude=exclude)

    def detail_errors(self) -> dict:
        """What is wrong with the details an event and a series share (their clean() adds its own)."""
        errors = {}
        if self.title and not tidy_name(self.title):
            # zero-width spaces or bidi overrides alone: a card and a calendar entry with no name
            errors["title"] = _("Give a title people can read.")
        if self.capacity is not None and self.capacity < 1:
            errors["capacity"] = _("Capacity must be at least 1; leave it empty for unlimited.")
        elif self.capacity is not None and self.capacity > MAX_CAPACITY:
            errors["capacity"] = _("Capacity is at most %(most)s seats.") % {"most": MAX_CAPACITY}
        if self.format == EventFormat.ONLINE and (self.venue_name or self.venue_address):
            # a venue typed in while the format said Online stayed out of sight, and the ticket
            # led with a join link the organisers never meant to give, with no code for the door
            errors["format"] = _("An online event has no venue: choose In person or Hybrid, or leave the venue empty.")
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            errors["latitude"] = _("Give a latitude from -90 to 90 degrees.")
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            errors["longitude"] = _("Give a longitude from -180 to 180 degrees.")
        return errors


class Series(EventDetails):
    """A recurring programme whose RFC 5545 rule generates dated events (its occurrences).

    The rule is evaluated in the series' own timezone on local wall-clock times, so
    "18:30 every 2nd Thursday" stays 18:30 across daylight-saving changes.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    rrule = models.CharField(
        max_length=500, help_text=_("RFC 5545 rule, e.g. FREQ=MONTHLY;BYDAY=+2TH,+4TH;UNTIL=20270531T235959")
    )
    first_start = models.DateTimeField(help_text=_("Local start of the first occurrence (DTSTART)."))
    duration_minutes = models.PositiveIntegerField(default=90)
    exdates = models.JSONField(
        default=list, blank=True, help_text=_("Local start times (ISO) of occurrences that do not take place.")
    )
    published = models.BooleanField(default=False, help_text=_("Occurrences are published as they are generated."))
    organisers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="organised_series", blank=True)
    # Door staff of the whole series: they work the door of every occurrence the series reaches
    # (``events.selectors.events_checked_in_by``), those made later too; never copied onto them.
    checkin_staff = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="checkin_series", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["first_start"]
        # the site's words (the workspace's "Series", "Silsilələr"): the admin said "seriya"
        verbose_name = pgettext_lazy("one series of sessions", "series")
        verbose_name_plural = pgettext_lazy("series of sessions, more than one", "series")

    def __str__(self) -> str:
        return self.title

    @property
    def has_venue(self) -> bool:
        """Whether its sessions have a door (``Event.has_venue``): an online-only series has none."""
        return self.format in VENUE_FORMATS

    def clean(self):
        errors = check_plausible_times(self, ["first_start"]) | self.detail_errors()
        if not MIN_DURATION_MINUTES <= (self.duration_minutes or 0) <= MAX_DURATION_MINUTES:
            errors["duration_minutes"] = _("A session lasts from %(least)s to %(most)s minutes.") % {
                "least": MIN_DURATION_MINUTES,
                "most": MAX_DURATION_MINUTES,
            }
        if errors:
            raise ValidationError(errors)


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")


class Event(EventDetails):
    Status = EventStatus

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=EventStatus.choices, default=EventStatus.DRAFT)
    start = models.DateTimeField()
    end = models.DateTimeField()
    all_day = models.BooleanField(default=False)

    registration_opens_at = models.DateTimeField(null=True, blank=True)
    registration_closes_at = models.DateTimeField(null=True, blank=True)
    rsvp_deadline = models.DateTimeField(null=True, blank=True, help_text=_("For invitations (roundtables)."))
    waiting_list_enabled = models.BooleanField(default=True)
    offer_hold_hours = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("When set, a freed seat is offered to the next person waiting for this many hours."),
    )
    asks_recording_consent = models.BooleanField(default=False)
    chatham_house_rule = models.BooleanField(default=False)
    # The scarce resource: the conditional update `seats_taken < capacity` hands out seats,
    # and the check constraint below is the backstop.
    seats_taken = models.PositiveIntegerField(default=0, editable=False)
    # How many registrations wait (status waitlisted), kept by the services that move them on
    # and off the list: a newcomer's position without counting everyone ahead.
    waiting_count = models.PositiveIntegerField(default=0, editable=False)

    # How many people one registration may bring, the registrant included: 1 means everyone
    # registers alone; an outreach visit may let a parent bring their children.
    max_party_size = models.PositiveSmallIntegerField(default=1)
    # The sectors a roundtable brings together (slugs of Sector).
    sectors = models.JSONField(default=list, blank=True)

    reminder_offsets = models.JSONField(default=default_reminder_offsets, blank=True)
    resources_url = models.URLField(blank=True)
    recording_url = models.URLField(blank=True)
    feedback_url = models.URLField(blank=True)

    organisers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="organised_events", blank=True)
    checkin_staff = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="checkin_events", blank=True)

    series = models.ForeignKey(Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="occurrences")
    # The start the series rule gave this occurrence (iCal RECURRENCE-ID); stays put when it is moved.
    series_original_start = models.DateTimeField(null=True, blank=True)
    # Edited on its own: later edits of the series leave it alone.
    detached_from_series = models.BooleanField(default=False)

    # iCal SEQUENCE: goes up whenever time, place or status changes.
    sequence = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.CharField(max_length=500, blank=True)
    attendance_finalised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["status", "start"]),
            models.Index(fields=["kind", "start"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="event_ends_after_start",
                violation_error_code="end_before_start",
                violation_error_message=_("The event must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(seats_taken__lte=F("capacity")),
                name="event_seats_within_capacity",
                violation_error_code="capacity_below_taken",
                violation_error_message=_("Capacity cannot go below the seats already taken."),
            ),
            models.UniqueConstraint(
                fields=["series", "series_original_start"],
                condition=Q(series__isnull=False),
                name="event_unique_series_occurrence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.local_start:%Y-%m-%d %H:%M})"

    def clean(self):
        errors = (
            check_plausible_times(
                self, ["start", "end", "registration_opens_at", "registration_closes_at", "rsvp_deadline"]
            )
            | self.detail_errors()
        )
        if self.registration_opens_at and self.registration_closes_at:
            if self.registration_closes_at <= self.registration_opens_at:
                errors["registration_closes_at"] = _("Registration must close after it opens.")
        if self.start and self.end and self.end - self.start > MAX_EVENT_LENGTH:
            errors["end"] = _("An event lasts at most a year; for one that comes back, create a series.")
        if self.registration_opens_at and self.end and self.registration_opens_at >= self.end:
            errors["registration_opens_at"] = _("Registration must open before the event ends.")
        # Past the end they meant nothing (registration closes at the end anyway) yet read as
        # a promise: "register until 1 June" on an event over in May.
        if self.registration_closes_at and self.end and self.registration_closes_at > self.end:
            errors["registration_closes_at"] = _("Registration must close by the time the event ends.")
        if self.rsvp_deadline and self.end and self.rsvp_deadline > self.end:
            errors["rsvp_deadline"] = _("The deadline to answer must be by the time the event ends.")
        if self.offer_hold_hours is not None and not self.offer_hold_hours <= MAX_OFFER_HOLD_HOURS:
            errors["offer_hold_hours"] = _("A freed seat is held for at most %(most)s hours.") % {
                "most": MAX_OFFER_HOLD_HOURS
            }
        if self.format in VENUE_FORMATS and self.kind == EventKind.WEBINAR:
            errors["format"] = _("A webinar is held online.")
        if self.kind == EventKind.OUTREACH_VISIT and not self.region_id:
            errors["region"] = _("An outreach visit needs a region.")
        if not 1 <= (self.max_party_size or 0) <= MAX_PARTY_SIZE:
            errors["max_party_size"] = _("A registration brings between 1 and %(most)s people.") % {
                "most": MAX_PARTY_SIZE
            }
        if not isinstance(self.sectors, list) or any(sector not in Sector.values for sector in self.sectors):
            errors["sectors"] = _("Choose sectors from the list.")
        offsets = self.reminder_offsets
        if (
            not isinstance(offsets, list)
            or len(offsets) > MAX_REMINDER_OFFSETS
            or any(type(offset) is not int or not 1 <= offset <= REMINDER_OFFSET_MAX_MINUTES for offset in offsets)
        ):
            errors["reminder_offsets"] = _(
                "Give at most %(count)s reminder offsets, each in whole minutes before the start, "
                "from 1 to %(most)s (60 days)."
            ) % {"count": MAX_REMINDER_OFFSETS, "most": REMINDER_OFFSET_MAX_MINUTES}
        if errors:
            raise ValidationError(errors)

    @property
    def local_start(self):
        return timezone.localtime(self.start, self.zone)

    @property
    def local_end(self):
        return timezone.localtime(self.end, self.zone)

    @property
    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.seats_taken, 0)

    @property
    def is_public(self) -> bool:
        """Published once (and not back in draft): a draft that was cancelled was never public."""
        return self.status != EventStatus.DRAFT and self.published_at is not None

    @property
    def allows_party(self) -> bool:
        """Whether one registration may bring other people (a family, a class)."""
        return self.max_party_size > 1

    @property
    def is_online(self) -> bool:
        return self.format in (EventFormat.ONLINE, EventFormat.HYBRID)

    @property
    def has_venue(self) -> bool:
        return self.format in VENUE_FORMATS

    @property
    def place_known(self) -> bool:
        """Whether anything says where the event is (a venue, an address, a city or a region): a
        draft, or an event published before its venue was booked, may have none yet."""
        return bool(self.venue_name or self.venue_address or self.city or self.region_id)

    def registration_is_open(self, at=None) -> bool:
        at = at or timezone.now()
        if self.status != EventStatus.PUBLISHED or at >= self.end:
            return False
        if self.registration_opens_at and at < self.registration_opens_at:
            return False
        if self.registration_closes_at and at >= self.registration_closes_at:
            return False
        return True

    def places_open(self, at=None) -> bool:
        """Whether seats left (or "join the waiting list") are worth saying: while one may
        register, or before registration opens. Next to "Registration is closed." (a past,
        cancelled or closed event) they would contradict it."""
        at = at or timezone.now()
        if self.registration_is_open(at):
            return True
        opens_later = self.registration_opens_at is not None and self.registration_opens_at > at
        return self.status != EventStatus.CANCELLED and opens_later

    @property
    def when_full(self) -> str:
        """What registering online does while no seat is open (``seats_open`` is 0): the one rule
        the register service (``registrations.services.registration``) follows and the event's
        page, its card, the register page and the API (``when_full``) say. In approval mode every
        online registration is a request (``pending``, no seat held) that organisers decide on,
        full or not, so it is a request, not a place on the waiting list; without a waiting list
        a full event refuses (a request could never be approved)."""
        if not self.waiting_list_enabled:
            return WhenFull.REFUSED
        if self.registration_mode == RegistrationMode.APPROVAL:
            return WhenFull.REQUEST
        return WhenFull.WAITING_LIST

    def get_absolute_url(self) -> str:
        return f"/events/{self.pk}/"


# What the workspace says for each action (services name them "<subject>.<what happened>").
ACTIONS = {
    "event.created": _("created the event"),
    "event.changed": _("changed the event"),
    "event.published": _("published the event"),
    "event.cancelled": _("cancelled the event"),
    "event.completed": _("marked the event completed"),
    "registration.added": _("added a registration"),
    "registration.approved": _("approved a registration"),
    "registration.rejected": _("rejected a registration"),
    "registration.cancelled": _("cancelled a registration"),
    "registration.promoted": _("moved a registration off the waiting list"),
    "registration.ticket_reissued": _("reissued a ticket"),
    "registration.walk_in": _("registered a walk-in"),
    "registration.ticket_resent": _("sent a ticket again"),
    "registration.messaged": _("wrote to registrants"),
    "registration.transferred": _("passed an invited seat on to a colleague"),
    "registration.attendance_decided": _("recorded an attendance by hand"),
    "question.created": _("added a question"),
    "question.changed": _("changed a question"),
    "question.deleted": _("deleted a question"),
    "question.moved": _("moved a question"),
    "invitation.resent": _("sent an invitation code again"),
    "invitation.changed": _("changed an invitation"),
    "invitation.revoked": _("withdrew an invitation code"),
    "speaker.invited": _("invited a speaker"),
    "speaker.accepted": _("accepted a speaker invitation"),
    "speaker.declined": _("declined a speaker invitation"),
    "speaker.assignment_changed": _("changed a speaker's role, order or answer deadline"),
    "speaker.invitation_withdrawn": _("withdrew a speaker's invitation"),
    "speaker.conflicts_overridden": _("assigned a speaker despite conflicts"),
    "team.invited": _("invited someone to the team"),
    "team.invitation_revoked": _("revoked a team invitation"),
    "team.removed": _("removed someone from the team"),
    "attendance.row_matched": _("matched a row of a participant report"),
    "template.set": _("set a message's wording"),
    "template.changed": _("changed a message's wording"),
    "template.removed": _("went back to a message's standard wording"),
    "message.resent": _("sent a message again"),
    "series.created": _("created the series"),
    "series.changed": _("changed the series"),
    "series.published": _("published the series"),
    "programme.created": _("created the programme"),
    "programme.changed": _("changed the programme"),
    "cohort.created": _("created a cohort"),
    "enrolment.created": _("enrolled a participant"),
    "enrolment.mentor_assigned": _("paired a participant with a mentor"),
    "enrolment.mentor_removed": _("unpaired a participant from their mentor"),
    "enrolment.session_skipped": _("excused a participant from a session"),
    "enrolment.skip_undone": _("took back a participant's excuse from a session"),
    "enrolment.left": _("ended a participant's enrolment"),
    "certificate.issued": _("issued a certificate"),
    "certificate.revoked": _("revoked a certificate"),
}


class ActionLogEntry(models.Model):
    """Who did what to which event, registration, speaker or series, and when (pretix's ``log_action``).

    Written by the services that take ``by`` (``events.services.log_action``), shown to the event's
    organisers on its workspace page. Names are not copied here: the page reads them from the
    subject, so erasing a person's data (registrations.services.privacy) erases them here too.
    """

    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.CASCADE, related_name="action_log")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64)  # "<subject>.<what happened>", e.g. "registration.cancelled"
    subject_type = models.CharField(max_length=32)  # the subject's model name: event, registration, ...
    subject_id = models.PositiveBigIntegerField()
    data = models.JSONField(default=dict, blank=True)  # what changed: field names, never personal data
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["event", "-created_at"], name="events_actionlog_event_time")]
        verbose_name = _("action log entry")
        verbose_name_plural = _("action log")

    def __str__(self) -> str:
        return f"{self.action} {self.subject_type}:{self.subject_id}"

    @property
    def description(self) -> str:
        return str(ACTIONS.get(self.action, self.action))
