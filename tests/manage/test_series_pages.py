"""Workspace pages of series: the rule in words, a preview computed as saving does, occurrences."""

import datetime as dt
import zoneinfo

import pytest

from events.manage_forms import parse_rule
from events.models import Event, EventStatus, Series
from tests import factories

pytestmark = pytest.mark.django_db
BAKU = zoneinfo.ZoneInfo("Asia/Baku")


def series_data(**overrides) -> dict:
    data = {
        "title": "Mentoring circle",
        "kind": "mentoring_session",
        "format": "online",
        "timezone": "Asia/Baku",
        "first_date": "2030-01-10",
        "start_time": "18:30",
        "duration_minutes": "90",
        "frequency": "monthly",
        "interval": "1",
        "month_weeks": ["2", "4"],
        "month_weekday": "TH",
        "until": "2030-03-31",
        "exception_dates": "",
        "registration_mode": "open",
        "audience": "mentees",
        "language": "az",
    }
    data.update(overrides)
    return data


def test_preview_lists_the_2nd_and_4th_thursdays_and_saves_nothing(organiser_web):
    response = organiser_web.post("/manage/series/new/", {**series_data(), "preview": "1"})

    assert response.status_code == 200
    starts = [start.replace(tzinfo=None) for start in response.context["preview"]]
    assert starts == [
        dt.datetime(2030, 1, 10, 18, 30),
        dt.datetime(2030, 1, 24, 18, 30),
        dt.datetime(2030, 2, 14, 18, 30),
        dt.datetime(2030, 2, 28, 18, 30),
        dt.datetime(2030, 3, 14, 18, 30),
        dt.datetime(2030, 3, 28, 18, 30),
    ]
    assert "Thu 10 Jan 2030, 18:30" in response.text
    assert not Series.objects.exists()


def test_preview_button_brings_the_phone_down_to_the_preview(organiser_web):
    """On a phone the preview is three screens below the top: the button posts to the page's own
    address with the preview's fragment, so the browser scrolls to what the organiser asked for."""
    response = organiser_web.post("/manage/series/new/", {**series_data(), "preview": "1"})

    assert 'name="preview" value="1" class="secondary" formaction="#preview-heading"' in response.text
    assert 'id="preview-heading"' in response.text


def test_save_after_a_preview_leaves_the_previews_fragment_behind(organiser_web):
    """After a preview the page's address ends in #preview-heading; Save posted to it and the
    browser carried the fragment over the redirect: /manage/series/2/#preview-heading."""
    response = organiser_web.post("/manage/series/new/", {**series_data(), "preview": "1"})

    assert 'name="save" value="1" formaction="/manage/series/new/"' in response.text


def test_saved_series_has_the_previewed_occurrences_and_the_rule_in_rfc5545(organiser_web, organiser):
    preview = organiser_web.post("/manage/series/new/", {**series_data(exception_dates="2030-02-14"), "preview": "1"})
    response = organiser_web.post("/manage/series/new/", {**series_data(exception_dates="2030-02-14"), "save": "1"})

    series = Series.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/manage/series/{series.pk}/"
    assert series.rrule == "FREQ=MONTHLY;BYDAY=+2TH,+4TH;UNTIL=20300331T235959"
    assert series.exdates == ["2030-02-14T18:30:00"]
    saved = list(Event.objects.filter(series=series).order_by("start").values_list("start", flat=True))
    assert saved == list(preview.context["preview"])
    assert len(saved) == 5
    assert list(series.organisers.all()) == [organiser]


def test_weekly_series_on_two_days_every_other_week(organiser_web):
    data = series_data(frequency="weekly", interval="2", weekdays=["TU", "TH"], until="2030-01-31",
                       first_date="2030-01-01", month_weeks=[], month_weekday="")  # fmt: skip
    response = organiser_web.post("/manage/series/new/", {**data, "preview": "1"})

    days = [start.date() for start in response.context["preview"]]
    assert days == [dt.date(2030, 1, day) for day in (1, 3, 15, 17, 29, 31)]


