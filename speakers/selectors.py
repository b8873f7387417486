"""Reads of speakers and assignments used by more than one caller (API, pages, feeds, other apps)."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from events.models import Event, EventStatus
from events.permissions import is_organiser
from events.selectors import subjects_of
from speakers.models import ACTIVE_STATUSES, AssignmentRole, AssignmentStatus, Speaker, SpeakerAssignment

# events a roster visitor may see a speaker at
PUBLIC_EVENT_STATUSES = (EventStatus.PUBLISHED, EventStatus.COMPLETED)


def speaker_for_user(user) -> Speaker | None:
    """The speaker profile linked to a signed-in user, if any."""
    if not user or not user.is_authenticated:
        return None
    return Speaker.objects.filter(user_id=user.pk).first()


def accepted_assignments_for_events(event_ids: Iterable[int]) -> dict[int, list[SpeakerAssignment]]:
    """Accepted speakers of each event in speaking order, with the speaker loaded: one query.

    Only accepted speakers are ever shown publicly (event page, feeds). Events without
    speakers map to an empty list.
    """
    event_ids = list(event_ids)
    result: dict[int, list[SpeakerAssignment]] = {event_id: [] for event_id in event_ids}
    if not event_ids:
        return result
    assignments = (
        SpeakerAssignment.objects.filter(event_id__in=event_ids, status=AssignmentStatus.ACCEPTED)
        .select_related("speaker")
        .order_by("event_id", "order", "id")
    )
    for assignment in assignments:
        result[assignment.event_id].append(assignment)
    return result


@dataclass(frozen=True)
class SpeakerLine:
    """One accepted speaker as a calendar names them; ``str()`` is "Name, title (role)" with the
    role's name in the active language (one lookup serves readers of every language)."""

    name: str
    title: str
    role: str

    def __str__(self) -> str:
        try:
            role = str(AssignmentRole(self.role).label).lower()
        except ValueError:
            role = self.role
        return self.name + (f", {self.title}" if self.title else "") + f" ({role})"


def accepted_speaker_lines(event_ids: list[int]) -> dict[int, list[SpeakerLine]]:
    """The accepted speakers of each event in speaking order, as ``SpeakerLine``: one query."""
    return {
        event_id: [
            SpeakerLine(name=assignment.speaker.name, title=assignment.speaker.title, role=assignment.role)
            for assignment in assignments
        ]
        for event_id, assignments in accepted_assignments_for_events(event_ids).items()
    }


def speaker_lines(event_ids: list[int]) -> dict[int, list[str]]:
    """'Name, title (role)' of the accepted speakers of each event, in the active language: one query."""
    return {event_id: [str(line) for line in lines] for event_id, lines in accepted_speaker_lines(event_ids).items()}


def accepted_events_for_speaker(speaker: Speaker) -> QuerySet[Event]:
    """The events a speaker accepted and that are not drafts (for their private calendar feed).

    Cancelled events stay in, so that calendar clients see STATUS:CANCELLED.
    """
    accepted = SpeakerAssignment.objects.filter(speaker=speaker, status=AssignmentStatus.ACCEPTED).values("event_id")
    return (
        Event.objects.filter(pk__in=accepted)
        .exclude(status=EventStatus.DRAFT)
        .select_related("region")
        .prefetch_related("organisers")
        .order_by("start", "id")
    )


def roster(*, include_unlisted: bool = False, now=None) -> QuerySet[Speaker]:
    """Speakers with their regions and their upcoming public accepted events (prefetched)."""
    now = now or timezone.now()
    upcoming = (
        SpeakerAssignment.objects.filter(
            status=AssignmentStatus.ACCEPTED, event__status=EventStatus.PUBLISHED, event__end__gt=now
        )
        .select_related("event", "event__region")
        .order_by("event__start", "id")
    )
    speakers = Speaker.objects.all() if include_unlisted else Speaker.objects.filter(listed=True)
    return speakers.prefetch_related(
        "travel_regions", Prefetch("assignments", queryset=upcoming, to_attr="upcoming_assignments")
    ).order_by("name", "id")


