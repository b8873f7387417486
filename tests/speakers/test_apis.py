"""Roster, assignments, a speaker's own area and the signed link, through the API."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import OutboxMessage
from speakers import services
from speakers.models import AssignmentStatus
from tests import factories

from .conftest import client_for

pytestmark = pytest.mark.django_db

SECRET_EMAIL = "private-contact@hidden.example.org"
SECRET_PHONE = "+994 55 123 45 67"
SECRET_NOTE = "Only for the organisers' eyes"
SECRET_REASON = "Medical appointment"
SECRET_OVERRIDE = "Override rationale"


def walk(data):
    """Every key and every scalar value anywhere in a JSON document."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from walk(value)
    elif isinstance(data, list):
        for value in data:
            yield from walk(value)
    else:
        yield data


@pytest.fixture
def secretive_speaker(organiser):
    speaker = factories.SpeakerFactory(
        name="Nigar Aliyeva", email=SECRET_EMAIL, phone=SECRET_PHONE, private_notes=SECRET_NOTE,
        public_email="nigar@public.example.org", travel_regions=[factories.region("ganja")],
    )  # fmt: skip
    event = factories.WebinarFactory(organisers=[organiser], title="Women in cybersecurity")
    assignment = services.assign_speaker(event=event, speaker=speaker, by=organiser)
    services.accept_invitation(assignment=assignment)
    services.override_conflicts(assignment=assignment, by=organiser, reason=SECRET_OVERRIDE)
    services.declare_unavailability(
        speaker=speaker,
        start=timezone.now() + dt.timedelta(days=90),
        end=timezone.now() + dt.timedelta(days=91),
        reason=SECRET_REASON,
    )
    return speaker


@pytest.mark.parametrize("role", ["anonymous", "attendee", "speaker_b"])
def test_private_fields_never_in_public_responses(clients, secretive_speaker, role):
    client = clients[role]
    secrets = {SECRET_EMAIL, SECRET_PHONE, SECRET_NOTE, SECRET_REASON, SECRET_OVERRIDE}
    private_keys = {"email", "phone", "private_notes", "reason", "conflict_override_reason", "join_url", "user"}

    for path in [
        "/api/speakers/",
        f"/api/speakers/{secretive_speaker.pk}/",
        "/api/speakers/?q=Nigar",
        "/api/speakers/?region=ganja",
    ]:
        response = client.get(path)
        assert response.status_code == 200
        found = set(walk(response.json()))
        assert found & secrets == set(), path
        assert found & private_keys == set(), path
    # the roster does show the public facts
    [entry] = client.get("/api/speakers/?q=Nigar").json()["results"]
    assert entry["public_email"] == "nigar@public.example.org"
    assert [event["title"] for event in entry["upcoming_events"]] == ["Women in cybersecurity"]


def test_organiser_sees_private_fields(clients, secretive_speaker):
    entry = clients["organiser"].get(f"/api/speakers/{secretive_speaker.pk}/").json()

    assert (entry["email"], entry["phone"], entry["private_notes"]) == (SECRET_EMAIL, SECRET_PHONE, SECRET_NOTE)


