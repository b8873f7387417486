"""Cohort enrolment: registered for every session, including ones added later; skips; leaving."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from events import services as event_services
from events.models import EventKind, EventStatus
from notifications.models import OutboxMessage
from programmes import journeys, services
from programmes.exceptions import NotInCohort, ProgrammeError
from programmes.models import Enrolment, SessionSkip
from registrations.models import Registration
from tests import factories
from tests.programmes.conftest import record, session

pytestmark = pytest.mark.django_db


def registered_events(email, status="confirmed"):
    return set(Registration.objects.filter(email=email, status=status).values_list("event_id", flat=True))


def test_enrol_registers_for_every_future_session(cohort, mentoring_series, past, future):
    session(mentoring_series, past[0])
    upcoming = [session(mentoring_series, start) for start in future[:3]]
    session(mentoring_series, future[3], status=EventStatus.DRAFT)

    enrolment = services.enrol(cohort=cohort, name="Leyla Hasanova", email="Leyla@Example.org")

    assert enrolment.email == "leyla@example.org"
    assert registered_events("leyla@example.org") == {event.pk for event in upcoming}
    assert set(Registration.objects.filter(email="leyla@example.org").values_list("source", flat=True)) == {"cohort"}


def test_enrol_twice_returns_the_same_enrolment(cohort, mentoring_series, future):
    session(mentoring_series, future[0])
    first = services.enrol(cohort=cohort, name="Leyla", email="leyla@example.org")

    second = services.enrol(cohort=cohort, name="Leyla", email="LEYLA@example.org")

    assert second.pk == first.pk
    assert Registration.objects.filter(email="leyla@example.org").count() == 1


def test_enrol_respects_capacity_and_waiting_list(cohort, mentoring_series, future):
    small = session(mentoring_series, future[0], capacity=1, waiting_list_enabled=True)

    services.enrol(cohort=cohort, name="First", email="first@example.org")
    services.enrol(cohort=cohort, name="Second", email="second@example.org")

    statuses = dict(Registration.objects.filter(event=small).values_list("email", "status"))
    assert statuses == {"first@example.org": "confirmed", "second@example.org": "waitlisted"}


def test_someone_enrolled_hears_of_it_once_with_their_places_and_waiting_lists(
    cohort, mentoring_series, past, future, django_capture_on_commit_callbacks
):
    """Enrolling sent nothing (a place's own confirmation is left out: ~16 a mentee), so someone
    enrolled by the organisers heard of it first from a reminder. One message says it all; the
    Azerbaijani text is checked with every other message (tests/notifications/test_every_message.py)."""
    session(mentoring_series, past[0])
    open_session = session(mentoring_series, future[0])
    full = session(mentoring_series, future[1], capacity=1, waiting_list_enabled=True)
    services.enrol(cohort=cohort, name="First", email="first@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        services.enrol(cohort=cohort, name="Leyla Hasanova", email="leyla@example.org")
        services.enrol(cohort=cohort, name="Leyla Hasanova", email="leyla@example.org")

    (message,) = [sent for sent in mail.outbox if "leyla@example.org" in sent.to[0] and "enrolled you" in sent.body]
    places, waiting = message.body.split("you are on their waiting lists")
    assert OutboxMessage.objects.filter(kind="cohort_enrolled", recipient_email="leyla@example.org").count() == 1
    assert message.subject == f"You are in {cohort.name} of {cohort.programme.title}"
    assert f"The organisers have enrolled you in {cohort.name} of {cohort.programme.title}." in places
    assert f"- {open_session.title}, " in places and f"- {full.title}, " not in places
    assert f"- {full.title}, " in waiting and f"- {open_session.title}, " not in waiting
    assert "http://127.0.0.1:8000/tickets/recover/" in waiting


@pytest.mark.parametrize(("session_language", "words"), [("az", "Təşkilatçılar sizi"), ("en", "The organisers have")])
def test_someone_whose_language_is_unknown_hears_of_the_enrolment_in_the_language_of_its_sessions(
    cohort, mentoring_series, future, session_language, words, django_capture_on_commit_callbacks
):
    """The message has no event: it was in the site's default language, and the reminders of
    the sessions it booked came in the sessions' language after it."""
    session(mentoring_series, future[0], language=session_language)

    with django_capture_on_commit_callbacks(execute=True):
        services.enrol(cohort=cohort, name="Sabina", email="sabina@example.org")

    (message,) = [sent for sent in mail.outbox if "sabina@example.org" in sent.to[0]]
    assert words in message.body


def test_someone_enrolled_before_any_session_is_announced_is_told_their_places_will_come(
    cohort, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.enrol(cohort=cohort, name="Leyla Hasanova", email="leyla@example.org")

    (message,) = mail.outbox
    assert "as soon as they are announced" in message.body and "\n- " not in message.body


def test_occurrences_added_later_register_enrolled_members(organiser, programme, django_capture_on_commit_callbacks):
    start = (timezone.now() + dt.timedelta(days=3)).replace(hour=14, minute=30, second=0, microsecond=0)
    series = event_services.create_series(
        by=organiser,
        title="Mentoring circle",
        kind=EventKind.MENTORING_SESSION,
        rrule="FREQ=WEEKLY;COUNT=2",
        first_start=start,
        published=True,
    )
    programme.series.add(series)
    cohort = services.create_cohort(programme=programme, name="Mentees", series=series)
    services.enrol(cohort=cohort, name="Leyla", email="leyla@example.org")
    assert len(registered_events("leyla@example.org")) == 2

    with django_capture_on_commit_callbacks(execute=True):
        event_services.update_series(series=series, rrule="FREQ=WEEKLY;COUNT=4")

    assert registered_events("leyla@example.org") == set(series.occurrences.values_list("pk", flat=True))
    assert len(registered_events("leyla@example.org")) == 4


def test_event_published_later_registers_whole_programme_cohort(
    organiser, programme, django_capture_on_commit_callbacks
):
    cohort = services.create_cohort(programme=programme, name="Everyone")
    services.enrol(cohort=cohort, name="Leyla", email="leyla@example.org")
    workshop = factories.EventFactory(
        title="CV workshop", status=EventStatus.DRAFT, published_at=None, organisers=[organiser]
    )
    programme.events.add(workshop)
    outside = factories.EventFactory(title="Not in the programme", status=EventStatus.DRAFT, published_at=None)

    with django_capture_on_commit_callbacks(execute=True):
        event_services.publish_event(event=workshop)
        event_services.publish_event(event=outside)

    assert registered_events("leyla@example.org") == {workshop.pk}


def test_member_who_left_is_not_registered_for_new_sessions(
    cohort, mentoring_series, django_capture_on_commit_callbacks
):
    enrolment = services.enrol(cohort=cohort, name="Leyla", email="leyla@example.org")
    services.leave_cohort(enrolment=enrolment)
    draft = session(
        mentoring_series, timezone.now() + dt.timedelta(days=30), status=EventStatus.DRAFT, published_at=None
    )

    with django_capture_on_commit_callbacks(execute=True):
        event_services.publish_event(event=draft)

    assert registered_events("leyla@example.org") == set()


def test_skip_cancels_that_sessions_registration_only(cohort, mentoring_series, future):
    skipped, kept = session(mentoring_series, future[0]), session(mentoring_series, future[1])
    enrolment = services.enrol(cohort=cohort, name="Leyla", email="leyla@example.org")

    skip = services.skip_session(enrolment=enrolment, event=skipped, reason="Exam")
    again = services.skip_session(enrolment=enrolment, event=skipped)

    assert again.pk == skip.pk
    assert registered_events("leyla@example.org") == {kept.pk}
    assert registered_events("leyla@example.org", status="cancelled") == {skipped.pk}


def test_skipped_session_is_not_registered_again_when_republished(cohort, mentoring_series, future):
    skipped = session(mentoring_series, future[0])
    enrolment = services.enrol(cohort=cohort, name="Leyla", email="leyla@example.org")
    services.skip_session(enrolment=enrolment, event=skipped)

    services.register_cohorts_for_event(event=skipped)

    assert registered_events("leyla@example.org") == set()


def test_skip_of_a_started_session_is_refused(cohort, mentoring_series, past):
    started = session(mentoring_series, past[-1])
    enrolment = factories.EnrolmentFactory(cohort=cohort)

    with pytest.raises(ProgrammeError) as error:
        services.skip_session(enrolment=enrolment, event=started)

    assert error.value.code == "session_started"
    assert not SessionSkip.objects.exists()


def test_skip_of_an_event_outside_the_cohort_is_refused(cohort, future):
    elsewhere = factories.EventFactory()
    enrolment = factories.EnrolmentFactory(cohort=cohort)

    with pytest.raises(NotInCohort) as error:
        services.skip_session(enrolment=enrolment, event=elsewhere)

    assert error.value.code == "not_in_cohort"


def test_undoing_a_skip_registers_again_once_and_logs_it(cohort, mentoring_series, future):
    from events.models import ActionLogEntry

    skipped = session(mentoring_series, future[0])
    enrolment = services.enrol(cohort=cohort, name="Leyla", email="leyla@example.org")
    services.skip_session(enrolment=enrolment, event=skipped, reason="Exam")

    registration = services.undo_skip(enrolment=enrolment, event=skipped)
    again = services.undo_skip(enrolment=enrolment, event=skipped)

    assert registration.status == "confirmed" and again.pk == registration.pk
    assert registered_events("leyla@example.org") == {skipped.pk}
    assert not SessionSkip.objects.exists()
    assert ActionLogEntry.objects.filter(action="enrolment.skip_undone").count() == 1
    # the journey tells the new registration's story, not the skip's nor the cancelled place's
    journey = journeys.participant_journey(enrolment=Enrolment.objects.get(pk=enrolment.pk))
    assert [(entry.event_id, entry.outcome) for entry in journey.entries] == [(skipped.pk, "upcoming")]
    # skipped again, it is cancelled again: the skip works as before
    services.skip_session(enrolment=enrolment, event=skipped)
    assert registered_events("leyla@example.org") == set()


def test_undoing_a_skip_after_the_seat_went_to_the_waiting_list_waitlists(cohort, mentoring_series, future):
    full = session(mentoring_series, future[0], capacity=1)
    enrolment = services.enrol(cohort=cohort, name="Leyla", email="leyla@example.org")
    services.skip_session(enrolment=enrolment, event=full)
    factories.RegistrationFactory(event=full, email="someone@example.org", status="confirmed")
    full.refresh_from_db()

    registration = services.undo_skip(enrolment=enrolment, event=full)

    assert registration.status == "waitlisted"


def test_undoing_the_skip_of_a_started_session_or_after_leaving_is_refused(cohort, mentoring_series, past, future):
    started, upcoming = session(mentoring_series, past[-1]), session(mentoring_series, future[0])
    enrolment = factories.EnrolmentFactory(cohort=cohort)
    SessionSkip.objects.create(enrolment=enrolment, event=started)
    services.skip_session(enrolment=enrolment, event=upcoming)
    enrolment = services.leave_cohort(enrolment=enrolment)

    with pytest.raises(ProgrammeError) as after_leaving:
        services.undo_skip(enrolment=enrolment, event=upcoming)
    Enrolment.objects.filter(pk=enrolment.pk).update(status=Enrolment.Status.ACTIVE)  # back, to reach the next rule
    with pytest.raises(ProgrammeError) as started_already:
        services.undo_skip(enrolment=enrolment, event=started)

    assert (after_leaving.value.code, started_already.value.code) == ("enrolment_left", "session_started")
    assert SessionSkip.objects.count() == 2


def test_leaving_cancels_future_cohort_registrations_only(cohort, mentoring_series, programme, past, future):
    held = session(mentoring_series, past[-1])
    upcoming = [session(mentoring_series, start) for start in future[:2]]
    webinar = factories.WebinarFactory(start=future[0] + dt.timedelta(hours=5))
    programme.events.add(webinar)
    enrolment = services.enrol(cohort=cohort, name="Leyla", email="leyla@example.org")
    record(held, "leyla@example.org", "attended")
    record(webinar, "leyla@example.org", "unknown", source="online")

    left = services.leave_cohort(enrolment=enrolment)
    again = services.leave_cohort(enrolment=left)

    assert (left.status, again.left_at) == (Enrolment.Status.LEFT, left.left_at)
    assert registered_events("leyla@example.org") == {held.pk, webinar.pk}
    assert registered_events("leyla@example.org", status="cancelled") == {event.pk for event in upcoming}


def test_mentor_must_have_the_mentor_role(cohort):
    enrolment = factories.EnrolmentFactory(cohort=cohort)
    panellist = factories.SpeakerFactory(roles=["panellist"])

    with pytest.raises(ProgrammeError) as error:
        services.assign_mentor(enrolment=enrolment, mentor=panellist)

    assert error.value.code == "not_a_mentor"


def test_mentor_pairing_needs_a_mentoring_series(programme, mentor):
    enrolment = factories.EnrolmentFactory(cohort=factories.CohortFactory(programme=programme))

    with pytest.raises(ProgrammeError) as error:
        services.assign_mentor(enrolment=enrolment, mentor=mentor)

    assert error.value.code == "not_mentoring_cohort"


def test_enrolment_links_the_participants_account_by_email(cohort):
    user = factories.UserFactory(email="Leyla@Example.org")

    enrolment = services.enrol(cohort=cohort, name="Leyla", email="leyla@example.org")

    assert enrolment.user == user


def test_participant_who_left_can_enrol_again(cohort, mentoring_series, future):
    upcoming = session(mentoring_series, future[0])
    first = services.enrol(cohort=cohort, name="Leyla", email="leyla@example.org")
    services.leave_cohort(enrolment=first)

    second = services.enrol(cohort=cohort, name="Leyla", email="leyla@example.org")

    assert second.pk != first.pk
    assert registered_events("leyla@example.org") == {upcoming.pk}


def test_leaving_a_cohort_is_one_message_listing_the_cancelled_sessions(
    cohort, mentoring_series, future, django_capture_on_commit_callbacks
):
    from django.core import mail

    for start in future:
        session(mentoring_series, start)
    enrolment = services.enrol(cohort=cohort, name="Leyla", email="leyla@example.org")
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        services.leave_cohort(enrolment=enrolment)

    (email,) = [sent for sent in mail.outbox if "leyla@example.org" in sent.to[0]]
    assert email.subject == f"You have left {cohort.name}"
    assert email.body.count("\n- ") == len(future)


@pytest.mark.parametrize("name", ["\u200b\u200b", "\u202e \u2066"])
def test_enrol_with_an_invisible_name_is_refused_not_enrolled_without_sessions(cohort, mentoring_series, future, name):
    # such a name made an enrolment whose every session registration was refused (name_required)
    session(mentoring_series, future[0])

    with pytest.raises(ProgrammeError) as refused:
        services.enrol(cohort=cohort, name=name, email="leyla@example.org")

    assert refused.value.code == "name_required"
    assert not Enrolment.objects.exists()


def test_enrol_keeps_a_name_without_its_invisible_formatting(cohort, mentoring_series, future):
    event = session(mentoring_series, future[0])

    enrolment = services.enrol(cohort=cohort, name="\u202eLeyla\u200b Hasanova ", email="leyla@example.org")

    assert enrolment.name == "Leyla Hasanova"
    assert Registration.objects.get(event=event, email="leyla@example.org").name == "Leyla Hasanova"


def test_enrol_at_the_same_moment_as_another_request_returns_its_enrolment(
    cohort, mentoring_series, future, monkeypatch
):
    # a double click on "Enrol", or the page and a pasted list's job: both find nobody active,
    # the second save met the unique active enrolment and was a 500
    session(mentoring_series, future[0])
    validated = services._validated

    def the_other_request_enrols_first(instance, **kwargs):
        checked = validated(instance, **kwargs)
        if isinstance(instance, Enrolment) and not Enrolment.objects.exists():
            Enrolment.objects.create(cohort=cohort, name="Leyla", email="leyla@example.org", joined_at=timezone.now())
        return checked

    monkeypatch.setattr(services, "_validated", the_other_request_enrols_first)

    enrolment = services.enrol(cohort=cohort, name="Leyla Hasanova", email="leyla@example.org")

    assert enrolment == Enrolment.objects.get()


def test_leaving_one_programmes_cohort_keeps_the_place_another_programmes_cohort_booked(
    cohort, mentoring_series, programme, organiser, future
):
    shared, own = (session(mentoring_series, start) for start in future[:2])
    # another programme (a whole-programme cohort) runs the shared session too
    other_programme = factories.ProgrammeFactory(title="Girls in STEM", organisers=[organiser])
    other_programme.events.add(shared)
    other_cohort = factories.CohortFactory(programme=other_programme, name="Girls in STEM 2026")
    services.enrol(cohort=other_cohort, name="Leyla", email="leyla@example.org")
    enrolment = services.enrol(cohort=cohort, name="Leyla", email="leyla@example.org")
    assert registered_events("leyla@example.org") == {shared.pk, own.pk}

    services.leave_cohort(enrolment=enrolment)

    assert registered_events("leyla@example.org") == {shared.pk}
    assert registered_events("leyla@example.org", status="cancelled") == {own.pk}


def test_leaving_the_last_cohort_that_books_a_shared_session_cancels_it(
    cohort, mentoring_series, programme, organiser, future
):
    shared = session(mentoring_series, future[0])
    other_programme = factories.ProgrammeFactory(title="Girls in STEM", organisers=[organiser])
    other_programme.events.add(shared)
    other = services.enrol(
        cohort=factories.CohortFactory(programme=other_programme), name="Leyla", email="leyla@example.org"
    )
    enrolment = services.enrol(cohort=cohort, name="Leyla", email="leyla@example.org")

    services.leave_cohort(enrolment=other)
    assert registered_events("leyla@example.org") == {shared.pk}
    services.leave_cohort(enrolment=enrolment)

    assert registered_events("leyla@example.org", status="cancelled") == {shared.pk}
