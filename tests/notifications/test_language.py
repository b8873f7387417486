"""Messages in the language the person used: recorded on the registration, used for subject,
body, calendar text and headers."""

from email import message_from_bytes, policy

import pytest
from django.core import mail

from notifications import kinds
from notifications.models import OutboxMessage, OutboxStatus
from notifications.services import preferences, queue_message
from registrations.models import Registration
from tests import factories
from tests.notifications.conftest import confirmation_sent, make_registration


@pytest.fixture
def event(db):
    return factories.EventFactory(title="Robototexnika", venue_name="Gənclər Mərkəzi")


def test_the_api_records_the_accept_language_and_the_message_uses_it(api_client, event):
    response = api_client.post(
        f"/api/events/{event.pk}/registrations/",
        {"name": "Aysel Məmmədova", "email": "aysel@example.org", "consent_data_processing": True},
        format="json",
        HTTP_ACCEPT_LANGUAGE="az-AZ,az;q=0.9,en;q=0.5",
    )

    assert response.status_code == 201, response.content
    assert Registration.objects.get().language == "az"


@pytest.mark.parametrize("through", ["api", "page"])
def test_a_registration_that_asks_no_language_keeps_none_and_its_mail_takes_the_default(
    through, api_client, client, settings, db, django_capture_on_commit_callbacks
):
    """No cookie and no Accept-Language: LocaleMiddleware answers with LANGUAGE_CODE (English),
    which says nothing of the person; their mail is in the default mail language."""
    settings.DEFAULT_MAIL_LANGUAGE = "az"
    event = factories.EventFactory(title="Robototexnika", language="")
    details = {"name": "Aysel Məmmədova", "email": "aysel@example.org", "consent_data_processing": True}
    with django_capture_on_commit_callbacks(execute=True):
        if through == "api":
            response = api_client.post(f"/api/events/{event.pk}/registrations/", details, format="json")
            assert response.status_code == 201, response.content
        else:
            response = client.post(f"/events/{event.pk}/register/", details | {"party_size": 1})
            assert response.status_code == 302

    assert Registration.objects.get().language == ""
    (email,) = mail.outbox
    assert email.extra_headers["Content-Language"] == "az"