def speakers_with_public_photo() -> QuerySet[Speaker]:
    """The speakers whose uploaded photo anyone may load (``/speakers/{id}/photo/``): the listed
    roster, and the accepted speakers of an event that was published, whose page shows them by
    name and face, listed or not. A draft's speakers are the organisers' plans."""
    shown_at_events = SpeakerAssignment.objects.filter(
        status=AssignmentStatus.ACCEPTED, event__published_at__isnull=False
    ).exclude(event__status=EventStatus.DRAFT)
    return Speaker.objects.filter(Q(listed=True) | Q(pk__in=shown_at_events.values("speaker_id")))


def speakers_visible_to(user) -> QuerySet[Speaker]:
    """The listed roster for everyone; organisers see the unlisted speakers too."""
    return roster(include_unlisted=is_organiser(user))


def not_invited_to(speakers: QuerySet[Speaker], *, event: Event) -> QuerySet[Speaker]:
    """The speakers without an invitation to ``event`` that still holds (invited or accepted): whom
    its invite list offers. One who declined or whose invitation was withdrawn may be invited again."""
    holding = SpeakerAssignment.objects.filter(event=event, status__in=ACTIVE_STATUSES).values("speaker_id")
    return speakers.exclude(pk__in=holding)


def speakers_with_role(user, role: str) -> QuerySet[Speaker]:
    """The speakers ``user`` may see who have ``role`` (a slug of SpeakerRole). The roles are a
    JSON list stored as text: the quoted slug is matched, the same on SQLite and PostgreSQL (as the
    roster's filter does), so only those speakers are read, not the whole shared roster."""
    return speakers_visible_to(user).filter(roles__icontains=f'"{role}"')


def speakers_managed_by(user) -> QuerySet[Speaker]:
    """The speakers whose profile ``user`` may change: an organiser those invited to an event
    they organise (any status) and those engaged at no other organiser's event (anyone's to
    invite, a new one), the same speakers whose private fields they read
    (:func:`speaker_contacts_visible_to`); superusers all. The roster is shared for finding and
    inviting speakers (:func:`speakers_visible_to`), not for rewriting the profile another
    organiser's webinar shows. A speaker changes their own (``speakers.services``); linking an
    account is a superuser's, or the speaker's own by an emailed link."""
    if not is_organiser(user):
        return Speaker.objects.none()
    return speaker_contacts_visible_to(user)


def speaker_contacts_visible_to(user) -> QuerySet[Speaker]:
    """The speakers whose private fields (``PRIVATE_SPEAKER_FIELDS``: address, phone, the
    organisers' notes) ``user`` may read. The roster is shared, these are not: an organiser reads
    them of the speakers invited to an event they organise (any status) and of those engaged at no
    other organiser's event (anyone's to invite: a new one, one of their own); a speaker engaged
    only elsewhere keeps them from everyone but those organisers. Superusers read all; a speaker
    their own. ``speakers.services`` asks the same before such a field is changed."""
    if not (user and user.is_authenticated and user.is_active):
        return Speaker.objects.none()
    if user.is_superuser:
        return Speaker.objects.all()
    own = Q(user_id=user.pk)
    if not is_organiser(user):
        return Speaker.objects.filter(own)
    organised = Event.organisers.through.objects.filter(user_id=user.pk).values("event_id")
    invited = SpeakerAssignment.objects.filter(event_id__in=organised).values("speaker_id")
    elsewhere = SpeakerAssignment.objects.exclude(event_id__in=organised).values("speaker_id")
    return Speaker.objects.filter(own | Q(pk__in=invited) | ~Q(pk__in=elsewhere))


def assignments_visible_to(user) -> QuerySet[SpeakerAssignment]:
    """Assignments of the events one organises, and one's own (the linked speaker's)."""
    speaker = speaker_for_user(user)
    if speaker is None:
        return assignments_managed_by(user)
    return assignments_managed_by(user) | SpeakerAssignment.objects.filter(speaker=speaker)


