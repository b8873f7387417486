"""One way to write when an event is (events.when): the mail, the calendar file's text and the
page say the same, all-day events as days, long events with both dates, and whose clock it is."""

import datetime as dt
import zoneinfo

import icalendar
import pytest
from django.core import mail
from django.utils import formats, translation

from events import ical, when
from events.templatetags.event_pages import google_calendar_url
from notifications import kinds
from notifications.services import queue_message
from tests import factories
from tests.ical.conftest import parse, vevents
from tests.notifications.conftest import make_registration

pytestmark = pytest.mark.django_db

BAKU = zoneinfo.ZoneInfo("Asia/Baku")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")

# (zone, start, end, all day, in English, in Azerbaijani)
CASES = {
    "evening": (
        "Asia/Baku", dt.datetime(2055, 3, 11, 18, 0, tzinfo=BAKU), dt.datetime(2055, 3, 11, 20, 0, tzinfo=BAKU), False,
        "Thursday 11 March 2055, 18:00–20:00, Baku time (UTC+4)",
        "11 mart 2055, cümə axşamı, 18:00–20:00, Bakı vaxtı ilə (UTC+4)",
    ),
    "all-day": (
        "Asia/Baku", dt.datetime(2055, 3, 11, 0, 0, tzinfo=BAKU), dt.datetime(2055, 3, 12, 0, 0, tzinfo=BAKU), True,
        "Thursday 11 March 2055 (all day)",
        "11 mart 2055, cümə axşamı (bütün gün)",
    ),
    "all-day-three-days": (
        "Asia/Baku", dt.datetime(2055, 3, 11, 0, 0, tzinfo=BAKU), dt.datetime(2055, 3, 13, 23, 59, tzinfo=BAKU), True,
        "Thursday 11 March 2055 – Saturday 13 March 2055 (all day)",
        "11 mart 2055, cümə axşamı – 13 mart 2055, şənbə (bütün gün)",
    ),
    "overnight": (
        "Asia/Baku", dt.datetime(2055, 3, 11, 18, 0, tzinfo=BAKU), dt.datetime(2055, 3, 12, 12, 0, tzinfo=BAKU), False,
        "Thursday 11 March 2055, 18:00 – Friday 12 March 2055, 12:00, Baku time (UTC+4)",
        "11 mart 2055, cümə axşamı, 18:00 – 12 mart 2055, cümə, 12:00, Bakı vaxtı ilə (UTC+4)",
    ),
    # Berlin moves its clocks on Sunday 28 March 2055: the offset at each end differs
    "across-summer-time": (
        "Europe/Berlin", dt.datetime(2055, 3, 26, 18, 0, tzinfo=BERLIN), dt.datetime(2055, 3, 29, 12, 0, tzinfo=BERLIN),
        False,
        "Friday 26 March 2055, 18:00 – Monday 29 March 2055, 12:00, Berlin time (UTC+1, then UTC+2)",
        "26 mart 2055, cümə, 18:00 – 29 mart 2055, bazar ertəsi, 12:00, Berlin vaxtı ilə (UTC+1, sonra UTC+2)",
    ),
    "after-summer-time": (
        "Europe/Berlin", dt.datetime(2055, 3, 29, 18, 0, tzinfo=BERLIN), dt.datetime(2055, 3, 29, 20, 0, tzinfo=BERLIN),
        False,
        "Monday 29 March 2055, 18:00–20:00, Berlin time (UTC+2)",
        "29 mart 2055, bazar ertəsi, 18:00–20:00, Berlin vaxtı ilə (UTC+2)",
    ),
}  # fmt: skip


def _event(case: str):
    zone, start, end, all_day, *_ = CASES[case]
    return factories.EventFactory(title="Robotics fair", timezone=zone, start=start, end=end, all_day=all_day)


def _description_when(calendar_bytes: bytes, event) -> str:
    component = vevents(icalendar.Calendar.from_ical(calendar_bytes))[ical.event_uid(event)]
    return next(line for line in str(component["DESCRIPTION"]).split("\n") if line.startswith(("When: ", "Vaxt: ")))


@pytest.mark.parametrize("language", ["en", "az"])
@pytest.mark.parametrize("case", CASES)
def test_a_mail_and_its_calendar_file_write_the_event_the_same_way(
    db, case, language, django_capture_on_commit_callbacks
):
    event = _event(case)
    expected = CASES[case][4 if language == "en" else 5]
    registration = make_registration(event, email="aysel@example.org", language=language)

    with django_capture_on_commit_callbacks(execute=True):
        queue_message(kind=kinds.REGISTRATION_CONFIRMED, recipient_email=registration.email, about=registration,
                      event=event)  # fmt: skip

    (email,) = mail.outbox
    invite = next(content for name, content, _ in email.attachments if name == "invite.ics")
    invite = invite.encode() if isinstance(invite, str) else invite
    label = "When" if language == "en" else "Nə vaxt"
    assert f"{label}: {expected}" in email.body
    assert _description_when(invite, event).split(": ", 1)[1] == expected
    assert "00:00" not in email.body


