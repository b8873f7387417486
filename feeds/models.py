from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarFeed(models.Model):
    """A private calendar subscription behind an unguessable, revocable token.

    One per person and scope: an attendee's registrations (by account or, for guests, by
    email), a speaker's accepted events, an organiser's events. What a feed shows is decided
    when it is read, from what its owner may see at that moment (an account unlinked from its
    speaker profile stops seeing the talks).
    """

    class Scope(models.TextChoices):
        ATTENDEE = "attendee", _("My registrations")
        SPEAKER = "speaker", _("My speaking engagements")
        ORGANISER = "organiser", _("Events I organise")

    scope = models.CharField(max_length=10, choices=Scope.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    email = models.EmailField(blank=True, help_text=_("For guests without an account (attendee scope)."))
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["scope", "user"])]
        # "one per person and scope" held by the database: two requests at once (a double click)
        # cannot both create one (create_feed returns the one that got in)
        constraints = [
            models.UniqueConstraint(
                fields=["user", "scope"],
                condition=models.Q(revoked_at__isnull=True, user__isnull=False),
                name="feed_one_live_per_account_and_scope",
            ),
            models.UniqueConstraint(
                fields=["email", "scope"],
                condition=models.Q(revoked_at__isnull=True, user__isnull=True),
                name="feed_one_live_per_guest_and_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} feed ({'revoked' if self.revoked_at else 'active'})"
