"""Reads of registrations used by more than one caller (API, pages, feeds, other apps)."""

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Greatest

from events.models import Event
from registrations.models import ACTIVE_STATUSES, Answer, Invitation, Registration, RegistrationStatus, Sector


def someone_waiting(event: Event) -> bool:
    """Whether anyone is on the event's waiting list: then a newcomer joins it too, behind them
    (strict order, ``registrations.services.registration.register``), whatever seats are free."""
    return Registration.objects.filter(event=event, status=RegistrationStatus.WAITLISTED).exists()


def with_seats_open(events: QuerySet[Event]) -> QuerySet[Event]:
    """Annotate ``seats_open``: the seats a person registering now would get. ``None`` when the
    event has no limit; 0 while anyone waits (see ``someone_waiting``); else the seats left.

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


def registration_by_manage_token(token: str) -> Registration | None:
    return (
        _with_event(Registration.objects.all())
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("question")))
        .filter(manage_token=token)
        .first()
    )


def registrations_for_event(event: Event) -> QuerySet[Registration]:
    """What an organiser sees: every registration of the event with its answers, one query each."""
    return (
        Registration.objects.filter(event=event)
        .select_related("event", "invitation", "substitute_for")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("question")))
        .order_by("created_at", "id")
    )


def people_counts(event: Event) -> dict[str, int]:
    """People registered (confirmed) and on the waiting list for ``event``: a registration
    brings its whole party, so these add up with the seats. One query."""
    totals = Registration.objects.filter(event=event).aggregate(
        registered=Sum("party_size", filter=Q(status=RegistrationStatus.CONFIRMED)),
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
    sectors = {value: {"sector": value, "label": str(label)} for value, label in [("", "Not given"), *Sector.choices]}
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