def test_another_organiser_reads_no_private_contact_of_a_speaker_they_did_not_invite(clients, secretive_speaker):
    """The roster is shared, the private contacts are not: a speaker engaged only at another
    organiser's events (invited there, perhaps added by that organiser with the address they were
    given) keeps their address, phone and the notes about them from everyone else, in the list, the
    profile and what an edit answers; editing their phone or notes is refused as editing their
    address is, and so is editing the public profile that organiser's webinar shows. Once invited to
    one's own event, the organiser sees them and may edit them."""
    other = factories.OrganiserFactory()
    client = client_for(other)
    secrets = {SECRET_EMAIL, SECRET_PHONE, SECRET_NOTE}

    listed = client.get("/api/speakers/?q=Nigar").json()["results"]
    detail = client.get(f"/api/speakers/{secretive_speaker.pk}/").json()
    edited = client.patch(f"/api/speakers/{secretive_speaker.pk}/", {"title": "Professor"}, format="json")
    phone = client.patch(f"/api/speakers/{secretive_speaker.pk}/", {"phone": "+994 50 000 00 00"}, format="json")
    notes = client.patch(f"/api/speakers/{secretive_speaker.pk}/", {"private_notes": "mine"}, format="json")

    seen = set(walk([listed, detail, edited.json()]))
    assert seen & secrets == set()
    assert {"email", "phone", "private_notes"} & set(detail) == set()
    assert [(r.status_code, r.json()["code"]) for r in (edited, phone, notes)] == [
        (403, "speaker_engaged_elsewhere")
    ] * 3
    secretive_speaker.refresh_from_db()
    assert (secretive_speaker.phone, secretive_speaker.private_notes) == (SECRET_PHONE, SECRET_NOTE)
    assert secretive_speaker.title != "Professor"
    later = timezone.now().replace(microsecond=0) + dt.timedelta(days=200)
    own_event = factories.EventFactory(organisers=[other], start=later, end=later + dt.timedelta(hours=2))
    # the shared roster is there to invite from: the invitation itself is the organiser's to send
    assigned = client.post(
        "/api/speaker-assignments/", {"event": own_event.pk, "speaker": secretive_speaker.pk}, format="json"
    )
    assert assigned.status_code == 201, assigned.json()
    invited = client.get(f"/api/speakers/{secretive_speaker.pk}/").json()
    assert (invited["email"], invited["phone"]) == (SECRET_EMAIL, SECRET_PHONE)
    retitled = client.patch(f"/api/speakers/{secretive_speaker.pk}/", {"title": "Professor"}, format="json")
    assert retitled.status_code == 200 and retitled.json()["title"] == "Professor"


def test_another_organiser_may_not_list_or_unlist_a_speaker_engaged_only_elsewhere(clients, secretive_speaker):
    """Whether a speaker shows in the public roster is changed by whoever may read their contacts
    (``speaker_contacts_visible_to``), as their phone and notes are: another organiser hid a speaker of
    someone else's webinar from the roster (or listed one kept off it) unseen. So is the rest of
    the profile; a profile sent as it is (``listed``, a name with other spaces, the same travel
    regions) changes nothing and is no refusal."""
    other = client_for(factories.OrganiserFactory())
    url = f"/api/speakers/{secretive_speaker.pk}/"

    regions = list(secretive_speaker.travel_regions.values_list("slug", flat=True))
    unlisted = other.patch(url, {"listed": False}, format="json")
    retitled = other.patch(url, {"listed": True, "title": "Professor"}, format="json")
    moved = other.patch(url, {"travel_regions": ["baku"]}, format="json")
    unchanged = other.patch(
        url,
        {"listed": True, "name": f"  {secretive_speaker.name} ", "travel_regions": regions},
        format="json",
    )
    own = clients["organiser"].patch(url, {"listed": False}, format="json")

    assert [(r.status_code, r.json()["code"]) for r in (unlisted, retitled, moved)] == [
        (403, "speaker_engaged_elsewhere")
    ] * 3
    assert unchanged.status_code == 200, unchanged.json()
    assert own.status_code == 200 and own.json()["listed"] is False
    relisted = other.patch(url, {"listed": True}, format="json")
    assert (relisted.status_code, relisted.json()["code"]) == (403, "speaker_engaged_elsewhere")
    secretive_speaker.refresh_from_db()
    assert not secretive_speaker.listed and secretive_speaker.title != "Professor"
    assert list(secretive_speaker.travel_regions.values_list("slug", flat=True)) == regions


def test_an_organiser_reads_the_contacts_of_a_speaker_nobody_else_engaged(clients):
    """A speaker on the roster who speaks at no other organiser's event is anyone's to invite: the
    organiser who added them reads back what they typed."""
    created = clients["organiser"].post(
        "/api/speakers/", {"name": "Aysu Karimova", "email": "aysu.private@example.org"}, format="json"
    )
    entry = clients["organiser"].get(f"/api/speakers/{created.json()['id']}/").json()

    assert created.status_code == 201 and created.json()["email"] == "aysu.private@example.org"
    assert entry["email"] == "aysu.private@example.org"


