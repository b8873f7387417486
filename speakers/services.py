"""Every write to speakers and their assignments, and the invitation rules.

Invitation states::

    invited ──accept──▶ accepted ──decline──▶ declined
       │  └──decline──▶ declined                  ▲
       └──withdraw (organiser)──▶ withdrawn ◀─────┘ (from invited or accepted)

A declined or withdrawn invitation is final for the speaker; the organiser may invite
again (``assign_speaker``), which reopens the same row as ``invited``. Answering twice the
same way is harmless (returns the assignment unchanged).
"""

import datetime as dt
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events import when
from events.models import Event, EventStatus
from events.permissions import can_manage_event, is_organiser
from events.services import log_action
from events_project.accounts import new_account
from events_project.people import account_name, tidy_name
from events_project.periodic import process_each
from events_project.typed_text import tidy_email
from notifications.language import FALLBACK_LANGUAGE, supported
from notifications.services import (
    MessageSpec,
    preferences,
    queue_message,
    queue_messages,
    supersede_waiting,
    supersede_waiting_of_events,
)
from notifications.services.rendering import contact_email, programme_name
from speakers import conflicts as speaker_conflicts
from speakers.exceptions import Forbidden, InvalidAnswer, InvalidInvitationLink, SpeakerConflicts, SpeakerError
from speakers.models import (
    ACTIVE_STATUSES,
    AssignmentStatus,
    Speaker,
    SpeakerAssignment,
    SpeakerRole,
    SpeakerUnavailability,
    StemField,
)
from speakers.photos import normalised_photo
from speakers.selectors import speaker_contacts_visible_to, speakers_managed_by, unanswered_assignments, unread_answers

logger = logging.getLogger(__name__)

INVITATION_SALT = "speakers.invitation"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def reminder_interval() -> dt.timedelta:
    """Reminders go out every this often while an invitation is unanswered, until its deadline."""
    return dt.timedelta(days=settings.SPEAKER_REMINDER_INTERVAL_DAYS)


def response_time() -> dt.timedelta:
    """Default time to answer; never later than a day before the event."""
    return dt.timedelta(days=settings.SPEAKER_RESPONSE_DAYS)


def link_max_age() -> dt.timedelta:
    return dt.timedelta(days=settings.SPEAKER_INVITATION_LINK_DAYS)


PROFILE_FIELDS = (
    "name", "title", "organisation", "stem_fields", "topics", "bio", "photo", "photo_url", "languages", "roles",
    "public_email", "website", "linkedin_url", "email", "phone",
)  # fmt: skip
ORGANISER_ONLY_FIELDS = ("private_notes", "listed", "user")
# the field each of clean_profile's refusals is about (a form shows the error under it)
PROFILE_CODE_FIELDS = {
    "unknown_stem_fields": "stem_fields",
    "unknown_roles": "roles",
    "invalid_linkedin_url": "linkedin_url",
    "name_required": "name",
}


def _site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# --- profiles -------------------------------------------------------------------------


def clean_profile(fields: dict) -> dict:
    """The profile rules every write obeys (the API, the pages, the admin's form): known STEM
    fields and roles, topics trimmed, a LinkedIn link on linkedin.com, a name as every typed name
    (``people.tidy_name``: one line, nothing invisible). ``fields`` cleaned, or SpeakerError with
    the rule's code (``PROFILE_CODE_FIELDS`` says which field it is about)."""
    if fields.get("email"):
        # the address as every address the site keeps (``typed_text.tidy_email``: lower-case, the
        # domain in its ASCII form), so that comparing it is comparing mailboxes
        fields["email"] = tidy_email(fields["email"])
    if "name" in fields:
        # a line break in it would start a line of its own in the mails that name the speaker
        fields["name"] = tidy_name(fields["name"])
        if not fields["name"]:
            raise SpeakerError(_("Give the speaker's name."), "name_required")
    for name, choices in (("stem_fields", StemField.values), ("roles", SpeakerRole.values)):
        if name in fields:
            unknown = sorted(set(fields[name]) - set(choices))
            if unknown:
                raise SpeakerError(
                    _("Unknown %(name)s: %(values)s.") % {"name": name, "values": ", ".join(unknown)}, f"unknown_{name}"
                )
            fields[name] = sorted(set(fields[name]), key=list(choices).index)
    if "languages" in fields:
        fields["languages"] = list(dict.fromkeys(fields["languages"]))
    if "topics" in fields:
        fields["topics"] = [topic.strip() for topic in fields["topics"] if topic.strip()]
    if fields.get("linkedin_url") and not _is_linkedin(fields["linkedin_url"]):
        # the public page labels it "LinkedIn": another site behind that label misleads its readers
        raise SpeakerError(_("The LinkedIn link is an address on linkedin.com."), "invalid_linkedin_url")
    return fields


def _is_linkedin(url: str) -> bool:
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    return parts.scheme in ("https", "http") and (host == "linkedin.com" or host.endswith(".linkedin.com"))


def _check_account_free(user, speaker: Speaker | None = None) -> None:
    if user is None:
        return
    taken = Speaker.objects.filter(user=user)
    if speaker is not None and speaker.pk:
        taken = taken.exclude(pk=speaker.pk)
    if taken.exists():
        raise SpeakerConflicts(_("This account already belongs to another speaker."), "account_taken")


def check_may_link(user, by) -> None:
    """Linking an account to a speaker gives it the speaker's schedule, feed and join links:
    only a superuser may do it directly; anyone else sends the person a link (their consent).
    ``user`` may still be an id: the API refuses before looking it up, so that an account's
    existence tells an organiser nothing (speakers.serializers.LinkedAccountField)."""
    if user is not None and by is not None and not (by.is_authenticated and by.is_superuser):
        raise Forbidden(
            _("Linking an account to a speaker needs the person's consent: send them a link."), "link_needs_consent"
        )


