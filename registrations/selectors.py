"""Reads of registrations used by more than one caller (API, pages, feeds, other apps).

Who may see and change what (one pair per model, used by the API, pages, CSV exports and the
admin): registrations, questions and invitations belong to their event's organisers (a
registration also to its signed-in owner, questions of public events to everyone); check-ins
to the event's door (organisers and check-in staff).
"""

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Greatest
from django.utils.translation import gettext

from events.models import Event
from events.selectors import events_checked_in_by, events_managed_by, events_visible_to, subjects_of
from events_project.people import person_name
from events_project.search_folding import fold
from registrations.models import (
    ACTIVE_STATUSES,
    Answer,
    CheckIn,
    Invitation,
    Question,
    Registration,
    RegistrationStatus,
    Sector,
)


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _managed_event_ids(user) -> QuerySet:
    return events_managed_by(user).order_by().values("pk")


def registrations_visible_to(user) -> QuerySet[Registration]:
    """One's own registrations (by account) and those of the events one organises."""
    if not _signed_in(user):
        return Registration.objects.none()
    return _with_event(Registration.objects.filter(Q(user_id=user.pk) | Q(event__in=_managed_event_ids(user))))


def registrations_managed_by(user) -> QuerySet[Registration]:
    """Registrations of the events the user organises (all for superusers)."""
    return _with_event(Registration.objects.filter(event__in=_managed_event_ids(user)))


def questions_visible_to(user) -> QuerySet[Question]:
    """Questions of the events the user may see (public events' questions are on their form)."""
    return Question.objects.filter(event__in=events_visible_to(user).order_by().values("pk"))


def questions_managed_by(user) -> QuerySet[Question]:
    return Question.objects.filter(event__in=_managed_event_ids(user))


def invitations_visible_to(user) -> QuerySet[Invitation]:
    """Invitations (and their codes) are the organisers' alone."""
    return invitations_managed_by(user)


def invitations_managed_by(user) -> QuerySet[Invitation]:
    return Invitation.objects.filter(event__in=_managed_event_ids(user)).select_related("event")


def open_invitation(*, event: Event, code: str) -> Invitation | None:
    """The invitation ``code`` stands for at ``event`` while it may still be used (not used,
    not revoked): the registration form fills in the name and address it was sent to."""
    code = (code or "").strip()
    if not code:
        return None
    return Invitation.objects.filter(event=event, code=code, used_at__isnull=True, revoked_at__isnull=True).first()


def _door_event_ids(user) -> QuerySet:
    return events_checked_in_by(user).order_by().values("pk")


def checkins_visible_to(user) -> QuerySet[CheckIn]:
    """Check-ins of the events whose door the user works (organisers and check-in staff)."""
    return checkins_managed_by(user)


def checkins_managed_by(user) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(event__in=_door_event_ids(user)).select_related(
        "registration", "event", "by", "undone_by"
    )


def registrations_at_doors_of(user) -> QuerySet[Registration]:
    """Registrations as the door sees them (its name search, the offline list): those of the
    events whose door the user works, by the rule of ``checkins_visible_to``. Check-in staff
    read what the door shows: names, party, status, and a search's matches with their email
    address (two people of one name told apart); nothing else of ``registrations_visible_to``
    (answers, organisation, lists of addresses: the offline list carries no email)."""
    return Registration.objects.filter(event__in=_door_event_ids(user))


def with_seats_open(events: QuerySet[Event]) -> QuerySet[Event]:
    """Annotate ``seats_open``: the seats a person registering now would get. ``None`` when the
    event has no limit; 0 while anyone waits, however many seats are free (strict order: an online
    registration takes a seat only behind the waiting list, ``services.seats.take_seats``); else
    the seats left.

    The one definition the event pages, the event cards and the API show. One subquery per page.
    """
    waiting = Registration.objects.filter(event=OuterRef("pk"), status=RegistrationStatus.WAITLISTED)
    return events.annotate(
        seats_open=Case(
            When(capacity__isnull=True, then=Value(None)),
            When(Exists(waiting), then=Value(0)),
            default=Greatest(F("capacity") - F("seats_taken"), Value(0)),
            output_field=IntegerField(),
        )
    )