def test_the_public_roster_is_not_ordered_by_what_it_does_not_show(clients):
    """When a speaker was added to the roster is no public field: ordering the public list by it
    told the order anyway (who is new). Visitors order by name; organisers, who see
    ``created_at``, by either."""
    factories.SpeakerFactory(name="Zaur Added First")
    factories.SpeakerFactory(name="Aysel Added Second")

    public = clients["anonymous"].get("/api/speakers/?ordering=created_at")
    organiser = clients["organiser"].get("/api/speakers/?ordering=created_at")

    assert (public.status_code, list(public.json()["errors"])) == (400, ["ordering"])
    assert [row["name"] for row in organiser.json()["results"]][-2:] == ["Zaur Added First", "Aysel Added Second"]
    assert clients["anonymous"].get("/api/speakers/?ordering=-name").status_code == 200


def test_unlisted_speaker_only_for_organisers(clients):
    hidden = factories.SpeakerFactory(listed=False)

    assert clients["anonymous"].get(f"/api/speakers/{hidden.pk}/").status_code == 404
    assert clients["organiser"].get(f"/api/speakers/{hidden.pk}/").status_code == 200


def test_roster_filters(clients):
    ganja, shaki = factories.region("ganja"), factories.region("shaki")
    data = factories.SpeakerFactory(
        name="Data", stem_fields=["data_science"], languages=["en"], roles=["mentor"], travel_regions=[ganja]
    )
    bio = factories.SpeakerFactory(
        name="Bio", stem_fields=["biology"], languages=["ru"], roles=["role_model"], travel_regions=[shaki],
        topics=["genomics"],
    )  # fmt: skip
    client = clients["anonymous"]

    def names(query):
        response = client.get(f"/api/speakers/?{query}")
        assert response.status_code == 200, response.content
        return [entry["name"] for entry in response.json()["results"] if entry["name"] in ("Data", "Bio")]

    assert names("field=data_science") == ["Data"]
    assert names("language=ru") == ["Bio"]
    assert names("role=role_model") == ["Bio"]
    assert names("region=ganja") == ["Data"]
    assert names("q=genomics") == ["Bio"]
    assert names("") == ["Bio", "Data"]
    assert client.get("/api/speakers/?field=alchemy").status_code == 400
    assert data.pk and bio.pk


def test_roster_lists_only_accepted_upcoming_public_events(clients, organiser, speaker_a):
    accepted = factories.EventFactory(title="Accepted", organisers=[organiser])
    invited = factories.EventFactory(title="Invited", organisers=[organiser])
    draft = factories.EventFactory(title="Draft", organisers=[organiser], status="draft")
    past = factories.EventFactory(
        title="Past", start=timezone.now() - dt.timedelta(days=3), end=timezone.now() - dt.timedelta(days=3, hours=-1)
    )
    factories.SpeakerAssignmentFactory(speaker=speaker_a, event=accepted, status="accepted")
    factories.SpeakerAssignmentFactory(speaker=speaker_a, event=invited)
    factories.SpeakerAssignmentFactory(speaker=speaker_a, event=draft, status="accepted")
    factories.SpeakerAssignmentFactory(speaker=speaker_a, event=past, status="accepted")

    entry = clients["anonymous"].get(f"/api/speakers/{speaker_a.pk}/").json()

    assert [event["title"] for event in entry["upcoming_events"]] == ["Accepted"]


def _roster_world(count):
    for index in range(count):
        speaker = factories.SpeakerFactory(travel_regions=[factories.region("ganja"), factories.region("shaki")])
        for _ in range(2):
            factories.SpeakerAssignmentFactory(
                speaker=speaker, status="accepted", event=factories.EventFactory(title=f"E{index}")
            )


@pytest.mark.parametrize("role", ["anonymous", "organiser"])
def test_roster_query_count_is_constant(clients, role):
    clients[role].get("/api/speakers/")  # the organiser role is cached on the (shared) user object
    counts = []
    for count in (1, 5):
        _roster_world(count if not counts else count - 1)
        with CaptureQueriesContext(connection) as queries:
            response = clients[role].get("/api/speakers/")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # the speakers fixture set (A and B) plus the ones made here
    assert response.json()["count"] >= 5


