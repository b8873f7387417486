"""The invitation state machine, reminders and the messages speakers receive."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from events import services as event_services
from notifications.models import OutboxMessage
from notifications.services.outbox import render_message
from speakers import services
from speakers.exceptions import InvalidAnswer, SpeakerConflicts
from speakers.models import AssignmentRole, AssignmentStatus, SpeakerAssignment
from tests import factories

pytestmark = pytest.mark.django_db


def link_target(body: str) -> SpeakerAssignment:
    """The assignment the signed answer link in an email body points to."""
    [token] = re.findall(r"/speaker/invitation/([^/\s]+)/", body)
    return services.assignment_from_token(token)


def messages(kind):
    return list(OutboxMessage.objects.filter(kind=kind).order_by("id"))


def test_assign_speaker_sends_invitation_with_signed_link(event, organiser, speaker_a):
    assignment = services.assign_speaker(event=event, speaker=speaker_a, by=organiser, role="keynote")

    assert assignment.status == AssignmentStatus.INVITED
    [invitation] = messages("speaker_invitation")
    assert invitation.recipient_email == speaker_a.email
    rendered = render_message(invitation)
    assert link_target(rendered.body_text) == assignment
    assert f"We would love you to give the keynote at {event.title}." in rendered.body_text
    assert event.title in rendered.subject
    assert services.assignment_from_token(services.invitation_token(assignment)).pk == assignment.pk


def test_the_default_answer_deadline_is_the_end_of_a_day_in_the_events_zone(speaker_a, settings):
    # it was the minute of inviting ten days on: "Please answer by Tuesday 8 December 2026, 20:51"
    settings.SPEAKER_RESPONSE_DAYS = 10
    event = factories.EventFactory(timezone="Asia/Baku", start=timezone.now() + dt.timedelta(days=60),
                                   end=timezone.now() + dt.timedelta(days=60, hours=2))  # fmt: skip
    soon = factories.EventFactory(timezone="Asia/Baku", start=timezone.now() + dt.timedelta(days=3, minutes=7),
                                  end=timezone.now() + dt.timedelta(days=3, hours=2))  # fmt: skip

    far = services.assign_speaker(event=event, speaker=speaker_a, by=None)
    near = services.assign_speaker(event=soon, speaker=speaker_a, by=None)

    local = timezone.localtime(far.response_deadline, event.zone)
    expected_day = timezone.localtime(timezone.now() + dt.timedelta(days=10), event.zone).date()
    assert (local.date(), local.time()) == (expected_day, dt.time(23, 59))
    assert near.response_deadline == soon.start - dt.timedelta(days=1)  # a day before the event at the latest
    body = render_message(messages("speaker_invitation")[0]).body_text
    assert "23:59, Baku time (UTC+4)" in body


INVITING_SENTENCES = {
    "keynote": ("We would love you to give the keynote at {}.", "{} tədbirində əsas məruzə ilə çıxış etməyinizi"),
    "panellist": ("We would love you to speak on the panel at {}.", "{} tədbirində panel müzakirəsində çıxış"),
    "moderator": ("We would love you to moderate {}.", "{} tədbirinin moderatoru olmağınızı"),
    "mentor": ("We would love you to join {} as a mentor.", "{} tədbirinə mentor kimi qoşulmağınızı"),
    "facilitator": ("We would love you to facilitate {}.", "{} tədbirinin fasilitatoru olmağınızı"),
    "trainer": ("We would love you to lead the training at {}.", "{} tədbirində təlimi aparmağınızı"),
}


@pytest.mark.parametrize("language", ["en", "az"])
@pytest.mark.parametrize("role", [value for value, _label in AssignmentRole.choices])
def test_invitation_asks_for_each_role_in_a_sentence_of_its_own(event, organiser, speaker_a, role, language):
    # it read "We would love you to join X as Keynote": a capitalised label pasted mid-sentence
    services.assign_speaker(event=event, speaker=speaker_a, by=organiser, role=role)
    [invitation] = messages("speaker_invitation")
    invitation.language = language

    body = render_message(invitation).body_text

    english, azerbaijani = INVITING_SENTENCES[role]
    assert (english if language == "en" else azerbaijani).format(event.title) in body
    assert " as Keynote" not in body and " kimi qoşul" not in body.replace("mentor kimi qoşul", "")


def test_assign_speaker_twice_returns_the_same_invitation(event, organiser, speaker_a):
    first = services.assign_speaker(event=event, speaker=speaker_a, by=organiser)
    second = services.assign_speaker(event=event, speaker=speaker_a, by=organiser)

    assert first.pk == second.pk
    assert len(messages("speaker_invitation")) == 1


def test_assign_speaker_not_organiser_of_event_is_forbidden(event, speaker_a):
    other_organiser = factories.OrganiserFactory()

    with pytest.raises(services.Forbidden) as error:
        services.assign_speaker(event=event, speaker=speaker_a, by=other_organiser)

    assert error.value.code == "not_event_organiser"


@pytest.mark.parametrize("answer, status", [("accept", "accepted"), ("decline", "declined")])
def test_answer_invited_records_status_and_message(event, organiser, speaker_a, answer, status):
    assignment = services.assign_speaker(event=event, speaker=speaker_a, by=organiser)

    assignment = services.answer_invitation(assignment=assignment, answer=answer, message="  Happy to help ")

    assert assignment.status == status
    assert assignment.message == "Happy to help"
    assert assignment.responded_at is not None


def test_accept_twice_is_harmless(event, organiser, speaker_a):
    assignment = services.assign_speaker(event=event, speaker=speaker_a, by=organiser)
    first = services.accept_invitation(assignment=assignment)

    again = services.accept_invitation(assignment=assignment, message="changed")

    assert again.status == AssignmentStatus.ACCEPTED
    assert again.responded_at == first.responded_at


def test_decline_after_accepting_is_allowed(event, organiser, speaker_a):
    assignment = services.assign_speaker(event=event, speaker=speaker_a, by=organiser)
    services.accept_invitation(assignment=assignment)

    assert services.decline_invitation(assignment=assignment, message="ill").status == AssignmentStatus.DECLINED


@pytest.mark.parametrize(
    "setup, action, code",
    [
        ("declined", "accept", "invitation_declined"),
        ("withdrawn", "accept", "invitation_withdrawn"),
        ("withdrawn", "decline", "invitation_withdrawn"),
        ("declined", "withdraw", "invitation_declined"),
        ("cancelled_event", "accept", "event_cancelled"),
        ("past_event", "accept", "event_over"),
    ],
)
def test_illegal_transition_is_refused_with_code(event, organiser, speaker_a, setup, action, code):
    assignment = services.assign_speaker(event=event, speaker=speaker_a, by=organiser)
    if setup == "declined":
        services.decline_invitation(assignment=assignment)
    elif setup == "withdrawn":
        services.withdraw_assignment(assignment=assignment, by=organiser)
    elif setup == "cancelled_event":
        event_services.cancel_event(event=event, by=organiser)
    elif setup == "past_event":
        event.start = timezone.now() - dt.timedelta(days=2)
        event.end = event.start + dt.timedelta(hours=2)
        event.save()

    with pytest.raises(InvalidAnswer) as error:
        if action == "withdraw":
            services.withdraw_assignment(assignment=assignment, by=organiser)
        else:
            services.answer_invitation(assignment=assignment, answer=action)

    assert error.value.code == code
    assert error.value.http_status == 409


def test_withdraw_accepted_removes_speaker_from_public_list(event, organiser, speaker_a):
    from speakers.selectors import accepted_assignments_for_events

    assignment = services.assign_speaker(event=event, speaker=speaker_a, by=organiser)
    services.accept_invitation(assignment=assignment)
    assert [a.speaker for a in accepted_assignments_for_events([event.pk])[event.pk]] == [speaker_a]

    services.withdraw_assignment(assignment=assignment, by=organiser)

    assert accepted_assignments_for_events([event.pk]) == {event.pk: []}


def test_reinvite_after_decline_reopens_and_old_link_stops_working(event, organiser, speaker_a):
    assignment = services.assign_speaker(event=event, speaker=speaker_a, by=organiser)
    old_token = services.invitation_token(assignment)
    services.decline_invitation(assignment=assignment)

    reinvited = services.assign_speaker(event=event, speaker=speaker_a, by=organiser)

    assert reinvited.pk == assignment.pk
    assert reinvited.status == AssignmentStatus.INVITED
    assert len(messages("speaker_invitation")) == 2
    with pytest.raises(services.InvalidInvitationLink) as error:
        services.assignment_from_token(old_token)
    assert error.value.code == "invalid_link"


def test_tampered_link_is_invalid(event, organiser, speaker_a):
    assignment = services.assign_speaker(event=event, speaker=speaker_a, by=organiser)

    with pytest.raises(services.InvalidInvitationLink) as error:
        services.assignment_from_token(services.invitation_token(assignment) + "x")

    assert error.value.code == "invalid_link"


def test_expired_link_is_refused(event, organiser, speaker_a, settings, monkeypatch):
    assignment = services.assign_speaker(event=event, speaker=speaker_a, by=organiser)
    token = services.invitation_token(assignment)
    settings.SPEAKER_INVITATION_LINK_DAYS = -1

    with pytest.raises(services.InvalidInvitationLink) as error:
        services.assignment_from_token(token)

    assert error.value.code == "link_expired"


# --- reminders ---------------------------------------------------------------------------


def _invited(event, organiser, speaker, *, deadline_in_days):
    assignment = services.assign_speaker(
        event=event,
        speaker=speaker,
        by=organiser,
        response_deadline=timezone.now() + dt.timedelta(days=deadline_in_days),
    )
    return assignment


def test_reminders_every_interval_until_deadline_then_one_alert(organiser, speaker_a):
    event = factories.EventFactory(organisers=[organiser], start=timezone.now() + dt.timedelta(days=30))
    event.end = event.start + dt.timedelta(hours=2)
    event.save()
    assignment = _invited(event, organiser, speaker_a, deadline_in_days=7)
    start = assignment.invited_at
    interval = services.reminder_interval()

    assert services.send_invitation_reminders(now=start + interval / 2) == {"reminded": 0, "alerted": 0}
    assert services.send_invitation_reminders(now=start + interval) == {"reminded": 1, "alerted": 0}
    assert services.send_invitation_reminders(now=start + interval) == {"reminded": 0, "alerted": 0}
    assert services.send_invitation_reminders(now=start + 2 * interval) == {"reminded": 1, "alerted": 0}
    after_deadline = start + dt.timedelta(days=8)
    assert services.send_invitation_reminders(now=after_deadline) == {"reminded": 0, "alerted": 1}
    nothing_left = {"reminded": 0, "alerted": 0}
    assert services.send_invitation_reminders(now=after_deadline + dt.timedelta(days=1)) == nothing_left

    assert [m.recipient_email for m in messages("speaker_invitation_reminder")] == [speaker_a.email] * 2
    [alert] = messages("speaker_unanswered_alert")
    assert alert.recipient_email == organiser.email
    assert speaker_a.name in render_message(alert).subject
    assert link_target(render_message(messages("speaker_invitation_reminder")[0]).body_text) == assignment
    assignment.refresh_from_db()
    assert assignment.reminder_count == 2


def test_answered_invitation_gets_no_reminder(event, organiser, speaker_a):
    assignment = _invited(event, organiser, speaker_a, deadline_in_days=5)
    services.accept_invitation(assignment=assignment)

    result = services.send_invitation_reminders(now=assignment.invited_at + services.reminder_interval())

    assert result == {"reminded": 0, "alerted": 0}


def test_reminder_task_entry_point_runs_the_service(event, organiser, speaker_a):
    from speakers.tasks import remind_unanswered_invitations

    assignment = _invited(event, organiser, speaker_a, deadline_in_days=5)
    SpeakerAssignment.objects.filter(pk=assignment.pk).update(
        invited_at=timezone.now() - services.reminder_interval() - dt.timedelta(minutes=1)
    )

    assert remind_unanswered_invitations() == {"reminded": 1, "alerted": 0}


# --- event changes -----------------------------------------------------------------------


def test_event_time_change_tells_invited_and_accepted_speakers_only(event, organiser, speaker_a, speaker_b):
    accepted = services.assign_speaker(event=event, speaker=speaker_a, by=organiser)
    services.accept_invitation(assignment=accepted)
    declined = services.assign_speaker(event=event, speaker=speaker_b, by=organiser)
    services.decline_invitation(assignment=declined)
    invited = services.assign_speaker(event=event, speaker=factories.SpeakerFactory(), by=organiser).speaker

    event_services.update_event(event=event, by=organiser, start=event.start + dt.timedelta(hours=1),
                                end=event.end + dt.timedelta(hours=1))  # fmt: skip

    told = sorted(m.recipient_email for m in messages("event_changed") if m.recipient_email.startswith("speaker"))
    assert told == sorted([speaker_a.email, invited.email])


def test_event_description_change_does_not_bother_speakers(event, organiser, speaker_a):
    services.accept_invitation(assignment=services.assign_speaker(event=event, speaker=speaker_a, by=organiser))

    event_services.update_event(event=event, by=organiser, description="New words")

    assert [m for m in messages("event_changed") if m.recipient_email == speaker_a.email] == []


def test_event_cancellation_tells_speakers(event, organiser, speaker_a):
    services.assign_speaker(event=event, speaker=speaker_a, by=organiser)

    event_services.cancel_event(event=event, by=organiser, reason="Storm")

    assert [m.recipient_email for m in messages("event_cancelled") if m.recipient_email == speaker_a.email] == [
        speaker_a.email
    ]


def test_assign_with_conflict_needs_reason(organiser, speaker_a):
    first = factories.EventFactory(organisers=[organiser])
    second = factories.EventFactory(organisers=[organiser], start=first.start + dt.timedelta(hours=1))
    services.assign_speaker(event=first, speaker=speaker_a, by=organiser)

    with pytest.raises(SpeakerConflicts) as error:
        services.assign_speaker(event=second, speaker=speaker_a, by=organiser)
    assignment = services.assign_speaker(
        event=second, speaker=speaker_a, by=organiser, conflict_override_reason="Short keynote, then leaves"
    )

    assert error.value.code == "speaker_conflicts"
    assert [c["code"] for c in error.value.extra["conflicts"]] == ["overlap"]
    assert assignment.conflict_override_reason == "Short keynote, then leaves"
    assert assignment.conflict_overridden_by == organiser


@pytest.mark.parametrize("left", ["removed", "account closed"])
def test_an_unanswered_alert_for_an_event_with_no_organisers_goes_to_the_programmes_address(
    organiser, speaker_a, settings, left
):
    settings.PROGRAMME_CONTACT_EMAIL = "team@stem.example.org"
    event = factories.EventFactory(organisers=[organiser], start=timezone.now() + dt.timedelta(days=30))
    assignment = _invited(event, organiser, speaker_a, deadline_in_days=7)
    if left == "removed":
        event.organisers.clear()  # the organiser left the programme
    else:
        organiser.is_active = False  # a closed account hears nothing
        organiser.save(update_fields=["is_active"])

    outcome = services.send_invitation_reminders(now=assignment.invited_at + dt.timedelta(days=8))

    assert outcome == {"reminded": 0, "alerted": 1}
    [alert] = messages("speaker_unanswered_alert")
    assert alert.recipient_email == "team@stem.example.org"
    assert speaker_a.name in render_message(alert).subject


def test_a_change_notice_still_waiting_when_the_event_is_cancelled_is_not_sent(
    event, organiser, speaker_a, django_capture_on_commit_callbacks
):
    from django.core import mail

    from notifications.services import send_outbox_messages

    services.accept_invitation(assignment=services.assign_speaker(event=event, speaker=speaker_a, by=organiser))
    with django_capture_on_commit_callbacks(execute=False):  # the worker is busy
        event_services.update_event(
            event=event, by=organiser, start=event.start + dt.timedelta(hours=1), end=event.end + dt.timedelta(hours=1)
        )
        event_services.cancel_event(event=event, by=organiser, reason="Storm")
    mail.outbox.clear()

    send_outbox_messages(message_ids=[m.pk for m in OutboxMessage.objects.filter(recipient_email=speaker_a.email)])

    (changed,) = messages("event_changed")
    assert (changed.status, changed.last_error) == ("cancelled", "The event is cancelled; its cancellation tells it.")
    # only the cancellation reaches the speaker: no calendar REQUEST after (or before) its CANCEL,
    # nor the invitation to speak that was still waiting
    assert [email.subject for email in mail.outbox if speaker_a.email in email.to[0]] == [f"Cancelled: {event.title}"]


def test_a_speakers_change_notice_names_what_changed_as_a_registrants_does(event, organiser, speaker_a):
    """The registrants read "CV clinic has changed (time)", the speakers of the same move only
    "has changed": their notice carried the fields, which the template did not read."""
    services.accept_invitation(assignment=services.assign_speaker(event=event, speaker=speaker_a, by=organiser))

    event_services.update_event(event=event, by=organiser, start=event.start + dt.timedelta(hours=1),
                                end=event.end + dt.timedelta(hours=1))  # fmt: skip

    (notice,) = [m for m in messages("event_changed") if m.recipient_email == speaker_a.email]
    assert f"{event.title} has changed (time)." in render_message(notice).body_text


def test_the_organisers_hear_which_session_of_a_series_a_speaker_answered(organiser, speaker_a):
    """A series' sessions share one title: "Aysel Mammadova accepted: Mentoring circle" and
    "Aysel Mammadova declined: Mentoring circle" side by side in the inbox did not say which was which."""
    first, second = (
        factories.EventFactory(
            organisers=[organiser], title="Mentoring circle", start=dt.datetime(2027, 1, day, 14, 30, tzinfo=dt.UTC)
        )
        for day in (14, 28)
    )
    services.accept_invitation(assignment=services.assign_speaker(event=first, speaker=speaker_a, by=organiser))
    services.decline_invitation(assignment=services.assign_speaker(event=second, speaker=speaker_a, by=organiser))

    subjects = sorted(render_message(message).subject for message in messages("speaker_answered"))

    assert subjects == [
        "Aysel Mammadova accepted: Mentoring circle (Thu 14 Jan 2027, 18:30)",
        "Aysel Mammadova declined: Mentoring circle (Thu 28 Jan 2027, 18:30)",
    ]
