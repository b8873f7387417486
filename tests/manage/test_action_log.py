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


def test_every_service_that_takes_by_records_it(organiser, own_event):
    """No service takes ``by`` and drops it: wording, resends, series, programmes, cohorts,
    enrolments, mentors and certificates are logged with their actor too."""
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
