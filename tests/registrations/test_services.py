import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from events import services as event_services
from events.models import Event
from notifications.models import OutboxMessage
from registrations.exceptions import DomainError
from registrations.models import Invitation, Registration, RegistrationStatus
from registrations.services import registration as services
from tests import factories
from tests.registrations.conftest import messages_to, sign_up

pytestmark = pytest.mark.django_db

Status = RegistrationStatus


def seats_taken(event) -> int:
    return Event.objects.values_list("seats_taken", flat=True).get(pk=event.pk)


def statuses(*registrations) -> list[str]:
    return [Registration.objects.get(pk=r.pk).status for r in registrations]


# --- open registration and capacity ----------------------------------------------------------


def test_register_open_event_confirms_and_takes_a_seat(event):
    registration = sign_up(event, email="  Aysel@Example.ORG ")

    assert registration.status == Status.CONFIRMED
    assert registration.email == "aysel@example.org"
    assert registration.seats_held == 1
    assert registration.consent_data_processing is True
    assert registration.consented_at is not None
    assert seats_taken(event) == 1
    assert messages_to("aysel@example.org") == ["registration_confirmed"]


def test_register_when_full_joins_waiting_list_with_position(event):
    for _ in range(3):
        sign_up(event)

    first = sign_up(event)
    second = sign_up(event, party_size=2)

    assert (first.status, second.status) == (Status.WAITLISTED, Status.WAITLISTED)
    assert (services.waiting_position(first), services.waiting_position(second)) == (1, 2)
    assert first.seats_held == 0
    assert seats_taken(event) == 3
    assert messages_to(second.email) == ["waiting_list_joined"]


def test_register_when_full_without_waiting_list_is_refused(organiser):
    event = factories.EventFactory(organisers=[organiser], capacity=1, waiting_list_enabled=False)
    sign_up(event)

    with pytest.raises(DomainError) as error:
        sign_up(event)

    assert error.value.code == "event_full"


def test_register_unlimited_capacity_counts_seats():
    event = factories.EventFactory(capacity=None)

    for _ in range(5):
        assert sign_up(event).status == Status.CONFIRMED

    assert seats_taken(event) == 5


def test_register_twice_returns_the_existing_registration(event):
    first = sign_up(event, email="leyla@example.org")

    again = services.register_once(
        event=event, name="Leyla again", email="LEYLA@example.org", consent_data_processing=True
    )

    assert again.registration.pk == first.pk
    assert again.already is True
    assert Registration.objects.filter(event=event).count() == 1
    assert seats_taken(event) == 1


def test_register_after_cancelling_creates_a_new_registration(event):
    first = sign_up(event, email="leyla@example.org")
    services.cancel_registration(registration=first)

    again = sign_up(event, email="leyla@example.org")

    assert again.pk != first.pk
    assert again.status == Status.CONFIRMED


def test_database_refuses_a_second_active_registration(event):
    sign_up(event, email="nigar@example.org")

    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(event=event, name="Nigar", email="nigar@example.org", status=Status.PENDING)


def test_logged_in_user_registers_with_account(event):
    user = factories.UserFactory(email="Gunel@Example.org", first_name="Gunel", last_name="Guliyeva")

    registration = services.register(event=event, name="", email="", user=user, consent_data_processing=True)

    assert (registration.user, registration.email, registration.name) == (user, "gunel@example.org", "Gunel Guliyeva")


# --- group registration -------------------------------------------------------------------


def test_group_registration_counts_the_whole_party(event):
    parent = sign_up(event, party_size=3, party_names=["Ali", "Aysu"])

    assert parent.seats_held == 3
    assert parent.party_names == ["Ali", "Aysu"]
    assert seats_taken(event) == 3
    assert sign_up(event).status == Status.WAITLISTED


def test_group_larger_than_seats_left_waits(event):
    sign_up(event, party_size=2)

    family = sign_up(event, party_size=2)

    assert family.status == Status.WAITLISTED
    assert seats_taken(event) == 2


