"""Every periodic job goes on past a bad row: it logs the row and processes the later ones.

Each scenario plants two due rows, the first one broken the way real data breaks (a value
written past validation with ``.update()``), runs the job through its scheduled entry point
and checks that the second row was processed and the first one logged. A job added to the
schedule without a scenario here fails ``test_every_scheduled_job_has_a_bad_row_scenario``.
"""

import datetime as dt
import logging

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string

from events.models import Event
from notifications import kinds
from notifications.management.commands.setup_schedules import SCHEDULES
from notifications.models import OutboxMessage, OutboxStatus
from programmes.models import Certificate
from registrations.models import Registration, RegistrationStatus
from speakers.models import SpeakerAssignment
from speakers.services import reminder_interval
from tests import factories
from tests.notifications.conftest import make_registration
from tests.programmes.conftest import record, session

pytestmark = pytest.mark.django_db

# a value no validation lets through, as a hand edit or an old bug could leave it
UNKNOWN_ZONE = "Mars/Olympus_Mons"


def break_event(event, **values):
    Event.objects.filter(pk=event.pk).update(**(values or {"timezone": UNKNOWN_ZONE}))


def messages(kind) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind=kind).order_by("pk"))


# --- one scenario per scheduled job: plant (bad, good), return the bad id and a check ---------


def reminders():
    soon = timezone.now() + dt.timedelta(minutes=50)
    bad = factories.EventFactory(start=soon, end=soon + dt.timedelta(hours=1), reminder_offsets=[60])
    good = factories.EventFactory(
        start=soon + dt.timedelta(minutes=5), end=soon + dt.timedelta(hours=1), reminder_offsets=[60]
    )
    make_registration(bad, email="bad@example.org")
    attendee = make_registration(good, email="good@example.org")
    break_event(bad, reminder_offsets=[10_000_000_000_000])  # the overflow of issue 12

    def check():
        assert [message.recipient_email for message in messages(kinds.REMINDER)] == [attendee.email]

    return bad.pk, check


def outbox_sweep():
    from notifications.services.outbox import queue_message

    event = factories.EventFactory()
    # queued outside any on-commit hand-out: as a lost task leaves them, for the sweep to find
    bad = queue_message(kind=kinds.REGISTRATION_CANCELLED, recipient_email="bad@example.org", event=event)
    good = queue_message(kind=kinds.REGISTRATION_CANCELLED, recipient_email="good@example.org", event=event)
    OutboxMessage.objects.filter(pk=bad.pk).update(attachments=[{"not": "an attachment"}])
    OutboxMessage.objects.update(handed_out_at=timezone.now() - dt.timedelta(hours=1))  # their task was lost

    def check():
        assert [message.to for message in mail.outbox] == [["good@example.org"]]
        assert OutboxMessage.objects.get(pk=good.pk).status == OutboxStatus.SENT
        assert OutboxMessage.objects.get(pk=bad.pk).status == OutboxStatus.PENDING

    return bad.pk, check


def attendance_finalisation():
    ended = timezone.now() - dt.timedelta(hours=2)
    bad = factories.EventFactory(start=ended - dt.timedelta(hours=1), end=ended)
    good = factories.EventFactory(start=ended - dt.timedelta(hours=1), end=ended)
    make_registration(bad, email="bad@example.org")
    no_show = make_registration(good, email="good@example.org")
    break_event(bad)

    def check():
        assert Event.objects.get(pk=good.pk).attendance_finalised_at is not None
        assert Registration.objects.get(pk=no_show.pk).attendance == "no_show"
        assert [message.recipient_email for message in messages(kinds.FOLLOW_UP_NO_SHOW)] == [no_show.email]
        assert Event.objects.get(pk=bad.pk).attendance_finalised_at is None  # rolled back: tried again next run

    return bad.pk, check