def test_a_speaker_answering_with_no_language_asked_keeps_none(client, event, django_capture_on_commit_callbacks):
    from speakers import services as speaker_services  # noqa: PLC0415

    organiser = factories.UserFactory()
    event.organisers.add(organiser)
    speaker = factories.SpeakerFactory(email="leyla@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        assignment = speaker_services.assign_speaker(event=event, speaker=speaker, by=organiser)

    response = client.post(
        f"/speaker/invitation/{speaker_services.invitation_token(assignment)}/", {"answer": "accept"}
    )

    assert response.status_code == 200, response.content
    assert preferences.languages_of(["leyla@example.org"]) == {}


@pytest.mark.parametrize(("language", "subject", "hello", "weekday"), [
    ("az", "Robototexnika tədbirində yeriniz təsdiqləndi", "Salam, Aysel Məmmədova,", ", Bakı vaxtı ilə (UTC+4)"),
    ("en", "Your seat at Robototexnika is confirmed", "Hello Aysel Məmmədova,", ", Baku time (UTC+4)"),
])  # fmt: skip
def test_message_is_written_in_the_recorded_language(
    language, subject, hello, weekday, event, django_capture_on_commit_callbacks
):
    registration = make_registration(event, name="Aysel Məmmədova", email="aysel@example.org", language=language)

    email = confirmation_sent(registration, event, django_capture_on_commit_callbacks)
    html = email.alternatives[0][0]
    assert email.subject.startswith(subject)
    assert email.body.startswith(hello)
    assert weekday in email.body
    assert email.extra_headers["Content-Language"] == language
    assert f'<html lang="{language}"' in html


@pytest.mark.parametrize("language", ["az", "en"])
def test_a_long_subject_reads_back_exactly_as_written(language, db, django_capture_on_commit_callbacks):
    event = factories.EventFactory(title="Qızlar üçün robototexnika və süni intellekt üzrə məşğələ, Gəncə şəhəri")
    registration = make_registration(event, name="Aysel Məmmədova", email="aysel@example.org", language=language)

    email = confirmation_sent(registration, event, django_capture_on_commit_callbacks)
    raw = email.message().as_bytes()
    assert len(email.subject) > 76
    # folded after its first encoded word, not before it (no empty "Subject:" line)
    assert b"\nSubject: =?utf-8?" in raw
    assert message_from_bytes(raw, policy=policy.default)["Subject"] == email.subject


def test_headers_and_the_calendar_part_are_what_clients_expect(event, django_capture_on_commit_callbacks):
    organiser = factories.OrganiserFactory(email="organiser@example.org")
    event.organisers.add(organiser)
    registration = make_registration(event, name="Aysel Məmmədova", email="aysel@example.org")

    email = confirmation_sent(registration, event, django_capture_on_commit_callbacks)
    parsed = message_from_bytes(email.message().as_bytes(), policy=policy.default)
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["Reply-To"] == "organiser@example.org"
    assert parsed["Message-ID"].endswith("@example.org>")
    assert "List-Unsubscribe" not in parsed  # a confirmation is not a fan-out
    alternative = next(part for part in parsed.walk() if part.get_content_type() == "multipart/alternative")
    types = [part.get_content_type() for part in alternative.iter_parts()]
    assert types == ["text/plain", "text/html", "text/calendar"]
    calendar = list(alternative.iter_parts())[2]
    assert calendar.get_param("method") == "REQUEST"
    assert calendar["Content-Type"].lower().count("charset") == 1
    assert "BEGIN:VCALENDAR" in calendar.get_content()
    attachments = {part.get_filename(): part.get_content_type() for part in parsed.iter_attachments()}
    assert attachments == {"ticket.png": "image/png", "invite.ics": "text/calendar"}


def _reminder(registration, event, callbacks):
    mail.outbox = []
    with callbacks(execute=True):
        message = queue_message(
            kind=kinds.REMINDER,
            recipient_email=registration.email,
            recipient_name=registration.name,
            about=registration,
            event=event,
            dedup_key=f"reminder-test:{len(OutboxMessage.objects.all())}",
            context={"offset_minutes": 60},
        )
    message.refresh_from_db()
    return message


def test_a_fan_out_offers_one_click_unsubscribe_that_works(client, event, django_capture_on_commit_callbacks):
    registration = make_registration(event, name="Aysel Məmmədova", email="aysel@example.org")

    _reminder(registration, event, django_capture_on_commit_callbacks)
    (email,) = mail.outbox
    parsed = message_from_bytes(email.message().as_bytes(), policy=policy.default)
    unsubscribe = parsed["List-Unsubscribe"].strip().strip("<>")
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.startswith("http://") and "/messages/unsubscribe/" in unsubscribe
    assert "/messages/preferences/" in email.body

    path = unsubscribe.split("://", 1)[1].split("/", 1)[1]
    assert client.get(f"/{path}").status_code == 200
    # what Gmail and others send (RFC 8058), without a CSRF token
    answer = client.post(f"/{path}", {"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200

    again = _reminder(registration, event, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert again.status == OutboxStatus.CANCELLED


def test_preferences_page_keeps_what_the_person_ticks(client, event):
    token = preferences.preferences_token("aysel@example.org")

    page = client.get(f"/messages/preferences/{token}/")
    client.post(f"/messages/preferences/{token}/", {"wanted": [kinds.REMINDER]})

    assert page.status_code == 200
    assert preferences.muted_kinds("aysel@example.org") == {kinds.FOLLOW_UP_ATTENDED, kinds.FOLLOW_UP_NO_SHOW}
    assert client.get("/messages/preferences/forged/").status_code == 404


def test_the_language_a_signed_in_person_picks_is_the_one_their_mail_comes_in(
    client, event, django_capture_on_commit_callbacks
):
    """The account's preference: the site's language switcher, signed in. A speaker invited
    afterwards (no registration records a language) reads the invitation in Azerbaijani."""
    user = factories.UserFactory(email="sara@example.org")
    speaker = factories.SpeakerFactory(user=user, email="sara@example.org", name="Sara")
    client.force_login(user)

    client.post("/i18n/setlang/", {"language": "az", "next": "/"})
    assignment = factories.SpeakerAssignmentFactory(event=event, speaker=speaker, status="invited")
    with django_capture_on_commit_callbacks(execute=True):
        queue_message(
            kind=kinds.SPEAKER_INVITATION,
            recipient_email=speaker.email,
            recipient_name=speaker.name,
            about=assignment,
            event=event,
        )

    assert preferences.languages_of(["SARA@example.org"]) == {"sara@example.org": "az"}
    (email,) = mail.outbox
    assert email.extra_headers["Content-Language"] == "az"


def test_the_preferences_page_sets_the_language_and_a_registration_keeps_its_own(
    client, event, django_capture_on_commit_callbacks
):
    token = preferences.preferences_token("aysel@example.org")
    client.post(f"/messages/preferences/{token}/", {"wanted": [kinds.REMINDER], "language": "az"})
    registration = make_registration(event, name="Aysel", email="aysel@example.org", language="en")

    with django_capture_on_commit_callbacks(execute=True):
        queue_message(
            kind=kinds.REGISTRATION_CONFIRMED,
            recipient_email=registration.email,
            recipient_name=registration.name,
            about=registration,
            event=event,
        )

    assert preferences.languages_of(["aysel@example.org"]) == {"aysel@example.org": "az"}
    (email,) = mail.outbox
    assert email.extra_headers["Content-Language"] == "en"  # chosen on the registration's own page


def test_a_place_booked_by_staff_records_no_language_and_its_messages_use_the_persons_choice(
    organiser, organiser_client, django_capture_on_commit_callbacks
):
    from notifications.models import MessagePreference

    event = factories.EventFactory(title="Robototexnika", organisers=[organiser])
    MessagePreference.objects.create(email="leyla@example.org", language="az")

    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            f"/api/events/{event.pk}/registrations/add/",
            {"name": "Leyla Hasanova", "email": "leyla@example.org"},
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",  # the organiser's language, not Leyla's
        )

    assert response.status_code == 201, response.content
    assert Registration.objects.get().language == ""
    (email,) = mail.outbox
    assert email.extra_headers["Content-Language"] == "az"


def test_a_team_invitations_end_is_written_in_the_language_it_is_rendered_in_even_for_an_older_row(db):
    import datetime as dt

    from django.utils import translation

    from notifications.services.rendering import build_context

    event = factories.EventFactory(timezone="Asia/Baku")
    ends = dt.datetime(2055, 3, 11, 14, 0, tzinfo=dt.UTC)
    # a row queued before: "expires" written in the inviter's language when it was queued
    context = {"expires_at": ends.isoformat(), "expires": "Thursday 11 March 2055, 18:00, Baku time (UTC+4)"}

    with translation.override("az"):
        values = build_context(kind=kinds.TEAM_INVITATION, recipient_name="", about=None, event=event, context=context)

    assert values["expires"] == "11 mart 2055, cümə axşamı, 18:00, Bakı vaxtı ilə (UTC+4)"


@pytest.mark.parametrize("answered_through", ["page", "api"])
def test_a_speaker_who_answers_in_azerbaijani_gets_their_later_mail_in_it(
    answered_through, client, event, django_capture_on_commit_callbacks
):
    import datetime as dt

    from events.services import update_event
    from speakers import services as speaker_services

    organiser = factories.UserFactory()
    event.organisers.add(organiser)
    speaker = factories.SpeakerFactory(name="Leyla Əliyeva", email="leyla@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        assignment = speaker_services.assign_speaker(event=event, speaker=speaker, by=organiser)
    token = speaker_services.invitation_token(assignment)
    path = (
        f"/speaker/invitation/{token}/" if answered_through == "page" else f"/api/speaker-invitations/respond/{token}/"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, {"answer": "accept"}, HTTP_ACCEPT_LANGUAGE="az")
    assert response.status_code == 200, response.content
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        update_event(
            event=event, by=organiser, start=event.start + dt.timedelta(hours=1), end=event.end + dt.timedelta(hours=1)
        )

    (changed,) = [email for email in mail.outbox if "leyla@example.org" in email.to[0]]
    assert changed.extra_headers["Content-Language"] == "az"
    assert preferences.languages_of(["leyla@example.org"]) == {"leyla@example.org": "az"}


@pytest.mark.parametrize(("language", "says"), [
    ("az", "Robototexnika dəyişdi (vaxt, məkan)."),
    ("en", "Robototexnika has changed (time, place)."),
])  # fmt: skip
def test_a_change_notice_names_what_changed_in_the_readers_language(
    language, says, event, django_capture_on_commit_callbacks
):
    import datetime as dt

    from events.services import update_event

    organiser = factories.UserFactory()
    event.organisers.add(organiser)
    make_registration(event, name="Aysel Məmmədova", email="aysel@example.org", language=language)

    with django_capture_on_commit_callbacks(execute=True):
        update_event(event=event, by=organiser, start=event.start + dt.timedelta(hours=1), venue_name="Yeni Mərkəz")

    (email,) = mail.outbox
    assert says in email.body


@pytest.mark.parametrize("role", ["attendee", "organiser", "speaker"])
def test_the_language_a_signed_in_visit_negotiated_is_kept_until_the_person_chooses(role, client, db):
    """Only the switcher counted: an organiser whose browser asks for Azerbaijani, who never
    touched the switcher, got every mail in English."""
    user = (
        factories.OrganiserFactory(email="nigar@example.org")
        if role == "organiser"
        else factories.UserFactory(email="nigar@example.org")
    )
    if role == "speaker":
        factories.SpeakerFactory(user=user, email="nigar@example.org")
    client.force_login(user)

    client.get("/", HTTP_ACCEPT_LANGUAGE="az-AZ,az;q=0.9,en;q=0.5")
    first = preferences.languages_of(["nigar@example.org"])
    client.get("/", HTTP_ACCEPT_LANGUAGE="en")  # the same session: the first visit's stays
    same_session = preferences.languages_of(["nigar@example.org"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    chosen = preferences.languages_of(["nigar@example.org"])
    client.logout()
    client.cookies.pop("django_language", None)
    client.force_login(user)
    client.get("/", HTTP_ACCEPT_LANGUAGE="az")  # a later visit does not undo the choice

    assert (first, same_session, chosen) == ({"nigar@example.org": "az"},) * 2 + ({"nigar@example.org": "en"},)
    assert preferences.languages_of(["nigar@example.org"]) == {"nigar@example.org": "en"}


def test_a_visit_that_asks_for_no_language_the_site_speaks_records_none(client, db):
    user = factories.UserFactory(email="nigar@example.org")
    client.force_login(user)

    client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    nothing = preferences.languages_of(["nigar@example.org"])
    client.get("/", HTTP_ACCEPT_LANGUAGE="az")  # a later visit that does ask is heard

    assert nothing == {}
    assert preferences.languages_of(["nigar@example.org"]) == {"nigar@example.org": "az"}


def test_an_organiser_whose_browser_reads_azerbaijani_gets_a_speakers_answer_in_it(
    client, event, django_capture_on_commit_callbacks
):
    from speakers import services as speaker_services

    organiser = factories.OrganiserFactory(email="orxan@example.org")
    event.organisers.add(organiser)
    client.force_login(organiser)
    client.get("/", HTTP_ACCEPT_LANGUAGE="az")
    speaker = factories.SpeakerFactory(email="leyla@example.org")
    assignment = speaker_services.assign_speaker(event=event, speaker=speaker, by=organiser)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        speaker_services.accept_invitation(assignment=assignment, language="en")

    (answer,) = [email for email in mail.outbox if "orxan@example.org" in email.to[0]]
    assert answer.extra_headers["Content-Language"] == "az"


@pytest.mark.parametrize(("language", "place"), [("az", "Lənkəran"), ("en", "Lankaran")])
def test_the_place_in_a_mail_and_its_calendar_file_is_the_region_in_the_readers_spelling(
    db, language, place, django_capture_on_commit_callbacks
):
    # the Azerbaijani mail said "Harada: Lankaran Lyceum, Lankaran" under a page that says Lənkəran
    import icalendar

    visit = factories.EventFactory(
        title="Role models visit Lankaran", venue_name="Lankaran Lyceum", city="Lankaran",
        region=factories.region("lankaran"),
    )  # fmt: skip
    registration = make_registration(visit, name="Lalə Həsənova", language=language)

    email = confirmation_sent(registration, visit, django_capture_on_commit_callbacks)

    where = {"az": "Harada", "en": "Where"}[language]
    assert f"{where}: Lankaran Lyceum, {place}\n" in email.body
    [invitation] = [content for _name, content, kind in email.attachments if kind.startswith("text/calendar")] or [
        alternative for alternative, kind in email.alternatives if kind.startswith("text/calendar")
    ]
    [vevent] = icalendar.Calendar.from_ical(invitation).walk("VEVENT")
    assert str(vevent["LOCATION"]) == f"Lankaran Lyceum, {place}"


@pytest.mark.parametrize(("event_language", "subject"), [
    ("az", "Robototexnika tədbirində yeriniz təsdiqləndi"),
    ("en", "Your seat at Robototexnika is confirmed"),
])  # fmt: skip
def test_a_person_whose_language_is_unknown_gets_mail_about_an_event_in_its_language(
    event_language, subject, event, django_capture_on_commit_callbacks
):
    # a mentee enrolled by list: no language recorded, none chosen
    event.language = event_language
    event.save(update_fields=["language"])
    registration = make_registration(event, name="Aysel Məmmədova", email="aysel@example.org", language="")

    assert confirmation_sent(registration, event, django_capture_on_commit_callbacks).subject == subject


def test_the_persons_choice_wins_over_the_events_language(event, django_capture_on_commit_callbacks):
    event.language = "az"
    event.save(update_fields=["language"])
    preferences.remember_language(email="aysel@example.org", language="en")
    registration = make_registration(event, name="Aysel Məmmədova", email="aysel@example.org", language="")

    email = confirmation_sent(registration, event, django_capture_on_commit_callbacks)

    assert email.subject == "Your seat at Robototexnika is confirmed"


@pytest.mark.parametrize(("setting", "subject"), [("az", "Yeni şifrə s"), ("", "Choose a new")])
def test_mail_about_no_event_takes_the_default_mail_language(
    setting, subject, settings, db, django_capture_on_commit_callbacks
):
    from notifications.services.password_reset import queue_password_reset  # noqa: PLC0415

    settings.DEFAULT_MAIL_LANGUAGE = setting or settings.LANGUAGE_CODE
    user = factories.UserFactory(email="nigar@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        queue_password_reset(user=user, uidb64="MQ", token="token")

    (email,) = mail.outbox
    assert email.subject.startswith(subject)


def test_a_series_door_invitation_is_written_in_its_sessions_language(settings, db, django_capture_on_commit_callbacks):
    """An invitation to a series' door is about no event: it was written in the default mail
    language, where an event's door invitation is in the event's."""
    from events.models import Event  # noqa: PLC0415
    from teams import services as team_services  # noqa: PLC0415
    from tests.checkin.conftest import series_under_way  # noqa: PLC0415

    settings.DEFAULT_MAIL_LANGUAGE = "en"
    organiser = factories.OrganiserFactory()
    series, _sessions = series_under_way(organiser, sessions=2)
    series.language = "az"
    series.save(update_fields=["language"])
    Event.objects.filter(series=series).update(language="az")

    with django_capture_on_commit_callbacks(execute=True):
        team_services.invite_to_series_door(series=series, email="door@example.org", by=organiser)

    (email,) = [message for message in mail.outbox if "door@example.org" in message.to[0]]
    assert email.extra_headers["Content-Language"] == "az"
