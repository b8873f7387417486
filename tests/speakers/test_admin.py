"""The admin (superusers): conflicts column, inviting through the service, actions."""

import datetime as dt

import pytest
from django.test import Client

from notifications.models import OutboxMessage
from speakers.models import AssignmentStatus, Speaker, SpeakerAssignment
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db):
    """The admin is for superusers only (organisers work in the workspace)."""
    client = Client()
    client.force_login(factories.UserFactory(is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def clash(organiser, speaker_a):
    first = factories.EventFactory(organisers=[organiser], title="Morning panel")
    second = factories.EventFactory(
        organisers=[organiser], title="Noon panel", start=first.start + dt.timedelta(hours=1)
    )
    factories.SpeakerAssignmentFactory(speaker=speaker_a, event=first)
    return first, second


def test_changelist_shows_conflicts_and_overrides(admin_client, organiser, speaker_a, clash):
    factories.SpeakerAssignmentFactory(speaker=speaker_a, event=clash[1], conflict_override_reason="ok")

    response = admin_client.get("/admin/speakers/speakerassignment/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "⚠ overlap" in content
    assert "(overridden)" in content


def test_admin_add_with_conflict_needs_reason_then_invites(admin_client, speaker_a, clash):
    _, second = clash
    form = {"event": second.pk, "speaker": speaker_a.pk, "role": "keynote", "order": 0}

    refused = admin_client.post("/admin/speakers/speakerassignment/add/", form)
    accepted = admin_client.post(
        "/admin/speakers/speakerassignment/add/", {**form, "conflict_override_reason": "Keynote only"}
    )

    assert refused.status_code == 200 and "Give an override reason" in refused.content.decode()
    assert accepted.status_code == 302
    assignment = SpeakerAssignment.objects.get(event=second, speaker=speaker_a)
    assert (assignment.status, assignment.conflict_override_reason) == ("invited", "Keynote only")
    assert OutboxMessage.objects.filter(kind="speaker_invitation", recipient_email=speaker_a.email).count() == 1


def test_admin_withdraw_and_remind_actions(admin_client, organiser, speaker_a, speaker_b):
    event = factories.EventFactory(organisers=[organiser])
    first = factories.SpeakerAssignmentFactory(speaker=speaker_a, event=event)
    second = factories.SpeakerAssignmentFactory(speaker=speaker_b, event=event)

    admin_client.post(
        "/admin/speakers/speakerassignment/",
        {"action": "remind_selected", "_selected_action": [second.pk]},
    )
    admin_client.post(
        "/admin/speakers/speakerassignment/",
        {"action": "withdraw_selected", "_selected_action": [first.pk]},
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == AssignmentStatus.WITHDRAWN
    assert second.reminder_count == 1
    assert OutboxMessage.objects.filter(kind="speaker_invitation_reminder").count() == 1


def test_speaker_admin_filters_by_role(admin_client):
    factories.SpeakerFactory(name="Role Model Rena", roles=["role_model"])
    factories.SpeakerFactory(name="Trainer Turan", roles=["trainer"])

    response = admin_client.get("/admin/speakers/speaker/?role=role_model")

    assert response.status_code == 200
    assert "Role Model Rena" in response.content.decode()
    assert "Trainer Turan" not in response.content.decode()


def test_admin_pages_render(admin_client, speaker_a, clash):
    assignment = SpeakerAssignment.objects.get(event=clash[0], speaker=speaker_a)

    for path in [
        "/admin/speakers/speaker/",
        "/admin/speakers/speaker/add/",
        f"/admin/speakers/speaker/{speaker_a.pk}/change/",
        "/admin/speakers/speakerassignment/add/",
        f"/admin/speakers/speakerassignment/{assignment.pk}/change/",
    ]:
        assert admin_client.get(path).status_code == 200, path


def test_admin_change_records_override_and_keeps_warning(admin_client, organiser, speaker_a, clash):
    assignment = factories.SpeakerAssignmentFactory(speaker=speaker_a, event=clash[1])
    path = f"/admin/speakers/speakerassignment/{assignment.pk}/change/"
    form = {
        "event": clash[1].pk, "speaker": speaker_a.pk, "role": "panellist", "order": 3,
        "response_deadline_0": "2027-01-01", "response_deadline_1": "10:00:00",
        "conflict_override_reason": "Leaves early",
    }  # fmt: skip

    response = admin_client.post(path, form)

    assert response.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.order, assignment.conflict_override_reason) == (3, "Leaves early")
    assert assignment.conflict_overridden_by.is_superuser
    assert "Overlaps with" in admin_client.get(path).content.decode()


def speaker_form(**fields) -> dict:
    """What the speaker's admin page posts (its inline of unavailable periods empty)."""
    return {
        "name": "Aysel Mammadova", "email": "aysel@example.org", "topics": "", "listed": "on",
        "unavailabilities-TOTAL_FORMS": "0", "unavailabilities-INITIAL_FORMS": "0", **fields,
    }  # fmt: skip


@pytest.mark.parametrize("url", ["https://evil.example/in/aysel", "https://linkedin.com.evil.example/in/aysel"])
def test_admin_refuses_a_linkedin_link_off_linkedin_as_the_api_does(admin_client, speaker_a, url):
    added = admin_client.post("/admin/speakers/speaker/add/", speaker_form(email="new@example.org", linkedin_url=url))
    changed = admin_client.post(f"/admin/speakers/speaker/{speaker_a.pk}/change/", speaker_form(linkedin_url=url))

    for response in (added, changed):
        assert response.status_code == 200
        assert response.context["adminform"].form.errors.as_data()["linkedin_url"][0].code == "invalid_linkedin_url"
    speaker_a.refresh_from_db()
    assert speaker_a.linkedin_url == ""
    assert not Speaker.objects.filter(email="new@example.org").exists()


def test_admin_saves_a_linkedin_link_on_linkedin(admin_client, speaker_a):
    url = "https://az.linkedin.com/in/aysel"

    response = admin_client.post(f"/admin/speakers/speaker/{speaker_a.pk}/change/", speaker_form(linkedin_url=url))

    assert response.status_code == 302
    speaker_a.refresh_from_db()
    assert speaker_a.linkedin_url == url
