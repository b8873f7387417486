"""Workspace pages of events: the form follows the kind, every write goes through the services."""

import datetime as dt
import zoneinfo

import pytest
from django.core import mail

from events.models import Event, EventStatus, Region
from notifications.models import OutboxMessage
from registrations.models import Question
from registrations.services.registration import register
from tests import factories
from tests.pages.conftest import descriptions, summary_targets_not_focusable

pytestmark = pytest.mark.django_db
BAKU = zoneinfo.ZoneInfo("Asia/Baku")


def event_data(**overrides) -> dict:
    data = {
        "title": "Women in data science",
        "description": "",
        "start": "2030-03-14T18:30",
        "end": "2030-03-14T20:00",
        "timezone": "Asia/Baku",
        "audience": "public",
        "language": "az",
        "registration_mode": "open",
        "waiting_list_enabled": "on",
        "reminders": ["1440", "60"],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_new_webinar_asks_for_platform_and_join_link_and_is_saved_as_a_draft(organiser_web, organiser):
    page = organiser_web.get("/manage/events/new/webinar/")
    assert 'name="online_platform"' in page.text and 'name="join_url"' in page.text
    assert 'name="region"' not in page.text and 'name="rsvp_deadline"' not in page.text

    response = organiser_web.post(
        "/manage/events/new/webinar/",
        event_data(online_platform="Zoom", join_url="https://zoom.example.org/j/1", capacity="100"),
    )

    event = Event.objects.get(title="Women in data science")
    assert response.status_code == 302 and response["Location"] == f"/manage/events/{event.pk}/"
    assert (event.kind, event.format, event.status) == ("webinar", "online", EventStatus.DRAFT)
    assert event.start == dt.datetime(2030, 3, 14, 18, 30, tzinfo=BAKU)
    assert event.reminder_offsets == [1440, 60]
    assert list(event.organisers.all()) == [organiser]


def test_outreach_visit_asks_for_region_and_families_and_stores_the_party_limit(organiser_web):
    region = Region.objects.order_by("name").first()
    page = organiser_web.get("/manage/events/new/outreach_visit/")
    assert 'name="families_welcome"' in page.text and 'name="join_url"' not in page.text

    organiser_web.post(
        "/manage/events/new/outreach_visit/",
        event_data(region=region.pk, venue_name="School No. 1", families_welcome="on", max_party_size="5"),
    )

    event = Event.objects.get()
    assert (event.region, event.format, event.max_party_size) == (region, "in_person", 5)


def test_a_party_limit_typed_without_ticking_families_is_a_form_error_not_dropped(organiser_web):
    """ "People per registration: 4" with the Families box left unticked saved an event of one
    person per registration, the 4 dropped without a word: parents could not bring their children."""
    region = Region.objects.order_by("name").first()

    typed = event_data(region=region.pk, venue_name="School No. 1", max_party_size="4")

    response = organiser_web.post("/manage/events/new/outreach_visit/", typed)

    assert response.status_code == 200
    assert response.context["form"].errors["max_party_size"] == [
        "Tick “Families may come together” too, or leave this empty: without it each registration is one person."
    ]
    assert not Event.objects.exists()


def test_unticking_families_turns_the_party_limit_off_with_the_number_left_as_it_was(organiser_web, organiser):
    region = Region.objects.order_by("name").first()
    event = factories.EventFactory(
        organisers=[organiser], kind="outreach_visit", region=region, max_party_size=5,
        start=dt.datetime(2030, 3, 14, 14, 30, tzinfo=dt.UTC),
    )  # fmt: skip

    response = organiser_web.post(
        f"/manage/events/{event.pk}/edit/", event_data(region=region.pk, venue_name="School No. 1", max_party_size="5")
    )

    event.refresh_from_db()
    assert response.status_code == 302
    assert event.max_party_size == 1


def test_outreach_visit_without_region_gets_a_form_error(organiser_web):
    response = organiser_web.post("/manage/events/new/outreach_visit/", event_data())
    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    assert not Event.objects.exists()


def test_roundtable_asks_for_invitation_mode_sectors_and_deadline_in_plain_words(organiser_web):
    page = organiser_web.get("/manage/events/new/roundtable/")
    assert "Deadline to answer the invitation" in page.text
    assert "Rsvp" not in page.text

    organiser_web.post(
        "/manage/events/new/roundtable/",
        event_data(
            registration_mode="invitation",
            format="in_person",
            sectors=["government", "academia"],
            rsvp_deadline="2030-03-10T18:00",
        ),
    )

    event = Event.objects.get()
    assert event.registration_mode == "invitation"
    assert event.sectors == ["government", "academia"]
    assert event.rsvp_deadline == dt.datetime(2030, 3, 10, 18, 0, tzinfo=BAKU)


def test_a_new_roundtable_is_by_invitation_unless_the_organiser_opens_it(organiser_web, own_event):
    """The guide's roundtable "asks who may take part (by invitation)"; the form offered "Open: first
    come, first served", so a roundtable saved as it came had no Invitations tab and let anyone in."""
    roundtable = organiser_web.get("/manage/events/new/roundtable/").context["form"]
    webinar = organiser_web.get("/manage/events/new/webinar/").context["form"]
    own_event.registration_mode = "open"
    own_event.kind = "roundtable"
    own_event.save()
    edited = organiser_web.get(f"/manage/events/{own_event.pk}/edit/").context["form"]

    assert roundtable["registration_mode"].value() == "invitation"
    assert webinar["registration_mode"].value() in (None, "open")  # the first choice, "Open"
    assert edited["registration_mode"].value() == "open"  # an existing one keeps what it has


def test_the_zones_help_covers_the_times_below_it_too(organiser_web):
    """The zone's help said "The times above are in this time zone.": the answer deadline and
    the registration dates below it are read in that zone too (events.manage_forms.LOCAL_TIMES)."""
    import re

    from events.manage_forms import LOCAL_TIMES

    html = organiser_web.get("/manage/events/new/roundtable/").text
    help_text = re.search(r'id="id_timezone_helptext"[^>]*>(.*?)</', html, re.S).group(1)
    below = [name for name in LOCAL_TIMES if html.index(f'name="{name}"') > html.index('name="timezone"')]

    assert below == ["rsvp_deadline", "registration_opens_at", "registration_closes_at"]
    assert help_text.strip() == "Every time on this form is in this time zone, the registration dates too."


def test_event_form_shows_no_internal_fields(organiser_web, own_event):
    page = organiser_web.get(f"/manage/events/{own_event.pk}/edit/")
    for internal in ("uid", "sequence", "attendance_finalised_at", "detached_from_series", "reminder_offsets"):
        assert f'name="{internal}"' not in page.text
    assert "1 day before" in page.text and "1 hour before" in page.text


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start": "not a date"}, "start"),
        ({"end": "2030-03-14T17:00"}, "end"),
        ({"capacity": "0"}, "capacity"),
        ({"reminders": ["7"]}, "reminders"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"start": "1850-01-01T10:00", "end": "1850-01-01T12:00"}, "start"),
    ],
)
def test_bad_event_input_is_a_form_error_not_a_500(organiser_web, changes, field):
    response = organiser_web.post("/manage/events/new/workshop/", event_data(format="in_person", **changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Event.objects.exists()


@pytest.mark.parametrize(("kind", "field"), [("workshop", "registration_closes_at"), ("roundtable", "rsvp_deadline")])
def test_a_closing_time_or_deadline_after_the_end_is_an_error_on_its_field(organiser_web, kind, field):
    response = organiser_web.post(
        f"/manage/events/new/{kind}/", event_data(format="in_person", **{field: "2030-03-15T10:00"})
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert not Event.objects.exists()


def test_unknown_kind_is_404(organiser_web):
    assert organiser_web.get("/manage/events/new/party/").status_code == 404


def test_edit_saves_through_the_service_and_keeps_untouched_fields(organiser_web, own_event):
    own_event.reminder_offsets = [1440]
    own_event.save()
    form = organiser_web.get(f"/manage/events/{own_event.pk}/edit/").context["form"]
    post = {name: form.initial.get(name) for name in form.fields}
    post = {key: ("" if value is None else value) for key, value in post.items() if value is not False}
    post["region"] = ""
    post["title"] = "Robotics workshop for girls"
    post["reminders"] = ["1440", "180"]

    response = organiser_web.post(f"/manage/events/{own_event.pk}/edit/", post)

    assert response.status_code == 302, response.context["form"].errors
    own_event.refresh_from_db()
    assert own_event.title == "Robotics workshop for girls"
    assert own_event.reminder_offsets == [1440, 180]
    assert own_event.sequence == 0  # neither time nor place moved


def test_move_tells_people_with_a_place(organiser_web, own_event, django_capture_on_commit_callbacks):
    register(event=own_event, name="Aysel", email="aysel@example.org", consent_data_processing=True)
    mail.outbox.clear()
    start = (own_event.local_start + dt.timedelta(days=1)).replace(second=0)
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_web.post(
            f"/manage/events/{own_event.pk}/move/",
            {
                "start": start.strftime("%Y-%m-%dT%H:%M"),
                "end": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            },
        )

    assert response.status_code == 302
    own_event.refresh_from_db()
    assert own_event.start == start and own_event.sequence == 1
    assert OutboxMessage.objects.filter(kind="event_changed", recipient_email="aysel@example.org").exists()


def test_moving_says_the_speakers_are_told_too_as_they_are(
    organiser_web, own_event, django_capture_on_commit_callbacks
):
    """The Move page says everyone with a seat and every speaker receives the new time; once moved,
    the page said only "Everyone with a seat receives the new time", as if the speakers were not."""
    factories.SpeakerAssignmentFactory(event=own_event, status="accepted", speaker__email="leyla@example.org")
    start = (own_event.local_start + dt.timedelta(days=1)).replace(second=0)
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_web.post(
            f"/manage/events/{own_event.pk}/move/",
            {
                "start": start.strftime("%Y-%m-%dT%H:%M"),
                "end": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            },
            follow=True,
        )

    assert [str(message) for message in response.context["messages"]] == [
        "The event is moved. Everyone with a seat and every speaker receives the new time."
    ]
    assert OutboxMessage.objects.filter(kind="event_changed", recipient_email="leyla@example.org").exists()


def test_move_page_says_the_current_time_with_its_zone_in_one_sentence(organiser_web, organiser):
    """It read "Now: Tuesday 1 December 2026, 19:00–20:00. Baku time (UTC+4) Everyone with a
    place...": the zone after the full stop, and no stop before the next sentence."""
    import datetime as dt
    import re
    from zoneinfo import ZoneInfo

    start = dt.datetime(2026, 12, 1, 19, 0, tzinfo=ZoneInfo("Asia/Baku"))
    webinar = factories.WebinarFactory(organisers=[organiser], start=start, end=start + dt.timedelta(hours=1))

    page = organiser_web.get(f"/manage/events/{webinar.pk}/move/").content.decode()

    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))
    assert "Now: Tuesday 1 December 2026, 19:00–20:00 Baku time (UTC+4). Everyone with a seat" in text


def test_cancel_without_the_box_ticked_asks_to_tick_it_as_the_public_cancel_does(organiser_web, own_event):
    """An unticked confirmation said "This field is required." under a box, where the attendee's
    own cancel page says "Tick the box to confirm."."""
    refused = organiser_web.post(f"/manage/events/{own_event.pk}/cancel/", {"reason": "The venue flooded."})

    assert refused.context["form"].errors["confirm"] == ["Tick the box to confirm."]


def test_cancel_needs_a_reason_and_a_confirmation(organiser_web, own_event):
    refused = organiser_web.post(f"/manage/events/{own_event.pk}/cancel/", {"reason": ""})
    assert refused.status_code == 200 and set(refused.context["form"].errors) == {"reason", "confirm"}

    organiser_web.post(f"/manage/events/{own_event.pk}/cancel/", {"reason": "The venue flooded.", "confirm": "on"})

    own_event.refresh_from_db()
    assert (own_event.status, own_event.cancellation_reason) == (EventStatus.CANCELLED, "The venue flooded.")


def test_an_event_that_is_over_offers_no_cancel_and_refuses_one(organiser_web, own_event):
    Event.objects.filter(pk=own_event.pk).update(
        start=dt.datetime(2020, 3, 14, 10, tzinfo=BAKU), end=dt.datetime(2020, 3, 14, 12, tzinfo=BAKU)
    )

    overview = organiser_web.get(f"/manage/events/{own_event.pk}/")
    refused = organiser_web.post(
        f"/manage/events/{own_event.pk}/cancel/", {"reason": "Tidy up", "confirm": "on"}, follow=True
    )

    assert f"/manage/events/{own_event.pk}/cancel/" not in overview.text
    assert refused.redirect_chain == [(f"/manage/events/{own_event.pk}/", 302)]
    assert "The event is over: it can no longer be cancelled." in refused.text
    own_event.refresh_from_db()
    assert own_event.status == EventStatus.PUBLISHED


def test_publish_a_draft(organiser_web, organiser):
    draft = factories.EventFactory(organisers=[organiser], status=EventStatus.DRAFT, published_at=None)
    assert organiser_web.get(f"/manage/events/{draft.pk}/publish/").status_code == 405
    organiser_web.post(f"/manage/events/{draft.pk}/publish/")
    draft.refresh_from_db()
    assert draft.status == EventStatus.PUBLISHED


def test_duplicate_makes_a_draft_with_the_same_questions(organiser_web, own_event):
    factories.QuestionFactory(event=own_event, label="Your school", required=True)
    form = organiser_web.get(f"/manage/events/{own_event.pk}/duplicate/").context["form"]
    post = {name: ("" if value is None else value) for name, value in form.initial.items() if value is not False}
    post = {name: value for name, value in post.items() if name in form.fields}
    post.update(region="", start="2030-06-01T10:00", end="2030-06-01T12:00")

    response = organiser_web.post(f"/manage/events/{own_event.pk}/duplicate/", post)

    assert response.status_code == 302, response.context["form"].errors
    copy = Event.objects.exclude(pk=own_event.pk).get()
    assert (copy.title, copy.status) == (own_event.title, EventStatus.DRAFT)
    assert list(Question.objects.filter(event=copy).values_list("label", "required")) == [("Your school", True)]


@pytest.mark.parametrize(
    "path",
    ["", "edit/", "duplicate/", "move/", "cancel/", "questions/", "invitations/", "speakers/", "messages/",
     "messages/reminder/", "team/"],
)  # fmt: skip
def test_another_organisers_event_is_404_on_every_page(organiser_web, other_event, path):
    # the overview and the messages page only show: a POST is 405 there whatever the event,
    # so it tells nothing about another organiser's events either
    posted = 405 if path in ("", "messages/") else 404

    assert organiser_web.get(f"/manage/events/{other_event.pk}/{path}").status_code == 404
    assert organiser_web.post(f"/manage/events/{other_event.pk}/{path}", {"action": "invite"}).status_code == posted
    assert organiser_web.post(f"/manage/events/999999/{path}", {"action": "invite"}).status_code == posted


def test_another_organisers_event_cannot_be_published(organiser_web, other_event):
    assert organiser_web.post(f"/manage/events/{other_event.pk}/publish/").status_code == 404


def test_editing_a_cancelled_event_is_refused_on_the_form(organiser_web, own_event):
    form = organiser_web.get(f"/manage/events/{own_event.pk}/edit/").context["form"]
    post = {name: ("" if value is None else value) for name, value in form.initial.items() if value is not False}
    post = {name: value for name, value in post.items() if name in form.fields}
    post.update(region="", title="Renamed")
    own_event.status = EventStatus.CANCELLED
    own_event.save()

    response = organiser_web.post(f"/manage/events/{own_event.pk}/edit/", post)

    assert response.status_code == 302 and response["Location"] == f"/manage/events/{own_event.pk}/"
    own_event.refresh_from_db()
    assert own_event.title == "Robotics workshop"


@pytest.mark.parametrize("action", ["edit", "move", "cancel"])
def test_a_cancelled_event_offers_no_form_that_would_only_refuse(organiser_web, own_event, action):
    """The "Edit" tab stays on a cancelled event: it leads back to the event with the reason,
    not to a long form whose Save answers "A cancelled event cannot be edited" (in English)."""
    own_event.status = EventStatus.CANCELLED
    own_event.save()

    response = organiser_web.get(f"/manage/events/{own_event.pk}/{action}/", follow=True)

    assert response.redirect_chain == [(f"/manage/events/{own_event.pk}/", 302)]
    assert "This event is cancelled: it can no longer be changed. Copy it to plan it again." in response.text


@pytest.mark.parametrize(
    "path", ["/manage/events/new/", "/manage/events/new/webinar/", "/manage/series/", "/manage/series/new/"]
)
def test_workspace_pages_refuse_people_who_are_not_organisers(client, path):
    anonymous = client.get(path)
    from tests.pages.conftest import signed_in

    signed_in(client, factories.UserFactory())
    assert anonymous.status_code == 302 and client.get(path).status_code == 403


def test_event_overview_shows_the_local_time_without_the_zone_name(organiser_web, own_event):
    own_event.format = "online"
    own_event.save(update_fields=["format"])

    text = organiser_web.get(f"/manage/events/{own_event.pk}/").content.decode()

    assert "(Asia/Baku)" not in text
    assert "Baku time (UTC+4)" in text  # an online event says whose time it is


def test_the_overview_leads_to_the_door_only_for_an_event_with_a_venue(organiser_web, own_event):
    door = f'href="/checkin/{own_event.pk}/"'
    in_person = organiser_web.get(f"/manage/events/{own_event.pk}/").content.decode()
    own_event.format, own_event.venue_name, own_event.venue_address = "online", "", ""
    own_event.city, own_event.region = "", None
    own_event.save()

    online = organiser_web.get(f"/manage/events/{own_event.pk}/").content.decode()

    assert door in in_person
    # an online-only event's tickets carry no code to scan: no door to open
    assert door not in online


@pytest.mark.parametrize("path", ["/manage/events/{pk}/team/", "/manage/dashboard/", "/checkin/"])
def test_no_workspace_page_leads_to_the_door_of_an_online_only_event(organiser_web, own_event, path):
    """The overview's rule (an online-only event has no door) for every other page that linked
    to it: the Team tab, the dashboard's upcoming events and My doors."""
    page = path.format(pk=own_event.pk)
    door = f'href="/checkin/{own_event.pk}/"'
    in_person = organiser_web.get(page).content.decode()
    own_event.format, own_event.venue_name, own_event.venue_address = "online", "", ""
    own_event.city, own_event.region = "", None
    own_event.save()

    online = organiser_web.get(page).content.decode()

    assert door in in_person
    assert door not in online


def test_the_public_page_offers_staff_the_door_only_for_an_event_with_a_venue(client, organiser_web, own_event):
    from tests.pages.conftest import signed_in

    own_event.format, own_event.venue_name, own_event.venue_address = "online", "", ""
    own_event.city, own_event.region = "", None
    own_event.save()
    door_staff = factories.UserFactory()
    own_event.checkin_staff.add(door_staff)
    door = f'href="/checkin/{own_event.pk}/"'

    organiser_page = organiser_web.get(f"/events/{own_event.pk}/")
    organiser_web.logout()
    door_staff_page = signed_in(client, door_staff).get(f"/events/{own_event.pk}/")
    assert (organiser_page.status_code, door_staff_page.status_code) == (200, 200)
    as_organiser, as_door_staff = organiser_page.content.decode(), door_staff_page.content.decode()

    assert door not in as_organiser and f'href="/manage/events/{own_event.pk}/"' in as_organiser
    assert door not in as_door_staff and "For staff" not in as_door_staff


def test_a_refused_workspace_form_describes_each_field_by_its_error_list(organiser_web):
    response = organiser_web.post(
        "/manage/events/new/outreach_visit/", event_data(title="", reminders=["nope"], waiting_list_enabled=None)
    )

    described_by, missing = descriptions(response.text)
    assert {"id_title_error", "id_region_error"} <= set(described_by)
    assert missing == []


@pytest.mark.parametrize("language", ["en", "az"])
def test_refused_form_summary_takes_focus_and_links_each_error_to_its_field(organiser_web, language):
    # the workspace's summary was a bare notice: focus stayed at the top of the page and a long
    # form's error (the hour the clocks skip, far down on a phone) had no way to it
    organiser_web.cookies["django_language"] = language

    page = organiser_web.post(
        "/manage/events/new/webinar/",
        event_data(timezone="Europe/Berlin", start="2027-03-28T02:30", end="2027-03-28T04:00"),
    ).content.decode()

    assert "data-error-summary" in page and 'tabindex="-1"' in page
    assert 'href="#id_start"' in page
    assert summary_targets_not_focusable(page) == []


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Sunday 28 March 2027, 02:30 does not exist in Berlin: the clocks go forward then."),
        ("az", "Berlin saat qurşağında 28 mart 2027, bazar, 02:30 yoxdur: həmin an saatlar irəli çəkilir."),
    ],
)
def test_time_the_clocks_skip_is_named_as_the_form_names_zones_and_dates(organiser_web, language, said):
    # it said "2027-03-28 02:30 does not exist in Europe/Berlin" beside a list of "Berlin time (UTC+1)"
    organiser_web.cookies["django_language"] = language

    page = organiser_web.post(
        "/manage/events/new/webinar/",
        event_data(timezone="Europe/Berlin", start="2027-03-28T02:30", end="2027-03-28T04:00"),
    ).content.decode()

    assert said in page
    assert "Europe/Berlin:" not in page and "Europe/Berlin saat" not in page