def _check_may_readdress(speaker: Speaker, email, by) -> None:
    """The private ``email`` is where every organiser's invitations, reminders and join links for
    the speaker go, and the consent an account link rests on. The roster is shared, this address
    is not: an organiser changes it only while the speaker has no engagement (an assignment, of
    any status) at an event they do not organise; otherwise only the speaker (their linked
    account) or a superuser does. Rewriting it to one's own took over another organiser's
    invitations and, by an account link then sent to oneself, the speaker's whole schedule."""
    if tidy_email(email or "") == tidy_email(speaker.email or ""):
        return
    if _engaged_elsewhere(speaker, by):
        raise Forbidden(
            _("This speaker speaks at other organisers' events: only they or an administrator change their address."),
            "speaker_engaged_elsewhere",
        )


def _check_may_unlink(speaker: Speaker, by) -> None:
    """Taking a speaker's account away takes their schedule, feed and join links of every
    organiser's events: the same rule as their address. Any organiser could do it to a speaker of
    another organiser's webinar, an hour before it started."""
    if _engaged_elsewhere(speaker, by):
        raise Forbidden(
            _("This speaker speaks at other organisers' events: only an administrator unlinks their account."),
            "speaker_engaged_elsewhere",
        )


PHOTO_FIELDS = ("photo", "photo_url")


def _changed(speaker: Speaker, changes: dict, name: str) -> bool:
    if name not in changes:
        return False
    if name == "photo":
        # a new upload is always a change; removing one only when there is one
        return bool(changes["photo"]) or bool(speaker.photo)
    if name == "travel_regions":
        return {region.pk for region in changes[name]} != set(speaker.travel_regions.values_list("pk", flat=True))
    return changes[name] != getattr(speaker, name)


def _check_may_change_profile(speaker: Speaker, changes: dict, by) -> None:
    """A speaker's profile is changed by the organisers they speak for
    (``selectors.speakers_managed_by``: the speakers invited to an event one organises, and those
    engaged at no other organiser's event), the speaker themselves and administrators. The roster
    is shared for finding and inviting, not for rewriting: the name, title, bio and photo of a
    speaker of another organiser's webinar are shown on that organiser's pages, and whether they
    show in the public roster is for those organisers too. A value sent as it is changes nothing.
    The address has a stricter rule (``_check_may_readdress``)."""
    try:
        # compared as they would be kept: an address or a name typed differently is the same
        compared = clean_profile(dict(changes))
    except SpeakerError:
        compared = changes  # an invalid value is a change too: who may not make one hears that first
    changed = [name for name in compared if _changed(speaker, compared, name)]
    if not changed or not speaker.pk or by is None or speaker.user_id == by.pk:
        return
    if speakers_managed_by(by).filter(pk=speaker.pk).exists():
        return
    if set(changed) <= set(PHOTO_FIELDS):
        raise Forbidden(
            _("This speaker speaks at other organisers' events: only they or an administrator change their photo."),
            "speaker_engaged_elsewhere",
        )
    if changed == ["listed"]:
        raise Forbidden(
            _(
                "This speaker speaks at other organisers' events: only those organisers or an administrator list "
                "or unlist them."
            ),
            "speaker_engaged_elsewhere",
        )
    raise Forbidden(
        _("This speaker speaks at other organisers' events: only they or an administrator change their details."),
        "speaker_engaged_elsewhere",
    )


def _engaged_elsewhere(speaker: Speaker, by) -> bool:
    """Whether the speaker has an engagement (an assignment, of any status) at an event ``by``
    does not organise; never for a superuser or the speaker themselves."""
    if not speaker.pk or by is None or (by.is_authenticated and by.is_superuser) or speaker.user_id == by.pk:
        return False
    return (
        SpeakerAssignment.objects.filter(speaker=speaker)
        .exclude(event_id__in=Event.organisers.through.objects.filter(user_id=by.pk).values("event_id"))
        .exists()
    )


def _photo_to_keep(fields: dict) -> None:
    """Replace an uploaded ``photo`` in ``fields`` by the copy kept (``speakers.photos``: a real
    image within the limits, re-encoded without EXIF under a random name); a missing or empty
    one means no photo. Done before the transaction: decoding a large image takes a moment, and
    no write lock need wait for it."""
    if "photo" in fields:
        fields["photo"] = normalised_photo(fields["photo"]) if fields["photo"] else ""


def _delete_replaced_photo(speaker: Speaker, old_name: str) -> None:
    """Once the new photo (or none) is committed, the file it replaced goes (its random name was
    never guessable, but a removed photo is removed)."""
    if old_name and old_name != speaker.photo.name:
        storage = speaker.photo.storage
        transaction.on_commit(lambda: storage.delete(old_name))


def create_speaker(*, by=None, travel_regions=None, **fields) -> Speaker:
    """Add a speaker to the roster; an uploaded ``photo`` is checked and re-encoded first
    (``speakers.photos.normalised_photo``)."""
    _photo_to_keep(fields)
    with transaction.atomic():
        check_may_link(fields.get("user"), by)
        _check_account_free(fields.get("user"))
        speaker = Speaker(**clean_profile(fields))
        speaker.full_clean(exclude=["photo"])
        speaker.save()
        if travel_regions is not None:
            speaker.travel_regions.set(travel_regions)
    return speaker