def test_schedule_query_count_is_constant(speaker_a, organiser):
    client = client_for(speaker_a.user)
    counts = []
    for count in (1, 5):
        for _ in range(count - (1 if counts else 0)):
            event = factories.WebinarFactory(organisers=[organiser], region=factories.region("baku"))
            factories.SpeakerAssignmentFactory(speaker=speaker_a, event=event, status="accepted")
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/me/speaker/schedule/")
        assert response.status_code == 200
        assert response.json()["count"] == count
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_assignment_list_query_count_is_constant(clients, organiser, speaker_a):
    clients["organiser"].get("/api/speaker-assignments/")  # the organiser role is cached on the user object
    counts = []
    for count in (1, 5):
        for _ in range(count - (1 if counts else 0)):
            factories.SpeakerAssignmentFactory(speaker=speaker_a, event=factories.EventFactory(organisers=[organiser]))
        with CaptureQueriesContext(connection) as queries:
            response = clients["organiser"].get("/api/speaker-assignments/")
        assert response.json()["count"] == count
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_schedule_shows_join_url_only_once_accepted(speaker_a, organiser):
    webinar = factories.WebinarFactory(organisers=[organiser])
    assignment = services.assign_speaker(event=webinar, speaker=speaker_a, by=organiser)
    client = client_for(speaker_a.user)

    before = client.get("/api/me/speaker/schedule/").json()["results"][0]
    client.post(f"/api/me/speaker/schedule/{assignment.pk}/accept/", {"message": "Glad to"}, format="json")
    after = client.get("/api/me/speaker/schedule/").json()["results"][0]

    assert (before["status"], before["join_url"]) == ("invited", None)
    assert (after["status"], after["join_url"], after["message"]) == ("accepted", webinar.join_url, "Glad to")


def test_a_cancelled_event_gives_its_speaker_no_join_link_in_the_schedule_or_area(speaker_a, organiser):
    """The speaker area and the schedule kept the join link of a webinar that was called off."""
    from events.services import cancel_event

    webinar = factories.WebinarFactory(organisers=[organiser], join_url="https://zoom.example.org/j/called-off")
    assignment = services.assign_speaker(event=webinar, speaker=speaker_a, by=organiser)
    client = client_for(speaker_a.user)
    client.post(f"/api/me/speaker/schedule/{assignment.pk}/accept/", {"message": ""}, format="json")
    cancel_event(event=webinar, by=organiser, reason="The speaker fell ill")
    client.force_login(speaker_a.user)

    schedule = client.get("/api/me/speaker/schedule/").json()["results"][0]
    area = client.get("/speaker/")

    assert (schedule["status"], schedule["join_url"]) == ("accepted", None)
    assert "zoom.example.org/j/called-off" not in area.content.decode()


def test_schedule_upcoming_and_past(speaker_a):
    past = factories.EventFactory(
        title="Past", start=timezone.now() - dt.timedelta(days=3), end=timezone.now() - dt.timedelta(days=3, hours=-1)
    )
    factories.SpeakerAssignmentFactory(speaker=speaker_a, event=past, status="accepted")
    factories.SpeakerAssignmentFactory(speaker=speaker_a, event=factories.EventFactory(title="Soon"))
    client = client_for(speaker_a.user)

    def titles(when):
        return [row["event"]["title"] for row in client.get(f"/api/me/speaker/schedule/?when={when}").json()["results"]]

    assert titles("upcoming") == ["Soon"]
    assert titles("past") == ["Past"]


def test_illegal_answer_through_api_is_409_with_code(speaker_a, organiser, event):
    assignment = services.assign_speaker(event=event, speaker=speaker_a, by=organiser)
    client = client_for(speaker_a.user)
    client.post(f"/api/me/speaker/schedule/{assignment.pk}/decline/", {"message": "Busy"}, format="json")

    response = client.post(f"/api/me/speaker/schedule/{assignment.pk}/accept/", {}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "invitation_declined")


def test_withdrawn_invitation_cannot_be_answered_by_link(clients, speaker_a, organiser, event):
    assignment = services.assign_speaker(event=event, speaker=speaker_a, by=organiser)
    token = services.invitation_token(assignment)
    clients["organiser"].post(f"/api/speaker-assignments/{assignment.pk}/withdraw/")

    response = clients["anonymous"].post(f"/api/speaker-invitations/respond/{token}/", {"answer": "accept"})

    assert (response.status_code, response.json()["code"]) == (409, "invitation_withdrawn")


