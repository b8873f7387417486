"""Services record who did what (events.models.ActionLogEntry); the event's organisers read it."""

import pytest

from events.models import ActionLogEntry
from events.services import publish_event, update_event
from registrations.services.registration import cancel_registration, register
from tests import factories

pytestmark = pytest.mark.django_db


def test_organisers_actions_are_recorded_and_shown_on_the_event_page(organiser_web, organiser):
    organiser.first_name, organiser.last_name = "Leyla", "Huseynova"
    organiser.save()
    event = factories.EventFactory(organisers=[organiser], status="draft", title="Robotics workshop")
    publish_event(event=event, by=organiser)
    update_event(event=event, by=organiser, capacity=40)
    registration = register(event=event, name="Aysel Aliyeva", email="aysel@example.org", consent_data_processing=True)
    cancel_registration(registration=registration, by=organiser, reason="Duplicate")

    page = organiser_web.get(f"/manage/events/{event.pk}/").text

    assert list(ActionLogEntry.objects.values_list("action", "actor", "subject_type", "subject_id", "data")) == [
        ("registration.cancelled", organiser.pk, "registration", registration.pk, {}),
        ("event.changed", organiser.pk, "event", event.pk, {"fields": ["capacity"]}),
        ("event.published", organiser.pk, "event", event.pk, {}),
    ]
    # the registrant named as the organisers know them, read from the registration (the log stores no name)
    assert "Leyla Huseynova cancelled a registration (Aysel Aliyeva)" in page
    assert f"(#{registration.pk})" not in page
    assert "Leyla Huseynova published the event" in page
    assert "aysel@example.org" not in page


def test_attendee_cancelling_through_their_link_is_recorded_without_an_actor(organiser_web, own_event):
    registration = register(event=own_event, name="Aysel", email="aysel@example.org", consent_data_processing=True)

    cancel_registration(registration=registration)
    page = organiser_web.get(f"/manage/events/{own_event.pk}/").text

    assert list(ActionLogEntry.objects.values_list("action", "actor")) == [("registration.cancelled", None)]
    assert "the system or an attendee cancelled a registration" in page


def test_other_organisers_events_log_is_not_shown(organiser_web, other_event):
    publish_event(event=other_event, by=other_event.organisers.get())

    response = organiser_web.get(f"/manage/events/{other_event.pk}/")

    assert response.status_code == 404


def test_questions_and_invitations_are_recorded(organiser, own_event):
    from registrations.services.invitations import create_invitation, revoke_invitation
    from registrations.services.questions import create_question, delete_question

    question = create_question(event=own_event, by=organiser, label="Your school", kind="text")
    delete_question(question=question, by=organiser)
    invitation = create_invitation(event=own_event, email="delegate@ministry.example.org", name="Delegate")
    revoke_invitation(invitation=invitation, by=organiser)

    assert list(ActionLogEntry.objects.order_by("pk").values_list("action", "subject_type", "actor")) == [
        ("question.created", "question", organiser.pk),
        ("question.deleted", "question", organiser.pk),
        ("invitation.revoked", "invitation", organiser.pk),
    ]


# Services that take ``by`` and deliberately record nothing in the action log, each with why.
NOT_LOGGED = {
    # the log itself
    "events.services.log_action": "writes the entries",
    # a check: it raises or returns, and writes nothing
    "speakers.services.check_may_link": "a permission check",
    # a speaker's profile belongs to no event or series: no workspace page would show the entry
    "speakers.services.create_speaker": "a profile, not an event's",
    "speakers.services.update_speaker": "a profile, not an event's",
    "speakers.services.send_account_link": "a profile, not an event's",
    # the organisers reading the speakers' answers changes nothing anybody else sees
    "speakers.services.mark_answers_seen": "a read receipt",
    # the invitation keeps who created it (Invitation.created_by), and its list shows every code
    "registrations.services.invitations.create_invitation": "the invitation records its creator",
    # the import keeps who uploaded it (AttendanceImport.uploaded_by); matching a row is logged
    "attendance.services.participant_reports.upload_participant_report": "the import records its uploader",
    # each session's entry, in bulk (events.services._log_each), names ``by``; the series' own entry is its caller's
    "events.services.sync_series_occurrences": "logs its sessions in bulk",
}


