"""People's own data (GDPR): a copy of it to download, and erasure that keeps the statistics.

What counts as a person's data here: their account, their registrations (with answers,
check-ins and consents), their private calendar feeds and their programme enrolments (feeds and
programmes sit above registrations: they declare theirs in `events_project.privacy`).

Erasure anonymises rather than deletes: a registration keeps its event, status, party size,
sector, attendance, check-ins and dates, so that the programme's figures (how many came, from
which sector, the no-show rate) stay right; the name, email address, names of the party,
organisation, free-text answers and the account link go. Upcoming registrations are cancelled
first, so their seats go to the waiting list. Management links and ticket codes stop working.

Registrations are matched by account only, never by an email address someone types: anyone
can type someone else's address.
"""

import logging

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework.authtoken.models import Token

from events import when
from events.models import Event, EventStatus
from events.selectors import events_only_organised_by, organised_event_ids
from events_project.exceptions import Conflict, NotFound
from events_project.people import ERASED_DOMAIN, ERASED_NAME, erased_username
from events_project.privacy import personal_data_kinds
from notifications import kinds
from notifications.models import OutboxMessage, OutboxStatus
from registrations.models import (
    ACTIVE_STATUSES,
    Answer,
    CheckIn,
    Question,
    Registration,
    new_manage_token,
    new_ticket_secret,
)
from registrations.services.registration import cancel_registration

logger = logging.getLogger(__name__)


def _iso(value, zone=None):
    # the site's zone (an event's own for its times) with the offset, as the API writes times
    return when.iso(value, zone) if value else None


def _registration_data(registration: Registration) -> dict:
    event = registration.event
    return {
        "event": {"id": event.pk, "title": event.title, "start": _iso(event.start, event.zone), "status": event.status},
        "name": registration.name,
        "email": registration.email,
        "status": registration.status,
        "source": registration.source,
        "party_size": registration.party_size,
        "party_names": registration.party_names,
        "sector": registration.sector,
        "organisation": registration.organisation,
        "consent_data_processing": registration.consent_data_processing,
        "consent_recording": registration.consent_recording,
        "consented_at": _iso(registration.consented_at),
        "answers": [
            {"question": answer.question.label, "answer": answer.value} for answer in registration.answers.all()
        ],
        "attendance": registration.attendance,
        "minutes_attended": registration.minutes_attended,
        "check_ins": [
            {"at": _iso(checkin.checked_in_at), "source": checkin.source, "undone_at": _iso(checkin.undone_at)}
            for checkin in registration.checkins.all()
        ],
        "created_at": _iso(registration.created_at),
        "confirmed_at": _iso(registration.confirmed_at),
        "cancelled_at": _iso(registration.cancelled_at),
    }


def _registrations(queryset):
    return queryset.select_related("event").prefetch_related(
        Prefetch("answers", queryset=Answer.objects.select_related("question")),
        Prefetch("checkins", queryset=CheckIn.objects.order_by("checked_in_at")),
    )


