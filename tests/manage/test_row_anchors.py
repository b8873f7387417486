"""A button on a row of a list in the workspace sends the organiser back to that row
(``#<row id>``), or to the list's heading when the action took the row off the list; it sent them
to the top of the page, and a keyboard or screen reader user started again from the menu
(``events.workspace.back_to_row``). Each row action of every list is walked here: the redirect
names a fragment, and the page it leads to has an element of that id."""

import re

import pytest

from tests import factories
from tests.manage.test_attendance_page import _upload, ended_webinar  # noqa: F401

pytestmark = pytest.mark.django_db


def _speakers(organiser, action):
    assignment = factories.SpeakerAssignmentFactory(event=factories.EventFactory(organisers=[organiser]))
    return f"/manage/events/{assignment.event_id}/speakers/", {"action": action, "assignment": assignment.pk}


def _question(organiser, action):
    event = factories.EventFactory(organisers=[organiser])
    first, second = (factories.QuestionFactory(event=event, position=index) for index in (1, 2))
    question = second if action == "up" else first
    return f"/manage/events/{event.pk}/questions/", {"action": action, "question": question.pk}


def _code(organiser, action):
    invitation = factories.InvitationFactory(
        event=factories.EventFactory(organisers=[organiser], registration_mode="invitation")
    )
    return f"/manage/events/{invitation.event_id}/invitations/", {"action": action, "invitation": invitation.pk}


def _registration(status, action, back=""):
    def make(organiser, _action=action):
        event = factories.EventFactory(organisers=[organiser], registration_mode="approval")
        registration = factories.RegistrationFactory(event=event, status=status)
        data = {"action": action, "registration": registration.pk, "back": back, "reason": "Double booking"}
        return f"/manage/events/{event.pk}/registrations/", data

    return make


def _event_team(organiser, action):
    event = factories.EventFactory(organisers=[organiser])
    if action == "revoke":
        invitation = factories.TeamInvitationFactory(event=event)
        return f"/manage/events/{event.pk}/team/", {"action": "revoke", "invitation": invitation.pk}
    person = factories.UserFactory()
    role = action.split("_", 1)[1]
    (event.organisers if role == "organiser" else event.checkin_staff).add(person)
    return f"/manage/events/{event.pk}/team/", {"action": "remove", "role": role, "user": person.pk}


def _last_organiser(organiser, action):
    """Removing the only organiser is refused: the row stays, and the page comes back to it."""
    event = factories.EventFactory(organisers=[organiser])
    return f"/manage/events/{event.pk}/team/", {"action": "remove", "role": "organiser", "user": organiser.pk}


def _series_team(organiser, action):
    series = factories.SeriesFactory()
    series.organisers.add(organiser)
    if action == "revoke":
        invitation = factories.TeamInvitationFactory(event=None, series=series)
        return f"/manage/series/{series.pk}/team/", {"action": "revoke", "invitation": invitation.pk}
    person = factories.UserFactory()
    series.checkin_staff.add(person)
    return f"/manage/series/{series.pk}/team/", {"action": "remove", "user": person.pk}


def _member(organiser, action, back=""):
    cohort = factories.CohortFactory(programme=factories.ProgrammeFactory(organisers=[organiser]))
    enrolment = factories.EnrolmentFactory(cohort=cohort)
    if action == "revoke":
        factories.CertificateFactory(enrolment=enrolment)
    url = f"/manage/programmes/{cohort.programme_id}/cohorts/{cohort.pk}/"
    return url, {"action": action, "enrolment": enrolment.pk, "back": back, "reason": "Issued by mistake"}


def _outbox(organiser, action, back=""):
    message = factories.OutboxMessageFactory(event=factories.EventFactory(organisers=[organiser]), status="failed")
    return "/manage/outbox/", {"message": message.pk, "back": back}


def _programme_event(organiser, action):
    programme = factories.ProgrammeFactory(organisers=[organiser])
    event = factories.EventFactory(organisers=[organiser])
    if action == "remove_event":
        programme.events.add(event)
    return f"/manage/programmes/{programme.pk}/", {"action": action, "event": event.pk}


