"""The events admin (superusers): it saves models itself, so it asks the services' rules first."""

import pytest
from django.test import Client
from django.utils import timezone

from events.models import ActionLogEntry, Series
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(factories.UserFactory(is_superuser=True, is_staff=True))
    return client


def series_form(**fields) -> dict:
    """What the series' admin page posts (its inline of occurrences empty)."""
    return {
        "title": "Mentoring evenings", "kind": "mentoring_session", "format": "in_person", "timezone": "Asia/Baku",
        "registration_mode": "open", "audience": "public", "language": "az", "rrule": "FREQ=WEEKLY;COUNT=4",
        "first_start_0": "2027-03-01", "first_start_1": "18:00:00", "duration_minutes": "90", "exdates": "[]",
        "occurrences-TOTAL_FORMS": "0", "occurrences-INITIAL_FORMS": "0", **fields,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"rrule": "FREQ=SECONDLY;COUNT=4"}, "rrule", "frequency_too_high"),
        ({"rrule": "FREQ=WEEKLY;COUNT=4;UNTIL=20270401"}, "rrule", "invalid_recurrence"),
        ({"exdates": '["next tuesday"]'}, "exdates", "invalid_exdate"),
    ],
)
def test_admin_refuses_a_series_rule_the_api_refuses_under_its_field(admin_client, fields, field, code):
    response = admin_client.post("/admin/events/series/add/", series_form(**fields))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors.as_data()[field][0].code == code
    assert not Series.objects.exists()


def test_admin_saves_a_series_and_its_occurrences(admin_client):
    response = admin_client.post("/admin/events/series/add/", series_form())

    assert response.status_code == 302
    assert Series.objects.get().occurrences.count() == 4


def change_form(client, event) -> dict:
    """What the event's change form posts when nothing is changed."""
    form = client.get(f"/admin/events/event/{event.pk}/change/").context["adminform"].form
    post = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list):
            post[name] = [str(item) for item in value]
        elif value not in (None, False):
            post[name] = value
    for name in ("start", "end"):
        moment = timezone.localtime(getattr(event, name))
        post.pop(name, None)
        post.update({f"{name}_0": moment.strftime("%Y-%m-%d"), f"{name}_1": moment.strftime("%H:%M:%S")})
    return post


def test_event_admin_shows_and_saves_every_field_not_only_the_time(admin_client):
    event = factories.EventFactory(title="Robotics workshop", capacity=20)
    url = f"/admin/events/event/{event.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    post = change_form(admin_client, event)

    response = admin_client.post(url, {**post, "title": "Robotics for beginners", "capacity": "30"})

    assert {"title", "description", "capacity", "organisers"} <= set(form.fields)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()
    assert (event.title, event.capacity) == ("Robotics for beginners", 30)


@pytest.mark.parametrize(("status", "posted"), [("draft", "published"), ("published", "cancelled")])
def test_event_admin_change_form_does_not_change_the_status(admin_client, status, posted):
    """Publishing and cancelling go through the services (checks, emails, audit log): the
    change form shows the status but saves what is posted for it nowhere."""
    event = factories.EventFactory(status=status)
    before = (event.status, event.published_at, event.cancelled_at)
    url = f"/admin/events/event/{event.pk}/change/"
    assert "status" not in admin_client.get(url).context["adminform"].form.fields

    response = admin_client.post(url, {**change_form(admin_client, event), "status": posted})

    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.status, event.published_at, event.cancelled_at) == before
    assert not ActionLogEntry.objects.filter(event=event).exists()


def test_series_admin_inline_does_not_change_an_occurrence_status(admin_client):
    series = factories.SeriesFactory()
    event = factories.EventFactory(series=series, status="draft")

    inline = admin_client.get(f"/admin/events/series/{series.pk}/change/").context["inline_admin_formsets"][0]

    assert "status" not in inline.formset.forms[0].fields
    assert event.status == "draft"


def test_publish_action_publishes_through_the_service_and_reports_each_refusal(admin_client):
    draft = factories.EventFactory(title="Draft talk", status="draft")
    cancelled = factories.EventFactory(title="Called-off talk", status="cancelled")
    published = factories.EventFactory(title="Live talk")

    response = admin_client.post(
        "/admin/events/event/",
        {"action": "publish_selected", "_selected_action": [draft.pk, cancelled.pk, published.pk]},
        follow=True,
    )

    assert response.status_code == 200
    shown = [(message.level_tag, str(message)) for message in response.context["messages"]]
    assert shown == [
        ("warning", f"{cancelled}: A cancelled event cannot be published."),
        ("success", "1 event published."),
    ]
    draft.refresh_from_db()
    cancelled.refresh_from_db()
    assert (draft.status, cancelled.status) == ("published", "cancelled")
    assert draft.published_at is not None
    assert list(ActionLogEntry.objects.values_list("event", "action")) == [(draft.pk, "event.published")]