@pytest.mark.parametrize(
    ("party_size", "party_names", "code"),
    [(4, [], "party_too_large"), (2, ["A", "B"], "too_many_party_names"), (0, [], "invalid_party_size")],
)
def test_group_registration_bad_party_is_refused(event, party_size, party_names, code):
    with pytest.raises(DomainError) as error:
        sign_up(event, party_size=party_size, party_names=party_names)

    assert error.value.code == code


# --- waiting list -------------------------------------------------------------------------


def test_cancellation_promotes_the_first_person_waiting(event):
    confirmed = [sign_up(event) for _ in range(3)]
    first, second = sign_up(event), sign_up(event)

    services.cancel_registration(registration=confirmed[0])

    assert statuses(first, second) == [Status.CONFIRMED, Status.WAITLISTED]
    assert Registration.objects.get(pk=first.pk).seats_held == 1
    assert seats_taken(event) == 3
    assert messages_to(first.email) == ["waiting_list_joined", "waiting_list_promoted"]
    assert services.waiting_position(Registration.objects.get(pk=second.pk)) == 1


def test_promotion_chain_moves_everyone_up_in_order(event):
    confirmed = [sign_up(event) for _ in range(3)]
    waiting = [sign_up(event) for _ in range(4)]

    for registration in confirmed:
        services.cancel_registration(registration=registration)
    services.cancel_registration(registration=waiting[0])

    assert statuses(*waiting) == [Status.CANCELLED, Status.CONFIRMED, Status.CONFIRMED, Status.CONFIRMED]
    assert seats_taken(event) == 3


def test_promotion_is_strictly_in_order_a_family_is_not_overtaken(event):
    singles = [sign_up(event) for _ in range(3)]
    family = sign_up(event, party_size=3)
    later_single = sign_up(event)

    services.cancel_registration(registration=singles[0])

    # one seat free: the family of three first in line does not fit, and nobody skips ahead
    assert statuses(family, later_single) == [Status.WAITLISTED, Status.WAITLISTED]
    assert seats_taken(event) == 2
    # and a newcomer does not take the seat either
    assert sign_up(event).status == Status.WAITLISTED

    services.cancel_registration(registration=singles[1])
    services.cancel_registration(registration=singles[2])

    assert statuses(family, later_single) == [Status.CONFIRMED, Status.WAITLISTED]
    assert seats_taken(event) == 3


def test_raising_capacity_promotes_people_waiting(event, organiser):
    for _ in range(3):
        sign_up(event)
    first, second, third = sign_up(event), sign_up(event), sign_up(event)

    event_services.update_event(event=event, by=organiser, capacity=5)

    assert statuses(first, second, third) == [Status.CONFIRMED, Status.CONFIRMED, Status.WAITLISTED]
    assert seats_taken(event) == 5


def test_organiser_promotes_a_chosen_person_out_of_order(event, organiser):
    for _ in range(3):
        sign_up(event)
    first, chosen = sign_up(event), sign_up(event)
    event_services.update_event(event=event, by=organiser, capacity=3)

    with pytest.raises(DomainError) as error:
        services.promote_registration(registration=chosen, by=organiser)
    assert error.value.code == "event_full"

    Event.objects.filter(pk=event.pk).update(capacity=4)
    services.promote_registration(registration=chosen, by=organiser)

    assert statuses(first, chosen) == [Status.WAITLISTED, Status.CONFIRMED]
    assert seats_taken(event) == 4


# --- hold window --------------------------------------------------------------------------


@pytest.fixture
def held_event(organiser):
    return factories.EventFactory(organisers=[organiser], capacity=1, offer_hold_hours=24)


def test_freed_seat_is_offered_for_the_hold_window(held_event):
    holder = sign_up(held_event)
    waiting = sign_up(held_event)

    services.cancel_registration(registration=holder)

    offered = Registration.objects.get(pk=waiting.pk)
    assert offered.status == Status.OFFERED
    assert offered.seats_held == 1
    expected_expiry = timezone.now() + dt.timedelta(hours=24)
    assert abs(offered.offer_expires_at - expected_expiry) < dt.timedelta(minutes=1)
    assert seats_taken(held_event) == 1
    assert messages_to(waiting.email)[-1] == "seat_offered"
    # the message keeps the expiry in the event's zone with its offset, not the database's UTC
    context = OutboxMessage.objects.get(kind="seat_offered").context
    assert context["offer_expires_at"] == offered.offer_expires_at.astimezone(held_event.zone).isoformat()
    assert context["offer_expires_at"].endswith("+04:00")


