"""Programmes: people and months rather than single events.

A programme groups series and one-off events over a period; a cohort of participants
enrols once and is registered for every occurrence (see ``programmes.services``).
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events_project.limits import DESCRIPTION_MAX_LENGTH
from events_project.people import tidy_name

__all__ = [
    "AgeGroup",
    "Certificate",
    "Cohort",
    "Enrolment",
    "EnrolmentList",
    "MissedSessionsAlert",
    "ParticipantSector",
    "Programme",
    "SessionSkip",
]


class ProgrammeQuerySet(models.QuerySet):
    def ended(self, now=None):
        """The programmes whose last day has gone by: Programme.has_ended's rule, in SQL."""
        return self.filter(ends_on__lt=timezone.localdate(now))


class Programme(models.Model):
    """A mentoring year, say: its series, its one-off events, its own organisers."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    starts_on = models.DateField()
    ends_on = models.DateField()
    organisers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="organised_programmes", blank=True)
    series = models.ManyToManyField("events.Series", related_name="programmes", blank=True)
    events = models.ManyToManyField(
        "events.Event", related_name="programmes", blank=True, help_text=_("One-off events outside its series.")
    )
    # a fraction 0–1, the unit of every attendance threshold (attendance.rates)
    completion_threshold = models.FloatField(
        default=0.7,
        validators=[MinValueValidator(0.01), MaxValueValidator(1)],
        help_text=_("Share of sessions attended that earns a completion certificate, from 0.01 to 1 (0.7 is 70 %)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="programme_ends_after_start",
                violation_error_code="end_before_start",
                violation_error_message=_("The programme must end on or after its first day."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def has_ended(self, now=None) -> bool:
        """The one rule of when a programme is over: its last day (``ends_on``) has gone by, in the
        site's zone (``Programme.objects.ended()`` is the same rule for many). Certificates then count
        every session; before, only those held so far, so issuing them early is said explicitly."""
        return self.ends_on < timezone.localdate(now)

    def clean_fields(self, exclude=None):
        # one line, as an event's title (EventDetails.clean_fields): it heads mails, certificates
        # and calendar names; invisible characters are clean()'s to judge ("a title people can read")
        if isinstance(self.title, str):
            self.title = " ".join(self.title.split())
        super().clean_fields(exclude=exclude)

    def clean(self):
        super().clean()
        if self.title and not tidy_name(self.title):
            # zero-width spaces or bidi marks alone: a card and a link with nothing to read or press
            raise ValidationError({"title": _("Give a title people can read.")}, code="title_required")


class Cohort(models.Model):
    """Participants who enrol together. With a series, they follow that series' occurrences;
    without one, every event of the programme."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="cohorts")
    series = models.ForeignKey("events.Series", null=True, blank=True, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["programme", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["programme", "name"], name="cohort_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.programme})"

    def clean_fields(self, exclude=None):
        # one line, as a person's name: it is said in mails and on the cohort's pages
        if isinstance(self.name, str):
            self.name = " ".join(self.name.split())
        super().clean_fields(exclude=exclude)

    def clean(self):
        super().clean()
        if self.name and not tidy_name(self.name):
            raise ValidationError({"name": _("Give a name people can read.")}, code="name_required")


class ParticipantSector(models.TextChoices):
    STUDENT = "student", _("Student")
    ACADEMIA = "academia", _("Academia and research")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    GOVERNMENT = "government", _("Government")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    NOT_WORKING = "not_working", _("Looking for work")
    OTHER = "other", _("Other")


class AgeGroup(models.TextChoices):
    UNDER_18 = "under_18", _("Under 18")
    AGE_18_24 = "18_24", _("18–24")
    AGE_25_34 = "25_34", _("25–34")
    AGE_35_PLUS = "35_plus", _("35 and over")


class Enrolment(models.Model):
    """One participant in a cohort. Sector, age group and region only when they chose to give them."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        LEFT = "left", _("Left")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="enrolments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="enrolments"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(help_text=_("Stored lower-case; matches the participant's registrations."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    sector = models.CharField(max_length=20, choices=ParticipantSector.choices, blank=True)
    age_group = models.CharField(max_length=10, choices=AgeGroup.choices, blank=True)
    region = models.ForeignKey("events.Region", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # inside a mentoring series each mentee has a mentor: a speaker with the mentor role
    mentor = models.ForeignKey(
        "speakers.Speaker", null=True, blank=True, on_delete=models.SET_NULL, related_name="mentees"
    )

    class Meta:
        ordering = ["cohort", "name", "id"]
        indexes = [models.Index(fields=["email"])]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "email"], condition=Q(status="active"), name="enrolment_one_active_per_email"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} in {self.cohort.name}"


class EnrolmentList(models.Model):
    """People pasted as "Name, email" lines, enrolled in the background a few at a time
    (``programmes.enrolment_lists``): each enrolment registers its person for every session to
    come, far too much for one request. ``rows`` are the lines still to enrol (emptied when done,
    the enrolments then hold the people); ``refused`` says, line by line, why a line was not enrolled."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="enrolment_lists")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    rows = models.JSONField(default=list, blank=True)
    total = models.PositiveIntegerField(default=0)
    handled = models.PositiveIntegerField(default=0)
    enrolled = models.PositiveIntegerField(default=0)
    already = models.PositiveIntegerField(default=0)
    refused = models.JSONField(default=list, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # the last time a run moved the list on (every save): a list standing still lost its job
    touched_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Enrolment list {self.pk} of {self.cohort.name}"


class SessionSkip(models.Model):
    """A participant stays away from one occurrence, saying so in advance: not counted as missed."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="skips")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "event"], name="skip_once_per_event")]


class MissedSessionsAlert(models.Model):
    """Two sessions missed in a row, told to the mentor and organisers once per streak.

    The streak is known by its first missed event: the unique constraint is the "once".
    """

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="missed_alerts")
    first_missed_event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    missed_count = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "first_missed_event"], name="missed_alert_once_per_streak")
        ]


def new_certificate_number() -> str:
    return secrets.token_hex(6).upper()


class Certificate(models.Model):
    """A completion certificate. What it prints is frozen here, so verification shows exactly that.

    One kind of certificate, signed, verifiable and revocable, for what a person completed: a
    programme (``enrolment``) or a series of sessions (``series`` and ``participant_email``, the
    series' attendance threshold reached). ``programme_title`` holds the title printed.
    """

    enrolment = models.ForeignKey(
        Enrolment, null=True, blank=True, on_delete=models.PROTECT, related_name="certificates"
    )
    series = models.ForeignKey(
        "events.Series", null=True, blank=True, on_delete=models.PROTECT, related_name="certificates"
    )
    participant_email = models.EmailField(blank=True)
    number = models.CharField(max_length=20, unique=True, default=new_certificate_number)
    participant_name = models.CharField(max_length=200)
    programme_title = models.CharField(max_length=200)
    attendance_rate = models.PositiveSmallIntegerField(help_text=_("Per cent, at the time of issue."))
    sessions_attended = models.PositiveIntegerField()
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"], condition=Q(revoked_at__isnull=True), name="certificate_one_valid_per_enrolment"
            ),
            models.UniqueConstraint(
                fields=["series", "participant_email"],
                condition=Q(revoked_at__isnull=True, series__isnull=False),
                name="certificate_one_valid_per_series_participant",
            ),
            models.CheckConstraint(
                condition=Q(enrolment__isnull=False, series__isnull=True)
                | Q(enrolment__isnull=True, series__isnull=False),
                name="certificate_for_a_programme_or_a_series",
            ),
        ]

    def __str__(self) -> str:
        return f"Certificate {self.number} ({self.participant_name})"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None