@pytest.mark.parametrize("case", CASES)
def test_the_feeds_calendar_text_parses_back_to_the_same_words(client, case):
    event = _event(case)

    response = client.get(f"/api/events/{event.pk}/ics/", headers={"accept-language": "en"})

    assert _description_when(response.content, event) == f"When: {CASES[case][4]}"


@pytest.mark.parametrize("case", CASES)
def test_the_page_writes_the_same_span_and_zone(client, case):
    """The page names the zone apart, and only where it helps; the words are the mail's."""
    event = _event(case)
    with translation.override("en"):
        span, zone = when.span(event), when.zone_label(event)

    page = client.get(f"/events/{event.pk}/", headers={"accept-language": "en"}).content.decode()

    assert CASES[case][4] == (f"{span}, {zone}" if zone else span)
    assert span in page
    if event.timezone != "Asia/Baku":
        assert zone in page


def test_an_all_day_reminder_names_the_day_not_midnight(db, django_capture_on_commit_callbacks):
    event = _event("all-day")
    registration = make_registration(event, email="aysel@example.org", language="en")

    with django_capture_on_commit_callbacks(execute=True):
        queue_message(kind=kinds.REMINDER, recipient_email=registration.email, about=registration, event=event,
                      context={"offset_minutes": 24 * 60})  # fmt: skip

    (email,) = mail.outbox
    assert email.subject == "Reminder: Robotics fair, Thursday 11 March 2055"


def test_a_deadline_in_a_mail_names_the_zone_by_its_city_and_offset():
    with translation.override("en"):
        written = when.moment("2055-03-29T16:00:00+00:00", "Europe/Berlin")

    assert written == "Monday 29 March 2055, 18:00, Berlin time (UTC+2)"


def test_google_calendar_gets_the_same_days_as_the_calendar_file(db):
    """An all-day event ending at 23:59 on its last day: Google's exclusive end date is the day after,
    as the .ics DTEND; it used to be the last day itself, which Google showed one day short."""
    event = _event("all-day-three-days")
    component = vevents(parse(ical.event_calendar([event], name="x").to_ical()))[ical.event_uid(event)]

    assert (component["DTSTART"].dt, component["DTEND"].dt) == (dt.date(2055, 3, 11), dt.date(2055, 3, 14))
    assert "dates=20550311%2F20550314" in google_calendar_url(event)


@pytest.mark.parametrize(
    ("session", "written"),
    [
        ({"all_day": True}, "Thursday 11 March 2055"),
        ({"all_day": False}, "Thursday 11 March 2055, 00:00, Baku time (UTC+4)"),
        ({}, "Thursday 11 March 2055, 00:00, Baku time (UTC+4)"),  # queued before "all_day" was kept
    ],
)
def test_a_mails_list_of_coming_events_writes_an_all_day_one_as_its_day(
    db, session, written, django_capture_on_commit_callbacks
):
    event = _event("all-day")
    registration = make_registration(event, email="aysel@example.org", language="en")
    coming = {"title": "Robotics fair", "start": event.start.isoformat(), "zone": event.timezone, "url": "u", **session}

    with django_capture_on_commit_callbacks(execute=True):
        queue_message(kind=kinds.FOLLOW_UP_NO_SHOW, recipient_email=registration.email, about=registration,
                      event=event, context={"next_events": [coming]})  # fmt: skip

    (email,) = mail.outbox
    assert f"- Robotics fair, {written}: u" in email.body


@pytest.mark.parametrize(
    ("case", "line"),
    [
        ("evening", "Thu 11 Mar 2055, 18:00"),
        ("all-day", "Thu 11 Mar 2055 (all day)"),
        ("all-day-three-days", "Thu 11 Mar 2055 – Sat 13 Mar 2055 (all day)"),
    ],
)
def test_the_event_list_writes_an_all_day_event_as_its_days(client, case, line):
    _event(case)

    page = client.get("/events/", headers={"accept-language": "en"}).content.decode()

    assert line in page
    assert ", 00:00<" not in page  # the visible text; <time datetime> keeps the machine's moment