def test_accepting_an_offer_confirms(held_event):
    holder, waiting = sign_up(held_event), sign_up(held_event)
    services.cancel_registration(registration=holder)

    accepted = services.accept_offer(registration=waiting)

    assert accepted.status == Status.CONFIRMED
    assert accepted.offer_expires_at is None
    assert messages_to(waiting.email)[-1] == "registration_confirmed"


def test_expired_offer_moves_on_to_the_next_person(held_event):
    holder, first, second = sign_up(held_event), sign_up(held_event), sign_up(held_event)
    services.cancel_registration(registration=holder)

    expired = services.expire_offers(now=timezone.now() + dt.timedelta(hours=25))

    assert expired == 1
    assert statuses(first, second) == [Status.CANCELLED, Status.OFFERED]
    assert seats_taken(held_event) == 1
    assert Registration.objects.filter(event=held_event, status=Status.OFFERED).count() == 1


def test_expire_offers_twice_expires_once(held_event):
    holder, first, second = sign_up(held_event), sign_up(held_event), sign_up(held_event)
    services.cancel_registration(registration=holder)
    Registration.objects.filter(pk=first.pk).update(offer_expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert services.expire_offers() == 1
    assert services.expire_offers() == 0  # the offer now made to the second person runs for 24 hours
    assert statuses(first, second) == [Status.CANCELLED, Status.OFFERED]


def test_accepting_an_expired_offer_is_refused_and_passes_it_on(held_event):
    holder, first, second = sign_up(held_event), sign_up(held_event), sign_up(held_event)
    services.cancel_registration(registration=holder)
    Registration.objects.filter(pk=first.pk).update(offer_expires_at=timezone.now() - dt.timedelta(minutes=1))

    with pytest.raises(DomainError) as error:
        services.accept_offer(registration=first)

    assert error.value.code == "offer_expired"
    assert statuses(first, second) == [Status.CANCELLED, Status.OFFERED]
    assert seats_taken(held_event) == 1


def test_declining_an_offer_offers_the_seat_to_the_next(held_event):
    holder, first, second = sign_up(held_event), sign_up(held_event), sign_up(held_event)
    services.cancel_registration(registration=holder)

    services.cancel_registration(registration=first)

    assert statuses(first, second) == [Status.CANCELLED, Status.OFFERED]


def test_expire_offers_task_runs_the_service(held_event):
    from registrations import tasks

    holder, first = sign_up(held_event), sign_up(held_event)
    services.cancel_registration(registration=holder)
    Registration.objects.filter(pk=first.pk).update(offer_expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert tasks.expire_offers() == 1
    assert statuses(first) == [Status.CANCELLED]
    assert seats_taken(held_event) == 0


# --- approval mode -----------------------------------------------------------------------


@pytest.fixture
def roundtable(organiser):
    return factories.EventFactory(organisers=[organiser], capacity=2, registration_mode="approval", kind="roundtable")


def test_approval_mode_registration_is_pending_without_a_seat(roundtable):
    registration = sign_up(roundtable)

    assert (registration.status, registration.seats_held) == (Status.PENDING, 0)
    assert seats_taken(roundtable) == 0
    assert messages_to(registration.email) == ["registration_pending"]


def test_approval_mode_request_for_a_full_event_without_a_waiting_list_is_refused_as_its_page_says(
    roundtable, organiser
):
    Event.objects.filter(pk=roundtable.pk).update(waiting_list_enabled=False)
    services.approve_registration(registration=sign_up(roundtable, party_size=2), by=organiser)
    roundtable.refresh_from_db()

    with pytest.raises(DomainError) as error:
        sign_up(roundtable)

    assert error.value.code == "event_full"
    assert Registration.objects.filter(event=roundtable).count() == 1


def test_approval_mode_request_with_a_seat_left_and_no_waiting_list_is_pending(roundtable, organiser):
    Event.objects.filter(pk=roundtable.pk).update(waiting_list_enabled=False)
    roundtable.refresh_from_db()

    assert sign_up(roundtable, party_size=2).status == Status.PENDING


def test_approving_takes_the_seat(roundtable, organiser):
    registration = sign_up(roundtable, party_size=2)

    approved = services.approve_registration(registration=registration, by=organiser)

    assert (approved.status, approved.seats_held) == (Status.CONFIRMED, 2)
    assert seats_taken(roundtable) == 2
    assert messages_to(registration.email) == ["registration_pending", "registration_approved"]


def test_approving_when_full_is_refused(roundtable, organiser):
    services.approve_registration(registration=sign_up(roundtable, party_size=2), by=organiser)
    late = sign_up(roundtable)

    with pytest.raises(DomainError) as error:
        services.approve_registration(registration=late, by=organiser)

    assert error.value.code == "event_full"
    assert statuses(late) == [Status.PENDING]


def test_rejecting_a_confirmed_registration_frees_its_seats(roundtable, organiser):
    confirmed = services.approve_registration(registration=sign_up(roundtable, party_size=2), by=organiser)

    rejected = services.reject_registration(registration=confirmed, by=organiser, reason="Sector already full")

    assert (rejected.status, rejected.seats_held) == (Status.REJECTED, 0)
    assert seats_taken(roundtable) == 0
    assert messages_to(confirmed.email)[-1] == "registration_rejected"


def test_approving_a_cancelled_registration_is_refused(roundtable, organiser):
    registration = sign_up(roundtable)
    services.cancel_registration(registration=registration)

    with pytest.raises(DomainError) as error:
        services.approve_registration(registration=registration, by=organiser)

    assert error.value.code == "invalid_transition"


# --- invitation mode ---------------------------------------------------------------------


@pytest.fixture
def invite_only(organiser):
    return factories.EventFactory(
        organisers=[organiser],
        capacity=10,
        registration_mode="invitation",
        kind="roundtable",
        rsvp_deadline=timezone.now() + dt.timedelta(days=3),
    )


def test_invitation_code_registers_with_the_invitees_sector(invite_only):
    invitation = factories.InvitationFactory(event=invite_only, sector="academia", organisation="ADA University")

    registration = sign_up(invite_only, email=invitation.email, invitation_code=invitation.code)

    assert registration.status == Status.CONFIRMED
    assert (registration.sector, registration.organisation) == ("academia", "ADA University")
    assert registration.invitation == invitation
    assert Invitation.objects.get(pk=invitation.pk).used_at is not None


@pytest.mark.parametrize(
    ("code", "expected"),
    [(None, "invitation_required"), ("no-such-code", "invalid_invitation")],
)
def test_invitation_only_without_a_valid_code_is_refused(invite_only, code, expected):
    with pytest.raises(DomainError) as error:
        sign_up(invite_only, invitation_code=code)

    assert error.value.code == expected


def test_invitation_code_is_single_use(invite_only):
    invitation = factories.InvitationFactory(event=invite_only)
    sign_up(invite_only, invitation_code=invitation.code)

    with pytest.raises(DomainError) as error:
        sign_up(invite_only, invitation_code=invitation.code)

    assert error.value.code == "invitation_used"


def test_invitation_after_the_rsvp_deadline_is_refused(invite_only):
    invitation = factories.InvitationFactory(event=invite_only)
    Event.objects.filter(pk=invite_only.pk).update(rsvp_deadline=timezone.now() - dt.timedelta(hours=1))
    invite_only.refresh_from_db()

    with pytest.raises(DomainError) as error:
        sign_up(invite_only, invitation_code=invitation.code)

    assert error.value.code == "rsvp_deadline_passed"
    assert Invitation.objects.get(pk=invitation.pk).used_at is None


def test_code_of_another_event_is_refused(invite_only):
    other = factories.InvitationFactory()

    with pytest.raises(DomainError) as error:
        sign_up(invite_only, invitation_code=other.code)

    assert error.value.code == "invalid_invitation"


def test_delegate_transfers_to_a_named_colleague(invite_only):
    invitation = factories.InvitationFactory(event=invite_only, sector="government")
    delegate = sign_up(invite_only, email=invitation.email, invitation_code=invitation.code)

    colleague = services.transfer_registration(
        registration=delegate, name="Samira Valiyeva", email="Samira@Ministry.example.org"
    )

    delegate.refresh_from_db()
    assert delegate.status == Status.CANCELLED
    assert (colleague.status, colleague.email) == (Status.CONFIRMED, "samira@ministry.example.org")
    assert colleague.sector == "government"
    assert colleague.substitute_for == delegate
    assert colleague.invitation == invitation
    assert colleague.ticket_secret != delegate.ticket_secret
    assert seats_taken(invite_only) == 1
    assert messages_to(delegate.email)[-1] == "registration_cancelled"
    assert messages_to(colleague.email) == ["registration_confirmed"]


def test_transfer_to_someone_already_registered_is_refused(invite_only):
    first, second = factories.InvitationFactory(event=invite_only), factories.InvitationFactory(event=invite_only)
    delegate = sign_up(invite_only, email=first.email, invitation_code=first.code)
    sign_up(invite_only, email=second.email, invitation_code=second.code)

    with pytest.raises(DomainError) as error:
        services.transfer_registration(registration=delegate, name="Someone", email=second.email)

    assert error.value.code == "already_registered"


def test_transfer_on_an_open_event_is_refused(event):
    registration = sign_up(event)

    with pytest.raises(DomainError) as error:
        services.transfer_registration(registration=registration, name="Other", email="other@example.org")

    assert error.value.code == "transfer_not_allowed"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"status": "cancelled"}, "event_cancelled"),
        (
            {"start": timezone.now() - dt.timedelta(hours=3), "end": timezone.now() - dt.timedelta(hours=1)},
            "event_over",
        ),
    ],
)
def test_transfer_once_the_event_is_cancelled_or_over_is_refused(invite_only, change, code):
    """The ticket page stopped offering it then, but the API still cancelled the delegate's place
    (and attendance) for a colleague's ticket to an event that is gone."""
    invitation = factories.InvitationFactory(event=invite_only)
    delegate = sign_up(invite_only, email=invitation.email, invitation_code=invitation.code)
    Event.objects.filter(pk=invite_only.pk).update(**change)

    with pytest.raises(DomainError) as error:
        services.transfer_registration(registration=delegate, name="Samira Valiyeva", email="samira@example.org")

    delegate.refresh_from_db()
    assert (error.value.code, delegate.status) == (code, Status.CONFIRMED)


