"""Personal data: download and erasure (GDPR), and none of it in public answers or logs."""

import datetime as dt
import io
import json
import logging

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from rest_framework.test import APIClient

from events_project.people import ERASED_NAME
from notifications.models import OutboxMessage
from registrations.models import CheckIn, Registration
from registrations.services.registration import register
from tests import factories
from tests.production.conftest import ROLES, build_world


def _signed_in(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _register(event, user):
    return register(event=event, name="Ada Lovelace", email=user.email, user=user, consent_data_processing=True)


@pytest.fixture
def ada(db):
    return factories.UserFactory(username="ada", email="ada@example.org", first_name="Ada", last_name="Lovelace")


def test_export_has_my_registrations_and_no_one_elses(ada):
    event = factories.EventFactory(title="CV workshop")
    _register(event, ada)
    other = factories.UserFactory(email="grace@example.org")
    register(event=event, name="Grace", email=other.email, user=other, consent_data_processing=True)

    response = _signed_in(ada).get("/api/me/data/")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="my-data.json"'
    data = json.loads(response.content)
    assert data["account"]["email"] == "ada@example.org"
    assert [r["event"]["title"] for r in data["registrations"]] == ["CV workshop"]
    assert "grace@example.org" not in response.content.decode()
    # times with their offset, as the API writes them: the site's zone, an event's in its own (not UTC)
    assert data["exported_at"].endswith("+04:00") and data["account"]["date_joined"].endswith("+04:00")
    assert data["registrations"][0]["created_at"].endswith("+04:00")
    assert data["registrations"][0]["event"]["start"] == event.local_start.isoformat()


def test_export_needs_a_signed_in_person(db):
    response = APIClient().get("/api/me/data/")

    assert response.status_code in (401, 403)


def test_erasure_anonymises_and_keeps_the_statistics(ada, django_capture_on_commit_callbacks):
    past = factories.EventFactory(
        start=timezone.now() - dt.timedelta(days=10), end=timezone.now() - dt.timedelta(days=10, hours=-2)
    )
    attended = Registration.objects.create(
        event=past, user=ada, name="Ada Lovelace", email=ada.email, status="confirmed", seats_held=1,
        sector="academia", organisation="Analytical Engines", party_names=[], attendance="attended",
    )  # fmt: skip
    CheckIn.objects.create(registration=attended, event=past, checked_in_at=past.start)
    full = factories.EventFactory(capacity=1)
    upcoming = _register(full, ada)
    waiting = register(event=full, name="Next", email="next@example.org", consent_data_processing=True)
    assert (upcoming.status, waiting.status) == ("confirmed", "waitlisted")
    old_token = upcoming.manage_token

    with django_capture_on_commit_callbacks(execute=True):
        response = _signed_in(ada).delete("/api/me/data/")

    assert response.status_code == 200
    assert response.json()["erased"] == {"registrations": 2, "enrolments": 0, "calendar_feeds": 0}
    attended.refresh_from_db()
    upcoming.refresh_from_db()
    waiting.refresh_from_db()
    # the figures stay: status, attendance, sector, check-in; the person goes
    assert (attended.status, attended.attendance, attended.sector) == ("confirmed", "attended", "academia")
    assert attended.checkins.count() == 1
    assert (attended.name, attended.user_id, attended.organisation) == (ERASED_NAME, None, "")
    assert upcoming.status == "cancelled"
    assert waiting.status == "confirmed"  # the freed seat went to the waiting list
    assert not Registration.objects.filter(email="ada@example.org").exists()
    assert APIClient().get(f"/api/registrations/manage/{old_token}/").status_code == 404
    account = get_user_model().objects.get(pk=ada.pk)
    assert (account.is_active, account.email, account.first_name, account.has_usable_password()) == (
        False, "", "", False,
    )  # fmt: skip


def test_guest_downloads_and_erases_through_the_management_link(db):
    event = factories.EventFactory()
    guest = register(event=event, name="Guest Person", email="guest@example.org", consent_data_processing=True)
    link = f"/api/registrations/manage/{guest.manage_token}/data/"

    download = APIClient().get(link)
    erase = APIClient().delete(link)

    assert download.status_code == 200
    assert json.loads(download.content)["registrations"][0]["email"] == "guest@example.org"
    assert erase.status_code == 200
    guest.refresh_from_db()
    assert (guest.status, guest.name) == ("cancelled", ERASED_NAME)
    assert APIClient().get(link).status_code == 404


def test_a_registration_erased_meanwhile_through_its_link_is_not_erased_again(db):
    """Two erasures through one link at once (a double click): the second, holding the
    registration as its link found it, said 'erased: 1' again and gave the erased row yet
    another link; as after the first, it finds nothing."""
    from events_project.exceptions import NotFound
    from registrations.services import privacy

    event = factories.EventFactory()
    guest = register(event=event, name="Guest Person", email="guest@example.org", consent_data_processing=True)
    as_the_second_request_found_it = Registration.objects.get(pk=guest.pk)
    first = privacy.erase_registration_data(registration=guest)
    token_after_the_first = Registration.objects.get(pk=guest.pk).manage_token

    with pytest.raises(NotFound) as second:
        privacy.erase_registration_data(registration=as_the_second_request_found_it)

    assert first["registrations"] == 1
    assert second.value.code == "not_found"
    assert Registration.objects.get(pk=guest.pk).manage_token == token_after_the_first


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_erasures_through_one_link_at_once_erase_once():
    from django.db import transaction

    from registrations.services import privacy
    from tests.races import Racer

    event = factories.EventFactory()
    guest = register(event=event, name="Guest Person", email="guest@example.org", consent_data_processing=True)
    as_the_second_request_found_it = Registration.objects.get(pk=guest.pk)

    with transaction.atomic():
        privacy.erase_registration_data(registration=guest)
        racer = Racer(lambda: privacy.erase_registration_data(registration=as_the_second_request_found_it))

    assert racer.waited, f"the second erasure did not wait for the first: {racer.outcome()}"
    assert racer.outcome() == "not_found"


def test_public_answers_carry_no_attendee_data(db):
    world = build_world()
    attendee = world.users["attendee"]
    from tests.production.test_permissions import ENDPOINTS, MATRIX, build_url, url_kwargs

    public = [
        (name, route)
        for name, method, route in ENDPOINTS
        if method == "GET" and MATRIX.get((name, method), "").split()[:1] == ["200"] and "{token}" not in route
        and "token" not in route and name != "schema"
    ]  # fmt: skip
    assert len(public) >= 8
    for name, route in public:
        response = APIClient().get(build_url(route, url_kwargs(world, name, route)))
        body = response.content.decode(errors="replace")
        assert attendee.email not in body, name
        assert world.registration.name not in body, name
        assert world.registration.ticket_secret not in body, name
    assert ROLES[0] == "anonymous"


def test_registering_logs_no_email_address(db, django_capture_on_commit_callbacks):
    # the configured console handler, with its filters, is what production logs through
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "name", "") == "console" or
                   h.__class__.__name__ == "StreamHandler")  # fmt: skip
    stream = io.StringIO()
    previous = handler.setStream(stream)
    levels = {name: logging.getLogger(name).level for name in ("", "registrations", "notifications", "django")}
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        event = factories.EventFactory(capacity=1)
        with django_capture_on_commit_callbacks(execute=True):
            for email in ("first.person@example.org", "second.person@example.org", "first.person@example.org"):
                APIClient().post(
                    f"/api/events/{event.pk}/registrations/",
                    {"name": "Some One", "email": email, "consent_data_processing": True},
                    format="json",
                )
        # and a careless log line is masked too (the test can fail)
        logging.getLogger("registrations").warning("Duplicate key (email)=(first.person@example.org)")
    finally:
        handler.setStream(previous)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)

    output = stream.getvalue()
    assert "[email]" in output
    assert "first.person@example.org" not in output
    assert "second.person@example.org" not in output


