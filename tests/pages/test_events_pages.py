import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.timezone import now

from events.models import Event, EventFormat, EventKind, EventStatus
from events.selectors import events_checked_in_by
from registrations.services.registration import register
from tests import factories
from tests.pages.conftest import PAGE_BUDGET, signed_in

pytestmark = pytest.mark.django_db


def test_event_list_shows_published_upcoming_events(client):
    factories.EventFactory(title="Robotics workshop")
    factories.EventFactory(title="Secret draft", status=EventStatus.DRAFT)
    factories.EventFactory(
        title="Old visit", start=now() - dt.timedelta(days=30), end=now() - dt.timedelta(days=30, hours=-2)
    )

    response = client.get("/")

    assert response.status_code == 200
    assert "Robotics workshop" in response.text
    assert "Secret draft" not in response.text
    assert "Old visit" not in response.text


def test_event_list_filters_by_kind_region_format_and_text(client):
    factories.WebinarFactory(title="Careers in data science")
    factories.EventFactory(
        title="Role models visit Ganja", kind=EventKind.OUTREACH_VISIT, region=factories.region("ganja")
    )
    factories.EventFactory(title="CV workshop", kind=EventKind.WORKSHOP)

    by_kind = client.get("/", {"kind": "outreach_visit"}).text
    by_region = client.get("/", {"region": "ganja"}).text
    by_format = client.get("/", {"format": EventFormat.ONLINE}).text
    by_text = client.get("/", {"q": "data science"}).text

    assert "Role models visit Ganja" in by_kind and "CV workshop" not in by_kind
    assert "Role models visit Ganja" in by_region and "Careers in data science" not in by_region
    assert "Careers in data science" in by_format and "CV workshop" not in by_format
    assert "Careers in data science" in by_text and "CV workshop" not in by_text


def test_event_list_filters_by_date_and_past(client):
    soon = factories.EventFactory(title="Soon", start=now() + dt.timedelta(days=2))
    factories.EventFactory(title="Later", start=now() + dt.timedelta(days=40))
    factories.EventFactory(title="Last month", start=now() - dt.timedelta(days=30), end=now() - dt.timedelta(days=29))

    ranged = client.get("/", {"date_to": (soon.start + dt.timedelta(days=1)).date().isoformat()}).text
    past = client.get("/", {"when": "past"}).text

    assert "Soon" in ranged and "Later" not in ranged
    assert "Last month" in past and "Soon" not in past


def test_event_list_ignores_malformed_filters(client):
    factories.EventFactory(title="Robotics workshop")

    response = client.get("/", {"kind": "nonsense", "date_from": "not-a-date", "page": "x"})

    assert response.status_code == 200
    assert "Robotics workshop" in response.text


@pytest.mark.parametrize("count", [1, 5])
def test_event_list_query_count_does_not_grow(client, count, django_assert_num_queries):
    factories.EventFactory.create_batch(count, region=factories.region("ganja"))

    # regions for the filter, count(), the page of events, their organisers
    with django_assert_num_queries(4):
        response = client.get("/")

    assert len(response.context["events"]) == count


def test_event_page_shows_time_in_event_zone_map_and_calendar_links(client):
    event = factories.EventFactory(
        title="Role models visit Shaki",
        timezone="Asia/Baku",
        start=dt.datetime(2030, 3, 14, 7, 0, tzinfo=dt.UTC),
        end=dt.datetime(2030, 3, 14, 10, 0, tzinfo=dt.UTC),
        latitude="41.19180",
        longitude="47.17060",
        venue_name="Shaki Youth House",
    )

    page = client.get(f"/events/{event.pk}/").text

    assert "Thursday 14 March 2030, 11:00–14:00" in page  # 07:00 UTC is 11:00 in Baku
    assert "Asia/Baku" not in page  # in person in Baku: everyone there reads Baku time
    assert "https://www.openstreetmap.org/?mlat=41.19180&amp;mlon=47.17060" in page
    assert f"/api/events/{event.pk}/ics/" in page
    assert "calendar.google.com/calendar/render?action=TEMPLATE" in page
    assert "dates=20300314T070000Z%2F20300314T100000Z" in page
    assert "ctz=Asia%2FBaku" in page