# --- questions, consent, window -------------------------------------------------------


def test_answers_are_checked_and_stored(event):
    sector = factories.QuestionFactory(event=event, kind="choice", choices=["academia", "government"], required=True)
    children = factories.QuestionFactory(event=event, kind="number")
    photos = factories.QuestionFactory(event=event, kind="boolean")

    registration = sign_up(event, answers={sector.pk: "academia", str(children.pk): "2", photos.pk: True})

    stored = {answer.question_id: answer.value for answer in registration.answers.all()}
    assert stored == {sector.pk: "academia", children.pk: "2", photos.pk: "yes"}


@pytest.mark.parametrize(
    ("answers", "code"),
    [
        ({}, "answer_required"),
        ({"choice": "astronomy"}, "invalid_choice"),
        ({"choice": "academia", "number": "two"}, "invalid_number"),
        ({"choice": "academia", "boolean": "perhaps"}, "invalid_boolean"),
        ({"choice": "academia", "unknown": "x"}, "unknown_question"),
    ],
)
def test_bad_answers_are_refused(event, answers, code):
    questions = {
        "choice": factories.QuestionFactory(event=event, kind="choice", choices=["academia"], required=True),
        "number": factories.QuestionFactory(event=event, kind="number"),
        "boolean": factories.QuestionFactory(event=event, kind="boolean"),
        "unknown": factories.QuestionFactory(),  # a question of another event
    }

    with pytest.raises(DomainError) as error:
        sign_up(event, answers={questions[key].pk: value for key, value in answers.items()})

    assert error.value.code == code
    assert not Registration.objects.filter(event=event).exists()


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("-1", "invalid_number"),
        ("2.5", "invalid_number"),
        ("1e+308", "invalid_number"),
        ("99999999999999999999999", "invalid_number"),
        ("1_000", "invalid_number"),
        ("\u0661\u0662", "invalid_number"),  # Arabic-Indic digits
        ("100001", "invalid_number"),
    ],
)
def test_a_number_answer_is_a_whole_number_as_on_the_page(event, value, code):
    # the registration page takes a whole number from 0 to 100,000; the API took any float
    children = factories.QuestionFactory(event=event, kind="number")

    with pytest.raises(DomainError) as error:
        sign_up(event, answers={children.pk: value})

    assert error.value.code == code
    assert not Registration.objects.filter(event=event).exists()