def _project_service_modules():
    """Every ``<app>.services`` module, and each module of a ``services`` package, of the project's apps."""
    import importlib
    import pkgutil
    from pathlib import Path

    from django.apps import apps
    from django.conf import settings

    for app in apps.get_app_configs():
        if not Path(app.path).is_relative_to(Path(settings.BASE_DIR)):
            continue
        try:
            services = importlib.import_module(f"{app.name}.services")
        except ModuleNotFoundError:
            continue
        yield services
        for info in pkgutil.iter_modules(getattr(services, "__path__", [])):
            yield importlib.import_module(f"{services.__name__}.{info.name}")


def _services_that_take_by() -> dict[str, object]:
    import inspect

    found = {}
    for module in _project_service_modules():
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_"):
                if "by" in inspect.signature(function).parameters:
                    found[f"{module.__name__}.{name}"] = function
    return found


def _calls(function) -> list[tuple[str, set[str]]]:
    """The names ``function`` calls, each with the keyword arguments it passes."""
    import ast
    import inspect
    import textwrap

    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            calls.append((callee, {keyword.arg for keyword in node.keywords}))
    return calls


def test_every_service_that_takes_by_records_it():
    """No service takes ``by`` and drops it: each calls log_action, or hands ``by`` to a service
    that does (copy_questions to create_question), or is in NOT_LOGGED with its reason. The
    services are found, not listed: a new one that takes ``by`` is checked too."""
    services = _services_that_take_by()
    logging = {path for path, function in services.items() if any(c == "log_action" for c, _ in _calls(function))}
    names_of_logging = {path.rsplit(".", 1)[1] for path in logging}
    changed = True
    while changed:  # a service that passes ``by`` on to one that logs logs too
        changed = False
        for path, function in services.items():
            if path not in logging and any(c in names_of_logging and "by" in kw for c, kw in _calls(function)):
                logging.add(path)
                names_of_logging.add(path.rsplit(".", 1)[1])
                changed = True

    assert len(services) > 40  # the discovery found the apps' services, not nothing
    assert "events.services.create_series" in services
    assert sorted(set(services) - logging - set(NOT_LOGGED)) == []
    # the allow-list holds no stale entry: each one exists and still does not log
    assert sorted(set(NOT_LOGGED) - (set(services) - logging)) == []


def test_services_that_take_by_record_it_with_their_actor(organiser, own_event):
    """Wording, resends, series, programmes, cohorts, enrolments, mentors and certificates are
    logged with their actor, as the event's own actions are."""
    from events.services import publish_series, update_series
    from notifications.models import OutboxMessage
    from notifications.services import queue_message, resend_message
    from notifications.services.templates import (
        delete_template_override,
        set_template_override,
        update_template_override,
    )
    from programmes.services import create_cohort, enrol, update_programme

    override = set_template_override(event=own_event, kind="reminder", subject="Soon", body="See you", by=organiser)
    update_template_override(override=override, subject="Very soon", by=organiser)
    delete_template_override(override=override, by=organiser)
    message = queue_message(
        kind="reminder", recipient_email="a@example.org", recipient_name="A", about=own_event, event=own_event
    )
    OutboxMessage.objects.filter(pk=message.pk).update(status="failed")
    resend_message(message=message, by=organiser)
    series = factories.SeriesFactory()
    series.organisers.add(organiser)
    update_series(series=series, title="Mentoring circle (autumn)", by=organiser)
    publish_series(series=series, by=organiser)
    programme = factories.ProgrammeFactory(organisers=[organiser])
    update_programme(programme=programme, title="STEM mentoring 2027", by=organiser)
    cohort = create_cohort(programme=programme, name="Autumn", by=organiser)
    enrol(cohort=cohort, name="Leyla", email="leyla@example.org", by=organiser)

    # (publishing the series also publishes its occurrences: event.published, by the system)
    recorded = list(
        ActionLogEntry.objects.exclude(action__startswith="event.").order_by("pk").values_list("action", "actor")
    )
    assert recorded == [
        ("template.set", organiser.pk),
        ("template.changed", organiser.pk),
        ("template.removed", organiser.pk),
        ("message.resent", organiser.pk),
        ("series.changed", organiser.pk),
        ("series.published", organiser.pk),
        ("programme.changed", organiser.pk),
        ("cohort.created", organiser.pk),
        ("enrolment.created", organiser.pk),
    ]
    assert ActionLogEntry.objects.filter(action="message.resent", event=own_event).exists()


