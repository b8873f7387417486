"""Appointing an event's team by email: check-in staff and co-organisers.

An organiser invites an address in a role; the person receives a one-time link
(:func:`invite_to_team`). Following it, they create an account (name and password) or, signed
in, link the account they have (:func:`accept_team_invitation`); either way they get the role
for that one event: door rights (``Event.checkin_staff``, what ``events_checked_in_by`` reads) or a
place among its organisers. Organisers revoke a pending invitation or remove someone later.

A series has a door team too (:func:`invite_to_series_door`): one link makes someone door staff
of the whole series (``Series.checkin_staff``), and so of every occurrence the series reaches,
those made later included (derived by ``events.selectors.events_checked_in_by``, never copied);
:func:`remove_from_series_door` closes them all at once, and leaves an occurrence they were
invited to on its own.
"""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events import when
from events.models import Event, EventStatus, Series
from events.permissions import can_manage_event, can_manage_series, is_organiser
from events.roles import ensure_organisers_group
from events.selectors import door_teams_of, events_managed_by, series_managed_by
from events.services import log_action
from events_project.accounts import new_account
from events_project.limits import validate_email
from events_project.people import account_name
from events_project.typed_text import tidy_email
from notifications import kinds
from notifications.language import FALLBACK_LANGUAGE, default_language
from notifications.services import queue_message
from teams.exceptions import Conflict, Forbidden, InvitationUnusable, TeamError
from teams.models import TeamInvitation, TeamRole

INVITATION_VALID_FOR = dt.timedelta(days=7)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def accept_url(token: str) -> str:
    return f"{settings.SITE_URL}/team/accept/{token}/"


def _normalise_email(email: str) -> str:
    email = tidy_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise TeamError(_("Give a valid email address."), "invalid_email") from None
    return email


def _members(event: Event, role: str):
    return event.organisers if role == TeamRole.ORGANISER else event.checkin_staff


def _organises(event: Event, email: str) -> bool:
    """Whether an active account of ``email`` is among the event's organisers, who work its door
    already. Only the event's own team is told apart: that an address is a superuser's (whose
    door is every door) is no organiser's business, and refusing it told any organiser which
    addresses the operators sign in with; a superuser invited is sent a link as anyone is."""
    return event.organisers.filter(email__iexact=email, is_active=True).exists()


def _works_series_door(event: Event, email: str) -> bool:
    """Whether an active account of ``email`` is door staff of the event's series while the series
    reaches the event (``door_teams_of``, drafts included): the organiser's own team, told apart
    as the event's organisers are."""
    if not event.series_id:
        return False
    accounts = event.series.checkin_staff.filter(email__iexact=email, is_active=True)
    # a draft's door too: it opens to them once the session is published
    return any(door_teams_of(account).filter(pk=event.pk).exists() for account in accounts)


def _check_organiser(by, event: Event) -> None:
    if by is not None and not can_manage_event(by, event):
        raise Forbidden(_("You do not organise this event."), "not_event_organiser")


def _lock_as_organiser(by, event: Event) -> None:
    """Lock ``event``'s row, then check ``by`` organises it as it stands now: read under the lock,
    not from the caller's copy (its organisers prefetched when the request began). A co-organiser
    removed a moment ago, by a change that held this lock, is refused in a request already in flight.

    ``no_key``: an acceptance adding someone to the event's team (a row that refers to the event)
    need not wait for it; with a plain FOR UPDATE a withdrawal (the event, then the invitation) and
    an acceptance (the invitation, then a team row referring to the event) deadlocked on PostgreSQL."""
    locked = Event.objects.select_for_update(no_key=True).filter(pk=event.pk).first()
    if locked is None:
        raise Forbidden(_("You do not organise this event."), "not_event_organiser")
    _check_organiser(by, locked)