def test_a_number_answer_is_stored_as_the_page_stores_it(event):
    children = factories.QuestionFactory(event=event, kind="number")

    registration = sign_up(event, answers={children.pk: " 007 "})

    assert [answer.value for answer in registration.answers.all()] == ["7"]


def test_a_text_answer_longer_than_the_page_allows_is_refused_not_cut(event):
    school = factories.QuestionFactory(event=event, kind="text")

    with pytest.raises(DomainError) as error:
        sign_up(event, answers={school.pk: "x" * 1001})
    kept = sign_up(event, answers={school.pk: "x" * 1000})

    assert error.value.code == "answer_too_long"
    assert [len(answer.value) for answer in kept.answers.all()] == [1000]


def test_consent_to_data_processing_is_required(event):
    with pytest.raises(DomainError) as error:
        sign_up(event, consent_data_processing=False)

    assert error.value.code == "consent_required"


def test_recording_consent_is_asked_when_the_event_says_so(organiser):
    event = factories.EventFactory(organisers=[organiser], asks_recording_consent=True)

    with pytest.raises(DomainError) as error:
        sign_up(event)
    registration = sign_up(event, consent_recording=False)

    assert error.value.code == "recording_consent_required"
    assert registration.consent_recording is False


@pytest.mark.parametrize(
    "window",
    [
        {"registration_closes_at": timezone.now() - dt.timedelta(hours=1)},
        {"registration_opens_at": timezone.now() + dt.timedelta(days=1)},
        {"status": "cancelled"},
        {"status": "completed"},
    ],
)
def test_registration_outside_the_window_is_refused(window):
    event = factories.EventFactory(**window)

    with pytest.raises(DomainError) as error:
        sign_up(event)

    assert error.value.code == "registration_closed"