def test_the_series_page_shows_what_was_done_to_the_series(organiser_web, organiser):
    from events.services import update_series

    series = factories.SeriesFactory()
    series.organisers.add(organiser)
    update_series(series=series, title="Mentoring circle (spring)", by=organiser)

    page = organiser_web.get(f"/manage/series/{series.pk}/").content.decode()

    assert "changed the series" in page
    assert organiser.username in page or organiser.get_full_name() in page


def test_a_long_event_log_says_how_much_it_leaves_out(organiser_web, organiser, own_event):
    from events.selectors import ACTION_LOG_LIMIT
    from events.services import log_action

    for _ in range(ACTION_LOG_LIMIT):
        log_action(by=organiser, action="event.changed", event=own_event)
    page_at_the_limit = organiser_web.get(f"/manage/events/{own_event.pk}/").text
    log_action(by=organiser, action="event.published", event=own_event)

    page = organiser_web.get(f"/manage/events/{own_event.pk}/").text
    az_page = organiser_web.get(f"/manage/events/{own_event.pk}/", headers={"accept-language": "az"}).text

    assert 'data-testid="action-log-partial"' not in page_at_the_limit  # 50 of 50: nothing left out
    assert page.count("changed the event") == ACTION_LOG_LIMIT - 1
    assert "published the event" in page
    assert "Showing the latest 50 of 51 entries." in page
    assert "Son 50 qeyd göstərilir, cəmi 51 qeyd var." in az_page


def test_a_long_series_log_says_how_much_it_leaves_out(organiser_web, organiser):
    from events.selectors import ACTION_LOG_LIMIT
    from events.services import log_action

    series = factories.SeriesFactory()
    series.organisers.add(organiser)
    for _ in range(ACTION_LOG_LIMIT + 2):
        log_action(by=organiser, action="series.changed", subject=series)

    page = organiser_web.get(f"/manage/series/{series.pk}/").text

    assert page.count("changed the series") == ACTION_LOG_LIMIT
    assert "Showing the latest 50 of 52 entries." in page


def test_the_event_log_names_questions_invitations_and_speakers(organiser_web, organiser, own_event, other_event):
    from registrations.services.invitations import create_invitation, revoke_invitation
    from registrations.services.questions import create_question
    from speakers.services import withdraw_assignment

    create_question(event=own_event, by=organiser, label="Your school", kind="text")
    revoke_invitation(invitation=create_invitation(event=own_event, email="d@ministry.example.org"), by=organiser)
    assignment = factories.SpeakerAssignmentFactory(event=own_event, speaker__name="Nigar Aliyeva")
    withdraw_assignment(assignment=assignment, by=organiser)
    # names come from this event's records only, whatever an entry points at
    elsewhere = create_question(event=other_event, by=None, label="Someone else's question", kind="text")
    ActionLogEntry.objects.create(
        event=own_event, action="question.changed", subject_type="question", subject_id=elsewhere.pk
    )

    page = organiser_web.get(f"/manage/events/{own_event.pk}/").text

    assert "added a question (Your school)" in page
    assert "withdrew an invitation code (d@ministry.example.org)" in page
    assert "withdrew a speaker&#x27;s invitation (Nigar Aliyeva)" in page
    assert f"changed a question (#{elsewhere.pk})" in page
    assert "Someone else" not in page


def test_naming_the_event_logs_subjects_takes_the_same_queries_however_many(organiser_web, organiser):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_of_the_overview_with(cancelled):
        event = factories.EventFactory(organisers=[organiser])
        for number in range(cancelled):
            registration = register(
                event=event, name=f"Guest {number}", email=f"guest{number}@example.org", consent_data_processing=True
            )
            cancel_registration(registration=registration, by=organiser)
        with CaptureQueriesContext(connection) as queries:
            page = organiser_web.get(f"/manage/events/{event.pk}/").text
        assert page.count("cancelled a registration (Guest ") == cancelled
        return len(queries)

    assert queries_of_the_overview_with(1) == queries_of_the_overview_with(5)


