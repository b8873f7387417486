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
    assert f"Leyla Huseynova cancelled a registration (#{registration.pk})" in page
    assert "Leyla Huseynova published the event" in page
    assert "Aysel" not in page  # the log names no attendee


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