@pytest.mark.parametrize(
    ("language", "seats", "said"),
    [
        ("en", "0", "Enter a whole number from 1 to 100000."),
        ("en", "100001", "Enter a whole number from 1 to 100000."),
        ("az", "0", "Ən azı 1, ən çoxu 100000 olan tam ədəd daxil edin."),
        ("az", "100001", "Ən azı 1, ən çoxu 100000 olan tam ədəd daxil edin."),
    ],
)
def test_a_number_out_of_its_limits_is_refused_in_plain_words(organiser_web, language, seats, said):
    # Django's own message read "1-(y)a/ə bərabər və ya ondan böyük olduğuna əmin olun" in Azerbaijani
    organiser_web.cookies["django_language"] = language

    response = organiser_web.post("/manage/events/new/workshop/", event_data(format="in_person", capacity=seats))

    assert response.context["form"].errors["capacity"] == [said]


def test_every_number_field_of_the_pages_states_its_limits_in_plain_words():
    # one field class for every number a page asks for (events_project.fields.NumberField)
    from django import forms

    from events_project.fields import NumberField

    classes = {
        form
        for module in ("events", "registrations", "programmes", "attendance", "notifications", "speakers", "teams")
        for form in vars(__import__(f"{module}.manage_forms", fromlist=["_"])).values()
        if isinstance(form, type) and issubclass(form, forms.BaseForm)
    }
    plain = [
        f"{form.__name__}.{name}"
        for form in classes
        for name, field in form.base_fields.items()
        if isinstance(field, forms.IntegerField) and not isinstance(field, NumberField)
    ]

    assert plain == []