def seats_open_to_newcomer(event: Event) -> int | None:
    """``seats_open`` (see ``with_seats_open``) of one event: from the annotation when the event
    came through ``with_seats_open``, else read now."""
    if hasattr(event, "seats_open"):
        return event.seats_open
    return with_seats_open(Event.objects.filter(pk=event.pk)).values_list("seats_open", flat=True).get()


def _with_event(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("event", "event__region")


def registrations_of_user(user) -> QuerySet[Registration]:
    """A logged-in person's own registrations (by account, not by a claimed email address)."""
    if not user or not user.is_authenticated:
        return Registration.objects.none()
    return _with_event(Registration.objects.filter(user=user)).order_by("-event__start", "-id")


def registrations_for_email(email: str) -> QuerySet[Registration]:
    return _with_event(Registration.objects.filter(email=(email or "").strip().lower())).order_by("event__start", "id")


def registered_again(registration: Registration) -> Registration | None:
    """The place its holder (the same address) holds at the event now, when this registration of
    theirs is cancelled or turned down: its page offered "Register again" to someone registered
    again already. None for an active registration or when there is no such place. The page says
    so and never links to it: the two may have different holders (anyone may register with any
    address), so only the address's inbox gets the new one's private link."""
    if registration.is_active or not registration.email:
        return None
    same_holder = Registration.objects.filter(event_id=registration.event_id, email=registration.email)
    return same_holder.filter(status__in=ACTIVE_STATUSES).exclude(pk=registration.pk).first()


def registration_by_manage_token(token: str) -> Registration | None:
    return (
        _with_event(Registration.objects.all())
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("question")))
        .filter(manage_token=token)
        .first()
    )


def registrations_for_event(event: Event, *, of: QuerySet[Registration] | None = None) -> QuerySet[Registration]:
    """What an organiser sees: every registration of the event with its answers, one query each
    (``of``: the registrations the caller may see, from ``registrations_managed_by``)."""
    return (
        (Registration.objects.all() if of is None else of)
        .filter(event=event)
        .select_related("event", "invitation", "substitute_for")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("question")))
        .order_by("created_at", "id")
    )


def message_audience(registrations: QuerySet[Registration], *, status: str = "") -> QuerySet[Registration]:
    """Whom "everyone listed" writes to: the listed registrations, without those who hold no
    place any more (cancelled, turned down), unless the organiser listed that status on purpose."""
    return registrations if status else registrations.filter(status__in=ACTIVE_STATUSES)


def search_registrations(
    event: Event,
    *,
    text: str = "",
    status: str = "",
    sector: str = "",
    organisation: str = "",
    checked_in: bool | None = None,
    attendance: str = "",
) -> QuerySet[Registration]:
    """The workspace's list of an event's registrations, narrowed by what the organiser chose.

    ``text`` looks in name (folded as the door's search folds it, ``events_project.search_folding``:
    "gunel" finds "Günel"), email and organisation; each registration carries ``checked_in``
    (a live check-in exists). Waiting people come in the order they are served.
    """
    live = CheckIn.objects.filter(registration=OuterRef("pk"), undone_at__isnull=True)
    registrations = (
        Registration.objects.filter(event=event)
        .select_related("invitation", "substitute_for")
        .annotate(checked_in=Exists(live))
    )
    text = (text or "").strip()
    if text:
        registrations = registrations.filter(
            Q(name__icontains=text)
            | Q(search_name__contains=fold(text))
            | Q(email__icontains=text)
            | Q(organisation__icontains=text)
        )
    if status:
        registrations = registrations.filter(status=status)
    if sector:
        registrations = registrations.filter(sector=sector)
    if organisation:
        registrations = registrations.filter(organisation__icontains=organisation.strip())
    if checked_in is not None:
        registrations = registrations.filter(checked_in=checked_in)
    if attendance:
        registrations = registrations.filter(attendance=attendance)
    return registrations.order_by("created_at", "id")