def offer_expiry():
    offers = []
    for email in ("bad@example.org", "good@example.org"):
        event = factories.EventFactory(capacity=1, offer_hold_hours=24)
        offer = make_registration(
            event,
            email=email,
            status=RegistrationStatus.OFFERED,
            offer_expires_at=timezone.now() - dt.timedelta(minutes=10 if email.startswith("bad") else 5),
        )
        Registration.objects.filter(pk=offer.pk).update(seats_held=1)
        Event.objects.filter(pk=event.pk).update(seats_taken=1)
        offers.append(offer)
    bad, good = offers
    break_event(bad.event)

    def check():
        assert Registration.objects.get(pk=good.pk).status == RegistrationStatus.CANCELLED
        assert Registration.objects.get(pk=bad.pk).status == RegistrationStatus.OFFERED

    return bad.pk, check


def speaker_reminders():
    invited_at = timezone.now() - reminder_interval() - dt.timedelta(hours=1)
    assignments = [
        factories.SpeakerAssignmentFactory(
            event=factories.EventFactory(start=timezone.now() + dt.timedelta(days=20)),
            invited_at=invited_at,
            response_deadline=timezone.now() + dt.timedelta(days=7),
        )
        for _ in range(2)
    ]
    bad, good = assignments
    break_event(bad.event)

    def check():
        assert [message.recipient_email for message in messages(kinds.SPEAKER_INVITATION_REMINDER)] == [
            good.speaker.email
        ]
        assert SpeakerAssignment.objects.get(pk=bad.pk).reminder_count == 0

    return bad.pk, check


def _programme_with_two_cohorts(threshold_outcome: str):
    """Two cohorts, each following its own series with two past sessions; one participant each,
    with ``threshold_outcome`` at both sessions."""
    programme = factories.ProgrammeFactory(
        ends_on=timezone.localdate() - dt.timedelta(days=1), organisers=[factories.OrganiserFactory()]
    )
    enrolments, last_sessions = [], []
    for name in ("bad", "good"):
        series = factories.SeriesFactory(title=f"{name} circle", published=True)
        series.organisers.set(programme.organisers.all())  # a programme's events are those its organisers run
        programme.series.add(series)
        cohort = factories.CohortFactory(programme=programme, series=series, name=name)
        enrolment = factories.EnrolmentFactory(cohort=cohort, email=f"{name}@example.org", name=name.title())
        starts = [timezone.now() - dt.timedelta(days=days) for days in (28, 14)]
        sessions = [session(series, start) for start in starts]
        for event in sessions:
            record(event, enrolment.email, threshold_outcome)
        enrolments.append(enrolment)
        last_sessions.append(sessions[-1])
    return programme, enrolments, last_sessions


def missed_sessions_review():
    from programmes.models import MissedSessionsAlert

    _, (bad, good), (bad_last, _) = _programme_with_two_cohorts("no_show")
    break_event(bad_last)  # the alert names the last missed session, in its timezone

    def check():
        assert list(MissedSessionsAlert.objects.values_list("enrolment_id", flat=True)) == [good.pk]

    return bad.pk, check


def certificates():
    _, (bad, good), _ = _programme_with_two_cohorts("attended")
    _refuse_certificates_for(bad)

    def check():
        assert list(Certificate.objects.values_list("enrolment_id", flat=True)) == [good.pk]

    return bad.pk, check


def _refuse_certificates_for(enrolment):
    """A row the database refuses: a trigger stands for whatever a real row could hold
    (certificates have no free-form value to break with .update())."""
    table = Certificate._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"CREATE TRIGGER refuse_bad_row BEFORE INSERT ON {table} WHEN NEW.enrolment_id = {enrolment.pk} "
                "BEGIN SELECT RAISE(ABORT, 'bad row'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION refuse_bad_row() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.enrolment_id = {enrolment.pk} THEN RAISE EXCEPTION 'bad row'; END IF; RETURN NEW; "
                "END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse_bad_row BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION refuse_bad_row()"
            )