def _held_last_month(event):
    start = (dt.datetime.now(tz=BAKU) - dt.timedelta(days=30)).replace(second=0, microsecond=0)
    Event.objects.filter(pk=event.pk).update(start=start, end=start + dt.timedelta(hours=2))
    event.refresh_from_db()
    return event


def _edit_post(organiser_web, event, **changes) -> dict:
    form = organiser_web.get(f"/manage/events/{event.pk}/edit/").context["form"]
    post = {name: form.initial.get(name) for name in form.fields}
    post = {key: ("" if value is None else value) for key, value in post.items() if value is not False}
    post["region"] = ""
    post["reminders"] = [str(minutes) for minutes in event.reminder_offsets]
    post.update(changes)
    return post


def test_edit_of_an_event_that_is_over_refuses_a_new_time_in_the_form(organiser_web, own_event):
    _held_last_month(own_event)
    before = own_event.start
    post = _edit_post(organiser_web, own_event, start="2030-03-14T18:30", end="2030-03-14T20:00")

    response = organiser_web.post(f"/manage/events/{own_event.pk}/edit/", post)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["The event is over: its date and time can no longer change."]
    own_event.refresh_from_db()
    assert own_event.start == before


def test_edit_of_an_event_that_is_over_still_adds_its_recording(organiser_web, own_event):
    _held_last_month(own_event)
    post = _edit_post(organiser_web, own_event, recording_url="https://video.example.org/held")

    response = organiser_web.post(f"/manage/events/{own_event.pk}/edit/", post)

    assert response.status_code == 302, response.context["form"].errors
    own_event.refresh_from_db()
    assert own_event.recording_url == "https://video.example.org/held"