def update_speaker(*, speaker: Speaker, by, travel_regions=None, **changes) -> Speaker:
    """Edit a profile. Organisers may edit every field; a speaker only their own public and
    contact fields (never ``listed``, ``user`` or the organisers' private notes). ``photo``: an
    uploaded file (checked and re-encoded, ``speakers.photos``) or empty to remove it; who may not
    change it is refused before the file is read. Side effect: the replaced photo's file is deleted
    on commit."""
    if "photo" in changes:
        _check_may_change_profile(speaker, {"photo": changes["photo"]}, by)
        _photo_to_keep(changes)
    with transaction.atomic():
        old_photo = speaker.photo.name
        _update_speaker(speaker=speaker, by=by, travel_regions=travel_regions, changes=changes)
        _delete_replaced_photo(speaker, old_photo)
    return speaker


def _update_speaker(*, speaker: Speaker, by, travel_regions, changes: dict) -> None:
    if not is_organiser(by):
        if speaker.user_id != by.pk:
            raise Forbidden(_("You can only edit your own speaker profile."), "not_your_profile")
        forbidden = sorted(set(changes) & set(ORGANISER_ONLY_FIELDS))
        if forbidden:
            raise Forbidden(
                _("Only organisers can change %(fields)s.") % {"fields": ", ".join(forbidden)}, "organiser_only_field"
            )
    if "email" in changes:
        _check_may_readdress(speaker, changes["email"], by)
    _check_may_change_profile(
        speaker, changes if travel_regions is None else {**changes, "travel_regions": travel_regions}, by
    )
    if "user" in changes and changes["user"] is not None and changes["user"].pk != speaker.user_id:
        check_may_link(changes["user"], by)
    if "user" in changes and changes["user"] is None and speaker.user_id is not None:
        _check_may_unlink(speaker, by)
    if "user" in changes:
        _check_account_free(changes["user"], speaker)
    for name, value in clean_profile(changes).items():
        setattr(speaker, name, value)
    speaker.full_clean(exclude=["photo"])
    speaker.save()
    if travel_regions is not None:
        speaker.travel_regions.set(travel_regions)


# --- linking an account, with the person's consent ------------------------------------

ACCOUNT_LINK_SALT = "speakers.account-link"
ACCOUNT_LINK_MAX_AGE = dt.timedelta(days=7)


def account_link_token(speaker: Speaker) -> str:
    # bound to the address it is sent to: changing the speaker's email voids earlier links
    return signing.dumps([speaker.pk, tidy_email(speaker.email)], salt=ACCOUNT_LINK_SALT)


def send_account_link(*, speaker: Speaker, by, event: Event | None = None) -> Speaker:
    """Email the speaker a link that links the account they sign in with to this profile (or
    makes one, :func:`link_new_account`). ``event``: the event whose Speakers tab sends it. A
    speaker who chose no language reads it in the one their newest invitation was written in
    (:func:`invitation_language`), from the tab and the API alike.

    Side effect: one ``speaker_account_link`` message to the speaker's private address.
    """
    if not is_organiser(by):
        raise Forbidden(_("Only organisers can send a speaker a link."), "not_an_organiser")
    # the roster is shared for inviting, not for mailing: a speaker engaged only at other
    # organisers' events is theirs (speakers_managed_by, the rule of every change to the profile)
    if not speakers_managed_by(by).filter(pk=speaker.pk).exists():
        raise Forbidden(
            _("This speaker speaks at other organisers' events: only they or an administrator send them a link."),
            "speaker_engaged_elsewhere",
        )
    return _queue_account_link(speaker=speaker, event=event)


def send_account_link_to_invitee(*, assignment: SpeakerAssignment, language: str = "") -> Speaker:
    """The speaker who accepted through their invitation's link asks for the link to their
    speaker area (profile, schedule, calendar feed), which only an organiser could send: it goes
    to the profile's own address, where the invitation went, and only while no account is linked.
    It is written in ``language``, the one their request asked for (``request_language``; none:
    their chosen language, else their newest invitation's, as an organiser's link).

    Side effect: one ``speaker_account_link`` message to the speaker's private address.
    """
    speaker = assignment.speaker
    if assignment.status != AssignmentStatus.ACCEPTED:
        raise SpeakerError(_("Accept the invitation first."), "not_accepted")
    if speaker.user_id is not None:
        raise SpeakerError(_("Your account is linked already: sign in to open your speaker area."), "already_linked")
    return _queue_account_link(speaker=speaker, event=assignment.event, asked_by_speaker=True, language=language)


def invitation_language(speaker: Speaker, *, event: Event | None = None) -> str:
    """The language the speaker's newest invitation was written in, while they chose none of their
    own (``MessagePreference``, which always wins when the message is sent): its event's. Else
    ``event``'s, else "" (the default mail language). Mail to a speaker about no event of its own
    (the account link, wherever it is sent from) reads in it, as the invitation did."""
    newest = (
        SpeakerAssignment.objects.filter(speaker=speaker)
        .order_by("-invited_at", "-pk")
        .values_list("event__language", flat=True)
        .first()
    )
    return supported(newest) or (supported(event.language) if event is not None else "")


def _queue_account_link(
    *, speaker: Speaker, event: Event | None, asked_by_speaker: bool = False, language: str = ""
) -> Speaker:
    if not speaker.email:
        raise SpeakerError(_("The speaker has no email address to send the link to."), "email_required")
    queue_message(
        kind="speaker_account_link",
        recipient_email=speaker.email,
        recipient_name=speaker.name,
        dedup_key=f"speaker_account_link:{speaker.pk}:{timezone.now():%Y%m%d%H%M}",
        context={
            "link_url": _site_url(f"/speaker/link/{account_link_token(speaker)}/"),
            "asked_by_speaker": asked_by_speaker,
            FALLBACK_LANGUAGE: invitation_language(speaker, event=event),
        },
        language=supported(language),
    )
    return speaker


