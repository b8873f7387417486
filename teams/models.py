"""Invitations to an event's team: door (check-in) staff and co-organisers, by emailed link.

The link carries a one-time token; only its SHA-256 hash is stored, so a database copy cannot
be turned into working links. An invitation expires, and is used at most once.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event, Series


class TeamRole(models.TextChoices):
    CHECKIN = "checkin", _("Check-in at the door")
    ORGANISER = "organiser", _("Co-organiser")


class TeamInvitation(models.Model):
    Role = TeamRole

    # one of the two: a link to one event's team, or to a whole series' door (``series``)
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.CASCADE, related_name="team_invitations")
    series = models.ForeignKey(Series, null=True, blank=True, on_delete=models.CASCADE, related_name="team_invitations")
    email = models.EmailField(help_text=_("Stored lower-case."))
    role = models.CharField(max_length=10, choices=TeamRole.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="team_invitations"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    # accepting it made its user an organiser (the Organisers group): removed from the last thing
    # they organise, they lose that again (``teams.services.remove_from_team``)
    granted_organiser_role = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["event", "role"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(event__isnull=False, series__isnull=True) | Q(event__isnull=True, series__isnull=False),
                name="team_invitation_event_or_series",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.role}) → {self.event_id or f'series {self.series_id}'}"

    @property
    def team_of(self) -> Event | Series:
        """What the link is a way into: the event, or the series."""
        return self.event if self.event_id else self.series

    @property
    def state(self) -> str:
        """One of pending, used, revoked, expired, void (whoever sent it no longer organises the
        event: ``inviter_organises``, annotated by ``teams.selectors``; assumed when not read),
        no_door (an invitation to the door of an event made online only since it was sent)."""
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        if not getattr(self, "inviter_organises", True):
            return "void"
        if self.role == TeamRole.CHECKIN and not self.team_of.has_venue:
            return "no_door"
        return "pending"

    @property
    def state_label(self) -> str:
        return {
            "used": _("Accepted"),
            "revoked": _("Withdrawn"),
            "expired": _("Expired"),
            "pending": _("Waiting for an answer"),
            "void": _("Void: whoever sent it no longer organises the event")
            if self.event_id
            else _("Void: whoever sent it no longer organises the series"),
            "no_door": _("Void: an online-only event has no door")
            if self.event_id
            else _("Void: an online-only series has no door"),
        }[self.state]