def test_registration_for_a_draft_is_not_found():
    with pytest.raises(DomainError) as error:
        sign_up(factories.EventFactory(status="draft"))

    assert error.value.code == "not_found"


def test_organiser_adds_someone_after_registration_closed(organiser):
    event = factories.EventFactory(
        organisers=[organiser], registration_mode="invitation", registration_closes_at=timezone.now()
    )

    registration = services.add_registration(
        event=event, by=organiser, name="Fidan", email="fidan@example.org"
    ).registration

    assert (registration.status, registration.source) == (Status.CONFIRMED, "organiser")


# --- walk-ins ----------------------------------------------------------------------------


def test_walk_in_is_confirmed_at_once_even_without_email(event, organiser):
    first = services.register_walk_in(event=event, name="Pupil One", by=organiser)
    second = services.register_walk_in(event=event, name="Pupil Two", party_size=2, by=organiser)

    assert (first.status, first.source, first.email) == (Status.CONFIRMED, "walk_in", "")
    assert second.status == Status.CONFIRMED
    assert seats_taken(event) == 3


def test_walk_in_when_full_is_refused_not_waitlisted(event, organiser):
    for _ in range(3):
        sign_up(event)

    with pytest.raises(DomainError) as error:
        services.register_walk_in(event=event, name="Late pupil", by=organiser)

    assert error.value.code == "event_full"