def speaker_for_account_link(token: str) -> Speaker:
    """The profile a link is for; forged, expired or outdated (email changed) links are refused."""
    try:
        speaker_id, email = signing.loads(token, salt=ACCOUNT_LINK_SALT, max_age=ACCOUNT_LINK_MAX_AGE)
        speaker = Speaker.objects.filter(pk=int(speaker_id)).first()
    except (signing.BadSignature, ValueError, TypeError, OverflowError):
        speaker = None
    if speaker is None or tidy_email(speaker.email) != email:
        raise InvalidInvitationLink(_("This link is not valid any more. Ask the organisers for a new one."))
    return speaker


@transaction.atomic
def link_account(*, token: str, user) -> Speaker:
    """Link ``user`` (signed in, who opened the emailed link) to the speaker profile."""
    speaker = speaker_for_account_link(token)
    speaker = Speaker.objects.select_for_update().get(pk=speaker.pk)
    if speaker.user_id == user.pk:
        return speaker
    if speaker.user_id is not None:
        raise SpeakerConflicts(_("This speaker profile is linked to another account."), "profile_taken")
    _check_account_free(user, speaker)
    speaker.user = user
    speaker.save(update_fields=["user", "updated_at"])
    return speaker


@transaction.atomic
def link_new_account(*, token: str, name: str, password: str):
    """For someone without an account who opened the emailed link: make one (``name``, ``password``)
    under the speaker's address, the one the link went to, and link it to the speaker profile.
    Returns the new account. Refused as :func:`link_account` is when the profile is linked
    already (a second sign-up through the same link too: the profile's row is locked first), and
    as ``events_project.accounts.new_account`` is for a blank name, a weak password or an address
    that has an account (its owner signs in and links that one)."""
    speaker = speaker_for_account_link(token)
    speaker = Speaker.objects.select_for_update().get(pk=speaker.pk)
    if speaker.user_id is not None:
        raise SpeakerConflicts(_("This speaker profile is linked to another account."), "profile_taken")
    user = new_account(email=speaker.email, name=name, password=password)
    speaker.user = user
    speaker.save(update_fields=["user", "updated_at"])
    return user


# --- invitations ----------------------------------------------------------------------


def _round(assignment: SpeakerAssignment) -> int:
    """Which invitation this is: inviting again after a decline starts a new round."""
    return (assignment.invited_at - EPOCH) // dt.timedelta(microseconds=1)


def invitation_token(assignment: SpeakerAssignment) -> str:
    """The signed part of the link in the invitation email.

    It names the invitation round (``invited_at``), so a link from an earlier round stops
    working when the organiser invites again.
    """
    return signing.dumps(
        {"a": assignment.pk, "s": assignment.speaker_id, "r": _round(assignment)},
        salt=INVITATION_SALT,
        compress=True,
    )


def invitation_respond_url(assignment: SpeakerAssignment) -> str:
    """The page the email links to (the same answer is at /api/speaker-invitations/respond/<token>/)."""
    return _site_url(f"/speaker/invitation/{invitation_token(assignment)}/")


def assignment_from_token(token: str) -> SpeakerAssignment:
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=link_max_age())
    except signing.SignatureExpired:
        raise InvalidInvitationLink(_("This invitation link has expired."), "link_expired") from None
    except signing.BadSignature:
        raise InvalidInvitationLink(_("This invitation link is not valid."), "invalid_link") from None
    assignment = (
        SpeakerAssignment.objects.select_related("event", "event__region", "speaker")
        .filter(pk=data.get("a"), speaker_id=data.get("s"))
        .first()
    )
    if assignment is None or _round(assignment) != data.get("r"):
        raise InvalidInvitationLink(_("This invitation link is no longer valid."), "invalid_link")
    return assignment


def _default_deadline(*, event: Event, now) -> dt.datetime:
    """The end of the day (23:59 in the event's zone, as a date picked on the speakers tab) the
    response time after ``now`` ends on, but a day before the event at the latest. The invitation
    and its page say it: "answer by 8 December, 20:51" read as a machine's minute, not a date."""
    day = timezone.localtime(now + response_time(), event.zone).date()
    deadline = min(dt.datetime.combine(day, dt.time(23, 59), tzinfo=event.zone), event.start - dt.timedelta(days=1))
    # an event very soon still gets a deadline, just before it starts
    return deadline if deadline > now else event.start


def _invitation_context(assignment: SpeakerAssignment) -> dict:
    event = assignment.event
    return {
        "speaker_name": assignment.speaker.name,
        "event_title": event.title,
        "event_start": event.local_start.isoformat(),
        "event_timezone": event.timezone,
        "role": assignment.get_role_display(),
        "respond_url": invitation_respond_url(assignment),
        "response_deadline": timezone.localtime(assignment.response_deadline, event.zone).isoformat(),
        "event_url": _site_url(event.get_absolute_url()),
    }


def _send_invitation(assignment: SpeakerAssignment) -> None:
    queue_message(
        kind="speaker_invitation",
        recipient_email=assignment.speaker.email,
        recipient_name=assignment.speaker.name,
        about=assignment,
        event=assignment.event,
        dedup_key=f"speaker_invitation:{assignment.pk}:{_round(assignment)}",
        context=_invitation_context(assignment),
    )


def _lock_speaker(speaker: Speaker) -> None:
    # two organisers assigning the same speaker at once must not both miss the clash
    Speaker.objects.select_for_update().filter(pk=speaker.pk).first()


INVITED_TO_EVENTS_TO_COME = _("Speakers can only be invited to events still to come.")


def takes_speaker_invitations(event: Event) -> bool:
    """Whether speakers may be invited to ``event``: neither cancelled, completed nor ended (the
    Speakers tab offers its invite form on this alone)."""
    return event.status not in (EventStatus.CANCELLED, EventStatus.COMPLETED) and event.end > timezone.now()