def test_signed_link_shows_then_answers(clients, speaker_a, organiser, event):
    assignment = services.assign_speaker(event=event, speaker=speaker_a, by=organiser, role="keynote")
    path = f"/api/speaker-invitations/respond/{services.invitation_token(assignment)}/"

    shown = clients["anonymous"].get(path).json()
    answered = clients["anonymous"].post(path, {"answer": "decline", "message": "Travelling"}, format="json").json()

    assert (shown["status"], shown["role"], shown["event"]["id"]) == ("invited", "keynote", event.pk)
    assert (answered["status"], answered["message"]) == ("declined", "Travelling")


def test_organiser_assigns_through_api_and_sees_unanswered(clients, organiser, event, speaker_a, speaker_b):
    client = clients["organiser"]
    first = client.post("/api/speaker-assignments/", {"event": event.pk, "speaker": speaker_a.pk, "role": "keynote"})
    client.post("/api/speaker-assignments/", {"event": event.pk, "speaker": speaker_b.pk, "order": 1})
    services.accept_invitation(assignment=services.SpeakerAssignment.objects.get(pk=first.json()["id"]))

    unanswered = client.get(f"/api/speaker-assignments/?event={event.pk}&unanswered=true").json()["results"]

    assert first.status_code == 201
    assert [row["speaker_name"] for row in unanswered] == [speaker_b.name]
    assert unanswered[0]["awaiting_answer"] is True
    assert OutboxMessage.objects.filter(kind="speaker_invitation").count() == 2


def test_assign_with_conflict_through_api_is_409_then_override(clients, organiser, speaker_a):
    first = factories.EventFactory(organisers=[organiser])
    second = factories.EventFactory(organisers=[organiser], start=first.start + dt.timedelta(minutes=30))
    client = clients["organiser"]
    client.post("/api/speaker-assignments/", {"event": first.pk, "speaker": speaker_a.pk})

    refused = client.post("/api/speaker-assignments/", {"event": second.pk, "speaker": speaker_a.pk})
    accepted = client.post(
        "/api/speaker-assignments/",
        {"event": second.pk, "speaker": speaker_a.pk, "conflict_override_reason": "Opens only"},
    )

    assert (refused.status_code, refused.json()["code"]) == (409, "speaker_conflicts")
    assert refused.json()["conflicts"][0]["other_event"]["id"] == first.pk
    assert accepted.status_code == 201
    # the 409 says the other event's times as the assignment's conflicts do: site zone, with the offset
    assert refused.json()["conflicts"][0]["other_event"] == accepted.json()["conflicts"][0]["other_event"]
    assert refused.json()["conflicts"][0]["other_event"]["start"].endswith("+04:00")
    assert [c["code"] for c in accepted.json()["conflicts"]] == ["overlap"]
    assert accepted.json()["conflict_override_reason"] == "Opens only"


def test_unavailability_bad_period_is_400(speaker_a):
    response = client_for(speaker_a.user).post(
        "/api/me/speaker/unavailability/",
        {"start": "2027-01-02T09:00:00+04:00", "end": "2027-01-01T09:00:00+04:00"},
        format="json",
    )

    assert (response.status_code, response.json()["code"]) == (400, "invalid")


def test_calendar_feed_create_rotate_revoke(speaker_a, organiser):
    event = factories.EventFactory(organisers=[organiser], title="My talk")
    factories.SpeakerAssignmentFactory(speaker=speaker_a, event=event, status="accepted")
    client = client_for(speaker_a.user)

    created = client.post("/api/me/calendar-feeds/", {"scope": "speaker"})
    again = client.post("/api/me/calendar-feeds/", {"scope": "speaker"})
    feed_path = "/" + created.json()["url"].split("://", 1)[-1].split("/", 1)[1]
    feed = client_for(None).get(feed_path)
    rotated = client.post(f"/api/me/calendar-feeds/{created.json()['id']}/rotate/").json()
    old_feed = client_for(None).get(feed_path)
    client.post(f"/api/me/calendar-feeds/{created.json()['id']}/revoke/")

    assert (created.status_code, again.status_code) == (201, 200)
    assert again.json()["url"] == created.json()["url"]
    assert feed.status_code == 200
    assert b"My talk" in feed.content
    assert rotated["url"] != created.json()["url"]
    assert old_feed.status_code == 404
    assert client_for(None).get("/" + rotated["url"].split("://", 1)[-1].split("/", 1)[1]).status_code == 404