def enrolment_lists():
    from programmes.enrolment_lists import queue_enrolment_list
    from programmes.models import Enrolment, EnrolmentList

    cohort = factories.CohortFactory()
    bad = queue_enrolment_list(cohort=cohort, text="Bad Row, bad@example.org")
    good = queue_enrolment_list(cohort=cohort, text="Aysel Aliyeva, aysel@example.org")
    # both lost their job a while ago (a killed worker); the bad one's line lost its fields
    EnrolmentList.objects.update(touched_at=timezone.now() - dt.timedelta(minutes=30))
    EnrolmentList.objects.filter(pk=bad.pk).update(rows=[{"line": 1}])

    def check():
        assert list(Enrolment.objects.values_list("email", flat=True)) == ["aysel@example.org"]
        assert EnrolmentList.objects.get(pk=good.pk).finished_at is not None

    return bad.pk, check


def lost_change_notices():
    from events.services import update_event
    from registrations.models import ChangeNotice

    events = [factories.EventFactory(), factories.EventFactory()]
    people = [
        make_registration(event, email=f"{name}@example.org")
        for event, name in zip(events, ("bad", "good"), strict=True)
    ]
    for event in events:
        update_event(event=event, venue_name="New Hall")  # their jobs were lost (no on-commit run here)
    # all of it half an hour ago: the places were booked before the change, its job long lost
    Registration.objects.update(created_at=timezone.now() - dt.timedelta(minutes=40))
    ChangeNotice.objects.update(changed_at=timezone.now() - dt.timedelta(minutes=30))
    bad = ChangeNotice.objects.get(event=events[0])
    break_event(events[0])

    def check():
        assert [message.recipient_email for message in messages(kinds.EVENT_CHANGED)] == [people[1].email]
        assert list(ChangeNotice.objects.values_list("pk", flat=True)) == [bad.pk]  # tried again next run

    return bad.pk, check


def registration_exports():
    from attendance.models import RegistrationExport
    from attendance.services.exports import build_registrations_export

    organiser = factories.OrganiserFactory()
    exports = [
        build_registrations_export(export=RegistrationExport.objects.create(requested_by=organiser, asked=asked))
        for asked in ("kind=webinar", "kind=workshop")
    ]
    good_file = exports[1].file_name
    RegistrationExport.objects.update(created_at=timezone.now() - dt.timedelta(days=2))  # past their day
    # a file name outside the exports' storage, which the storage refuses to touch
    RegistrationExport.objects.filter(pk=exports[0].pk).update(file_name="../outside.csv")

    def check():
        from attendance.models import private_storage

        assert list(RegistrationExport.objects.values_list("pk", flat=True)) == [exports[0].pk]
        assert not private_storage().exists(good_file)

    return exports[0].pk, check


SCENARIOS = {
    "registrations: queue due reminders": reminders,
    "notifications: sweep the outbox": outbox_sweep,
    "attendance: finalise ended events": attendance_finalisation,
    "registrations: expire seat offers": offer_expiry,
    "registrations: send lost change notices": lost_change_notices,
    "speakers: remind unanswered invitations": speaker_reminders,
    "programmes: review missed sessions": missed_sessions_review,
    "programmes: issue due certificates": certificates,
    "programmes: tidy enrolment lists": enrolment_lists,
    "attendance: tidy registrations exports": registration_exports,
}


def test_every_scheduled_job_has_a_bad_row_scenario():
    assert sorted(SCENARIOS) == sorted(SCHEDULES)


@pytest.mark.parametrize("job", sorted(SCHEDULES))
def test_periodic_job_skips_a_bad_row_and_processes_the_later_ones(job, caplog, django_capture_on_commit_callbacks):
    bad_id, check = SCENARIOS[job]()
    function = import_string(SCHEDULES[job][0])
    mail.outbox.clear()

    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        function()

    check()
    logged = " ".join(record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING)
    assert str(bad_id) in logged