# --- cancellation ------------------------------------------------------------------------


def test_cancel_by_attendee_frees_the_seat_and_is_idempotent(event):
    registration = sign_up(event, party_size=2)

    services.cancel_registration(registration=registration)
    again = services.cancel_registration(registration=registration)

    assert (again.status, again.seats_held) == (Status.CANCELLED, 0)
    assert again.cancelled_at is not None
    assert seats_taken(event) == 0
    assert messages_to(registration.email) == ["registration_confirmed", "registration_cancelled"]


@pytest.mark.parametrize("language", ["en", "az"])
def test_a_registration_cancelled_by_an_organiser_says_so_and_whom_to_ask(event, organiser, language):
    # the context carried by_organiser and no template read it: the mail said "Your registration
    # ... is cancelled." as if the attendee had done it herself
    from notifications.services.outbox import render_message

    theirs, own = sign_up(event), sign_up(event, email="own@example.org")
    Registration.objects.filter(pk__in=[theirs.pk, own.pk]).update(language=language)  # the page's
    theirs.refresh_from_db()
    own.refresh_from_db()

    services.cancel_registration(registration=theirs, by=organiser)
    services.cancel_registration(registration=own)

    said = {
        "en": "The organisers cancelled it; to ask them why, reply to this email.",
        "az": "Onu təşkilatçılar ləğv edib; səbəbini soruşmaq üçün bu məktuba cavab yazın.",
    }[language]
    [by_organiser] = OutboxMessage.objects.filter(kind="registration_cancelled", recipient_email=theirs.email)
    [by_herself] = OutboxMessage.objects.filter(kind="registration_cancelled", recipient_email="own@example.org")
    assert said in render_message(by_organiser).body_text
    assert said not in render_message(by_herself).body_text


def test_cancelling_the_event_cancels_every_registration(event, organiser):
    confirmed, family = sign_up(event), sign_up(event, party_size=2)
    waiting = sign_up(event)

    event_services.cancel_event(event=event, by=organiser, reason="Flooded venue")

    assert statuses(confirmed, family, waiting) == [Status.CANCELLED] * 3
    assert seats_taken(event) == 0
    assert messages_to(waiting.email)[-1] == "event_cancelled"
    # and nobody was promoted into a cancelled event along the way
    assert not Registration.objects.filter(event=event, status__in=[Status.CONFIRMED, Status.OFFERED]).exists()