def test_accepted_events_for_speaker_excludes_drafts_and_other_statuses(speaker_a):
    from speakers.selectors import accepted_events_for_speaker

    accepted = factories.SpeakerAssignmentFactory(speaker=speaker_a, status="accepted").event
    factories.SpeakerAssignmentFactory(speaker=speaker_a, status="invited")
    factories.SpeakerAssignmentFactory(
        speaker=speaker_a, status="accepted", event=factories.EventFactory(status="draft")
    )

    assert list(accepted_events_for_speaker(speaker_a)) == [accepted]


def test_accepted_assignments_for_events_is_one_query(django_assert_num_queries):
    events = [factories.EventFactory() for _ in range(3)]
    for event in events:
        for status in (AssignmentStatus.ACCEPTED, AssignmentStatus.INVITED):
            factories.SpeakerAssignmentFactory(event=event, status=status)
    from speakers.selectors import accepted_assignments_for_events

    with django_assert_num_queries(1):
        result = accepted_assignments_for_events([event.pk for event in events])
        names = {event_id: [a.speaker.name for a in rows] for event_id, rows in result.items()}

    assert all(len(rows) == 1 for rows in names.values())


def test_superuser_links_account_once(speaker_b):
    """Organisers send a link instead (tests/speakers/test_account_link.py)."""
    account = factories.UserFactory(username="new-speaker")
    hidden = factories.SpeakerFactory()
    superuser = client_for(factories.UserFactory(is_superuser=True, is_staff=True))

    linked = superuser.patch(f"/api/speakers/{hidden.pk}/", {"user": account.pk}, format="json")
    taken = superuser.patch(f"/api/speakers/{hidden.pk}/", {"user": speaker_b.user_id}, format="json")

    assert (linked.status_code, linked.json()["user"]) == (200, account.pk)
    assert (taken.status_code, taken.json()["code"]) == (409, "account_taken")
    assert client_for(account).get("/api/me/speaker/").json()["id"] == hidden.pk


def test_speaker_uploads_own_photo(speaker_a, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "purple").save(buffer, format="PNG")
    photo = SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")

    response = client_for(speaker_a.user).patch("/api/me/speaker/", {"photo": photo}, format="multipart")

    assert response.status_code == 200, response.content
    assert response.json()["photo_src"].startswith("/media/speakers/")
    not_an_image = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    refused = client_for(speaker_a.user).patch("/api/me/speaker/", {"photo": not_an_image}, format="multipart")
    assert (refused.status_code, refused.json()["code"]) == (400, "photo_not_an_image")


def test_invitation_to_draft_event_is_in_schedule_not_in_roster(clients, organiser, speaker_a):
    draft = factories.EventFactory(organisers=[organiser], status="draft", title="Planned panel")
    assignment = services.assign_speaker(event=draft, speaker=speaker_a, by=organiser)

    schedule = clients["speaker_a"].get("/api/me/speaker/schedule/").json()["results"]
    accepted = clients["speaker_a"].post(f"/api/me/speaker/schedule/{assignment.pk}/accept/")
    roster = clients["anonymous"].get(f"/api/speakers/{speaker_a.pk}/").json()

    assert [row["event"]["title"] for row in schedule] == ["Planned panel"]
    assert accepted.status_code == 200
    assert roster["upcoming_events"] == []