@transaction.atomic
def assign_speaker(
    *,
    event: Event,
    speaker: Speaker,
    by,
    role: str = SpeakerAssignment.Role.PANELLIST,
    order: int = 0,
    response_deadline: dt.datetime | None = None,
    conflict_override_reason: str = "",
) -> SpeakerAssignment:
    """Invite a speaker to an event.

    Refuses (``speaker_conflicts``, with the list) when the speaker has conflicts, unless
    the organiser gives a reason, which is recorded. Inviting someone already invited or
    accepted changes nothing; someone who declined or was withdrawn is invited again.

    Side effects: a ``speaker_invitation`` message with a signed answer link.
    """
    if by is not None and not can_manage_event(by, event):
        raise Forbidden(_("You do not organise this event."), "not_event_organiser")
    if not takes_speaker_invitations(event):
        raise InvalidAnswer(INVITED_TO_EVENTS_TO_COME, "event_closed")
    _lock_speaker(speaker)
    existing = SpeakerAssignment.objects.select_for_update().filter(event=event, speaker=speaker).first()
    if existing is not None and existing.is_active:
        return existing

    found = speaker_conflicts.conflicts_for(speaker_id=speaker.pk, event=event, viewer=by)
    reason = conflict_override_reason.strip()
    if found and not reason:
        raise SpeakerConflicts(
            _("The speaker has conflicts; give a reason to assign them anyway."),
            extra={"conflicts": [_conflict_json(conflict) for conflict in found]},
        )
    now = timezone.now()
    assignment = existing or SpeakerAssignment(event=event, speaker=speaker)
    assignment.role = role
    assignment.order = order
    assignment.status = AssignmentStatus.INVITED
    assignment.message = ""
    assignment.invited_at = now
    assignment.invited_by = by
    assignment.responded_at = None
    assignment.withdrawn_at = None
    assignment.response_deadline = response_deadline or _default_deadline(event=event, now=now)
    assignment.reminder_count = 0
    assignment.last_reminded_at = None
    assignment.unanswered_alert_sent_at = None
    if reason:
        assignment.conflict_override_reason = reason[:500]
        assignment.conflict_overridden_by = by
        assignment.conflict_overridden_at = now
    assignment.save()
    _send_invitation(assignment)
    log_action(by=by, action="speaker.invited", event=event, subject=assignment)
    if found and reason:
        log_action(by=by, action="speaker.conflicts_overridden", event=event, subject=assignment)
    return assignment


@transaction.atomic
def invite_new_speaker(*, event: Event, by, name: str, email: str, **invitation) -> SpeakerAssignment:
    """Invite someone not on the roster yet: a profile of their name and private email, left out
    of the public roster (they have agreed to nothing public yet; an organiser lists them, or they
    fill in their profile once their account is linked), then :func:`assign_speaker` with
    ``invitation`` (role, response deadline). Nothing is created when the invitation is refused.
    The address of a speaker on the roster whose address ``by`` may read invites that speaker
    instead (:func:`_known_by_address`; one already invited is refused as by assign_speaker).

    Side effects: those of :func:`assign_speaker` (the ``speaker_invitation`` message).
    """
    if by is not None and not can_manage_event(by, event):
        raise Forbidden(_("You do not organise this event."), "not_event_organiser")
    _lock_new_address(email)
    speaker = _known_by_address(email, by=by)
    if speaker is None:
        speaker = create_speaker(by=by, name=name, email=email, listed=False)
    elif SpeakerAssignment.objects.filter(event=event, speaker=speaker, status__in=ACTIVE_STATUSES).exists():
        # assign_speaker would change nothing, and the page would say an email went out
        raise InvalidAnswer(
            _("%(name)s, on the roster with this address, is invited to this event already.") % {"name": speaker.name},
            "already_invited",
        )
    return assign_speaker(event=event, speaker=speaker, by=by, **invitation)