def registration_figures(event: Event) -> dict[str, dict[str, int]]:
    """Per status, how many registrations and how many people (parties counted whole), plus
    who is checked in: the counts at the top of the workspace's list. Two queries."""
    figures = {status: {"registrations": 0, "people": 0} for status in RegistrationStatus.values}
    rows = Registration.objects.filter(event=event).values("status").annotate(n=Count("id"), people=Sum("party_size"))
    for row in rows.order_by():
        figures[row["status"]] = {"registrations": row["n"], "people": row["people"] or 0}
    checked = Registration.objects.filter(
        event=event, checkins__undone_at__isnull=True, checkins__isnull=False
    ).aggregate(n=Count("id", distinct=True), people=Sum("party_size"))
    figures["checked_in"] = {"registrations": checked["n"] or 0, "people": checked["people"] or 0}
    return figures


def people_counts(event: Event) -> dict[str, int]:
    """People registered (confirmed), seats offered to people from the waiting list (held for them
    until they answer) and people on the waiting list for ``event``: a registration brings its
    whole party, so registered and offered add up with the seats taken. One query."""
    totals = Registration.objects.filter(event=event).aggregate(
        registered=Sum("party_size", filter=Q(status=RegistrationStatus.CONFIRMED)),
        offered=Sum("party_size", filter=Q(status=RegistrationStatus.OFFERED)),
        waiting=Sum("party_size", filter=Q(status=RegistrationStatus.WAITLISTED)),
    )
    return {key: value or 0 for key, value in totals.items()}


def status_counts(event: Event) -> dict[str, int]:
    counts = {status: 0 for status in RegistrationStatus.values}
    rows = Registration.objects.filter(event=event).values("status").annotate(n=Count("id"))
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


def sector_balance(event: Event) -> list[dict]:
    """Invitations and registrations by sector, for organisers balancing a roundtable.

    Two grouped queries, whatever the number of invitees.
    """
    labels = [("", gettext("Not given")), *Sector.choices]  # in the request's language, as the sectors' own
    sectors = {value: {"sector": value, "label": str(label)} for value, label in labels}
    for row in sectors.values():
        row.update(invited=0, invitations_used=0, **{status: 0 for status in ACTIVE_STATUSES})
    invited = (
        Invitation.objects.filter(event=event, revoked_at__isnull=True)
        .values("sector")
        .annotate(invited=Count("id"), used=Count("id", filter=Q(used_at__isnull=False)))
    )
    for row in invited:
        sectors[row["sector"]]["invited"] = row["invited"]
        sectors[row["sector"]]["invitations_used"] = row["used"]
    registered = (
        Registration.objects.filter(event=event, status__in=ACTIVE_STATUSES)
        .values("sector", "status")
        .annotate(n=Count("id"))
    )
    for row in registered:
        key = {"offered": "waitlisted"}.get(row["status"], row["status"])
        sectors[row["sector"]][key] += row["n"]
    return [
        row
        for row in sectors.values()
        if row["sector"] or any(row[k] for k in ("invited", "confirmed", "pending", "waitlisted"))
    ]


def name_registration_subjects(entries) -> dict[tuple[str, int], str]:
    """What an event's organisers call the registrations, questions and invitations an event's
    action log ``entries`` are about: the registrant's name, the question's label, the invitee's
    name (or address). Read from the records now (the log stores no name), so an erased registrant
    shows as erased; only the entries' own events' records. One query per kind present."""
    wanted = subjects_of(entries)
    events = {entry.event_id for entry in entries}
    labels: dict[tuple[str, int], str] = {}
    if "registration" in wanted:
        registrations = Registration.objects.filter(pk__in=wanted["registration"], event_id__in=events)
        labels.update((("registration", pk), person_name(name)) for pk, name in registrations.values_list("pk", "name"))
    if "question" in wanted:
        questions = Question.objects.filter(pk__in=wanted["question"], event_id__in=events)
        labels.update((("question", pk), label) for pk, label in questions.values_list("pk", "label"))
    if "invitation" in wanted:
        invitations = Invitation.objects.filter(pk__in=wanted["invitation"], event_id__in=events)
        for pk, name, email in invitations.values_list("pk", "name", "email"):
            labels["invitation", pk] = name or email
    return labels