def test_a_speaker_no_longer_engaged_no_longer_sees_a_drafts_details(organiser, speaker_a):
    """A speaker who declined, or whom the organisers withdrew, still followed the draft's
    current (unpublished) title in the schedule and the speaker area."""

    def event(days, **fields):
        start = (timezone.now() + dt.timedelta(days=days)).replace(microsecond=0)
        return factories.EventFactory(organisers=[organiser], start=start, end=start + dt.timedelta(hours=2), **fields)

    declined_draft = event(5, status="draft", title="Declined plan")
    withdrawn_draft = event(6, status="draft", title="Withdrawn plan")
    invited_draft = event(7, status="draft", title="Invited plan")
    published = event(8, title="Published talk")
    declined = services.assign_speaker(event=declined_draft, speaker=speaker_a, by=organiser)
    withdrawn = services.assign_speaker(event=withdrawn_draft, speaker=speaker_a, by=organiser)
    services.assign_speaker(event=invited_draft, speaker=speaker_a, by=organiser)
    declined_published = services.assign_speaker(event=published, speaker=speaker_a, by=organiser)
    services.decline_invitation(assignment=declined)
    services.decline_invitation(assignment=declined_published)
    services.withdraw_assignment(assignment=withdrawn, by=organiser)
    declined_draft.title = "Renamed secret plan"
    declined_draft.save()
    client = client_for(speaker_a.user)
    client.force_login(speaker_a.user)

    schedule = client.get("/api/me/speaker/schedule/").json()["results"]
    one = client.get(f"/api/me/speaker/schedule/{declined.pk}/")
    area = client.get("/speaker/").content.decode()

    assert sorted(row["event"]["title"] for row in schedule) == ["Invited plan", "Published talk"]
    assert one.status_code == 404
    assert "Renamed secret plan" not in area and "Withdrawn plan" not in area
    assert "Invited plan" in area and "Published talk" in area


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/in/aysel",
        "https://linkedin.com.evil.example/in/aysel",
        "https://linkedin.com@evil.example/in/aysel",
    ],
)
def test_a_linkedin_link_goes_to_linkedin(speaker_a, url):
    # the public page labels it "LinkedIn": any other site behind that label misleads its readers
    response = client_for(speaker_a.user).patch("/api/me/speaker/", {"linkedin_url": url}, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "invalid_linkedin_url")


@pytest.mark.parametrize("url", ["https://www.linkedin.com/in/aysel", "https://az.linkedin.com/in/aysel", ""])
def test_a_linkedin_profile_link_is_kept(speaker_a, url):
    response = client_for(speaker_a.user).patch("/api/me/speaker/", {"linkedin_url": url}, format="json")

    assert (response.status_code, response.json()["linkedin_url"]) == (200, url)


@pytest.mark.parametrize("brk", ["\r\n", "\n", "\u2028", "\t"])
def test_a_speaker_name_typed_over_lines_is_kept_on_one_line(speaker_a, brk):
    # the mails that name a speaker (her answer to the organisers) had "Bcc: …" on a line of its own
    response = client_for(speaker_a.user).patch(
        "/api/me/speaker/", {"name": f"Leyla{brk}Bcc: evil@example.org"}, format="json"
    )

    assert response.status_code == 200, response.content
    speaker_a.refresh_from_db()
    assert speaker_a.name == "Leyla Bcc: evil@example.org"


@pytest.mark.parametrize("name", ["\u200b", "\u202e\u200f", "\ufeff"])
def test_a_speaker_name_of_only_invisible_characters_is_refused(speaker_a, name):
    response = client_for(speaker_a.user).patch("/api/me/speaker/", {"name": name}, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "name_required")


def test_an_event_that_is_over_gives_its_speaker_no_join_link_anywhere(client, speaker_a, organiser):
    """A speaker's past events kept the webinar's join link in the schedule API, the speaker area
    and the speaker's calendar feed: one rule (speakers.models.speaker_join_url) hides it once over."""
    from events.models import Event
    from feeds import services as feed_services
    from tests.ical.conftest import unfolded

    link = "https://zoom.example.org/j/over-now"
    webinar = factories.WebinarFactory(organisers=[organiser], join_url=link)
    assignment = services.assign_speaker(event=webinar, speaker=speaker_a, by=organiser)
    speaker = client_for(speaker_a.user)
    speaker.post(f"/api/me/speaker/schedule/{assignment.pk}/accept/", {"message": ""}, format="json")
    feed = feed_services.create_feed(user=speaker_a.user, scope="speaker")
    feed_url = f"/calendar/private/{feed.token}.ics"
    upcoming = speaker.get("/api/me/speaker/schedule/").json()["results"][0]
    assert upcoming["join_url"] == link
    assert link.encode() in unfolded(client.get(feed_url))

    now = timezone.now()
    Event.objects.filter(pk=webinar.pk).update(start=now - dt.timedelta(hours=2), end=now - dt.timedelta(minutes=1))
    speaker.force_login(speaker_a.user)
    past = speaker.get("/api/me/speaker/schedule/", {"when": "past"}).json()["results"][0]
    area = speaker.get("/speaker/").content.decode()
    calendar = client.get(feed_url)

    assert (past["id"], past["status"], past["join_url"]) == (assignment.pk, "accepted", None)
    assert link not in area
    assert calendar.status_code == 200
    assert link.encode() not in unfolded(calendar)