def test_inviting_a_speaker_and_their_answer_are_in_the_event_log(organiser_web, organiser, own_event):
    from rest_framework.test import APIClient

    from speakers.models import SpeakerAssignment
    from speakers.services import accept_invitation, decline_invitation, update_assignment

    organiser.first_name, organiser.last_name = "Leyla", "Huseynova"
    organiser.save()
    on_the_page = factories.SpeakerFactory(name="Nigar Aliyeva")
    through_the_api = factories.SpeakerFactory(name="Rashad Mammadov")
    organiser_web.post(
        f"/manage/events/{own_event.pk}/speakers/", {"action": "invite", "speaker": on_the_page.pk, "role": "keynote"}
    )
    api = APIClient()
    api.force_authenticate(organiser)
    response = api.post("/api/speaker-assignments/", {"event": own_event.pk, "speaker": through_the_api.pk})
    api.post("/api/speaker-assignments/", {"event": own_event.pk, "speaker": through_the_api.pk})  # changes nothing
    nigar = SpeakerAssignment.objects.get(speaker=on_the_page)
    rashad = SpeakerAssignment.objects.get(pk=response.json()["id"])
    update_assignment(assignment=nigar, by=organiser, order=2)
    update_assignment(assignment=nigar, by=organiser, order=2, role=nigar.role)  # what is there: no line
    accept_invitation(assignment=nigar, message="Glad to; my mother is ill, though")
    decline_invitation(assignment=rashad, message="Travelling")

    page = organiser_web.get(f"/manage/events/{own_event.pk}/").text
    az_page = organiser_web.get(f"/manage/events/{own_event.pk}/", headers={"accept-language": "az"}).text

    assert list(
        ActionLogEntry.objects.order_by("pk").values_list("action", "actor", "event", "subject_id", "data")
    ) == [
        ("speaker.invited", organiser.pk, own_event.pk, nigar.pk, {}),
        ("speaker.invited", organiser.pk, own_event.pk, rashad.pk, {}),
        ("speaker.assignment_changed", organiser.pk, own_event.pk, nigar.pk, {"fields": ["order"]}),
        ("speaker.accepted", None, own_event.pk, nigar.pk, {}),
        ("speaker.declined", None, own_event.pk, rashad.pk, {}),
    ]
    assert "Leyla Huseynova invited a speaker (Nigar Aliyeva)" in page
    assert "Leyla Huseynova invited a speaker (Rashad Mammadov)" in page
    assert "the system or an attendee accepted a speaker invitation (Nigar Aliyeva)" in page
    assert "the system or an attendee declined a speaker invitation (Rashad Mammadov)" in page
    # the answer's message stays with the speakers tab (a bare "ill" once matched a random CSRF token)
    assert "mother is ill" not in page and "Travelling" not in page
    assert "Leyla Huseynova məruzəçini dəvət etdi (Nigar Aliyeva)" in az_page
    assert "məruzəçi dəvətini qəbul etdi (Nigar Aliyeva)" in az_page
    assert "məruzəçi dəvətindən imtina etdi (Rashad Mammadov)" in az_page


def test_assigning_a_speaker_despite_conflicts_is_logged_with_the_invitation(organiser, own_event):
    from speakers.services import assign_speaker

    speaker = factories.SpeakerFactory(name="Nigar Aliyeva")
    clash = factories.EventFactory(start=own_event.start, end=own_event.end)
    assign_speaker(event=clash, speaker=speaker, by=None)

    assignment = assign_speaker(event=own_event, speaker=speaker, by=organiser, conflict_override_reason="Online talk")

    assert list(ActionLogEntry.objects.filter(event=own_event).values_list("action", "subject_id", "data")) == [
        ("speaker.conflicts_overridden", assignment.pk, {}),
        ("speaker.invited", assignment.pk, {}),
    ]


def test_a_reason_given_without_conflicts_logs_no_override(organiser, own_event):
    from speakers.services import assign_speaker

    speaker = factories.SpeakerFactory(name="Nigar Aliyeva")

    assign_speaker(event=own_event, speaker=speaker, by=organiser, conflict_override_reason="Just in case")

    assert list(ActionLogEntry.objects.filter(event=own_event).values_list("action", flat=True)) == ["speaker.invited"]