def test_an_event_that_is_over_offers_no_move_and_refuses_one(organiser_web, own_event):
    _held_last_month(own_event)
    before = own_event.start

    overview = organiser_web.get(f"/manage/events/{own_event.pk}/")
    moved = organiser_web.post(
        f"/manage/events/{own_event.pk}/move/", {"start": "2030-03-14T18:30", "end": "2030-03-14T20:00"}, follow=True
    )

    assert f"/manage/events/{own_event.pk}/move/" not in overview.text
    assert moved.redirect_chain == [(f"/manage/events/{own_event.pk}/", 302)]
    assert "The event is over: its date and time can no longer change." in moved.text
    own_event.refresh_from_db()
    assert own_event.start == before


def test_move_page_refuses_to_move_a_published_event_into_the_past(organiser_web, own_event):
    response = organiser_web.post(
        f"/manage/events/{own_event.pk}/move/", {"start": "2024-03-14T18:30", "end": "2024-03-14T20:00"}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "A published event cannot be moved into the past: give an end still to come."
    ]


def test_a_new_workshop_is_in_person_until_the_organiser_says_otherwise(organiser_web):
    """The format list opened on its first choice, "Online": an organiser who typed the venue and
    left the format alone made an online workshop, whose tickets led with a join link to come
    and carried no code for the door."""
    import re

    page = organiser_web.get("/manage/events/new/workshop/").text

    chosen = re.search(r'<select name="format"[^>]*>.*?<option value="([^"]+)" selected>', page, re.S).group(1)
    assert chosen == "in_person"