@pytest.mark.parametrize("count", [2, 6])
def test_cancelling_the_event_takes_the_same_queries_whatever_its_registrations(organiser, count):
    """An event of 2,000 registrations took 9,000 queries and 45 s to cancel, ending each
    registration and queueing its message one by one in the organiser's request, the event's row
    locked all along. Every registrant and everyone waiting still hears of it, once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    event = factories.EventFactory(organisers=[organiser], capacity=count - 1, max_party_size=2)
    people = [sign_up(event) for _ in range(count)]  # the last one waits
    before = OutboxMessage.objects.filter(kind="event_cancelled").count()

    with CaptureQueriesContext(connection) as queries:
        event_services.cancel_event(event=event, by=organiser, reason="Flooded venue")

    assert statuses(*people) == [Status.CANCELLED] * count
    event.refresh_from_db()
    assert (event.seats_taken, event.waiting_count) == (0, 0)
    told = OutboxMessage.objects.filter(kind="event_cancelled", event=event)
    assert told.count() - before == count
    assert sorted(told.values_list("recipient_email", flat=True)) == sorted(person.email for person in people)
    assert {message.context["reason"] for message in told} == {"Flooded venue"}
    assert len(queries) == QUERIES_TO_CANCEL_AN_EVENT, "\n".join(q["sql"][:100] for q in queries.captured_queries)


# the event saved, its log entry; the registrations locked and read, ended, seats and waiting list
# given back; the messages' keys looked up and written (savepoint, insert, release), and the
# speakers' side of the cancellation
QUERIES_TO_CANCEL_AN_EVENT = 17


def test_cancelling_the_event_withdraws_offers_and_leaves_nothing_to_expire(held_event, organiser):
    holder, offered, waiting = sign_up(held_event), sign_up(held_event), sign_up(held_event)
    services.cancel_registration(registration=holder)

    event_services.cancel_event(event=held_event, by=organiser)

    assert statuses(offered, waiting) == [Status.CANCELLED, Status.CANCELLED]
    assert services.expire_offers(now=timezone.now() + dt.timedelta(days=2)) == 0
    assert seats_taken(held_event) == 0


def test_offer_never_outlasts_the_start(organiser):
    soon = timezone.now() + dt.timedelta(hours=2)
    event = factories.EventFactory(organisers=[organiser], capacity=1, offer_hold_hours=48, start=soon)
    holder, waiting = sign_up(event), sign_up(event)

    services.cancel_registration(registration=holder)

    assert Registration.objects.get(pk=waiting.pk).offer_expires_at == event.start


def test_nobody_is_promoted_into_an_event_that_has_ended(event):
    holder = sign_up(event)
    for _ in range(2):
        sign_up(event)
    waiting = sign_up(event)
    Event.objects.filter(pk=event.pk).update(
        start=timezone.now() - dt.timedelta(hours=3), end=timezone.now() - dt.timedelta(hours=1)
    )

    services.cancel_registration(registration=holder)

    assert statuses(waiting) == [Status.WAITLISTED]


def test_other_event_changes_promote_nobody(event, organiser):
    for _ in range(3):
        sign_up(event)
    waiting = sign_up(event)
    Event.objects.filter(pk=event.pk).update(capacity=4)  # behind the service's back: no signal
    event.refresh_from_db()

    event_services.update_event(event=event, by=organiser, venue_name="Another hall")

    assert statuses(waiting) == [Status.WAITLISTED]


def test_expire_offers_runs_as_a_django_q_task(held_event):
    from django_q.tasks import async_task

    holder, first = sign_up(held_event), sign_up(held_event)
    services.cancel_registration(registration=holder)
    Registration.objects.filter(pk=first.pk).update(offer_expires_at=timezone.now() - dt.timedelta(seconds=1))

    async_task("registrations.tasks.expire_offers")

    assert statuses(first) == [Status.CANCELLED]


def test_after_the_start_a_freed_seat_is_given_not_offered(held_event):
    holder, waiting = sign_up(held_event), sign_up(held_event)
    Event.objects.filter(pk=held_event.pk).update(start=timezone.now() - dt.timedelta(minutes=10))

    services.cancel_registration(registration=holder)

    promoted = Registration.objects.get(pk=waiting.pk)
    assert (promoted.status, promoted.offer_expires_at) == (Status.CONFIRMED, None)


# --- sending invitation codes again ----------------------------------------------------------


def test_resend_unused_invitations_sends_only_the_codes_neither_used_nor_withdrawn(
    organiser, django_capture_on_commit_callbacks
):
    from notifications.models import OutboxMessage
    from registrations.services import invitations

    event = factories.EventFactory(organisers=[organiser], registration_mode="invitation")
    waiting, unread = factories.InvitationFactory(event=event), factories.InvitationFactory(event=event)
    factories.InvitationFactory(event=event, used_at=timezone.now())
    factories.InvitationFactory(event=event, revoked_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        resent = invitations.resend_unused_invitations(event=event, by=organiser)

    assert [invitation.pk for invitation in resent] == [waiting.pk, unread.pk]
    assert sorted(OutboxMessage.objects.values_list("recipient_email", flat=True)) == sorted(
        [waiting.email, unread.email]
    )


def test_resend_unused_invitations_of_a_draft_sends_none(organiser, django_capture_on_commit_callbacks):
    from notifications.models import OutboxMessage
    from registrations.services import invitations

    draft = factories.EventFactory(organisers=[organiser], registration_mode="invitation", status="draft")
    factories.InvitationFactory.create_batch(2, event=draft)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError) as refused:
        invitations.resend_unused_invitations(event=draft, by=organiser)

    assert (refused.value.code, OutboxMessage.objects.count()) == ("event_draft", 0)