ROW_ACTIONS = [
    ("speaker withdraw", _speakers, "withdraw"),
    ("speaker listed", _speakers, "list"),
    ("speaker unlisted", _speakers, "unlist"),
    ("question up", _question, "up"),
    ("question down", _question, "down"),
    ("question delete", _question, "delete"),
    ("code resend", _code, "resend"),
    ("code withdraw", _code, "revoke"),
    ("registration approve", _registration("pending", "approve"), "approve"),
    ("registration approve, pending listed", _registration("pending", "approve", "status=pending"), "approve"),
    ("registration turn down", _registration("pending", "reject"), "reject"),
    ("registration move in", _registration("waitlisted", "promote"), "promote"),
    ("registration cancel", _registration("confirmed", "cancel"), "cancel"),
    ("registration resend", _registration("confirmed", "resend"), "resend"),
    ("registration refused", _registration("cancelled", "resend"), "resend"),
    ("team remove organiser", _event_team, "remove_organiser"),
    ("team remove door", _event_team, "remove_checkin"),
    ("team remove last organiser", _last_organiser, "remove"),
    ("team withdraw link", _event_team, "revoke"),
    ("series team remove", _series_team, "remove"),
    ("series team withdraw link", _series_team, "revoke"),
    ("member leaves", _member, "leave"),
    ("member leaves, active listed", lambda organiser, action: _member(organiser, action, "status=active"), "leave"),
    ("member certificate revoked", _member, "revoke"),
    ("member certificate refused", _member, "certificate"),
    ("outbox resend", _outbox, "resend"),
    ("outbox resend, failed listed", lambda organiser, action: _outbox(organiser, action, "status=failed"), "resend"),
    ("programme event out", _programme_event, "remove_event"),
    ("programme event in", _programme_event, "add_event"),
]


@pytest.mark.parametrize(("make", "action"), [row[1:] for row in ROW_ACTIONS], ids=[row[0] for row in ROW_ACTIONS])
def test_a_row_action_comes_back_to_its_row_or_its_lists_heading(organiser, organiser_web, make, action):
    url, data = make(organiser, action)

    response = organiser_web.post(url, data)

    assert response.status_code == 302, response.status_code
    path, _, fragment = response["Location"].partition("#")
    assert fragment, response["Location"]
    page = organiser_web.get(path)
    assert page.status_code == 200
    assert f'id="{fragment}"' in page.content.decode(), f"#{fragment} is not on {path}"
    assert_said_at(page.content.decode(), fragment)


def assert_said_at(page: str, fragment: str) -> None:
    """What the button did is said where the browser lands: its messages are drawn at the row
    (first thing in it) or right after the heading, once, and not at the top of the page, which on
    a phone is out of sight once the browser has scrolled to the row."""
    regions = [found.start() for found in re.finditer(r'<div role="(?:alert|status)"><ul class="messages">', page)]
    landing = re.search(rf'\sid="{fragment}"', page).end()
    assert regions, f"no message on the page of #{fragment}"
    assert all(start > landing for start in regions), f"a message is drawn above #{fragment}"
    between = page[landing : regions[0]]
    assert not re.search(r'\sid="', between) and len(between) < 400, f"the message is not at #{fragment}: {between}"


@pytest.mark.parametrize("registration", ["leyla", "nobody-such@example.org"])
def test_a_match_of_an_attendance_row_comes_back_to_the_rows_not_matched(
    organiser, organiser_web, django_capture_on_commit_callbacks, request, registration
):
    event = request.getfixturevalue("ended_webinar")  # the attendance tests' webinar and report
    with django_capture_on_commit_callbacks(execute=True):
        _upload(organiser_web, event)
    report = event.attendance_imports.get()
    url = f"/manage/events/{event.pk}/attendance/imports/{report.pk}/"
    line = organiser_web.get(url).context["plan"].unmatched[0].line
    chosen = event.registrations.get(email="leyla@example.org").pk if registration == "leyla" else registration

    response = organiser_web.post(url, {"action": "match", "line": line, "registration": chosen})

    path, _, fragment = response["Location"].partition("#")
    assert fragment
    page = organiser_web.get(path).content.decode()
    assert f'id="{fragment}"' in page
    assert_said_at(page, fragment)