@pytest.mark.parametrize("venue", [{"venue_name": "Innovation Centre"}, {"venue_address": "Baku, Nizami street 100"}])
def test_an_online_event_with_a_venue_is_a_form_error(organiser_web, venue):
    response = organiser_web.post("/manage/events/new/workshop/", event_data(format="online", **venue))

    assert response.status_code == 200
    assert response.context["form"].errors["format"] == [
        "An online event has no venue: choose In person or Hybrid, or leave the venue empty."
    ]
    assert not Event.objects.exists()


@pytest.mark.parametrize("format_", ["in_person", "hybrid"])
def test_an_event_with_a_venue_in_person_or_hybrid_is_saved(organiser_web, format_):
    organiser_web.post(
        "/manage/events/new/workshop/", event_data(format=format_, venue_name="Innovation Centre", join_url="")
    )

    assert Event.objects.get().venue_name == "Innovation Centre"


@pytest.mark.parametrize(
    ("timezone", "start"),
    [("Asia/Baku", "0001-01-01T00:00"), ("America/Los_Angeles", "9999-12-31T23:00"), ("Asia/Baku", "0001-01-01")],
)
def test_a_time_at_the_end_of_the_calendar_is_refused_as_any_out_of_range_date(organiser_web, timezone, start):
    # the check for the hour the clocks skip turned year 1 (in a zone ahead of UTC) or 9999 (behind
    # it) into UTC and overflowed: a 500 instead of "Give a date between 2000 and 2099"
    response = organiser_web.post(
        "/manage/events/new/workshop/", event_data(format="online", timezone=timezone, start=start)
    )

    assert response.status_code == 200
    assert "Give a date between 2000 and 2099." in response.text


