"""The events admin (superusers): it saves models itself, so it asks the services' rules first."""

import pytest
from django.test import Client
from django.utils import timezone

from events.models import Series
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


def test_event_admin_shows_and_saves_every_field_not_only_the_time(admin_client):
    event = factories.EventFactory(title="Robotics workshop", capacity=20)
    url = f"/admin/events/event/{event.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
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

    response = admin_client.post(url, {**post, "title": "Robotics for beginners", "capacity": "30"})

    assert {"title", "description", "capacity", "status", "organisers"} <= set(form.fields)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()
    assert (event.title, event.capacity) == ("Robotics for beginners", 30)
