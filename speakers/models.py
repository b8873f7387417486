"""Speakers of the programme, their unavailable periods and their assignments to events.

Multi-valued profile facts (STEM fields, topics, languages, roles) are short JSON lists of
slugs: filtering uses a text match on the quoted slug (``"engineering"``), which works the
same on SQLite and PostgreSQL.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event, EventStatus, Language, Region


class SpeakerRole(models.TextChoices):
    """What a speaker does for the programme (a speaker may do several)."""

    MENTOR = "mentor", _("Mentor")
    ROLE_MODEL = "role_model", _("Role model")
    PANELLIST = "panellist", _("Panellist")
    TRAINER = "trainer", _("Trainer")


class StemField(models.TextChoices):
    COMPUTER_SCIENCE = "computer_science", _("Computer science and software")
    DATA_SCIENCE = "data_science", _("Data science and AI")
    CYBERSECURITY = "cybersecurity", _("Cybersecurity")
    ENGINEERING = "engineering", _("Engineering")
    ENERGY = "energy", _("Energy and environment")
    MATHEMATICS = "mathematics", _("Mathematics")
    PHYSICS = "physics", _("Physics and space")
    CHEMISTRY = "chemistry", _("Chemistry")
    BIOLOGY = "biology", _("Biology and biotechnology")
    MEDICINE = "medicine", _("Medicine and health")
    ENTREPRENEURSHIP = "entrepreneurship", _("Technology entrepreneurship")
    EDUCATION = "education", _("STEM education")


# Fields only the organisers (and the speaker themself) ever see.
PRIVATE_SPEAKER_FIELDS = ("email", "phone", "private_notes")


class Speaker(models.Model):
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=200, blank=True, help_text=_("Job title, e.g. Senior data engineer"))
    organisation = models.CharField(max_length=200, blank=True)
    stem_fields = models.JSONField(default=list, blank=True, help_text=_("Slugs from StemField."))
    topics = models.JSONField(default=list, blank=True, help_text=_("Free-text topics they speak about."))
    bio = models.TextField(blank=True, max_length=2000)
    photo = models.ImageField(upload_to="speakers/", blank=True)
    photo_url = models.URLField(blank=True, help_text=_("Used when no photo is uploaded."))
    languages = models.JSONField(default=list, blank=True, help_text=_("Language codes: az, en, ru."))
    travel_regions = models.ManyToManyField(Region, blank=True, related_name="travelling_speakers")
    roles = models.JSONField(default=list, blank=True, help_text=_("Slugs from SpeakerRole."))

    # public contact details
    public_email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    linkedin_url = models.URLField(blank=True)
    # private contact details: never in a public response (see PRIVATE_SPEAKER_FIELDS)
    email = models.EmailField(help_text=_("Where invitations go. Private."))
    phone = models.CharField(max_length=40, blank=True)
    private_notes = models.TextField(blank=True)

    listed = models.BooleanField(default=True, help_text=_("Shown in the public roster."))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="speaker_profile"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["listed", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def photo_src(self) -> str:
        return self.photo.url if self.photo else self.photo_url

    @property
    def photo_version(self) -> str:
        """A part of the photo's random file name: a page's link to the photo changes with it, so
        a replaced photo is not shown from a browser's cache."""
        return self.photo.name.rsplit("/", 1)[-1][:8] if self.photo else ""


class SpeakerUnavailability(models.Model):
    """A period a speaker declared they cannot speak (aware datetimes)."""

    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="unavailabilities")
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True, help_text=_("Private: the speaker and organisers."))

    class Meta:
        ordering = ["start", "id"]
        verbose_name_plural = _("speaker unavailabilities")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="unavailability_ends_after_start",
                violation_error_code="end_before_start",
                violation_error_message=_("The period must end after it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.speaker}: {self.start:%Y-%m-%d %H:%M} – {self.end:%Y-%m-%d %H:%M}"


class AssignmentRole(models.TextChoices):
    KEYNOTE = "keynote", _("Keynote")
    PANELLIST = "panellist", _("Panellist")
    MODERATOR = "moderator", _("Moderator")
    MENTOR = "mentor", _("Mentor")
    FACILITATOR = "facilitator", _("Facilitator")
    TRAINER = "trainer", _("Trainer")


class AssignmentStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Assignments that still hold the speaker's time (conflicts are computed among these).
ACTIVE_STATUSES = (AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED)


class SpeakerAssignment(models.Model):
    """A speaker invited to (and perhaps speaking at) an event. One per speaker and event:
    inviting again after a decline or withdrawal reopens the same row."""

    Status = AssignmentStatus
    Role = AssignmentRole

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="speaker_assignments")
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(max_length=12, choices=AssignmentRole.choices, default=AssignmentRole.PANELLIST)
    order = models.PositiveIntegerField(default=0, help_text=_("Position in the event's speaker list."))
    status = models.CharField(max_length=10, choices=AssignmentStatus.choices, default=AssignmentStatus.INVITED)
    message = models.TextField(blank=True, max_length=2000, help_text=_("The speaker's message with their answer."))
    invited_at = models.DateTimeField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    response_deadline = models.DateTimeField(help_text=_("Reminders stop here; then the organisers are alerted."))
    reminder_count = models.PositiveIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    unanswered_alert_sent_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # When an organiser last read the speaker's answer in the workspace (unread: responded later).
    answer_seen_at = models.DateTimeField(null=True, blank=True)

    # An organiser's decision to go ahead despite conflicts; the conflicts stay visible.
    conflict_override_reason = models.CharField(max_length=500, blank=True)
    conflict_overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    conflict_overridden_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["event__start", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "speaker"], name="assignment_unique_speaker_per_event"),
        ]
        indexes = [models.Index(fields=["status", "response_deadline"])]

    def __str__(self) -> str:
        return f"{self.speaker} – {self.event} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def answer_unread(self) -> bool:
        return self.responded_at is not None and (
            self.answer_seen_at is None or self.answer_seen_at < self.responded_at
        )

    @property
    def join_url(self) -> str:
        """The event's join link for this speaker: only once she accepted, and never for a
        cancelled event (the link of a meeting that will not take place) nor one that is over
        (``speaker_join_url``)."""
        if self.status != AssignmentStatus.ACCEPTED:
            return ""
        return speaker_join_url(self.event)


def speaker_join_url(event: Event, now=None) -> str:
    """The join link an accepted speaker is shown for ``event``: none for a cancelled event, nor
    once it is over (a past engagement in the speaker area, the schedule API and the speaker's
    calendar feed kept the meeting's link). The one rule for speakers."""
    if event.status == EventStatus.CANCELLED or event.end <= (now or timezone.now()):
        return ""
    return event.join_url


__all__ = [
    "ACTIVE_STATUSES",
    "AssignmentRole",
    "AssignmentStatus",
    "Language",
    "PRIVATE_SPEAKER_FIELDS",
    "Speaker",
    "SpeakerAssignment",
    "SpeakerRole",
    "SpeakerUnavailability",
    "StemField",
    "speaker_join_url",
]
