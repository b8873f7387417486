"""Attendance's own records: the participant reports organisers upload, and the registrations
exports too big to build inside a request (``RegistrationExport``).

A registration's attendance and minutes live on ``registrations.Registration``; when an event's
attendance is final on ``events.Event.attendance_finalised_at``.
"""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from events.models import Event, EventKind


class AttendanceImport(models.Model):
    """A participant report a webinar platform exported, uploaded by an organiser."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Waiting for your check")
        QUEUED = "queued", _("Queued")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        AUTO = "auto", _("Detect")
        ZOOM = "zoom", _("Zoom participants export")
        TEAMS = "teams", _("Microsoft Teams attendance report")
        GENERIC = "generic", _("name,email,duration")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendance_imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    filename = models.CharField(max_length=255, blank=True)
    content = models.BinaryField()
    # the same file uploaded twice is the same import
    content_sha256 = models.CharField(max_length=64)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.AUTO)
    detected_format = models.CharField(max_length=10, choices=Format.choices, blank=True)
    threshold_percent = models.PositiveSmallIntegerField(default=50)
    # a report after the follow-ups went out: tell those whose attendance it changes (once)
    send_corrections = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # why it failed: the English text (its placeholders unfilled) and ``error_params`` to fill them,
    # read in the reader's language (participant_reports.failure_text); older rows hold it worded
    error = models.TextField(blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    error_code = models.CharField(max_length=50, blank=True)
    rows = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    attended = models.PositiveIntegerField(default=0)
    # registrants found whose attendance an administrator decided by hand: the report left it
    kept_by_hand = models.PositiveIntegerField(default=0)
    unmatched_rows = models.JSONField(default=list, blank=True)
    # the organiser's own matches of unmatched rows: {"<line>": registration id}
    manual_matches = models.JSONField(default=dict, blank=True)
    # a report waiting for its preview: the file parsed and matched once (at upload, or by a job for
    # a big file), with the ``manual_matches`` it was matched with; the preview page reads this,
    # never the file (participant_reports.stored_plan). Recording matches the file again.
    preview = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # when its job was last handed to a worker: a queued import whose job is long gone is handed out again
    handed_out_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # the table notifications created before attendance had its own app
        db_table = "notifications_attendanceimport"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "content_sha256"],
                condition=~Q(status="failed"),
                name="attendance_import_once_per_file",
            )
        ]

    def __str__(self) -> str:
        return f"{self.filename or 'report'} for event {self.event_id} ({self.status})"


def private_storage():
    """Where exports are written: ``STORAGES["private"]``, which no URL serves."""
    return storages["private"]


class ExportStatus(models.TextChoices):
    PREPARING = "preparing", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class RegistrationExport(models.Model):
    """A registrations CSV written by a background job (``attendance.services.exports``): the
    dashboard's export of tens of thousands of rows held a worker for seconds. The file is its
    requester's alone, and only while every event in it is still theirs to change (``event_ids``);
    the periodic clean-up deletes it after ``EXPORT_KEPT_FOR``.

    ``event``, ``kind`` and ``region`` are what was asked (the dashboard's ``?event=``, ``?kind=``,
    ``?region=``); ``asked`` the same as one key, so that a second click on the same export while
    the first is being prepared finds it (one preparing export per requester and key)."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, blank=True)
    region = models.ForeignKey("events.Region", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    asked = models.CharField(max_length=100)
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.PREPARING)
    # the file's name in ``private_storage()`` ("" until written)
    file_name = models.CharField(max_length=200, blank=True)
    rows = models.PositiveIntegerField(default=0)
    # the events the file holds, read by the job: the download checks they are all still the
    # requester's (a co-organiser taken off an event loses its rows at once, not at expiry)
    event_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # when the export's page last asked while the file was being prepared (it asks again every
    # few seconds while open): a requester still on it sees the file there, and is not mailed
    watched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["requested_by", "asked"],
                condition=Q(status="preparing"),
                name="one_preparing_export_per_ask",
            )
        ]

    def __str__(self) -> str:
        return f"Registrations export {self.pk} ({self.asked or 'all'}, {self.status})"

    @property
    def kind_label(self) -> str:
        """The kind of events asked for, as the dashboard's filter names it ("" for every kind)."""
        return EventKind(self.kind).label if self.kind in EventKind.values else self.kind