def test_messages_tab_leads_to_writing_to_the_registrants(organiser_web, own_event):
    # a newcomer who wants to "send a message" opens the Messages tab: it holds only the wording of
    # the messages sent by themselves, so it says where writing to the registrants is
    page = organiser_web.get(f"/manage/events/{own_event.pk}/messages/")

    assert f'href="/manage/events/{own_event.pk}/registrations/#write"' in page.text


@pytest.mark.parametrize(
    ("mode", "said"),
    [
        ("open", "The event is published: people can find it and register."),
        (
            "approval",
            "The event is published: people can find it and send a request, which you approve on the "
            "Registrations tab.",
        ),
        (
            "invitation",
            "The event is published: people can find it; only those you invite register, with the code "
            "from the Invitations tab.",
        ),
    ],
)
def test_publishing_says_who_may_now_register(organiser_web, organiser, mode, said):
    # "people can find it and register" was said of a roundtable by invitation only too
    event = factories.EventFactory(organisers=[organiser], status=EventStatus.DRAFT, registration_mode=mode)

    response = organiser_web.post(f"/manage/events/{event.pk}/publish/", follow=True)

    assert [str(message) for message in response.context["messages"]] == [said]


def test_overview_says_where_and_who_may_register(organiser_web, organiser):
    # an organiser checking what they set up saw when, kind and seats, but not the room nor that
    # the roundtable was by invitation only
    event = factories.EventFactory(
        organisers=[organiser],
        kind="roundtable",
        format="in_person",
        venue_name="ADA University, Room 204",
        venue_address="Ahmadbay Aghaoghlu street 61",
        registration_mode="invitation",
    )

    page = organiser_web.get(f"/manage/events/{event.pk}/", headers={"accept-language": "en"}).text

    assert "ADA University, Room 204<br>Ahmadbay Aghaoghlu street 61" in page
    assert "<dt>Who may register</dt><dd>By invitation only</dd>" in page