def test_the_only_organiser_of_an_event_to_come_cannot_erase_the_account(db):
    """One DELETE closed the demo organiser's account and left every event with nobody who may
    run it: the registrants kept tickets for a door nobody could open."""
    organiser = factories.OrganiserFactory()
    upcoming = factories.EventFactory(organisers=[organiser])
    shared = factories.EventFactory(organisers=[organiser, factories.OrganiserFactory()])
    over = factories.EventFactory(organisers=[organiser])
    over_start = timezone.now() - dt.timedelta(days=10)
    type(over).objects.filter(pk=over.pk).update(start=over_start, end=over_start + dt.timedelta(hours=2))

    refused = _signed_in(organiser).delete("/api/me/data/")

    assert (refused.status_code, refused.json()["code"]) == (409, "sole_organiser")
    assert "You alone organise 1 event still to come" in refused.json()["detail"]
    organiser.refresh_from_db()
    assert organiser.is_active
    upcoming.organisers.add(shared.organisers.exclude(pk=organiser.pk).get())
    assert _signed_in(organiser).delete("/api/me/data/").status_code == 200
    organiser.refresh_from_db()
    assert not organiser.is_active


def _sent(kind: str, email: str, about=None, key: str = "") -> OutboxMessage:
    return OutboxMessage.objects.create(
        kind=kind,
        recipient_email=email,
        recipient_name="Leyla",
        subject=f"About {kind}",
        body_text=f"The text of {kind}.",
        status="sent",
        dedup_key=key or f"{kind}:{email}:{about.pk if about else ''}",
        about_type=ContentType.objects.get_for_model(about) if about is not None else None,
        about_id=about.pk if about is not None else None,
    )


def test_a_guests_erasure_forgets_the_registrations_messages_not_everything_sent_to_its_address(db):
    """Anyone may register with any address and holds the management link of what they made: erasing
    that registration blanked every message ever sent to the address (a speaker's invitations,
    another organiser's team link, an alert to an organiser), not only its own."""
    address = "leyla.private@example.org"
    speaker = factories.SpeakerFactory(email=address)
    assignment = factories.SpeakerAssignmentFactory(speaker=speaker)
    invitation = _sent("speaker_invitation", address, about=assignment)
    team = _sent("team_invitation", address, key="team:1")
    response = APIClient().post(
        f"/api/events/{factories.EventFactory().pk}/registrations/",
        {"name": "Not Leyla", "email": address, "consent_data_processing": True},
        format="json",
    )
    made = Registration.objects.get(manage_token=response.json()["manage_token"])
    confirmation = _sent("registration_confirmed", address, about=made)
    tickets = _sent("ticket_links", address, key="ticket_links:1")

    erased = APIClient().delete(f"/api/registrations/manage/{made.manage_token}/data/")

    for message in (invitation, team, confirmation, tickets):
        message.refresh_from_db()
    assert erased.status_code == 200
    assert [(m.recipient_email, m.body_text) for m in (invitation, team)] == [
        (address, "The text of speaker_invitation."),
        (address, "The text of team_invitation."),
    ]
    # its own messages, and the ticket links of an address that has no registration left, go
    assert (confirmation.body_text, tickets.body_text) == ("", "")
    assert confirmation.recipient_email == tickets.recipient_email != address
