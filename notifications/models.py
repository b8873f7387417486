from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


# a message that has gone its way (sent, failed or cancelled) may be sent again; one still
# pending or being sent is on its way (notifications.services.resend_message)
RESENDABLE_STATUSES = (OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.CANCELLED)


class OutboxMessage(models.Model):
    """One email, written down before it is sent: *what* to send, not the text.

    The row names the kind, the recipient, the objects it is about, the recipient's language
    and a small JSON context; the worker renders subject, bodies, QR ticket and ``.ics`` when
    it sends (notifications.services.rendering), so a resend tells the current state. The
    subject and text actually sent are recorded on the row then, for the organisers' list.

    ``dedup_key`` is unique: the same message ("24h reminder for registration 42") can
    never exist twice, however often the code that queues it runs. A sender claims the
    row with a conditional update (pending → sending) under a lease it renews while it
    works; a claim whose lease ran out belongs to a dead worker and is freed by the sweep.
    """

    Status = OutboxStatus

    # one of notifications.kinds.ALL_KINDS, checked when queued; no database choices, so that a
    # new kind of message needs no migration
    kind = models.CharField(max_length=40)
    recipient_email = models.EmailField()
    recipient_name = models.CharField(max_length=200, blank=True)
    # the language the recipient uses (settings.LANGUAGES); empty: the site's default
    language = models.CharField(max_length=10, blank=True)
    # what the templates need beyond the objects named below (JSON: strings, numbers, lists)
    context = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    # filled when sent: what the recipient got
    subject = models.CharField(max_length=300, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    # rows queued before rendering moved to send time carry their rendered attachments
    attachments = models.JSONField(default=list, blank=True)
    # a sending of this message carried a calendar invitation (METHOD:REQUEST), as
    # rendering.build_attachments decided then: an entry in the recipient's calendar is a fact of
    # that sending, not of today's state, and stays one when the row is sent again (an
    # organiser's resend renders from today's state, maybe without it): set, never unset
    # (notifications.selectors.calendar_invitation_sent)
    calendar_invitation_sent = models.BooleanField(default=False)
    # the Message-ID header: the same for retries of one sending (a mail system can drop a
    # duplicate that a crash between "sent" and "recorded" causes), a new one for a resend
    message_id = models.CharField(max_length=100, blank=True)

    about_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="outbox_messages")
    # A reminder is written for one start time; moved or started events make it stale.
    event_start = models.DateTimeField(null=True, blank=True)

    dedup_key = models.CharField(max_length=255, unique=True)
    status = models.CharField(max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # when a send task was last given this row; empty while no task holds it (after a
    # failure, a freed claim). The sweep hands a row out again only when this is old.
    handed_out_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # the claim holds until then; the worker renews it while it works
    lease_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # the outbox page's and the API's order (newest first): a page of 50 reads 50 rows,
            # not every message of the organiser's events sorted (the outbox only grows)
            models.Index(fields=["-created_at", "-id"], name="outbox_newest_first"),
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["status", "lease_until"], name="outbox_status_lease"),
            models.Index(fields=["event", "kind"]),
            models.Index(fields=["claim_token"]),
            models.Index(fields=["about_type", "about_id"]),
        ]

    @property
    def can_be_resent(self) -> bool:
        return self.status in RESENDABLE_STATUSES

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_email} ({self.status})"


class MessageTemplateOverride(models.Model):
    """An organiser's own wording of one kind of message for one event.

    ``subject`` and ``body`` take ``{{ placeholder }}`` names (see README); the HTML part
    is made from the body text.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="message_templates")
    kind = models.CharField(max_length=40)  # one of notifications.kinds.ALL_KINDS (serializers check)
    subject = models.CharField(max_length=300, blank=True, help_text=_("Empty keeps the default subject."))
    body = models.TextField(blank=True, help_text=_("Empty keeps the default text."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["event", "kind"]
        constraints = [models.UniqueConstraint(fields=["event", "kind"], name="message_template_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind} for event {self.event_id}"


class MessagePreference(models.Model):
    """Which of the optional messages (the fan-outs: reminders, follow-ups) an address does not
    want, and the language it reads mail in. Transactional messages (confirmations, changes,
    cancellations) always go out."""

    email = models.EmailField(unique=True)
    muted_kinds = models.JSONField(default=list, blank=True)
    # the language the person chose (the site's language switcher while signed in, or the
    # preferences page); a message that records its own (a registration's) keeps that one
    language = models.CharField(max_length=10, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.email}: {', '.join(self.muted_kinds) or 'everything'}"