def export_personal_data(*, user) -> dict:
    """Everything the service holds about ``user``, as plain JSON-ready data."""
    registrations = _registrations(Registration.objects.filter(user=user).order_by("created_at", "pk"))
    return {
        "exported_at": _iso(timezone.now()),
        "account": {
            "username": user.username,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "registrations": [_registration_data(registration) for registration in registrations],
        # calendar feeds, enrolments: what the apps above registrations keep (events_project.privacy)
        **{kind.name: kind.export(user=user) for kind in personal_data_kinds()},
    }


def export_registration_data(*, registration: Registration) -> dict:
    """One registration's data, for a guest who holds its management link."""
    registration = _registrations(Registration.objects.filter(pk=registration.pk)).get()
    return {"exported_at": _iso(timezone.now()), "registrations": [_registration_data(registration)]}


def _anonymise_registrations(registrations: list[Registration], now) -> int:
    """Cancel what is still to come, then strip each registration down to its statistics."""
    for registration in registrations:
        if registration.status in ACTIVE_STATUSES and registration.event.end > now:
            cancel_registration(registration=registration)
    pks = [registration.pk for registration in registrations]
    # free text may name people; choices, yes/no and numbers are the statistics
    Answer.objects.filter(registration_id__in=pks, question__kind=Question.Kind.TEXT).delete()
    for registration in registrations:
        Registration.objects.filter(pk=registration.pk).update(
            name=ERASED_NAME,
            email=f"erased-{registration.pk}@{ERASED_DOMAIN}",
            user=None,
            party_names=[],
            organisation="",
            manage_token=new_manage_token(),
            ticket_secret=new_ticket_secret(),
            updated_at=now,
        )
    return len(pks)


def _forget_messages(emails: set[str]) -> None:
    """Strip the outbox copies of messages already sent to these addresses (an account's own)."""
    emails = {email for email in emails if email}
    if emails:
        _forget(OutboxMessage.objects.filter(recipient_email__in=emails))


def _forget_messages_of_registration(registration_id: int, *, email: str, last_of_address: bool) -> None:
    """Strip the outbox copies of the messages about one registration, and, when no registration of
    its address is left, of the ticket-link messages to that address (they list only its
    registrations). A management link proves nothing about the address (anyone may register with
    any), so nothing else sent to it is touched: forgetting every message to the address let anyone
    blank the speaker invitations, team links and alerts other organisers had sent there."""
    messages = Q(about_type=ContentType.objects.get_for_model(Registration), about_id=registration_id)
    if last_of_address and email:
        messages |= Q(kind=kinds.TICKET_LINKS, recipient_email=email)
    _forget(OutboxMessage.objects.filter(messages))


def _forget(messages) -> None:
    """Pending ones (a cancellation just queued) are left to be sent; the sweep keeps no body
    longer than the outbox's own retention."""
    messages.exclude(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]).update(
        recipient_email=f"erased@{ERASED_DOMAIN}",
        recipient_name="",
        body_text="",
        body_html="",
        attachments=[],
        context={},
    )


def _lock_organised_events(user) -> None:
    """Lock the events still to come that ``user`` organises, as removing an organiser from a
    team does (``teams.services.remove_from_team``): two co-organisers closing their accounts at
    once each saw the other still there, and both went."""
    events = Event.objects.select_for_update().filter(
        pk__in=organised_event_ids(user), status__in=[EventStatus.DRAFT, EventStatus.PUBLISHED], end__gt=timezone.now()
    )
    list(events.order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def erase_personal_data(*, user) -> dict:
    """Erase ``user``: anonymise registrations and enrolments, drop feeds, close the account.

    Side effects: registration_cancelled for upcoming registrations (their seats are freed and
    the waiting list moves up). Returns how many of each thing were erased.

    Refused (409 ``sole_organiser``) while the user alone organises an event still to come:
    nobody else could run it, and its registrants would wait for a door nobody may open.
    """
    _lock_organised_events(user)
    orphaned = events_only_organised_by(user).count()
    if orphaned:
        raise Conflict(
            ngettext(
                "You alone organise %(count)d event still to come: add another organiser on its Team tab,"
                " or cancel it, before closing your account.",
                "You alone organise %(count)d events still to come: add another organiser on their Team tabs,"
                " or cancel them, before closing your account.",
                orphaned,
            )
            % {"count": orphaned},
            "sole_organiser",
        )
    now = timezone.now()
    registrations = list(Registration.objects.filter(user=user).select_related("event"))
    emails = {user.email.lower()} | {registration.email for registration in registrations}
    erased_registrations = _anonymise_registrations(registrations, now)
    erased_elsewhere = {kind.name: kind.erase(user=user) for kind in personal_data_kinds()}
    _forget_messages(emails)
    Token.objects.filter(user=user).delete()
    get_user_model().objects.filter(pk=user.pk).update(
        username=erased_username(user.pk), email="", first_name="", last_name="", is_active=False, password="!"
    )
    logger.info("Erased the personal data of account %s", user.pk)
    return {"registrations": erased_registrations, **erased_elsewhere}


@transaction.atomic
def erase_registration_data(*, registration: Registration) -> dict:
    """Erase one registration (a guest, through its management link). Side effects as above.

    The registration is held and must still answer to the link it was found by: erasure gives
    it a new one, so of two erasures through one link at once (a double click, a retried
    request) the second finds nothing, as it does after the first (404), instead of erasing
    the erased row again and saying so."""
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event")
        .filter(pk=registration.pk, manage_token=registration.manage_token)
        .first()
    )
    if registration is None:
        raise NotFound(_("Not found."), "not_found")
    email = registration.email
    count = _anonymise_registrations([registration], timezone.now())
    last_of_address = not Registration.objects.filter(email=email).exists()
    _forget_messages_of_registration(registration.pk, email=email, last_of_address=last_of_address)
    return {"registrations": count, **{kind.name: 0 for kind in personal_data_kinds()}}
