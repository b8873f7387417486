import pytest
from django.test import Client

from events import demo as event_demo
from events.models import Event
from registrations import demo
from registrations.models import Question, Registration, RegistrationStatus
from tests import factories
from tests.registrations.conftest import sign_up

pytestmark = pytest.mark.django_db


def test_demo_registrations_load_twice_without_change():
    event_demo.load()

    demo.load()
    first = sorted(Registration.objects.values_list("event_id", "email", "status"))
    demo.load()

    assert sorted(Registration.objects.values_list("event_id", "email", "status")) == first
    statuses = {status for _, _, status in first}
    assert {RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED} <= statuses
    # the seat counters agree with what the registrations hold
    for event in Event.objects.all():
        held = sum(Registration.objects.filter(event=event).values_list("seats_held", flat=True))
        assert event.seats_taken == held


def test_demo_leaves_the_events_an_organiser_made_alone():
    """Starting `dev.py run` again loads the demo again: it filled the organiser's own outreach
    visit with a family of five (over its limit of four), and stopped the service from starting."""
    event_demo.load()
    organiser = event_demo.ensure_organiser()
    own_visit = factories.EventFactory(
        organisers=[organiser], title="Our visit to Quba", kind="outreach_visit", max_party_size=4
    )
    own_webinar = factories.EventFactory(organisers=[organiser], title="Our webinar", kind="webinar")

    demo.load()

    assert not Registration.objects.filter(event__in=[own_visit, own_webinar]).exists()
    assert Registration.objects.filter(event__title="Role models visit Shaki").exists()


@pytest.fixture
def admin_client(db):
    """The admin is for superusers only (organisers work in the workspace)."""
    client = Client()
    client.force_login(factories.UserFactory(is_superuser=True, is_staff=True))
    return client


def test_admin_pages_open(admin_client, event):
    registration = sign_up(event, answers={factories.QuestionFactory(event=event).pk: "yes"})
    factories.InvitationFactory(event=event)

    pages = [
        "/admin/registrations/registration/",
        "/admin/registrations/registration/?q=attendee&status__exact=confirmed",
        f"/admin/registrations/registration/{registration.pk}/change/",
        "/admin/registrations/question/",
        "/admin/registrations/invitation/",
    ]

    assert [admin_client.get(page).status_code for page in pages] == [200] * len(pages)


def test_admin_cancel_action_goes_through_the_service(admin_client, event):
    holder = sign_up(event)
    for _ in range(2):
        sign_up(event)
    waiting = sign_up(event)

    admin_client.post("/admin/registrations/registration/", {"action": "cancel", "_selected_action": [holder.pk]})

    assert Registration.objects.get(pk=holder.pk).status == RegistrationStatus.CANCELLED
    assert Registration.objects.get(pk=waiting.pk).status == RegistrationStatus.CONFIRMED
    assert Event.objects.get(pk=event.pk).seats_taken == 3


def question_form(event, **fields) -> dict:
    return {"event": event.pk, "label": "Sector", "kind": "choice", "position": "0", **fields}


@pytest.mark.parametrize(
    ("choices", "code"),
    [('["Academia", " Academia"]', "duplicate_choices"), ('["\\u200b", "NGO"]', "choices_required")],
)
def test_admin_question_obeys_the_option_rules_of_the_api(admin_client, event, choices, code):
    response = admin_client.post("/admin/registrations/question/add/", question_form(event, choices=choices))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors.as_data()["choices"][0].code == code
    assert not Question.objects.exists()


def test_admin_question_options_are_tidied_as_in_the_api(admin_client, event):
    choices = '[" Academia ", "NGO\\u200b"]'

    response = admin_client.post("/admin/registrations/question/add/", question_form(event, choices=choices))

    assert response.status_code == 302
    assert Question.objects.get().choices == ["Academia", "NGO"]