def _lock_new_address(email: str) -> None:
    """Hold ``email`` until the transaction ends: two invitations of one new address at once (a
    double click on Invite, two co-organisers) each missed the profile the other was creating, and
    the person got two profiles and two invitations. PostgreSQL: a transaction-level advisory lock
    on the address (nothing in the database is there to lock yet); SQLite takes its write lock at
    the transaction's start (``transaction_mode`` IMMEDIATE), which serialises them already."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        key = f"speaker-address:{tidy_email(email)}"
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


def _known_by_address(email: str, *, by) -> Speaker | None:
    """The roster's speaker whose private address is ``email``, among those whose address ``by``
    may read (``speaker_contacts_visible_to``): "someone new" typed with the address of a speaker
    already there is that speaker (a second profile of one person took the invitation, and the
    first never heard of it). Another organiser's speaker, whose address ``by`` may not read, is
    not matched: a match would tell whose address it is."""
    address = tidy_email(email)
    if by is None or not address:
        return None
    return speaker_contacts_visible_to(by).filter(email=address).order_by("pk").first()


def _conflict_json(conflict) -> dict:
    data = conflict.as_dict()
    if data["other_event"]:
        data["other_event"] = {
            **data["other_event"],
            # in the site's zone with its offset, as the assignment list's conflicts say them
            "start": when.iso(data["other_event"]["start"]),
            "end": when.iso(data["other_event"]["end"]),
        }
    return data


def _locked(assignment: SpeakerAssignment) -> SpeakerAssignment:
    return SpeakerAssignment.objects.select_for_update().select_related("event", "speaker").get(pk=assignment.pk)


def _check_answerable(assignment: SpeakerAssignment, *, now) -> None:
    event = assignment.event
    if assignment.status == AssignmentStatus.WITHDRAWN:
        raise InvalidAnswer(_("The organisers withdrew this invitation."), "invitation_withdrawn")
    if event.status == EventStatus.CANCELLED:
        raise InvalidAnswer(_("The event was cancelled."), "event_cancelled")
    if event.end <= now or event.status == EventStatus.COMPLETED:
        raise InvalidAnswer(_("The event is over."), "event_over")


def _tell_organisers(assignment: SpeakerAssignment, *, kind: str, key: str, context: dict) -> None:
    """Queue ``kind`` about ``assignment`` to each organiser of its event with an address (after
    commit), or to the programme's contact address when the event has none (an event whose
    organiser left); ``key`` names this occasion (the recipient's address is added to it)."""
    event = assignment.event
    recipients = [
        (organiser.email, account_name(organiser))
        for organiser in event.organisers.all()
        if organiser.email and organiser.is_active  # a closed account hears nothing
    ]
    if not recipients:
        # nobody organises the event (any more): the programme's own address hears it, not nobody
        logger.warning("Event %s has no organiser with an address; %s goes to the programme's", event.pk, kind)
        recipients = [(contact_email(), programme_name())]
    for email, name in recipients:
        queue_message(
            kind=kind,
            recipient_email=email,
            recipient_name=name,
            about=assignment,
            event=event,
            dedup_key=f"{key}:{email}",
            context={"speaker_name": assignment.speaker.name, **context},
        )


def _tell_organisers_of_answer(assignment: SpeakerAssignment) -> None:
    """The organisers hear a speaker's answer at once (``speaker_answered``, after commit)."""
    _tell_organisers(
        assignment,
        kind="speaker_answered",
        key=f"speaker_answered:{assignment.pk}:{assignment.status}:{_round(assignment)}",
        context={"accepted": assignment.status == AssignmentStatus.ACCEPTED, "answer_message": assignment.message},
    )


def _remember_language(assignment: SpeakerAssignment, language: str) -> None:
    """A speaker has no registration to record the language they use: the page they answer on
    (or the API's ``Accept-Language``) says it, and their address keeps it for later messages
    (change notices, reminders, links) unless they chose one themselves."""
    if language and assignment.speaker.email:
        preferences.remember_language(email=assignment.speaker.email, language=language)


@transaction.atomic
def accept_invitation(
    *, assignment: SpeakerAssignment, message: str = "", language: str = "", by=None
) -> SpeakerAssignment:
    """The speaker says yes. A declined invitation cannot be accepted (the organiser invites again).
    ``language``: the page's or the API's (``Accept-Language``), kept for the speaker's later mail.
    ``by``: the speaker's account when they answer signed in (their speaker area, the API), which
    the event's history names; None through their signed link, where no account acts."""
    assignment = _locked(assignment)
    _remember_language(assignment, language)
    now = timezone.now()
    if assignment.status == AssignmentStatus.ACCEPTED:
        return assignment
    _check_answerable(assignment, now=now)
    if assignment.status == AssignmentStatus.DECLINED:
        raise InvalidAnswer(
            _("You declined this invitation; ask the organisers to invite you again."), "invitation_declined"
        )
    assignment.status = AssignmentStatus.ACCEPTED
    assignment.message = message.strip()[:2000]
    assignment.responded_at = now
    assignment.save(update_fields=["status", "message", "responded_at", "updated_at"])
    _tell_organisers_of_answer(assignment)
    # signed in, their account acts; through their signed link none does. The message stays out of the log
    log_action(by=by, action="speaker.accepted", event=assignment.event, subject=assignment)
    return assignment


@transaction.atomic
def decline_invitation(
    *, assignment: SpeakerAssignment, message: str = "", language: str = "", by=None
) -> SpeakerAssignment:
    """The speaker says no, before or after having accepted (``language``, ``by``: as accept_invitation)."""
    assignment = _locked(assignment)
    _remember_language(assignment, language)
    now = timezone.now()
    if assignment.status == AssignmentStatus.DECLINED:
        return assignment
    _check_answerable(assignment, now=now)
    assignment.status = AssignmentStatus.DECLINED
    assignment.message = message.strip()[:2000]
    assignment.responded_at = now
    assignment.save(update_fields=["status", "message", "responded_at", "updated_at"])
    _tell_organisers_of_answer(assignment)
    # signed in, their account acts; through their signed link none does. The message stays out of the log
    log_action(by=by, action="speaker.declined", event=assignment.event, subject=assignment)
    return assignment


def is_answerable(assignment: SpeakerAssignment, *, now=None) -> bool:
    """Whether the speaker may still answer (accept, decline or withdraw): the pages offer the
    buttons only then, by the rule the answer itself is checked with."""
    try:
        _check_answerable(assignment, now=now or timezone.now())
    except InvalidAnswer:
        return False
    return True


def answer_invitation(
    *, assignment: SpeakerAssignment, answer: str, message: str = "", language: str = "", by=None
) -> SpeakerAssignment:
    if answer == "accept":
        return accept_invitation(assignment=assignment, message=message, language=language, by=by)
    if answer == "decline":
        return decline_invitation(assignment=assignment, message=message, language=language, by=by)
    raise SpeakerError(_("Answer accept or decline."), "invalid_answer")


@transaction.atomic
def withdraw_assignment(*, assignment: SpeakerAssignment, by) -> SpeakerAssignment:
    """The organiser takes the invitation (or the accepted slot) back. No message is sent:
    the organiser usually tells the speaker in person."""
    assignment = _locked(assignment)
    if by is not None and not can_manage_event(by, assignment.event):
        raise Forbidden(_("You do not organise this event."), "not_event_organiser")
    if assignment.status == AssignmentStatus.WITHDRAWN:
        return assignment
    if assignment.status == AssignmentStatus.DECLINED:
        raise InvalidAnswer(_("The speaker already declined."), "invitation_declined")
    assignment.status = AssignmentStatus.WITHDRAWN
    assignment.withdrawn_at = timezone.now()
    assignment.save(update_fields=["status", "withdrawn_at", "updated_at"])
    log_action(by=by, action="speaker.invitation_withdrawn", event=assignment.event, subject=assignment)
    return assignment


@transaction.atomic
def update_assignment(*, assignment: SpeakerAssignment, by, **changes) -> SpeakerAssignment:
    """Change role, order or response deadline."""
    assignment = _locked(assignment)
    if not can_manage_event(by, assignment.event):
        raise Forbidden(_("You do not organise this event."), "not_event_organiser")
    allowed = {"role", "order", "response_deadline"}
    changed = []
    for name, value in changes.items():
        if name not in allowed:
            raise SpeakerError(_("%(name)s cannot be changed here.") % {"name": name}, "read_only_field")
        if getattr(assignment, name) != value:
            changed.append(name)
        setattr(assignment, name, value)
    assignment.save()
    if changed:  # sending back what is there changes nothing worth a line in the log
        log_action(
            by=by,
            action="speaker.assignment_changed",
            event=assignment.event,
            subject=assignment,
            data={"fields": sorted(changed)},
        )
    return assignment


@transaction.atomic
def override_conflicts(*, assignment: SpeakerAssignment, by, reason: str) -> SpeakerAssignment:
    """Record that an organiser goes ahead despite the conflicts. They stay listed."""
    assignment = _locked(assignment)
    if not can_manage_event(by, assignment.event):
        raise Forbidden(_("You do not organise this event."), "not_event_organiser")
    reason = reason.strip()
    if not reason:
        raise SpeakerError(_("Give a reason for the override."), "reason_required")
    assignment.conflict_override_reason = reason[:500]
    assignment.conflict_overridden_by = by
    assignment.conflict_overridden_at = timezone.now()
    assignment.save(
        update_fields=["conflict_override_reason", "conflict_overridden_by", "conflict_overridden_at", "updated_at"]
    )
    log_action(by=by, action="speaker.conflicts_overridden", event=assignment.event, subject=assignment)
    return assignment


# --- reminders for unanswered invitations ---------------------------------------------


def send_invitation_reminders(*, now: dt.datetime | None = None) -> dict:
    """Remind speakers who have not answered, every ``reminder_interval()`` until the deadline;
    after it, alert the event's organisers once.

    Safe to run twice, also concurrently: each reminder and alert is claimed with a
    conditional update before its message is queued.

    Side effects: ``speaker_invitation_reminder`` to speakers, ``speaker_unanswered_alert``
    to organisers.
    """
    now = now or timezone.now()
    # only the rows that are due: the scan runs hourly (setup_schedules)
    due_alert = Q(response_deadline__lte=now, unanswered_alert_sent_at__isnull=True)
    due_reminder = Q(response_deadline__gt=now, last_contact__lte=now - reminder_interval())
    pending = (
        unanswered_assignments(now=now)
        .annotate(last_contact=Coalesce("last_reminded_at", "invited_at"))
        .filter(due_alert | due_reminder)
        .prefetch_related("event__organisers")
    )

    def remind_or_alert(assignment: SpeakerAssignment) -> str | None:
        if now >= assignment.response_deadline:
            if assignment.unanswered_alert_sent_at is None and _alert_organisers(assignment, now=now):
                return "alerted"
        elif (assignment.last_reminded_at or assignment.invited_at) + reminder_interval() <= now:
            if send_reminder(assignment=assignment, now=now):
                return "reminded"
        return None

    outcomes = process_each(pending.order_by("pk"), remind_or_alert, job="speaker invitation reminders")
    return {"reminded": outcomes.count("reminded"), "alerted": outcomes.count("alerted")}


@transaction.atomic
def send_reminder(*, assignment: SpeakerAssignment, now: dt.datetime | None = None) -> bool:
    """Remind one speaker of an unanswered invitation (the scan, or an organiser in the admin).
    Returns False if someone else just did, or the invitation was answered meanwhile.

    Side effect: a ``speaker_invitation_reminder`` message.
    """
    now = now or timezone.now()
    claimed = SpeakerAssignment.objects.filter(
        pk=assignment.pk, status=AssignmentStatus.INVITED, reminder_count=assignment.reminder_count
    ).update(reminder_count=assignment.reminder_count + 1, last_reminded_at=now)
    if not claimed:
        return False
    assignment.reminder_count += 1
    assignment.last_reminded_at = now
    queue_message(
        kind="speaker_invitation_reminder",
        recipient_email=assignment.speaker.email,
        recipient_name=assignment.speaker.name,
        about=assignment,
        event=assignment.event,
        dedup_key=(f"speaker_invitation_reminder:{assignment.pk}:{_round(assignment)}:{assignment.reminder_count}"),
        context={**_invitation_context(assignment), "reminder_number": assignment.reminder_count},
    )
    return True


@transaction.atomic
def _alert_organisers(assignment: SpeakerAssignment, *, now) -> bool:
    claimed = SpeakerAssignment.objects.filter(
        pk=assignment.pk, status=AssignmentStatus.INVITED, unanswered_alert_sent_at__isnull=True
    ).update(unanswered_alert_sent_at=now)
    if not claimed:
        return False
    event = assignment.event
    _tell_organisers(
        assignment,
        kind="speaker_unanswered_alert",
        key=f"speaker_unanswered_alert:{assignment.pk}:{_round(assignment)}",
        context={
            "event_title": event.title,
            "event_start": event.local_start.isoformat(),
            "invited_at": timezone.localtime(assignment.invited_at, event.zone).isoformat(),
            "reminders_sent": assignment.reminder_count,
        },
    )
    return True


# --- event changes --------------------------------------------------------------------


def _tell_active_speakers(*, event: Event, kind: str, dedup_suffix: str, context: dict) -> int:
    """Queue ``kind`` to the event's invited and accepted speakers (inside the caller's
    transaction; sending happens after commit). Returns how many."""
    assignments = list(event.speaker_assignments.filter(status__in=ACTIVE_STATUSES).select_related("speaker"))
    earlier = {}
    if kind == "event_changed":
        # a notice of an earlier change still waiting to go out is replaced by this one
        earlier = supersede_waiting(
            kind=kind,
            event_id=event.pk,
            about_model=SpeakerAssignment,
            about_ids=[assignment.pk for assignment in assignments],
            keep_keys={f"{kind}:speaker:{assignment.pk}{dedup_suffix}" for assignment in assignments},
        )
    for assignment in assignments:
        named = {"changed_fields": context["changed_fields"]} if "changed_fields" in context else {}
        for before in earlier.get(assignment.pk, []):
            named["changed_fields"] = sorted({*named.get("changed_fields", []), *before.get("changed_fields", [])})
        queue_message(
            kind=kind,
            recipient_email=assignment.speaker.email,
            recipient_name=assignment.speaker.name,
            about=assignment,
            event=event,
            dedup_key=f"{kind}:speaker:{assignment.pk}{dedup_suffix}",
            context={**context, **named, "role": assignment.get_role_display()},
        )
    return len(assignments)


def tell_speakers_event_changed(*, event: Event, changed_fields) -> int:
    # the sequence in the key: each later change is news again
    return _tell_active_speakers(
        event=event,
        kind="event_changed",
        dedup_suffix=f":{event.sequence}",
        context={"changed_fields": sorted(changed_fields)},
    )


def tell_speakers_events_changed(*, changes) -> int:
    """tell_speakers_event_changed for many events at once (the sessions a series edit changed:
    ``changes``, a list of (event, changed fields)): their invited and accepted speakers read in
    one query, the notices still waiting superseded together, the messages written together (the
    same messages, keys and contexts as one by one). Returns how many."""
    by_id = {event.pk: (event, sorted(fields)) for event, fields in changes if fields}
    if not by_id:
        return 0
    assignments = list(
        SpeakerAssignment.objects.filter(event_id__in=by_id, status__in=ACTIVE_STATUSES)
        .select_related("speaker")
        .order_by("pk")
    )
    # the sequence in the key: each later change is news again
    keys = {
        assignment.pk: f"event_changed:speaker:{assignment.pk}:{by_id[assignment.event_id][0].sequence}"
        for assignment in assignments
    }
    earlier = supersede_waiting_of_events(
        kind="event_changed",
        event_ids=list(by_id),
        about_model=SpeakerAssignment,
        about_ids=list(keys),
        keep_keys=set(keys.values()),
    )
    specs = []
    for assignment in assignments:
        event, fields = by_id[assignment.event_id]
        named = list(fields)
        for before in earlier.get(assignment.pk, []):
            named = sorted({*named, *before.get("changed_fields", [])})
        specs.append(
            MessageSpec(
                kind="event_changed",
                recipient_email=assignment.speaker.email.strip(),
                recipient_name=assignment.speaker.name or "",
                about=assignment,
                event=event,
                dedup_key=keys[assignment.pk],
                context={"changed_fields": named, "role": assignment.get_role_display()},
            )
        )
    queue_messages(specs)
    return len(assignments)


def tell_speakers_event_cancelled(*, event: Event, reason: str = "") -> int:
    return _tell_active_speakers(event=event, kind="event_cancelled", dedup_suffix="", context={"reason": reason})


def tell_speakers_events_cancelled(*, events: list[Event], reason: str = "") -> int:
    """tell_speakers_event_cancelled for many events at once (the sessions a series drops): their
    invited and accepted speakers read in one query, the messages written together (the same
    messages, keys and contexts). Returns how many."""
    by_id = {event.pk: event for event in events}
    assignments = list(
        SpeakerAssignment.objects.filter(event_id__in=by_id, status__in=ACTIVE_STATUSES)
        .select_related("speaker")
        .order_by("pk")
    )
    queue_messages(
        [
            MessageSpec(
                kind="event_cancelled",
                recipient_email=assignment.speaker.email.strip(),
                recipient_name=assignment.speaker.name or "",
                about=assignment,
                event=by_id[assignment.event_id],
                dedup_key=f"event_cancelled:speaker:{assignment.pk}",
                context={"reason": reason, "role": assignment.get_role_display()},
            )
            for assignment in assignments
        ]
    )
    return len(assignments)


# --- unavailability -------------------------------------------------------------------


@transaction.atomic
def declare_unavailability(*, speaker: Speaker, start, end, reason: str = "") -> SpeakerUnavailability:
    period = SpeakerUnavailability(speaker=speaker, start=start, end=end, reason=reason)
    if end <= start:
        raise SpeakerError(_("The period must end after it starts."), "end_before_start")
    period.save()
    return period


@transaction.atomic
def update_unavailability(*, period: SpeakerUnavailability, **changes) -> SpeakerUnavailability:
    for name, value in changes.items():
        setattr(period, name, value)
    if period.end <= period.start:
        raise SpeakerError(_("The period must end after it starts."), "end_before_start")
    period.save()
    return period


def remove_unavailability(*, period: SpeakerUnavailability) -> None:
    period.delete()


def mark_answers_seen(*, event: Event, by, now: dt.datetime | None = None) -> int:
    """The organisers have read the speakers' answers to ``event``'s invitations (the workspace
    stops showing them as new). Returns how many were new."""
    if not can_manage_event(by, event):
        raise Forbidden(_("You do not organise this event."), "not_event_organiser")
    return unread_answers(event=event).update(answer_seen_at=now or timezone.now())