def test_monthly_without_weeks_repeats_on_the_same_day_of_the_month(organiser_web):
    response = organiser_web.post(
        "/manage/series/new/", {**series_data(month_weeks=[], month_weekday="", first_date="2030-01-05"), "save": "1"}
    )
    assert response.status_code == 302
    assert Series.objects.get().rrule == "FREQ=MONTHLY;BYMONTHDAY=5;UNTIL=20300331T235959"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"first_date": "2030-02-30"}, "first_date"),
        ({"until": "2029-01-01"}, "until"),
        ({"exception_dates": "next tuesday"}, "exception_dates"),
        ({"month_weekday": ""}, "month_weekday"),
        ({"frequency": "hourly"}, "frequency"),
        ({"timezone": "Nowhere/Town"}, "timezone"),
        ({"duration_minutes": "0"}, "duration_minutes"),
    ],
)
def test_bad_series_input_is_a_form_error(organiser_web, changes, field):
    response = organiser_web.post("/manage/series/new/", {**series_data(**changes), "save": "1"})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Series.objects.exists()


def test_a_rule_with_too_many_occurrences_is_refused_on_the_page(organiser_web):
    data = series_data(frequency="weekly", weekdays=["MO", "TU", "WE", "TH", "FR", "SA", "SU"], until="2035-01-01")
    response = organiser_web.post("/manage/series/new/", {**data, "preview": "1"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_edit_form_reads_the_rule_back_and_saving_moves_future_occurrences(organiser_web, organiser):
    organiser_web.post("/manage/series/new/", {**series_data(until="2030-06-30"), "save": "1"})
    series = Series.objects.get()
    form = organiser_web.get(f"/manage/series/{series.pk}/edit/").context["form"]
    assert (form.initial["month_weeks"], form.initial["month_weekday"]) == (["2", "4"], "TH")
    assert form.rule_understood

    organiser_web.post(
        f"/manage/series/{series.pk}/edit/", {**series_data(until="2030-06-30", start_time="19:00"), "save": "1"}
    )

    times = {event.local_start.time() for event in Event.objects.filter(series=series)}
    assert times == {dt.time(19, 0)}


def test_edit_preview_names_the_sessions_saving_would_cancel(organiser_web):
    """A date added under "Dates without a session" cancelled that published session, and told
    everyone registered, on Save: the preview listed the remaining sessions and said only
    "Nothing is saved yet.", and the saved page "The series is saved with its sessions."."""
    organiser_web.post("/manage/series/new/", {**series_data(published="on"), "save": "1"})
    series = Series.objects.get()
    edit = f"/manage/series/{series.pk}/edit/"

    preview = organiser_web.post(edit, {**series_data(published="on", exception_dates="2030-02-14"), "preview": "1"})
    saved = organiser_web.post(
        edit, {**series_data(published="on", exception_dates="2030-02-14"), "save": "1"}, follow=True
    )
    unchanged = organiser_web.post(edit, {**series_data(published="on", exception_dates="2030-02-14"), "preview": "1"})

    assert [event.start.astimezone(BAKU).date() for event in preview.context["dropped"]] == [dt.date(2030, 2, 14)]
    assert "Saving cancels 1 session and tells everyone registered for it:" in preview.text
    assert "Thu 14 Feb 2030, 18:30" in preview.text.split("Saving cancels", 1)[1]
    assert "The series is saved with its sessions; 1 session is cancelled and its registrants are told." in saved.text
    assert unchanged.context["dropped"] == [] and "Saving cancels" not in unchanged.text


def test_editing_one_occurrence_detaches_it_and_cancelling_one_leaves_the_rest(organiser_web):
    organiser_web.post("/manage/series/new/", {**series_data(), "save": "1"})
    first, second, *rest = Event.objects.order_by("start")
    page = organiser_web.get(f"/manage/events/{first.pk}/edit/")
    assert "one session of a series" in page.text
    form = page.context["form"]
    post = {name: ("" if value is None else value) for name, value in form.initial.items() if value is not False}
    post = {name: value for name, value in post.items() if name in form.fields}
    post.update(region="", title="Mentoring circle: guest night")
    assert organiser_web.post(f"/manage/events/{first.pk}/edit/", post).status_code == 302
    organiser_web.post(f"/manage/events/{second.pk}/cancel/", {"reason": "Holiday", "confirm": "on"})

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.title, first.detached_from_series) == ("Mentoring circle: guest night", True)
    assert second.status == EventStatus.CANCELLED
    assert all(event.status == EventStatus.DRAFT for event in rest)


def test_series_page_writes_its_sessions_as_event_lists_do(organiser_web):
    organiser_web.post("/manage/series/new/", {**series_data(), "save": "1"})
    series = Series.objects.get()
    first = Event.objects.order_by("start").first()
    Event.objects.filter(pk=first.pk).update(all_day=True)

    page = organiser_web.get(f"/manage/series/{series.pk}/", headers={"accept-language": "en"}).text

    # its own "D j M Y, H:i" wrote an all-day session at 00:00
    assert "Thu 10 Jan 2030 (all day)" in page
    assert "Thu 24 Jan 2030, 18:30" in page
    assert "00:00" not in page


def test_another_organisers_series_is_404(organiser_web):
    other = factories.SeriesFactory()
    assert organiser_web.get(f"/manage/series/{other.pk}/").status_code == 404
    assert organiser_web.get(f"/manage/series/{other.pk}/edit/").status_code == 404
    assert organiser_web.post(f"/manage/series/{other.pk}/edit/", series_data()).status_code == 404


def test_a_co_organiser_of_one_session_reads_no_draft_series_on_the_sessions_page(organiser_web, organiser):
    """A session's co-organiser does not organise its series: a series never published is not
    theirs to read (its title, on the session's workspace page, with a link to a page that is a
    404 to them); a published one is named, as on the public page, without that link."""
    owner = factories.OrganiserFactory()
    draft = factories.SeriesFactory(title="Secret circle", published=False)
    published = factories.SeriesFactory(title="Open circle", published=True)
    for series in (draft, published):
        series.organisers.set([owner])
    sessions = [
        factories.EventFactory(series=series, organisers=[organiser, *series.organisers.all()])
        for series in (draft, published)
    ]

    hidden, named = (organiser_web.get(f"/manage/events/{event.pk}/").content.decode() for event in sessions)

    assert "Secret circle" not in hidden and f"/manage/series/{draft.pk}/" not in hidden
    assert "Open circle" in named and f"/manage/series/{published.pk}/" not in named


def test_the_series_organiser_reads_and_opens_the_series_from_a_session(organiser_web, organiser):
    series = factories.SeriesFactory(title="Secret circle", published=False)
    series.organisers.set([organiser])
    session = factories.EventFactory(series=series, organisers=[organiser])

    page = organiser_web.get(f"/manage/events/{session.pk}/").content.decode()

    assert "Secret circle" in page and f"/manage/series/{series.pk}/" in page


def test_parse_rule_refuses_rules_it_cannot_say_in_words():
    assert parse_rule("FREQ=DAILY;COUNT=3", BAKU) == {}
    assert parse_rule("FREQ=MONTHLY;BYDAY=+2TH,+4TU", BAKU) == {}
    assert parse_rule("FREQ=WEEKLY;BYDAY=MO;BYHOUR=9", BAKU) == {}
    assert parse_rule("FREQ=WEEKLY;BYDAY=MO,WE", BAKU) == {
        "interval": 1,
        "frequency": "weekly",
        "weekdays": ["MO", "WE"],
    }


def _visible_text(html: str) -> str:
    """The page's text as read (the zone's id may stay in an option's value, never on screen)."""
    import re

    return re.sub(r"<[^>]+>", " ", html)


def test_time_zones_read_as_a_city_and_offset_on_series_and_event_pages(organiser_web, organiser):
    series = factories.SeriesFactory(title="Mentoring circle", timezone="Asia/Baku")
    series.organisers.add(organiser)
    event = factories.EventFactory(organisers=[organiser], timezone="Asia/Baku")

    pages = {
        "series": organiser_web.get(f"/manage/series/{series.pk}/"),
        "series form": organiser_web.get("/manage/series/new/"),
        "series preview": organiser_web.post("/manage/series/new/", {**series_data(), "preview": "1"}),
        "event form": organiser_web.get("/manage/events/new/workshop/"),
        "event edit": organiser_web.get(f"/manage/events/{event.pk}/edit/"),
        "move": organiser_web.get(f"/manage/events/{event.pk}/move/"),
    }

    texts = {name: _visible_text(response.content.decode()) for name, response in pages.items()}
    assert {name: response.status_code for name, response in pages.items()} == dict.fromkeys(pages, 200)
    assert [name for name, text in texts.items() if "Asia/Baku" in text or "Asia Baku" in text] == []
    assert [name for name, text in texts.items() if "Baku time (UTC+4)" not in text] == []


def test_preview_writes_its_sessions_as_the_lists_do_in_azerbaijani_too(organiser_web):
    # it had a format of its own, "D j M Y, H:i": English day names on an Azerbaijani page
    organiser_web.cookies["django_language"] = "az"

    response = organiser_web.post("/manage/series/new/", {**series_data(), "preview": "1"})

    assert ">10 yanvar 2030, cümə axşamı, 18:30</time>" in response.text
    assert "Thu 10 Jan" not in response.text


def test_the_monthly_day_is_not_called_optional_as_a_select_always_has_one(organiser_web):
    # "On (monthly) (optional)": a select with no empty choice, and an error when it is missing
    page = organiser_web.get("/manage/series/new/").content.decode()

    start = page.index('<label for="id_month_weekday">')
    label = page[start : page.index("</label>", start)]
    assert "(optional)" not in label and "Day of those weeks (monthly)" in label
    start = page.index('<label for="id_until">')
    assert "(optional)" in page[start : page.index("</label>", start)]  # an empty last date is fine


def test_an_online_series_with_a_venue_is_a_form_error(organiser_web):
    response = organiser_web.post("/manage/series/new/", {**series_data(venue_name="Innovation Centre"), "save": "1"})

    assert response.status_code == 200
    assert response.context["form"].errors["format"] == [
        "An online event has no venue: choose In person or Hybrid, or leave the venue empty."
    ]
    assert not Series.objects.exists()


def test_a_new_series_is_in_person_until_the_organiser_says_otherwise(organiser_web):
    import re

    page = organiser_web.get("/manage/series/new/").text

    chosen = re.search(r'<select name="format"[^>]*>.*?<option value="([^"]+)" selected>', page, re.S).group(1)
    assert chosen == "in_person"


@pytest.mark.parametrize("published", [False, True])
def test_a_draft_series_page_says_how_to_publish_it(organiser_web, published):
    """A series saved without "Publish the sessions now" read "State: Draft" with only "Edit the
    series" under it, and nothing said that publishing is the Published box of that form."""
    ticked = {"published": "on"} if published else {}
    organiser_web.post("/manage/series/new/", {**series_data(), "save": "1", **ticked})
    series = Series.objects.get()

    page = organiser_web.get(f"/manage/series/{series.pk}/", headers={"accept-language": "en"}).text

    hint = "Nobody sees these sessions yet: to publish them, tick Published under Edit the series."
    assert series.published is published
    assert (hint in page) is not published


def test_ticking_published_says_the_series_is_published_as_publishing_an_event_does(organiser_web):
    # "The series is saved with its sessions." answered the tick that made every session public
    def said(response) -> list[str]:
        return [str(message) for message in response.context["messages"]]

    draft = organiser_web.post("/manage/series/new/", {**series_data(), "save": "1"}, follow=True)
    series = Series.objects.get()
    published = organiser_web.post(
        f"/manage/series/{series.pk}/edit/", {**series_data(), "published": "on", "save": "1"}, follow=True
    )
    edited_again = organiser_web.post(
        f"/manage/series/{series.pk}/edit/", {**series_data(), "published": "on", "save": "1"}, follow=True
    )

    assert said(draft) == ["The series is saved with its sessions."]
    assert said(published) == ["The series is published: people can find its sessions and register."]
    assert said(edited_again) == ["The series is saved with its sessions."]


def test_publishing_a_series_by_invitation_says_only_those_invited_register(organiser_web):
    # "people can find its sessions and register" is untrue when only those invited may
    response = organiser_web.post(
        "/manage/series/new/",
        {**series_data(), "registration_mode": "invitation", "published": "on", "save": "1"},
        follow=True,
    )

    assert [str(message) for message in response.context["messages"]] == [
        "The series is published: people can find its sessions; only those you invite register, with the code "
        "from each session's Invitations tab."
    ]