def test_an_in_person_event_without_a_place_yet_says_so_on_its_page_and_ticket(client):
    """ "Where" stood empty on the event page, the ticket and the cancel page."""
    event = factories.EventFactory(venue_name="", venue_address="", city="", region=None)
    registration = register(event=event, name="Aysel", email="aysel@example.org", consent_data_processing=True)

    for url in (f"/events/{event.pk}/", f"/registrations/manage/{registration.manage_token}/"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="az")
        assert "Sonra bildiriləcək" in page.text, url


@pytest.mark.parametrize("state", ["past", "cancelled"])
def test_a_past_or_cancelled_online_event_promises_no_join_link(client, state):
    """ "This event is cancelled" (or over, "Registration is closed") stood beside "The join link
    comes with your ticket"."""
    event = factories.WebinarFactory()
    if state == "past":
        start = now() - dt.timedelta(days=3)
        Event.objects.filter(pk=event.pk).update(start=start, end=start + dt.timedelta(hours=1))
    else:
        Event.objects.filter(pk=event.pk).update(status=EventStatus.CANCELLED)

    page = client.get(f"/events/{event.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "The join link comes with your ticket." not in page
    assert "Registration is closed." in page


def test_event_page_hides_join_url_from_visitors_but_not_organisers(client, organiser):
    webinar = factories.WebinarFactory(join_url="https://zoom.example.org/j/secret", organisers=[organiser])

    anonymous = client.get(f"/events/{webinar.pk}/").text
    signed_in(client, organiser)
    organising = client.get(f"/events/{webinar.pk}/").text

    assert "zoom.example.org/j/secret" not in anonymous
    assert "zoom.example.org/j/secret" in organising


def test_event_page_of_draft_is_not_found_for_visitors(client):
    draft = factories.EventFactory(status=EventStatus.DRAFT)

    assert client.get(f"/events/{draft.pk}/").status_code == 404


def test_event_page_lists_only_accepted_speakers(client):
    event = factories.EventFactory()
    factories.SpeakerAssignmentFactory(
        event=event, speaker=factories.SpeakerFactory(name="Leyla Accepted"), status="accepted"
    )
    factories.SpeakerAssignmentFactory(
        event=event, speaker=factories.SpeakerFactory(name="Nigar Invited"), status="invited"
    )

    page = client.get(f"/events/{event.pk}/").text

    assert "Leyla Accepted" in page
    assert "Nigar Invited" not in page


def test_event_page_offers_waiting_list_when_full(client, sign_up):
    event = factories.EventFactory(capacity=1)
    sign_up(event)
    sign_up(event, email="second@example.org")

    page = client.get(f"/events/{event.pk}/").text

    assert "Join the waiting list" in page
    assert "(1 waiting)" in page


@pytest.mark.parametrize(
    ("status", "said", "link"),
    [
        ("confirmed", "You are registered:", "Open my ticket"),
        ("waitlisted", "Your registration:", "Manage my registration"),
        ("pending", "Your registration:", "Manage my registration"),
    ],
)
def test_the_event_page_names_a_place_by_its_status_not_a_ticket_it_is_not(client, status, said, link):
    """Someone on the waiting list read "You are registered: On the waiting list" and "Open my
    ticket" on the event's page: registered and waiting at once, and a ticket they do not have."""
    event = factories.EventFactory(capacity=1, registration_mode="approval" if status == "pending" else "open")
    user = factories.UserFactory()
    if status == "waitlisted":
        register(event=event, name="First In", email="first@example.org", consent_data_processing=True)
    registration = register(
        event=event, name="Aysel", email="aysel@example.org", user=user, consent_data_processing=True
    )
    assert registration.status == status

    page = signed_in(client, user).get(f"/events/{event.pk}/").text
    box = page[page.index('id="registration"') : page.index("</section>", page.index('id="registration"'))]

    assert said in box and link in box
    assert ("You are registered" in box) is (status == "confirmed")
    assert ("Open my ticket" in box) is (status == "confirmed")


def test_a_full_event_does_not_invite_someone_waiting_to_join_the_waiting_list(client):
    """Beside "Your registration: On the waiting list", the Places line said "Full: you can join
    the waiting list (1 waiting)" to the one waiting."""
    event = factories.EventFactory(capacity=1)
    user = factories.UserFactory()
    register(event=event, name="First In", email="first@example.org", consent_data_processing=True)
    waiting = register(event=event, name="Aysel", email="aysel@example.org", user=user, consent_data_processing=True)
    assert waiting.status == "waitlisted"

    mine = signed_in(client, user).get(f"/events/{event.pk}/").text
    client.logout()
    theirs = client.get(f"/events/{event.pk}/").text

    assert "you can join the waiting list" not in mine
    assert "Full (1 waiting)" in " ".join(mine.split())
    assert "Full: you can join the waiting list (1 waiting)" in " ".join(theirs.split())


def test_event_pages_stay_under_the_page_budget(client, first_load):
    factories.EventFactory.create_batch(20)
    event = factories.EventFactory()

    for url in ["/", f"/events/{event.pk}/", "/accounts/login/"]:
        response = client.get(url)
        assert response.status_code == 200
        assert first_load(response) < PAGE_BUDGET, url


def test_login_and_logout(client):
    user = factories.UserFactory(username="aysel")
    user.save()

    bad = client.post("/accounts/login/", {"username": "aysel", "password": "wrong"})
    good = client.post("/accounts/login/", {"username": "aysel", "password": "password", "next": "/my/tickets/"})
    out = client.post("/accounts/logout/")

    assert bad.status_code == 200 and "Please enter a correct username and password" in bad.text
    assert good.status_code == 302 and good["Location"] == "/my/tickets/"
    assert out.status_code == 302
    assert client.get("/my/tickets/").status_code == 302
    assert user.pk


def test_forms_carry_csrf_protection():
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    event = factories.EventFactory()

    response = strict.post(f"/events/{event.pk}/register/", {"name": "x"})

    assert response.status_code == 403


def test_azerbaijani_interface(client):
    factories.EventFactory()

    page = client.get("/", headers={"accept-language": "az"}).text

    assert 'lang="az"' in page
    assert "Tədbirlər" in page


def mentoring_circle(dates: int):
    series = factories.SeriesFactory(title="Mentoring circle", published=True)
    first = (now() + dt.timedelta(days=3)).replace(microsecond=0)
    return [
        factories.EventFactory(
            title="Mentoring circle",
            kind=EventKind.MENTORING_SESSION,
            series=series,
            series_original_start=first + dt.timedelta(days=14 * index),
            start=first + dt.timedelta(days=14 * index),
            end=first + dt.timedelta(days=14 * index, hours=1),
        )
        for index in range(dates)
    ]


def test_event_list_shows_a_series_once_with_its_next_dates(client):
    occurrences = mentoring_circle(12)
    factories.EventFactory(title="Robotics workshop")

    response = client.get("/")

    page = response.text
    assert page.count(">Mentoring circle</a>") == 1
    assert f'href="/events/{occurrences[0].pk}/"' in page  # the card opens the next date
    for occurrence in occurrences[1:5]:
        assert f'href="/events/{occurrence.pk}/"' in page
    assert f'href="/events/{occurrences[5].pk}/"' not in page
    assert "and 7 more dates" in page
    assert "2 events" in page


def test_event_list_leaves_out_only_the_filters_it_did_not_understand(client):
    """A mistyped date threw away every filter, the kind too, while the page said "Some filters
    were not understood and were left out": the list of webinars came back with everything."""
    factories.WebinarFactory(title="Careers in data science")
    factories.EventFactory(title="CV workshop", kind=EventKind.WORKSHOP)

    page = client.get("/", {"kind": "webinar", "date_from": "2027-13-45"}).text

    assert "Some filters were not understood and were left out." in page
    assert "Careers in data science" in page
    assert "CV workshop" not in page


def test_event_list_of_past_events_calls_a_series_other_dates_earlier(client):
    """The past list runs newest first and gives a series' earlier sessions under its latest:
    they were announced as "Next dates of this series"."""
    series = factories.SeriesFactory(title="Mentoring circle", published=True)
    for days in (40, 26, 12):
        start = now() - dt.timedelta(days=days)
        factories.EventFactory(
            title="Mentoring circle", series=series, series_original_start=start, start=start,
            end=start + dt.timedelta(hours=1),
        )  # fmt: skip
    for days in (12, 26):
        start = now() + dt.timedelta(days=days)
        factories.EventFactory(
            title="Mentoring circle", series=series, series_original_start=start, start=start,
            end=start + dt.timedelta(hours=1),
        )  # fmt: skip

    past = client.get("/", {"when": "past"}).text
    upcoming = client.get("/").text

    assert "Earlier dates of this series:" in past and "Next dates of this series:" not in past
    assert "Next dates of this series:" in upcoming and "Earlier dates of this series:" not in upcoming


def test_event_list_of_past_events_shows_a_series_by_its_latest_date(client):
    series = factories.SeriesFactory(title="Mentoring circle", published=True)
    starts = [now() - dt.timedelta(days=days) for days in (40, 26, 12)]
    past = [
        factories.EventFactory(
            title="Mentoring circle",
            series=series,
            series_original_start=start,
            start=start,
            end=start + dt.timedelta(hours=1),
        )  # fmt: skip
        for start in starts
    ]

    page = client.get("/", {"when": "past"}).text

    assert page.count(">Mentoring circle</a>") == 1
    assert page.index(f'href="/events/{past[2].pk}/"') < page.index(f'href="/events/{past[1].pk}/"')


def test_event_page_of_an_occurrence_links_the_other_dates(client):
    occurrences = mentoring_circle(3)

    page = client.get(f"/events/{occurrences[0].pk}/").text

    assert "Other dates of this series" in page
    assert f'href="/events/{occurrences[2].pk}/"' in page


@pytest.mark.parametrize(("language", "said"), [("en", "and 3 more dates"), ("az", "və daha 3 tarix")])
def test_event_page_of_an_occurrence_says_how_many_dates_it_does_not_list(client, language, said):
    """The page lists the next six other dates; a nine-month series' other eleven went unsaid."""
    occurrences = mentoring_circle(10)

    page = client.get(f"/events/{occurrences[0].pk}/", HTTP_ACCEPT_LANGUAGE=language).text

    assert page.count('<li><a href="/events/') == 6
    assert said in page
    assert "more date" not in client.get(f"/events/{mentoring_circle(7)[0].pk}/").text  # six others: all listed


def test_event_page_of_a_series_offers_a_subscription_to_every_date(client):
    # a mentee follows a nine-month series: one subscription instead of eighteen .ics downloads
    import icalendar

    occurrences = mentoring_circle(3)
    one_off = factories.EventFactory(title="Robotics workshop")

    page = client.get(f"/events/{occurrences[0].pk}/").text
    page_az = client.get(f"/events/{occurrences[0].pk}/", HTTP_ACCEPT_LANGUAGE="az").text

    feed_path = f"/calendar/series/{occurrences[0].series_id}.ics"
    assert f'href="webcal://testserver{feed_path}"' in page
    assert "https://calendar.google.com/calendar/render?cid=webcal%3A%2F%2Ftestserver%2Fcalendar%2Fseries%2F" in page
    assert "Subscribing does not register you." in page
    assert "Bu silsilənin bütün tarixləri" in page_az and "Google Təqvimdə abunə olun" in page_az
    feed = icalendar.Calendar.from_ical(client.get(feed_path).content)
    assert sorted(str(e["UID"]).split("@")[0] for e in feed.walk("VEVENT")) == sorted(str(o.uid) for o in occurrences)
    assert "webcal://" not in client.get(f"/events/{one_off.pk}/").text


def test_event_page_of_a_draft_series_offers_no_subscription_to_its_organiser(client):
    # calendar programs fetch anonymously: a draft series has no feed (404), so no link to it
    occurrences = mentoring_circle(2)
    series = occurrences[0].series
    series.published = False
    series.save()
    organiser = factories.OrganiserFactory()
    series.organisers.add(organiser)
    occurrences[0].organisers.add(organiser)
    signed_in(client, organiser)

    page = client.get(f"/events/{occurrences[0].pk}/").text

    assert "webcal://" not in page


def test_event_list_offers_its_kind_region_and_format_as_a_calendar_subscription(client):
    # the public feed (/calendar/events.ics, filtered like the list) was linked from no page: a
    # visitor without an account could not follow the webinars in her calendar
    import icalendar

    webinar = factories.WebinarFactory(title="Careers in data science")
    factories.EventFactory(
        title="Role models visit Ganja", kind=EventKind.OUTREACH_VISIT, region=factories.region("ganja")
    )

    everything = client.get("/").text
    webinars = client.get("/", {"kind": "webinar", "q": "careers", "when": "all"}).text
    in_azerbaijani = client.get("/", {"kind": "webinar"}, HTTP_ACCEPT_LANGUAGE="az").text

    assert (
        'href="webcal://testserver/calendar/events.ics"' in everything and "All events in your calendar" in everything
    )
    assert (
        'href="webcal://testserver/calendar/events.ics?kind=webinar"' in webinars
    )  # search words and dates do not apply
    assert "These events in your calendar" in webinars and "Subscribing does not register you." in webinars
    assert (
        "calendar.google.com/calendar/render?cid=webcal%3A%2F%2Ftestserver%2Fcalendar%2Fevents.ics%3Fkind%3Dwebinar"
        in webinars
    )
    assert "Bu tədbirlər təqviminizdə" in in_azerbaijani
    feed = icalendar.Calendar.from_ical(client.get("/calendar/events.ics", {"kind": "webinar"}).content)
    assert [str(e["UID"]).split("@")[0] for e in feed.walk("VEVENT")] == [str(webinar.uid)]


def test_a_search_with_nothing_to_come_offers_the_past_events_and_the_whole_list(client):
    # "No events match these filters." was a dead end, though the visit searched for was last month
    factories.EventFactory(
        title="Role models visit Ganja",
        start=now() - dt.timedelta(days=30),
        end=now() - dt.timedelta(days=30, hours=-2),
    )

    nothing = client.get("/", {"q": "Ganja"}).text
    nothing_az = client.get("/", {"q": "Ganja"}, HTTP_ACCEPT_LANGUAGE="az").text
    everything_past = client.get("/", {"q": "Ganja", "when": "all"}).text

    assert "No events match these filters." in nothing
    assert 'href="?q=Ganja&amp;when=all">Look among past events too</a>' in nothing
    assert "Show every event to come" in nothing and "Keçmiş tədbirlər arasında da axtarın" in nothing_az
    assert "Role models visit Ganja" in everything_past and "Look among past events too" not in everything_past


def test_event_list_folds_the_filters_unless_one_is_in_use(client):
    plain = client.get("/").text
    searched = client.get("/", {"q": "robotics"}).text
    filtered = client.get("/", {"kind": "webinar"}).text

    assert "<details data-open-wide>" in plain and "<details data-open-wide>" in searched
    assert "<details open data-open-wide>" in filtered


def test_home_page_says_what_the_programme_is(client):
    home = client.get("/").text
    second_page = client.get("/", {"q": "x"}).text

    assert "STEM mentorship for women and girls in Azerbaijan" in home
    assert "STEM mentorship for women and girls in Azerbaijan" not in second_page


def test_online_event_says_whose_time_it_is(client):
    webinar = factories.WebinarFactory(
        start=dt.datetime(2030, 3, 14, 14, 30, tzinfo=dt.UTC), end=dt.datetime(2030, 3, 14, 15, 30, tzinfo=dt.UTC)
    )

    detail = client.get(f"/events/{webinar.pk}/").text
    card = client.get("/").text

    assert "Thursday 14 March 2030, 18:30–19:30" in detail
    assert "Baku time (UTC+4)" in detail and "Baku time (UTC+4)" in card
    assert "Asia/Baku" not in detail


def test_event_in_another_zone_names_it(client):
    event = factories.EventFactory(
        timezone="Europe/Istanbul",
        start=dt.datetime(2030, 3, 14, 7, 0, tzinfo=dt.UTC),
        end=dt.datetime(2030, 3, 14, 9, 0, tzinfo=dt.UTC),
    )

    page = client.get(f"/events/{event.pk}/").text

    assert "10:00–12:00" in page and "Istanbul time (UTC+3)" in page


def test_cards_have_a_date_block_and_kind(client):
    factories.WebinarFactory(
        start=dt.datetime(2030, 12, 15, 14, 0, tzinfo=dt.UTC), end=dt.datetime(2030, 12, 15, 15, 0, tzinfo=dt.UTC)
    )

    page = client.get("/", {"date_from": "2030-12-01"}).text

    assert '<span class="day">15</span><span class="month">dec</span>' in page
    assert '<span class="kind webinar">Webinar</span>' in page


def test_region_names_in_azerbaijani(client, api_client):
    event = factories.EventFactory(
        kind=EventKind.OUTREACH_VISIT, region=factories.region("shaki"), city="Shaki", title="Role models visit"
    )

    english = client.get(f"/events/{event.pk}/").text
    azerbaijani = client.get(f"/events/{event.pk}/", headers={"accept-language": "az"}).text
    filters = client.get("/", headers={"accept-language": "az"}).text
    api = api_client.get(f"/api/events/{event.pk}/", headers={"accept-language": "az"}).json()
    regions = {
        row["slug"]: row
        for row in api_client.get("/api/regions/", {"page_size": 50}, headers={"accept-language": "az"}).json()[
            "results"
        ]
    }

    assert "Shaki" in english and "Şəki" not in english
    assert "Şəki" in azerbaijani
    assert '<option value="lankaran">Lənkəran</option>' in filters and '<option value="ganja">Gəncə</option>' in filters
    assert api["region_name"] == "Şəki"
    assert regions["baku"]["name"] == "Bakı" and regions["baku"]["name_en"] == "Baku"


def test_event_list_search_finds_azerbaijani_region_names(client):
    factories.EventFactory(title="Role models visit", region=factories.region("ganja"), city="")

    page = client.get("/", {"q": "Gəncə"}).text

    assert "Role models visit" in page


def test_dates_in_azerbaijani_style(client):
    event = factories.EventFactory(
        start=dt.datetime(2026, 12, 15, 14, 0, tzinfo=dt.UTC), end=dt.datetime(2026, 12, 15, 16, 0, tzinfo=dt.UTC)
    )

    page = client.get(f"/events/{event.pk}/", headers={"accept-language": "az"}).text

    assert "15 dekabr 2026, çərşənbə axşamı, 18:00–20:00" in page


def test_event_page_counts_people_like_the_seats(client, sign_up):
    event = factories.EventFactory(capacity=5)
    sign_up(event, name="Farid Mammadov", email="farid@example.org", party_size=3)
    sign_up(event, name="Samira Valiyeva", email="samira@example.org")
    sign_up(event, name="Nigar Hasanova", email="nigar@example.org", party_size=2)  # waits: one seat left

    page = client.get(f"/events/{event.pk}/").text

    # the seat left is not open to a newcomer: Nigar's family waits, and goes first
    assert "Full: you can join the waiting list (2 waiting)" in page
    assert "4 people registered" in page


@pytest.mark.parametrize(("party", "open_seats"), [(1, 1), (3, 0)])
def test_event_page_card_and_api_agree_on_seats_open_to_a_newcomer(client, sign_up, party, open_seats):
    event = factories.EventFactory(capacity=4, title="Robotics open day")
    sign_up(event, email="first@example.org", party_size=party)
    sign_up(event, email="second@example.org", party_size=2)  # fits after a party of 1; after 3 it waits

    page = client.get(f"/events/{event.pk}/").text
    card = client.get("/events/").text
    api = client.get(f"/api/events/{event.pk}/").json()
    newcomer = sign_up(event, email="newcomer@example.org")

    assert api["seats_open"] == open_seats
    if open_seats:
        assert "1 seat left" in page and "1 seat left" in card
        assert newcomer.status == "confirmed"
    else:
        assert "seat left" not in page and "Full: waiting list open" in card
        assert newcomer.status == "waitlisted"


def test_event_page_counts_people_waiting(client, sign_up):
    event = factories.EventFactory(capacity=2)
    sign_up(event)
    sign_up(event, email="brother@example.org")
    sign_up(event, email="family@example.org", party_size=2)

    page = client.get(f"/events/{event.pk}/").text

    assert "(2 waiting)" in page
    assert "2 people registered" in page


def test_event_page_counts_a_seat_offered_from_the_waiting_list_beside_full(client, sign_up):
    # "Full" stood beside "1 person registered" on a two-seat event: the other seat was held for
    # the next person waiting, and said nowhere
    from registrations.services.registration import cancel_registration

    event = factories.EventFactory(capacity=2, offer_hold_hours=24)
    leaving = sign_up(event, email="leaving@example.org")
    sign_up(event, email="staying@example.org")
    offered = sign_up(event, email="next@example.org")
    cancel_registration(registration=leaving)
    offered.refresh_from_db()

    page = client.get(f"/events/{event.pk}/").text

    assert offered.status == "offered"
    assert "Full: you can join the waiting list" in page
    assert "1 person registered · 1 seat offered to someone waiting" in page


def test_event_page_offers_the_door_to_whom_events_checked_in_by_lets_in(client, organiser):
    staff, another_organiser = factories.UserFactory(), factories.OrganiserFactory()
    event = factories.EventFactory(organisers=[organiser])
    event.checkin_staff.add(staff)
    factories.EventFactory(organisers=[another_organiser])
    check_in_link = f'href="{reverse("checkin", args=[event.pk])}"'
    offered, allowed = [], []

    for user in (organiser, staff, another_organiser, None):
        client.logout()
        if user is not None:
            signed_in(client, user)
        offered.append(check_in_link in client.get(f"/events/{event.pk}/").text)
        allowed.append(events_checked_in_by(user or AnonymousUser()).filter(pk=event.pk).exists())

    assert offered == allowed == [True, True, False, False]


def closed_by(how: str) -> dict:
    if how == "cancelled":
        return {"status": EventStatus.CANCELLED}
    if how == "past":
        return {"start": now() - dt.timedelta(days=2), "end": now() - dt.timedelta(days=2, hours=-1)}
    return {"registration_closes_at": now() - dt.timedelta(hours=1)}


@pytest.mark.parametrize("how", ["cancelled", "past", "closing_date"])
def test_event_page_of_a_closed_registration_offers_no_seats(client, sign_up, how):
    # "1 seat left of 1" or "Full: you can join the waiting list" stood next to "Registration is closed."
    event = factories.EventFactory(capacity=2)
    sign_up(event, email="first@example.org")
    sign_up(event, email="second@example.org")
    Event.objects.filter(pk=event.pk).update(**closed_by(how))

    page = client.get(f"/events/{event.pk}/").text

    assert "Registration is closed." in page
    assert "waiting list" not in page
    assert "seat left" not in page and "seats left" not in page
    assert "2 people registered" in page


def test_event_page_shows_seats_left_before_registration_opens(client):
    event = factories.EventFactory(capacity=5, registration_opens_at=now() + dt.timedelta(days=1))

    page = client.get(f"/events/{event.pk}/").text

    assert "5 seats left" in page
    assert "Registration opens on" in page


def test_event_card_of_a_closed_registration_offers_no_seats_as_its_page(client):
    # the card said "3 seats left" of an event whose page says "Registration is closed."
    closed = factories.EventFactory(
        title="Closed early", capacity=3, registration_closes_at=now() - dt.timedelta(hours=1)
    )
    opening = factories.EventFactory(
        title="Opens tomorrow", capacity=5, registration_opens_at=now() + dt.timedelta(days=1)
    )

    page = client.get("/events/", headers={"accept-language": "en"}).text

    assert "Closed early" in page and "3 seats left" not in page
    assert "Opens tomorrow" in page and "5 seats left" in page
    assert [closed.places_open(), opening.places_open()] == [False, True]


@pytest.mark.parametrize("state", ["cancelled", "past"])
def test_cancelled_or_past_event_page_offers_no_calendar(client, state):
    # "This event is cancelled." stood above "Add to calendar" and a Google Calendar link
    moment = now()
    if state == "cancelled":
        event = factories.EventFactory(status="cancelled")
    else:
        event = factories.EventFactory(start=moment - dt.timedelta(days=3), end=moment - dt.timedelta(days=3, hours=-2))

    page = client.get(f"/events/{event.pk}/").content.decode()

    assert "Add to calendar" not in page
    assert f"/api/events/{event.pk}/ics/" not in page
    assert "calendar.google.com" not in page
    assert "Calendar and staff links" not in page  # no empty landmark


def test_upcoming_event_page_offers_the_calendar(client):
    event = factories.EventFactory()

    page = client.get(f"/events/{event.pk}/").content.decode()

    assert "Add to calendar" in page and f"/api/events/{event.pk}/ics/" in page


def test_full_approval_event_offers_a_request_everywhere_as_the_service_makes_one(client, sign_up):
    # the pages said "join the waiting list", but in approval mode the service makes a request
    event = factories.EventFactory(capacity=1, title="Mentoring roundtable")
    sign_up(event, email="first@example.org")
    Event.objects.filter(pk=event.pk).update(registration_mode="approval")

    page = client.get(f"/events/{event.pk}/").text
    card = client.get("/events/").text
    register_page = client.get(f"/events/{event.pk}/register/").text
    api = client.get(f"/api/events/{event.pk}/").json()
    newcomer = sign_up(Event.objects.get(pk=event.pk), email="newcomer@example.org")

    assert newcomer.status == "pending"
    assert (api["seats_open"], api["when_full"]) == (0, "request")
    assert "waiting list" not in page and "waiting list" not in register_page and "waiting list" not in card
    assert "Full at the moment: you can still send a request" in page
    assert "Send a request" in page and "Send a request" in register_page
    assert "This event is full at the moment." in register_page
    assert "Full: requests still taken" in card


def test_full_open_event_still_offers_its_waiting_list_in_the_api(client, sign_up):
    event = factories.EventFactory(capacity=1)
    sign_up(event)

    api = client.get(f"/api/events/{event.pk}/").json()

    assert (api["seats_open"], api["when_full"]) == (0, "waiting_list")


def test_a_search_that_finds_nothing_offers_no_calendar_of_all_events(client):
    # "No events match these filters." stood above "All events in your calendar" and its subscribe links
    factories.EventFactory(title="Role models visit Ganja")

    nothing = client.get("/", {"q": "Shaki"}).text
    nothing_of_a_kind = client.get("/", {"kind": "webinar"}).text
    found = client.get("/", {"q": "Ganja"}).text

    assert "No events match these filters." in nothing and "No events match these filters." in nothing_of_a_kind
    for page in (nothing, nothing_of_a_kind):
        assert "in your calendar" not in page and "webcal://" not in page and "Subscribing does not" not in page
    assert "All events in your calendar" in found and 'href="webcal://testserver/calendar/events.ics"' in found