def test_creating_a_series_is_logged_and_shown_on_its_page(organiser_web, organiser):
    import datetime as dt

    from django.utils import timezone

    from events.models import EventKind
    from events.services import create_series

    organiser.first_name, organiser.last_name = "Leyla", "Huseynova"
    organiser.save()
    start = (timezone.now() + dt.timedelta(days=7)).replace(microsecond=0)
    series = create_series(
        by=organiser,
        title="Mentoring circle",
        kind=EventKind.MENTORING_SESSION,
        first_start=start,
        duration_minutes=90,
        rrule="FREQ=WEEKLY;COUNT=3",
    )

    page = organiser_web.get(f"/manage/series/{series.pk}/").text
    az_page = organiser_web.get(f"/manage/series/{series.pk}/", headers={"accept-language": "az"}).text

    entry = ActionLogEntry.objects.get(subject_type="series")
    assert (entry.action, entry.actor_id, entry.event_id, entry.subject_id) == (
        "series.created",
        organiser.pk,
        None,
        series.pk,
    )
    assert "Leyla Huseynova created the series" in page
    assert "Leyla Huseynova silsiləni yaratdı" in az_page


def test_a_speakers_answer_given_signed_in_is_logged_as_theirs_and_by_link_as_no_accounts(organiser_web, own_event):
    # an answer from the speaker area (or the speaker's own API) read "the system or an attendee accepted..."
    from django.test import Client
    from rest_framework.test import APIClient

    from speakers import services
    from tests.pages.conftest import signed_in

    nigar_account = factories.UserFactory(username="nigar", first_name="Nigar", last_name="Aliyeva")
    rashad_account = factories.UserFactory(username="rashad", first_name="Rashad", last_name="Mammadov")
    nigar = factories.SpeakerAssignmentFactory(
        event=own_event, speaker=factories.SpeakerFactory(name="Nigar Aliyeva", user=nigar_account)
    )
    rashad = factories.SpeakerAssignmentFactory(
        event=own_event, speaker=factories.SpeakerFactory(name="Rashad Mammadov", user=rashad_account)
    )
    aysel = factories.SpeakerFactory(name="Aysel Aliyeva")
    by_link = factories.SpeakerAssignmentFactory(event=own_event, speaker=aysel)
    signed_in(Client(), nigar_account).post(f"/speaker/invitations/{nigar.pk}/answer/", {"answer": "accept"})
    api = APIClient()
    api.force_authenticate(rashad_account)
    response = api.post(f"/api/me/speaker/schedule/{rashad.pk}/decline/", {})
    assert response.status_code == 200
    services.answer_invitation(assignment=by_link, answer="accept")  # what the signed link's page calls

    page = organiser_web.get(f"/manage/events/{own_event.pk}/").text

    assert dict(ActionLogEntry.objects.filter(action__startswith="speaker.").values_list("subject_id", "actor")) == {
        nigar.pk: nigar_account.pk,
        rashad.pk: rashad_account.pk,
        by_link.pk: None,
    }
    # the speaker who answered is named once, not again as the subject
    assert "Nigar Aliyeva accepted a speaker invitation</li>" in page
    assert "Rashad Mammadov declined a speaker invitation</li>" in page
    assert "the system or an attendee accepted a speaker invitation (Aysel Aliyeva)" in page


def test_passing_an_invited_place_on_is_in_the_event_log(organiser_web, organiser):
    from registrations.services.invitations import create_invitation
    from registrations.services.registration import approve_registration, transfer_registration

    roundtable = factories.EventFactory(organisers=[organiser], kind="roundtable", registration_mode="invitation")
    invitation = create_invitation(event=roundtable, email="rashad@gov.example.org", name="Rashad Aliyev")
    delegate = register(
        event=roundtable,
        name="Rashad Aliyev",
        email="rashad@gov.example.org",
        consent_data_processing=True,
        invitation_code=invitation.code,
    )
    if delegate.status != "confirmed":
        delegate = approve_registration(registration=delegate, by=None)

    transfer_registration(registration=delegate, name="Vusal Mammadli", email="vusal@gov.example.org")
    page = organiser_web.get(f"/manage/events/{roundtable.pk}/").text
    az_page = organiser_web.get(f"/manage/events/{roundtable.pk}/", headers={"accept-language": "az"}).text

    entry = ActionLogEntry.objects.get(action="registration.transferred")
    assert (entry.actor, entry.subject_id, entry.data) == (None, delegate.pk, {})
    assert "the system or an attendee passed an invited seat on to a colleague (Rashad Aliyev)" in page
    assert "sistem və ya iştirakçı dəvətli yeri həmkarına ötürdü (Rashad Aliyev)" in az_page
