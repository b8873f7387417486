"""Invitations to invitation-only events (roundtables): single-use codes, one per invitee."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event, EventStatus
from events.services import log_action
from events_project.limits import validate_email
from notifications import kinds
from notifications.services import queue_message
from registrations.exceptions import Conflict, InvalidRegistrationTransition, RegistrationError
from registrations.models import Invitation, Sector
from registrations.services.messages import is_over
from registrations.services.registration import normalise_email


def _refuse_draft(event: Event) -> None:
    """The code's email links to the registration page, which a draft does not have yet: the
    invitee would meet a "not found" page."""
    if event.status == EventStatus.DRAFT:
        raise InvalidRegistrationTransition(
            _("Publish the event first: the invitation links to its registration page."), "event_draft"
        )


@transaction.atomic
def create_invitation(
    *, event: Event, email: str, name: str = "", sector: str = "", organisation: str = "", by=None
) -> Invitation:
    """Invite one person. Side effects: registration_invitation (with the code) to the invitee."""
    email = normalise_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise RegistrationError(_("Give a valid email address."), "invalid_email") from None
    if sector and sector not in Sector.values:
        raise RegistrationError(_("Unknown sector."), "invalid_sector")
    if event.status in (EventStatus.CANCELLED, EventStatus.COMPLETED):
        raise InvalidRegistrationTransition(_("The event is over or cancelled."), "event_closed")
    _refuse_draft(event)
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                event=event,
                email=email,
                name=name.strip()[:200],
                sector=sector,
                organisation=organisation.strip()[:200],
                created_by=by if getattr(by, "is_authenticated", False) else None,
            )
    except IntegrityError:
        raise Conflict(_("This person is already invited."), "already_invited") from None
    _send_code(invitation)
    return invitation


def _send_code(invitation: Invitation, *, dedup_key: str | None = None) -> None:
    if is_over(invitation.event):
        return  # an invitation to an event that is over is no use to anyone
    queue_message(
        kind=kinds.REGISTRATION_INVITATION,
        recipient_email=invitation.email,
        recipient_name=invitation.name,
        about=invitation,
        event=invitation.event,
        dedup_key=dedup_key,
        context={"invitation_code": invitation.code},
    )


@transaction.atomic
def resend_invitation(*, invitation: Invitation, by=None, now=None) -> Invitation:
    """Send the same code again (the first email went astray). Side effects: one more
    registration_invitation. Refused for a used or withdrawn invitation."""
    if invitation.revoked_at:
        raise InvalidRegistrationTransition(_("This invitation was withdrawn."), "invitation_revoked")
    if invitation.used_at:
        raise InvalidRegistrationTransition(_("This invitation was already used."), "invitation_used")
    if invitation.event.status in (EventStatus.CANCELLED, EventStatus.COMPLETED):
        raise InvalidRegistrationTransition(_("The event is over or cancelled."), "event_closed")
    _refuse_draft(invitation.event)
    now = now or timezone.now()
    _send_code(
        invitation,
        dedup_key=f"{kinds.REGISTRATION_INVITATION}:invitation:{invitation.pk}:resent:{now:%Y%m%dT%H%M%S.%f}",
    )
    log_action(by=by, action="invitation.resent", event=invitation.event, subject=invitation)
    return invitation


@transaction.atomic
def resend_unused_invitations(*, event: Event, by=None, now=None) -> list[Invitation]:
    """Send every code of ``event`` that was neither used nor withdrawn again; returns those
    invitations. Side effects: one registration_invitation per invitation (as ``resend_invitation``).
    Refused as a whole for a draft, cancelled or finished event."""
    now = now or timezone.now()
    unused = event.invitations.filter(used_at__isnull=True, revoked_at__isnull=True).select_related("event")
    return [resend_invitation(invitation=invitation, by=by, now=now) for invitation in unused.order_by("pk")]


@transaction.atomic
def update_invitation(*, invitation: Invitation, by=None, **changes) -> Invitation:
    """Correct an invitee's name, sector or organisation. The address and code stay: invite anew instead."""
    if "sector" in changes and changes["sector"] and changes["sector"] not in Sector.values:
        raise RegistrationError(_("Unknown sector."), "invalid_sector")
    if "email" in changes and normalise_email(changes["email"]) != invitation.email:
        raise InvalidRegistrationTransition(_("The address of an invitation cannot change."), "email_read_only")
    for field in ("name", "sector", "organisation"):
        if field in changes:
            setattr(invitation, field, (changes[field] or "").strip()[:200])
    invitation.save(update_fields=["name", "sector", "organisation"])
    log_action(by=by, action="invitation.changed", event=invitation.event, subject=invitation)
    return invitation


@transaction.atomic
def revoke_invitation(*, invitation: Invitation, by=None) -> Invitation:
    """Withdraw an unused invitation; its code stops working. A used one is cancelled via its registration."""
    if invitation.revoked_at:
        return invitation
    if invitation.used_at:
        raise InvalidRegistrationTransition(
            _("This invitation was used; cancel the registration instead."), "invitation_used"
        )
    Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(revoked_at=timezone.now())
    invitation.refresh_from_db()
    if invitation.used_at and not invitation.revoked_at:
        raise InvalidRegistrationTransition(
            _("This invitation was used; cancel the registration instead."), "invitation_used"
        )
    log_action(by=by, action="invitation.revoked", event=invitation.event, subject=invitation)
    return invitation
