"""The admin: superusers only, scoped by the selectors, and no secret shown to anyone."""

import datetime as dt
import importlib
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client, RequestFactory
from django.utils import timezone

from events.models import Event
from events.regions import RegionMultipleChoiceField
from notifications.models import OutboxMessage
from notifications.services.outbox import render_message
from registrations.models import Invitation, Registration
from registrations.services.registration import register
from tests import factories
from tests.events.test_admin import change_form

pytestmark = pytest.mark.django_db

OUR_APPS = {"events", "registrations", "speakers", "notifications", "programmes", "feeds", "teams"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def superuser_client():
    return _client(factories.UserFactory(is_superuser=True, is_staff=True))


@pytest.fixture
def registration():
    event = factories.EventFactory(organisers=[factories.OrganiserFactory()])
    return register(event=event, name="Ada", email="ada@example.org", consent_data_processing=True)


def test_organiser_is_not_let_into_the_admin(organiser):
    # even an organiser who is still staff (from before the migration) is refused
    organiser.is_staff = True
    organiser.save()

    response = _client(organiser).get("/admin/")

    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/admin/login/")


def test_organisers_are_not_made_staff():
    assert factories.OrganiserFactory().is_staff is False


def test_migration_takes_staff_from_organisers_only():
    migration = importlib.import_module("events.migrations.0011_organisers_are_not_staff")
    organiser = factories.OrganiserFactory(is_staff=True)
    superuser = factories.OrganiserFactory(is_staff=True, is_superuser=True)

    migration.organisers_are_not_staff(apps, None)

    organiser.refresh_from_db()
    superuser.refresh_from_db()
    assert (organiser.is_staff, superuser.is_staff) == (False, True)


def test_secrets_are_not_shown_in_change_forms(superuser_client, registration):
    invitation = factories.InvitationFactory(event=registration.event)
    message = OutboxMessage.objects.filter(recipient_email="ada@example.org").first()
    pages = {
        f"/admin/registrations/registration/{registration.pk}/change/": [
            registration.manage_token,
            registration.ticket_secret,
        ],
        f"/admin/registrations/invitation/{invitation.pk}/change/": [invitation.code],
        f"/admin/notifications/outboxmessage/{message.pk}/change/": [
            render_message(message).body_text.strip().splitlines()[-1]
        ],
        "/admin/registrations/invitation/": [invitation.code],
    }

    shown = {}
    for url, secrets in pages.items():
        response = superuser_client.get(url)
        assert response.status_code == 200, url
        shown[url] = [secret for secret in secrets if secret in response.content.decode()]

    assert shown == dict.fromkeys(pages, [])


def test_api_tokens_are_not_shown_in_the_admin(superuser_client):
    """An API token is its owner's password for the API: the tokens' admin lists, searches,
    changes and deletes them (revoking one is its use) by their owner, never showing a key."""
    from rest_framework.authtoken.models import Token

    owner = factories.OrganiserFactory(username="rauf")
    token = Token.objects.create(user=owner)
    pages = [
        "/admin/authtoken/tokenproxy/",
        f"/admin/authtoken/tokenproxy/{owner.pk}/change/",
        f"/admin/authtoken/tokenproxy/{owner.pk}/delete/",
        f"/admin/authtoken/tokenproxy/{owner.pk}/history/",
    ]

    answers = {url: superuser_client.get(url) for url in pages}
    deleted = superuser_client.post(f"/admin/authtoken/tokenproxy/{owner.pk}/delete/", {"post": "yes"}, follow=True)
    recent = superuser_client.get("/admin/")

    assert {url: answer.status_code for url, answer in answers.items()} == dict.fromkeys(pages, 200)
    assert "rauf" in answers[pages[0]].text and "rauf" in answers[pages[2]].text
    shown = [url for url, answer in answers.items() if token.key in answer.text]
    assert shown == []
    assert deleted.status_code == 200 and not Token.objects.filter(user=owner).exists()
    assert token.key not in deleted.text and token.key not in recent.text


def test_no_model_admin_has_a_secret_field():
    from events_project.admin_site import secret_fields

    request = RequestFactory().get("/admin/")
    request.user = factories.UserFactory(is_superuser=True, is_staff=True)
    found = {}
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in OUR_APPS | {"authtoken"}:
            continue
        hidden = secret_fields(model)
        form_fields = set(model_admin.get_form(request)().fields)
        listed = {str(name) for name in model_admin.get_list_display(request)} | set(model_admin.search_fields)
        shown = (set(model_admin.get_fields(request)) | form_fields | listed) & hidden
        if shown:
            found[model._meta.label] = shown
    assert found == {}


def test_every_field_that_looks_secret_is_listed_as_one():
    from events_project.admin_site import secret_fields

    looks_secret = re.compile(r"token|secret|^code$|^body")
    unlisted = sorted(
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS
        for field in model._meta.concrete_fields
        if looks_secret.search(field.name) and field.name not in secret_fields(model)
    )

    # message template overrides hold texts with placeholders, no one's data
    assert unlisted == ["notifications.MessageTemplateOverride.body"]


def test_admin_querysets_and_choices_follow_the_selectors(registration):
    """Were the admin opened to organisers, each would see only their own objects."""
    other = factories.OrganiserFactory()
    own_event = factories.EventFactory(organisers=[other])
    own = register(event=own_event, name="Bob", email="bob@example.org", consent_data_processing=True)
    request = RequestFactory().get("/admin/")
    request.user = other
    registration_admin = admin.site._registry[Registration]
    invitation_admin = admin.site._registry[Invitation]

    listed = list(registration_admin.get_queryset(request))
    event_choices = invitation_admin.get_form(request)().fields["event"].queryset

    assert listed == [own]
    assert list(event_choices) == [own_event]


def test_admin_actions_refused_to_an_organiser(registration):
    organiser = registration.event.organisers.get()
    organiser.is_staff = True
    organiser.save()

    response = _client(organiser).post(
        "/admin/registrations/registration/", {"action": "cancel", "_selected_action": [registration.pk]}
    )

    registration.refresh_from_db()
    assert (response.status_code, registration.status) == (302, "confirmed")


def test_admin_cancel_action_leaves_an_event_that_is_over_and_says_why(superuser_client):
    over = factories.EventFactory(title="Held last month")
    start = timezone.now() - dt.timedelta(days=30)
    Event.objects.filter(pk=over.pk).update(start=start, end=start + dt.timedelta(hours=2))

    response = superuser_client.post(
        "/admin/events/event/", {"action": "cancel_selected", "_selected_action": [over.pk]}, follow=True
    )

    assert response.status_code == 200
    assert "The event is over: it can no longer be cancelled." in response.content.decode()
    assert Event.objects.get(pk=over.pk).status == "published"


def test_admin_refuses_to_move_an_event_that_is_over(superuser_client):
    over = factories.EventFactory(title="Held last month")
    start = (timezone.now() - dt.timedelta(days=30)).replace(second=0, microsecond=0)
    Event.objects.filter(pk=over.pk).update(start=start, end=start + dt.timedelta(hours=2))
    url = f"/admin/events/event/{over.pk}/change/"
    post = change_form(superuser_client, over)
    moved = timezone.localtime(start + dt.timedelta(days=60))
    post.update({"start_0": moved.strftime("%Y-%m-%d"), "start_1": moved.strftime("%H:%M:%S")})
    post.update({"end_0": moved.strftime("%Y-%m-%d"), "end_1": (moved + dt.timedelta(hours=2)).strftime("%H:%M:%S")})

    response = superuser_client.post(url, post)

    assert response.status_code == 200
    assert "The event is over: its date and time can no longer change." in response.content.decode()
    assert Event.objects.get(pk=over.pk).start == start


def test_admin_cancel_action_stores_no_english_reason(superuser_client):
    """The action cancelled with "Cancelled by the organisers.", stored on the event and shown as
    is to every reader: English in the Azerbaijani registrants' email, ticket and calendar."""
    event = factories.EventFactory(title="Robotics workshop")

    superuser_client.post("/admin/events/event/", {"action": "cancel_selected", "_selected_action": [event.pk]})

    event.refresh_from_db()
    assert (event.status, event.cancellation_reason) == ("cancelled", "")


def test_the_admin_names_a_series_with_the_sites_word_in_azerbaijani(superuser_client):
    # the admin said "seriya", the workspace "Silsilələr"
    from django.utils import translation
    from django.utils.text import capfirst

    from events.models import Series

    superuser_client.cookies["django_language"] = "az"

    index = superuser_client.get("/admin/").content.decode()

    with translation.override("az"):
        site_word = str(translation.gettext("Series"))  # the workspace menu's section
        assert (str(Series._meta.verbose_name), capfirst(Series._meta.verbose_name_plural)) == ("silsilə", site_word)
    assert site_word == "Silsilələr"
    assert site_word in index
    assert "eriya" not in index


def test_the_azerbaijani_catalogue_calls_a_series_silsile_everywhere():
    # one word for one thing: pages, mails and the admin alike ("seriya" crept into the programmes' pages)
    from django.conf import settings

    catalogue = (settings.BASE_DIR / "locale" / "az" / "LC_MESSAGES" / "django.po").read_text()
    strings = [line for line in catalogue.splitlines() if line.startswith("msgstr")]

    assert [line for line in strings if "seriya" in line.casefold()] == []


def test_admin_cancel_action_counts_what_it_cancelled_and_names_what_it_left(superuser_client):
    """It skipped cancelled and completed events without a word and never said how many it cancelled."""
    to_cancel = factories.EventFactory(title="Robotics workshop")
    gone = factories.EventFactory(title="Chemistry club")
    Event.objects.filter(pk=gone.pk).update(status="cancelled")

    response = superuser_client.post(
        "/admin/events/event/",
        {"action": "cancel_selected", "_selected_action": [to_cancel.pk, gone.pk]},
        follow=True,
    )

    shown = [str(message) for message in response.context["messages"]]
    assert "1 event cancelled." in shown
    assert any(message.startswith("Chemistry club") and "cancelled already" in message for message in shown)
    assert Event.objects.get(pk=to_cancel.pk).status == "cancelled"


@pytest.mark.parametrize(
    ("changelist", "query"),
    [
        ("events/event", "created_at__year=0"),
        ("events/series", "created_at__year=0"),
        ("registrations/checkin", "created_at__year=0"),
        ("programmes/cohort", "created_at__year=0"),
        ("speakers/speakerassignment", "response_deadline__gte=0001-01-01"),
        ("notifications/outboxmessage", "created_at__gt=0001-01-01"),
    ],
)
def test_a_lookup_the_database_cannot_write_is_the_admins_own_bad_lookup_answer(superuser_client, changelist, query):
    # Django checks a changelist's lookups as it builds the query, but a year 0 or a date at the
    # edge of the calendar failed only when the count was written: a 500 instead of "?e=1"
    response = superuser_client.get(f"/admin/{changelist}/?{query}")

    if "__year=" not in query and connection.vendor == "postgresql":
        # PostgreSQL is handed the aware time itself and reads year 1 (nothing to refuse); SQLite
        # is handed it in UTC, which the day before 0001-01-01 cannot be written in
        assert response.status_code == 200
    else:
        assert (response.status_code, response["Location"]) == (302, f"/admin/{changelist}/?e=1")


@pytest.mark.parametrize(
    ("changelist", "query"),
    [
        ("events/event", "title__range=a"),
        ("events/event", "capacity__range=19"),
        ("events/event", "capacity__range=10,30"),
        ("registrations/registration", "name__range=a,b,c"),
        ("speakers/speaker", "name__range=a&name__range=a,b"),
        ("notifications/outboxmessage", "attempts__range="),
    ],
)
def test_a_range_is_the_admins_own_bad_lookup_answer(superuser_client, changelist, query):
    # Django splits an __in's values at commas, not a range's: it handed the database the text as a
    # range of its characters (?title__range=a, one: an IndexError when the count was written, a
    # 500; ?capacity__range=19 read as from 1 to 9, a wrong list)
    factories.EventFactory(capacity=5)

    response = superuser_client.get(f"/admin/{changelist}/?{query}")

    assert (response.status_code, response["Location"]) == (302, f"/admin/{changelist}/?e=1")


@pytest.mark.parametrize("field", ["organisers", "checkin_staff"])
def test_an_id_past_the_databases_range_in_a_many_to_many_choice_is_refused_as_any_unknown_id(superuser_client, field):
    # Django's multiple-choice field asked the database with it (OverflowError, DataError): a 500
    response = superuser_client.post("/admin/events/event/add/", {field: ["99999999999999999999"], "title": "Talk"})

    assert response.status_code == 200
    assert "“99999999999999999999” is not a valid value." in response.content.decode()


def test_an_id_past_the_databases_range_among_ticked_regions_is_refused():
    field = RegionMultipleChoiceField(required=False)

    with pytest.raises(ValidationError) as refused:
        field.clean(["99999999999999999999"])

    assert refused.value.code == "invalid_pk_value"