@pytest.mark.parametrize("path", ["/manage/?show=all", "/checkin/"])
@pytest.mark.parametrize("language", ["en", "az"])
def test_the_workspace_and_door_lists_write_an_event_as_the_public_list_does(client, organiser, path, language):
    # they wrote "D j M Y, H:i" of their own: an all-day event at 00:00, English order in Azerbaijani
    event = _event("all-day-three-days")
    event.organisers.add(organiser)
    client.force_login(organiser)
    with translation.override(language):
        line = when.card(event)

    page = client.get(path, headers={"accept-language": language}).content.decode()

    assert line in page
    assert "00:00" not in page


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Fri 26 Mar 2055, 18:00 – Mon 29 Mar 2055, 12:00"),
        ("az", "26 mart 2055, cümə, 18:00 – 29 mart 2055, bazar ertəsi, 12:00"),
    ],
)
def test_card_of_an_event_over_several_days_gives_its_start_and_its_end(language, said):
    # the list said "Fri 26 Mar 2055, 18:00" beside "Berlin time (UTC+1, then UTC+2)": one evening
    event = factories.EventFactory(
        timezone="Europe/Berlin",
        start=dt.datetime(2055, 3, 26, 18, tzinfo=BERLIN),
        end=dt.datetime(2055, 3, 29, 12, tzinfo=BERLIN),
    )

    with translation.override(language):
        assert when.card(event) == said


def test_card_of_an_evening_gives_its_start():
    event = factories.EventFactory(
        start=dt.datetime(2055, 3, 11, 18, tzinfo=BAKU), end=dt.datetime(2055, 3, 11, 20, tzinfo=BAKU)
    )

    with translation.override("en"):
        assert when.card(event) == "Thu 11 Mar 2055, 18:00"


# --- Azerbaijani dates read alike, and name the weekday where English does ----------------


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", ["Thu 11 Mar 2055, 18:00", "Thu 11 Mar 2055 – Sat 13 Mar 2055 (all day)", "Thu 11 Mar"]),
        (
            "az",
            [
                "11 mart 2055, cümə axşamı, 18:00",
                "11 mart 2055, cümə axşamı – 13 mart 2055, şənbə (bütün gün)",
                "11 mart, cümə axşamı",
            ],
        ),
    ],
)
def test_list_dates_name_the_weekday_in_azerbaijani_as_in_english(language, said):
    # English lists wrote "Tue 12 Jan", Azerbaijani ones the date alone
    from events.templatetags.event_pages import card_date

    evening = factories.EventFactory(
        start=dt.datetime(2055, 3, 11, 18, tzinfo=BAKU), end=dt.datetime(2055, 3, 11, 20, tzinfo=BAKU)
    )
    all_day = _event("all-day-three-days")

    with translation.override(language):
        assert [when.card(evening), when.card(all_day), card_date(evening.local_start.date())] == said


def _format_names(language):
    from importlib import import_module

    module = import_module(f"events_project.formats.{language}.formats")
    return {name: value for name, value in vars(module).items() if name.endswith("_FORMAT")}


def test_every_named_date_format_is_in_both_languages_and_names_the_weekday_in_both():
    english, azerbaijani = _format_names("en"), _format_names("az")

    assert set(english) == set(azerbaijani)
    assert [
        name for name, value in english.items() if ("D" in value or "l" in value) != ("l" in azerbaijani[name])
    ] == []


@pytest.mark.parametrize("month", range(1, 13))
def test_azerbaijani_dates_write_month_and_weekday_in_lower_case_in_every_format(month):
    # "registered 28 Noy 2026": Django's "M" capitalises the month's abbreviation
    moment = dt.datetime(2026, month, 28, 12, 0, tzinfo=BAKU)
    with translation.override("az"):
        written = {name: when.local_date(moment, name) for name in _format_names("az") if name != "TIME_FORMAT"}

    assert {name: text for name, text in written.items() if text != text.lower()} == {}


def test_templates_write_dates_only_in_formats_of_the_active_language():
    # a format typed in a template ("j M Y, H:i") is English's in every language: "28 Noy 2026"
    import re
    from pathlib import Path

    from django.conf import settings

    allowed = {"c", "Y-m-d", "j", "b", "DATE_FORMAT", "DATETIME_FORMAT", "YEAR_MONTH_FORMAT", "MONTH_DAY_FORMAT"}
    found = {
        f"{path.relative_to(settings.BASE_DIR)}: {fmt}"
        for path in Path(settings.BASE_DIR).glob("*/templates/**/*.*")
        for fmt in re.findall(r"\|date:[\"']([^\"']*)[\"']", path.read_text())
        if fmt not in allowed
    }

    assert found == set()


def test_azerbaijani_month_abbreviations_are_the_ones_people_write():
    # the events list's date block and the dashboard's chart write "b": Django's own Azerbaijani
    # gave "20 YNV" on a January card (and "fvr", "snt"), abbreviations nobody writes
    with translation.override("az"):
        written = [formats.date_format(dt.date(2027, month, 1), "b") for month in range(1, 13)]

    assert written == ["yan", "fev", "mar", "apr", "may", "iyn", "iyl", "avq", "sen", "okt", "noy", "dek"]