def assignments_managed_by(user) -> QuerySet[SpeakerAssignment]:
    """Assignments of the events the user organises (all of them for superusers)."""
    assignments = SpeakerAssignment.objects.all()
    if not (user and user.is_authenticated):
        return assignments.none()
    if not user.is_superuser:
        organised = Event.organisers.through.objects.filter(user_id=user.pk).values("event_id")
        assignments = assignments.filter(event_id__in=organised)
    return assignments.select_related(
        "event", "event__region", "speaker", "conflict_overridden_by", "invited_by"
    ).prefetch_related("event__organisers")


# a speaker who declined or whom the organisers withdrew: a draft is no longer theirs to follow
NO_LONGER_ENGAGED = (AssignmentStatus.DECLINED, AssignmentStatus.WITHDRAWN)
# the assignment's event was never published (``Event.is_public`` false): a draft, or a draft
# that was cancelled, whose current details are the organisers' unpublished plans
NEVER_PUBLISHED = Q(event__status=EventStatus.DRAFT) | Q(event__published_at__isnull=True)


def follows_event(assignment: SpeakerAssignment) -> bool:
    """Whether the speaker may see the assignment's event as it is now: the rule of
    :func:`schedule_of` for one assignment, for the signed invitation link (page and API),
    which finds its assignment by the token instead. Once the speaker declined or was
    withdrawn, a draft's current details (title, time, place) are the organisers' unpublished
    plans, also once it was cancelled without ever being published; the link still shows the
    speaker's own answer."""
    return not (assignment.status in NO_LONGER_ENGAGED and not assignment.event.is_public)


def schedule_of(speaker: Speaker) -> QuerySet[SpeakerAssignment]:
    """All assignments of a speaker (every status), with the event loaded: the speaker area,
    ``/api/me/speaker/schedule/`` and the answers given from them.

    Events still in draft are included while the speaker is engaged (invited or accepted):
    organisers line up speakers before publishing, and the speaker must see what they are
    invited to in order to answer. Once the speaker declined or was withdrawn, a draft is no
    longer theirs to follow: its current details are the organisers' unpublished plans, so the
    engagement drops out until the event is published (for good, if it is cancelled unpublished).
    """
    return (
        SpeakerAssignment.objects.filter(speaker=speaker)
        .exclude(Q(status__in=NO_LONGER_ENGAGED) & NEVER_PUBLISHED)
        .select_related("event", "event__region")
        .order_by("event__start", "id")
    )


def unanswered_assignments(*, now=None) -> QuerySet[SpeakerAssignment]:
    """Invitations still waiting for an answer, of events that have not started and are not cancelled."""
    now = now or timezone.now()
    return (
        SpeakerAssignment.objects.filter(status=AssignmentStatus.INVITED, event__start__gt=now)
        .exclude(event__status__in=[EventStatus.CANCELLED, EventStatus.COMPLETED])
        .select_related("event", "speaker")
    )


def unread_answers(*, event) -> QuerySet[SpeakerAssignment]:
    """Answers of speakers to ``event``'s invitations the organisers have not read in the workspace."""
    return (
        SpeakerAssignment.objects.filter(event=event, responded_at__isnull=False)
        .filter(Q(answer_seen_at__isnull=True) | Q(answer_seen_at__lt=F("responded_at")))
        .select_related("speaker")
    )


def name_assignment_subjects(entries) -> dict[tuple[str, int], str]:
    """The speaker's name for each speaker assignment an event's action log ``entries`` are about
    (only the entries' own events' assignments). One query."""
    wanted = subjects_of(entries).get("speakerassignment")
    if not wanted:
        return {}
    events = {entry.event_id for entry in entries}
    assignments = SpeakerAssignment.objects.filter(pk__in=wanted, event_id__in=events)
    return {("speakerassignment", pk): name for pk, name in assignments.values_list("pk", "speaker__name")}
