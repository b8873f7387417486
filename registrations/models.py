import base64
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from events.models import Event, Sector  # noqa: F401 -- Sector is part of this module's interface
from events_project.search_folding_sql import Folded

# RFC 4648 base32 without padding: upper-case letters and digits fit QR's alphanumeric
# mode, so a 130-bit secret (26 characters) stays a small, robust code.
TICKET_SECRET_LENGTH = 26


def new_ticket_secret() -> str:
    return base64.b32encode(secrets.token_bytes(17)).decode("ascii")[:TICKET_SECRET_LENGTH]


def new_manage_token() -> str:
    return secrets.token_urlsafe(24)


def new_invitation_code() -> str:
    return secrets.token_urlsafe(12)


# What an answer may be, on the registration page and through the API alike
# (services.registration._clean_answers decides; page_forms shows the same limits).
ANSWER_MAX_LENGTH = 1000
NUMBER_ANSWER_MAX = 100_000


class Question(models.Model):
    """A question an event asks at registration ("sector", "children attending", ...)."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        CHOICE = "choice", _("Choice")
        BOOLEAN = "boolean", _("Yes / no")
        NUMBER = "number", _("Number")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions")
    label = models.CharField(max_length=200)
    help_text = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEXT)
    choices = models.JSONField(default=list, blank=True, help_text=_("Options for a choice question."))
    required = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["event", "position", "id"]

    def __str__(self) -> str:
        return self.label


class Invitation(models.Model):
    """An invitation to register for an invitation-only event, with a single-use code."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    sector = models.CharField(max_length=20, choices=Sector.choices, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    code = models.CharField(max_length=40, unique=True, default=new_invitation_code)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["event", "created_at"]
        constraints = [models.UniqueConstraint(fields=["event", "email"], name="invitation_unique_email_per_event")]

    def __str__(self) -> str:
        return f"{self.email} → {self.event_id}"


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    OFFERED = "offered", _("Seat offered")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Rejected")


ACTIVE_STATUSES = (
    RegistrationStatus.PENDING,
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.OFFERED,
)


class Attendance(models.TextChoices):
    UNKNOWN = "unknown", _("Not yet known")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("No-show")


class Registration(models.Model):
    """One person's (or family's) place at an event. A confirmed registration is a ticket.

    The waiting list is the registrations in status ``waitlisted``, in ``waiting_since``
    order; ``offered`` holds a seat for one of them until ``offer_expires_at``.
    """

    Status = RegistrationStatus

    class Source(models.TextChoices):
        ONLINE = "online", _("Online")
        ORGANISER = "organiser", _("Added by an organiser")
        WALK_IN = "walk_in", _("Walk-in")
        COHORT = "cohort", _("Cohort enrolment")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="registrations"
    )
    name = models.CharField(max_length=200)
    # the name as the door's and the workspace's searches compare it (events_project.search_folding):
    # computed by the database from ``name`` whoever writes it, in the same statement
    search_name = models.GeneratedField(
        expression=Folded("name"), output_field=models.CharField(max_length=200), db_persist=True
    )
    # blank only for walk-ins who give no address
    email = models.EmailField(blank=True, help_text=_("Stored lower-case."))
    # the language the person used to register (page language, Accept-Language of the API);
    # their messages are written in it. Empty: the site's default.
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=12, choices=RegistrationStatus.choices, default=RegistrationStatus.PENDING)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ONLINE)
    # The registrant plus the people they bring (a parent with pupils): all count against capacity.
    party_size = models.PositiveSmallIntegerField(default=1)
    party_names = models.JSONField(default=list, blank=True)
    # Seats this registration holds right now (party_size while confirmed or offered, else 0).
    seats_held = models.PositiveSmallIntegerField(default=0)
    waiting_since = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)

    ticket_secret = models.CharField(max_length=TICKET_SECRET_LENGTH, unique=True, default=new_ticket_secret)
    manage_token = models.CharField(max_length=64, unique=True, default=new_manage_token)

    sector = models.CharField(max_length=20, choices=Sector.choices, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    invitation = models.ForeignKey(Invitation, null=True, blank=True, on_delete=models.SET_NULL)
    substitute_for = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="substitutes"
    )
    consent_data_processing = models.BooleanField(default=False)
    consent_recording = models.BooleanField(null=True, blank=True)
    consented_at = models.DateTimeField(null=True, blank=True)

    attendance = models.CharField(max_length=10, choices=Attendance.choices, default=Attendance.UNKNOWN)
    # set by hand (the admin): every automatic writer leaves it as it is (registrations.services.attendance)
    attendance_by_hand = models.BooleanField(
        _("attendance decided by hand"),
        default=False,
        help_text=_("Set when an administrator changes the attendance here; back to “Not yet known” clears it."),
    )
    minutes_attended = models.PositiveIntegerField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["event", "created_at", "id"]
        indexes = [
            models.Index(fields=["event", "status", "waiting_since"]),
            models.Index(fields=["email"]),
            models.Index(fields=["status", "offer_expires_at"]),
            # the dashboard's chart counts the attended of each event (attendance.dashboard): this
            # index alone, without reading the registrations (a year of them: tens of thousands)
            models.Index(fields=["event"], condition=Q(attendance="attended"), name="registration_attended_by_event"),
        ]
        constraints = [
            # one active registration per person per event; cancelled ones may repeat,
            # and walk-ins without an address are told apart by name at the door
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=Q(status__in=ACTIVE_STATUSES) & ~Q(email=""),
                name="registration_one_active_per_email",
            ),
            models.CheckConstraint(condition=Q(party_size__gte=1), name="registration_party_at_least_one"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}> at {self.event_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_ticket(self) -> bool:
        return self.status == RegistrationStatus.CONFIRMED

    @property
    def has_door_code(self) -> bool:
        """Whether the registration carries a QR code to show at the door: a ticket to an event with a
        venue. An online-only event has no door, so its ticket is the way in, not a code: the ticket
        page, the mails and the API (``ticket_qr_*_url`` null, the images 404) all ask this."""
        return self.is_ticket and self.event.has_venue


class Answer(models.Model):
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["registration", "question"], name="answer_once_per_question")]


class ChangeNotice(models.Model):
    """A change of an event whose registrants are still to be told. Written with the change, in
    its transaction, so it is never lost with a job: the job queued after commit
    (``services.messages.send_change_notice``) writes the notices and deletes the row in one
    transaction; the periodic sweep runs a row whose job was lost (a worker or broker down)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    changed_fields = models.JSONField(default=list)
    changed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["changed_at"])]


class CheckIn(models.Model):
    """A registration scanned (or found by name) at the door. At most one live check-in each."""

    class Source(models.TextChoices):
        SCAN = "scan", _("QR scan")
        MANUAL = "manual", _("Manual search")
        WALK_IN = "walk_in", _("Walk-in")
        OFFLINE = "offline", _("Offline batch")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="checkins")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="checkins")
    checked_in_at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    device = models.CharField(max_length=100, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SCAN)
    # the id an offline device gave the scan; the device replaying an upload finds it again
    client_scan_id = models.CharField(max_length=64, null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-checked_in_at"]
        constraints = [
            # two devices scanning one ticket at once: the database lets exactly one in
            models.UniqueConstraint(
                fields=["registration"], condition=Q(undone_at__isnull=True), name="checkin_one_live_per_registration"
            ),
            # an offline scan is one device's scan of one ticket: another device may use the same id
            models.UniqueConstraint(
                fields=["registration", "device", "client_scan_id"],
                condition=Q(client_scan_id__isnull=False),
                name="checkin_unique_client_scan_per_device",
            ),
        ]