@transaction.atomic
def invite_to_team(*, event: Event, email: str, role: str, by, now: dt.datetime | None = None) -> TeamInvitation:
    """Invite ``email`` to ``event``'s team in ``role``. Returns the invitation, with the raw
    token on ``invitation.token`` (never stored). An earlier pending invitation of the same
    person in the same role is withdrawn: only the newest link works.

    Side effects: a ``team_invitation`` message with the one-time link.
    """
    # the same person invited twice at once (a double click, two organisers): the second waits here,
    # then withdraws the first's link, so only the newest link works, at the same moment too; and an
    # organiser removed meanwhile is refused (the right is read under the lock)
    _lock_as_organiser(by, event)
    if role not in TeamRole.values:
        raise TeamError(_("Choose a role from the list."), "invalid_role")
    if event.status in (EventStatus.CANCELLED, EventStatus.COMPLETED):
        raise TeamError(_("The event is over or cancelled."), "event_closed")
    if role == TeamRole.CHECKIN and not event.has_venue:
        # its tickets carry no code to scan, and My doors does not list it
        raise TeamError(_("An online-only event has no door: invite a co-organiser instead."), "no_door")
    email = _normalise_email(email)
    if _members(event, role).filter(email__iexact=email).exists():
        if role == TeamRole.CHECKIN:
            raise Conflict(_("This person already has access to this event's door."), "already_in_team")
        raise Conflict(_("This person already has this role for the event."), "already_in_team")
    if role == TeamRole.CHECKIN and _organises(event, email):
        # an organiser works the door already: a link would only confuse them
        raise Conflict(
            _("This person already has access to this event's door: they organise it."), "already_has_access"
        )
    if role == TeamRole.CHECKIN and _works_series_door(event, email):
        raise Conflict(
            _("This person already has access to this event's door: they work the doors of its series."),
            "already_has_access",
        )
    now = now or timezone.now()
    TeamInvitation.objects.filter(
        event=event, email=email, role=role, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = TeamInvitation.objects.create(
        event=event,
        email=email,
        role=role,
        token_hash=hash_token(token),
        invited_by=by if getattr(by, "is_authenticated", False) else None,
        expires_at=now + INVITATION_VALID_FOR,
    )
    invitation.token = token
    inviter = account_name(by) if getattr(by, "is_authenticated", False) else ""
    queue_message(
        kind=kinds.TEAM_INVITATION,
        recipient_email=email,
        about=invitation,
        event=event,
        context={
            "accept_url": accept_url(token),
            "role": role,
            "inviter": inviter,
            # written in the recipient's language, with the zone, when the message is rendered
            # (the text and an organiser's own wording, as "expires")
            "expires_at": when.iso(invitation.expires_at),
        },
    )
    log_action(by=by, action="team.invited", event=event, subject=invitation, data={"role": role})
    return invitation


def _check_series_organiser(by, series: Series) -> None:
    if by is not None and not can_manage_series(by, series):
        raise Forbidden(_("You do not organise this series."), "not_series_organiser")


def _lock_as_series_organiser(by, series: Series) -> Series:
    """Lock ``series``' row, then check ``by`` organises it as it stands now (read under the lock,
    not from the caller's copy), as :func:`_lock_as_organiser` does for an event: a co-organiser
    removed a moment ago, by a change that held this lock, is refused in a request already in flight.
    ``no_key``: it waits for a change of the series (its save takes the same lock) but not for a
    link being accepted, whose new door staff row only holds the series' key (that acceptance holds
    the invitation's row, which a withdrawal locks next: a full lock here could deadlock with it)."""
    locked = Series.objects.select_for_update(no_key=True).filter(pk=series.pk).first()
    if locked is None:
        raise Forbidden(_("You do not organise this series."), "not_series_organiser")
    _check_series_organiser(by, locked)
    return locked


@transaction.atomic
def invite_to_series_door(*, series: Series, email: str, by, now: dt.datetime | None = None) -> TeamInvitation:
    """Invite ``email`` to work the door of every session of ``series`` (one link for them all,
    instead of one per session). Returns the invitation, with the raw token on
    ``invitation.token``. An earlier pending series link of the same person is withdrawn.

    Side effects: a ``team_invitation`` message with the one-time link.
    """
    # two invitations of one person at once: the second waits here, then withdraws the first's link;
    # and an organiser removed meanwhile is refused (the right is read under the lock)
    _lock_as_series_organiser(by, series)
    if not series.has_venue:
        raise TeamError(_("An online-only series has no door."), "no_door")
    email = _normalise_email(email)
    if series.checkin_staff.filter(email__iexact=email).exists():
        raise Conflict(_("This person already works the door of this series."), "already_in_team")
    if series.organisers.filter(email__iexact=email, is_active=True).exists():
        # an organiser of the series works the doors of its sessions already
        raise Conflict(
            _("This person already has access to the doors of this series: they organise it."), "already_has_access"
        )
    now = now or timezone.now()
    TeamInvitation.objects.filter(
        series=series, email=email, role=TeamRole.CHECKIN, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = TeamInvitation.objects.create(
        series=series,
        email=email,
        role=TeamRole.CHECKIN,
        token_hash=hash_token(token),
        invited_by=by if getattr(by, "is_authenticated", False) else None,
        expires_at=now + INVITATION_VALID_FOR,
    )
    invitation.token = token
    queue_message(
        kind=kinds.TEAM_INVITATION,
        recipient_email=email,
        about=invitation,
        context={
            "accept_url": accept_url(token),
            "role": TeamRole.CHECKIN,
            "inviter": account_name(by) if getattr(by, "is_authenticated", False) else "",
            "series_title": series.title,
            "expires_at": when.iso(invitation.expires_at),
            "zone": series.timezone,  # the expiry in the series' time zone, as an event's link is in the event's
            # about no event of its own: read, when the invitee chose no language, in the series'
            # (its sessions'), as an event's door invitation is in its event's
            FALLBACK_LANGUAGE: default_language(series),
        },
    )
    log_action(by=by, action="team.invited", subject=series, data={"role": TeamRole.CHECKIN})
    return invitation


def invitation_for_token(token: str, *, now: dt.datetime | None = None, lock: bool = False) -> TeamInvitation:
    """The usable invitation a link names; :class:`InvitationUnusable` (with a code) otherwise.
    ``lock`` (inside a transaction) holds the invitation's row until it commits, so that whoever
    comes second finds the link used."""
    invitations = TeamInvitation.objects.select_related("event", "series", "invited_by")
    if lock:
        invitations = invitations.select_for_update(of=("self",))
    invitation = invitations.filter(token_hash=hash_token(token or "")).first() if token and len(token) <= 100 else None
    if invitation is None:
        raise InvitationUnusable(_("This link is not valid."), "invalid_link")
    now = now or timezone.now()
    if invitation.used_at:
        raise InvitationUnusable(_("This link has already been used."), "invitation_used")
    if invitation.revoked_at:
        raise _withdrawn(invitation)
    if invitation.expires_at <= now:
        raise InvitationUnusable(_("This link has expired; ask the organisers for a new one."), "invitation_expired")
    if invitation.series_id is not None:
        return _usable_series_invitation(invitation)
    if invitation.event.status in (EventStatus.CANCELLED, EventStatus.COMPLETED):
        raise InvitationUnusable(_("The event is over or cancelled."), "event_closed")
    if invitation.role == TeamRole.CHECKIN and not invitation.event.has_venue:
        # sent while the event had a venue: it is online only now, with no door to work
        raise InvitationUnusable(_("This event is online only: it has no door to check people in at."), "no_door")
    if not _inviter_still_organises(invitation):
        raise InvitationUnusable(
            _("Whoever invited you no longer organises this event; ask its organisers for a new link."),
            "inviter_left",
        )
    return invitation


def invitation_used_by(token: str, user) -> TeamInvitation | None:
    """The used invitation a link names when ``user`` is who used it: coming back through their own
    link is not a refusal while they are in the team; whoever else opens it is refused."""
    if not token or len(token) > 100 or not getattr(user, "is_authenticated", False):
        return None
    invitation = (
        TeamInvitation.objects.select_related("event", "series")
        .filter(token_hash=hash_token(token), used_at__isnull=False, used_by=user)
        .first()
    )
    if invitation is None:
        return None
    # what the link gave, as it stands: someone removed from the team since is refused as anyone
    if invitation.series_id is not None:
        still_in = invitation.series.checkin_staff.filter(pk=user.pk).exists()
    elif invitation.role == TeamRole.ORGANISER:
        still_in = can_manage_event(user, invitation.event)
    else:
        # on the door's team, a draft's too (its door opens to them once it is published)
        still_in = door_teams_of(user).filter(pk=invitation.event_id).exists()
    return invitation if still_in else None


def _withdrawn(invitation: TeamInvitation) -> InvitationUnusable:
    """Why a withdrawn link does not work. Inviting the same address to the same team again
    withdraws its earlier link (``invite_to_team``, ``invite_to_series_door``): that person has
    a newer email, and "ask for a new link" would send them to the organisers for what they hold."""
    newer = TeamInvitation.objects.filter(
        email=invitation.email,
        event_id=invitation.event_id,
        series_id=invitation.series_id,
        role=invitation.role,
        created_at__gt=invitation.created_at,
    )
    if newer.exists():
        return InvitationUnusable(
            _("A newer invitation replaced this link: use the link in the latest email."), "invitation_replaced"
        )
    return InvitationUnusable(_("The organisers withdrew this invitation."), "invitation_revoked")


def _usable_series_invitation(invitation: TeamInvitation) -> TeamInvitation:
    """The checks of a series link, after those every link has (used, withdrawn, expired)."""
    if not invitation.series.has_venue:
        raise InvitationUnusable(_("This series is online only: it has no door to check people in at."), "no_door")
    # as an event's link: it speaks for whoever sent it while they organise the series
    if invitation.invited_by_id is not None and not (
        series_managed_by(invitation.invited_by).filter(pk=invitation.series_id).exists()
    ):
        raise InvitationUnusable(
            _("Whoever invited you no longer organises this series; ask its organisers for a new link."),
            "inviter_left",
        )
    return invitation


def _inviter_still_organises(invitation: TeamInvitation) -> bool:
    """An invitation speaks for the organiser who sent it: it works only while they still organise
    the event (``events_managed_by``: an active account among its organisers, or a superuser).
    Someone removed from the team, an event handed over to others, a closed account: their pending
    links stop working, so nobody comes back in through a link they sent themselves. Invitations
    the system made (no inviter) are the event's own."""
    if invitation.invited_by_id is None:
        return True
    return events_managed_by(invitation.invited_by).filter(pk=invitation.event_id).exists()


@transaction.atomic
def accept_team_invitation(*, token: str, user=None, name: str = "", password: str = "", now=None):
    """Use a team link: for ``user`` (signed in) or for a new account made from ``name`` and
    ``password`` with the invited address. Grants the role for the invitation's event only.
    Returns the user. The link works once, even when followed twice at the same moment: the
    invitation's row is locked before a new account is made, so the second of two people signing
    up through one link at once finds it used (not their address taken by the first's account)."""
    now = now or timezone.now()
    invitation = invitation_for_token(token, now=now, lock=True)
    if user is None or not user.is_authenticated:
        user = new_account(email=invitation.email, name=name, password=password)
    # single use, and never once withdrawn: only one of two simultaneous answers updates the row
    taken = TeamInvitation.objects.filter(pk=invitation.pk, used_at__isnull=True, revoked_at__isnull=True)
    if not taken.update(used_at=now, used_by=user):
        withdrawn = TeamInvitation.objects.filter(pk=invitation.pk, revoked_at__isnull=False).first()
        if withdrawn is not None:
            raise _withdrawn(withdrawn)
        raise InvitationUnusable(_("This link has already been used."), "invitation_used")
    if invitation.series_id is not None:
        invitation.series.checkin_staff.add(user)
        return user
    event = invitation.event
    if invitation.role == TeamRole.ORGANISER:
        event.organisers.add(user)
        # a co-organiser works in the workspace (not the admin: no staff flag)
        if not is_organiser(user):
            user.groups.add(ensure_organisers_group())
            user._is_organiser = True  # is_organiser's answer, kept on the instance
            TeamInvitation.objects.filter(pk=invitation.pk).update(granted_organiser_role=True)
    else:
        event.checkin_staff.add(user)
    return user


@transaction.atomic
def revoke_team_invitation(*, invitation: TeamInvitation, by) -> TeamInvitation:
    """Withdraw a link not used yet (an event's or a series'); a used one is undone with
    :func:`remove_from_team` or :func:`remove_from_series_door`."""
    if invitation.series_id is not None:
        # the right is read under the series' lock, which every change of its organisers takes
        _lock_as_series_organiser(by, invitation.series)
    else:
        _lock_as_organiser(by, invitation.event)
    # the row as it stands, held: a link accepted at the same moment is either accepted (and said
    # so here) or withdrawn (and refused there), never both
    invitation = (
        TeamInvitation.objects.select_for_update(of=("self",)).select_related("event", "series").get(pk=invitation.pk)
    )
    if invitation.used_at:
        raise TeamError(_("This invitation was accepted; remove the person instead."), "invitation_used")
    if not invitation.revoked_at:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        if invitation.series_id is not None:
            log_action(by=by, action="team.invitation_revoked", subject=invitation.series)
        else:
            log_action(by=by, action="team.invitation_revoked", event=invitation.event, subject=invitation)
    return invitation


@transaction.atomic
def remove_from_team(*, event: Event, user, role: str, by) -> None:
    """Take door rights or the organiser role for ``event`` away from ``user``."""
    # the right is checked under the event's lock, which every change of its team takes
    _lock_as_organiser(by, event)
    if role not in TeamRole.values:
        raise TeamError(_("Choose a role from the list."), "invalid_role")
    if role == TeamRole.ORGANISER:
        # an erased (closed) account is no organiser who could run the event
        if not event.organisers.exclude(pk=user.pk).filter(is_active=True).exists():
            raise TeamError(_("An event keeps at least one organiser."), "last_organiser")
    _members(event, role).remove(user)
    log_action(by=by, action="team.removed", event=event, subject=user, data={"role": role})
    if role == TeamRole.ORGANISER:
        _drop_role_a_link_granted(user)


def _drop_role_a_link_granted(user) -> None:
    """Someone a team link made an organiser, removed from the last event, series or programme they
    organise, is no organiser any more: they kept the workspace, creating events and reading the
    shared speaker roster for good. An organiser the operators made (no link granted them the
    role) keeps it, whatever they organise."""
    if user.is_superuser or not TeamInvitation.objects.filter(used_by=user, granted_organiser_role=True).exists():
        return
    if user.organised_events.exists() or user.organised_series.exists() or user.organised_programmes.exists():
        return
    user.groups.remove(ensure_organisers_group())
    user._is_organiser = False


@transaction.atomic
def remove_from_series_door(*, series: Series, user, by) -> None:
    """Take the door of ``series`` from ``user``: of every session they worked through the series.
    A session they were invited to on its own (``Event.checkin_staff``) stays theirs."""
    _lock_as_series_organiser(by, series)
    series.checkin_staff.remove(user)
    log_action(by=by, action="team.removed", subject=series, data={"role": TeamRole.CHECKIN})