@pytest.mark.parametrize(
    ("kind", "audience"),
    [
        ("roundtable", "stakeholders"),
        ("outreach_visit", "parents"),
        ("mentoring_session", "mentees"),
        ("webinar", "public"),
    ],
)
def test_a_new_event_is_for_the_audience_of_its_kind(organiser_web, kind, audience):
    # a new roundtable, by invitation of government, civil society and the private sector, read
    # "For: General public" on its page unless the organiser noticed the field
    page = organiser_web.get(f"/manage/events/new/{kind}/")

    assert page.context["form"]["audience"].value() == audience


@pytest.mark.parametrize("path", ["/manage/events/new/webinar/", "/manage/series/new/"])
@pytest.mark.parametrize("language", ["en", "az"])
def test_a_new_event_or_series_starts_in_the_language_the_organiser_works_in(organiser_web, path, language):
    """A new event started in Azerbaijani whatever the organiser read: one working in English sent
    her speakers' invitations (the event's language) in Azerbaijani without knowing it."""
    page = organiser_web.get(path, HTTP_ACCEPT_LANGUAGE=language)

    assert page.context["form"]["language"].value() == language


def test_a_copied_event_keeps_its_own_language_whatever_the_page_is_in(organiser_web, organiser):
    source = factories.EventFactory(organisers=[organiser], language="az")

    page = organiser_web.get(f"/manage/events/{source.pk}/duplicate/", HTTP_ACCEPT_LANGUAGE="en")

    assert page.context["form"]["language"].value() == "az"
