import datetime as dt
import re

import pytest
from django.utils import timezone

from events import services as event_services
from events.models import Event, EventFormat
from registrations.checkin import services as checkin_services
from registrations.models import CheckIn, Registration
from registrations.services.privacy import erase_personal_data
from registrations.services.tickets import ticket_payload
from tests import factories
from tests.pages.conftest import PAGE_BUDGET, signed_in

pytestmark = pytest.mark.django_db


def under_way(**fields):
    """The door is open from a day before an event to a day after it: the day's event."""
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    return factories.EventFactory(start=start, end=start + dt.timedelta(hours=3), **fields)


@pytest.fixture
def event(db):
    return under_way(title="Robotics workshop", capacity=2)


@pytest.fixture
def staff(event):
    user = factories.UserFactory(username="door")
    event.checkin_staff.add(user)
    return user


@pytest.fixture
def door(client, staff):
    return signed_in(client, staff)


def url(event):
    return f"/checkin/{event.pk}/"


def test_checkin_page_is_for_the_event_staff_only(client, event):
    other_event = factories.EventFactory()
    other_staff = factories.UserFactory()
    other_event.checkin_staff.add(other_staff)

    anonymous = client.get(url(event))
    signed_in(client, other_staff)
    foreign = client.get(url(event))

    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert foreign.status_code == 403
    assert client.get("/checkin/999999/").status_code == 404


def test_checkin_page_shows_counts_and_endpoints(door, event, sign_up):
    sign_up(event)

    response = door.get(url(event))

    assert response.status_code == 200
    assert response.context["counts"]["registered"] == 1
    assert f"/api/events/{event.pk}/checkin/list/" in response.text
    assert f"/api/events/{event.pk}/checkin/batch/" in response.text
    assert "vendor/qr-scanner/qr-scanner.umd.min.js" in response.text


def test_typed_code_checks_in_and_second_time_says_already(door, event, sign_up):
    registration = sign_up(event)
    code = ticket_payload(registration).lower()

    first = door.post(url(event), {"action": "code", "code": code, "typed": "1"}, follow=True)
    second = door.post(url(event), {"action": "code", "code": code, "typed": "1"}, follow=True)

    assert first.context["verdict"]["code"] == "checked_in"
    assert 'class="verdict ok"' in first.text and "Aysel Aliyeva" in first.text
    assert second.context["verdict"]["code"] == "already_checked_in"
    assert 'class="verdict warn"' in second.text
    checkin = CheckIn.objects.get()
    assert checkin.source == CheckIn.Source.MANUAL


def test_code_of_another_event_and_garbage_are_refused_in_red(door, event, sign_up):
    elsewhere = sign_up(factories.EventFactory(), email="other@example.org")

    wrong = door.post(url(event), {"action": "code", "code": ticket_payload(elsewhere)}, follow=True)
    garbage = door.post(url(event), {"action": "code", "code": "hello"}, follow=True)

    assert wrong.context["verdict"]["code"] == "wrong_event"
    assert "Ticket for another event" in wrong.text
    # not a code at all: scan or type it again (amber, as an empty box), not a ticket turned away
    assert garbage.context["verdict"]["code"] == "not_a_ticket"
    assert 'class="verdict warn"' in garbage.text
    assert 'class="verdict bad"' in wrong.text
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    ("language", "said"), [("en", "Type or scan a ticket code"), ("az", "Bilet kodunu yazın və ya skan edin")]
)
@pytest.mark.parametrize("typed", ["", "   "])
def test_check_in_with_an_empty_code_box_says_to_type_or_scan_a_code(door, event, typed, language, said):
    """The empty box answered "Not a valid ticket", as if a forged code had been typed."""
    response = door.post(url(event), {"action": "code", "code": typed}, headers={"accept-language": language})

    assert response.status_code == 400
    assert (response.context["verdict"]["code"], response.context["verdict"]["title"]) == ("empty_code", said)
    assert not CheckIn.objects.exists()


def test_json_answer_for_the_script(door, event, sign_up):
    registration = sign_up(event)

    response = door.post(
        url(event), {"action": "code", "code": ticket_payload(registration)}, headers={"accept": "application/json"}
    )

    body = response.json()
    assert body["verdict"]["code"] == "checked_in"
    assert body["verdict"]["level"] == "ok"
    assert body["counts"]["checked_in"] == 1


def test_search_then_check_in_and_undo(door, event, sign_up):
    registration = sign_up(event, name="Nigar Hasanova", email="nigar@example.org")
    sign_up(event, name="Aysel Aliyeva", email="aysel@example.org")

    found = door.get(url(event), {"q": "nigar"})
    checked = door.post(url(event), {"action": "registration", "registration": registration.pk, "q": "nigar"})
    after = door.get(checked["Location"])
    checkin = CheckIn.objects.get()
    undone = door.post(url(event), {"action": "undo", "checkin": checkin.pk}, follow=True)

    assert "Nigar Hasanova" in found.text and "Aysel Aliyeva" not in found.text
    assert checked["Location"] == f"{url(event)}?q=nigar#result-{registration.pk}"
    assert after.context["row_verdict"]["code"] == "checked_in"
    assert "Undo check-in" in after.text
    assert undone.context["verdict"]["code"] == "undone"
    checkin.refresh_from_db()
    assert checkin.undone_at is not None


def test_search_results_and_the_offline_copy_draw_statuses_as_every_page_does(door, event, sign_up):
    # a plain grey tag at the door, a coloured badge with its icon everywhere else
    sign_up(event, name="Nigar Hasanova", email="nigar@example.org")

    page = door.get(url(event), {"q": "nigar"}).text
    kept = page.split('<template id="status-badges">')[1].split("</template>")[0]

    found = page.split('id="results"')[1]
    assert '<span class="status ok confirmed" data-status="confirmed"><svg' in found
    for status in ("confirmed", "waitlisted", "cancelled"):
        assert f'data-status="{status}"><svg' in kept


def test_search_tells_two_people_of_one_name_apart_by_their_email(door, event, sign_up):
    """A name search matches the email too, and shows it, as the door's search API does: two
    registrants called Aysel Aliyeva must not look alike to the person at the door."""
    sign_up(event, name="Aysel Aliyeva", email="aysel.baku@example.org")
    sign_up(event, name="Aysel Aliyeva", email="aysel.ganja@example.org")

    found = door.get(url(event), {"q": "aysel"})

    assert len(found.context["results"]) == 2
    assert "aysel.baku@example.org" in found.text and "aysel.ganja@example.org" in found.text


def test_undo_after_the_door_closed_is_refused_and_said(door, staff, event, sign_up):
    """A refused undo showed the door's general "check-in opens a day before the event" title,
    which read as if the scan, not the undo, had failed: it says the undo was refused and the
    person is still checked in."""
    registration = sign_up(event, name="Leyla Aliyeva")
    checkin = checkin_services.check_in_registration(event=event, registration=registration, by=staff)
    days_ago = dt.timedelta(days=5)  # the door closed a day after the event
    Event.objects.filter(pk=event.pk).update(start=event.start - days_ago, end=event.end - days_ago)

    refused = door.post(url(event), {"action": "undo", "checkin": checkin.pk})

    verdict = refused.context["verdict"]
    assert refused.status_code == 400 and verdict["code"] == "undo_refused"
    assert (verdict["title"], verdict["name"]) == ("Not undone: the check-in stands", "Leyla Aliyeva")
    assert verdict["detail"] == (
        "Check-in for this event has closed: an organiser can correct the attendance on the event's Registrations tab."
    )
    checkin.refresh_from_db()
    assert checkin.undone_at is None


def test_after_the_event_the_door_says_check_ins_count_and_once_final_offers_no_undo(door, staff, sign_up):
    """The door is open a day after the end: a check-in then is recorded as attended, and once
    attendance is final an undo is refused (attendance_final), so the page offers none."""
    from attendance.services.finalisation import finalise_event_attendance

    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=5)
    ended = factories.EventFactory(title="Robotics final", start=start, end=start + dt.timedelta(hours=3))
    ended.checkin_staff.add(staff)
    came = sign_up(ended, name="Leyla Aliyeva", email="leyla@example.org", source="organiser")
    checkin = checkin_services.check_in_registration(event=ended, registration=came, by=staff)

    open_record = door.get(url(ended), {"q": "leyla"}).text
    finalise_event_attendance(event=ended)
    final = door.get(url(ended), {"q": "leyla"}).text
    refused = door.post(url(ended), {"action": "undo", "checkin": checkin.pk, "q": "leyla"})

    assert 'id="door-late"' in open_record and "still count as attendance" in open_record
    assert 'value="undo"' in open_record
    assert "Attendance has been recorded" in final and 'value="undo"' not in final
    verdict = refused.context["row_verdict"]  # on the result's row
    assert (verdict["code"], verdict["title"]) == ("undo_refused", "Not undone: the check-in stands")
    assert "the check-in stands" in verdict["detail"]
    checkin.refresh_from_db()
    assert checkin.undone_at is None


def test_search_comes_back_at_its_results_with_a_heading_to_focus(door, event, sign_up):
    """The search reloaded the page at its top: on a phone the results were a long scroll away,
    and the keyboard started over from the site's header."""
    sign_up(event, name="Farid Mammadov", email="farid@example.org", party_size=2, party_names=["Aysel"])

    empty = door.get(url(event)).text
    found = door.get(url(event), {"q": "farid"}).text

    # the browser comes back at the heading and focuses it (it takes focus, tabindex -1)
    assert '<form method="get" role="search" id="search-form" action="#found-title">' in empty
    assert 'id="found"' not in empty
    heading = r'<section id="found" aria-labelledby="found-title">\s*<h2 id="found-title" tabindex="-1">Search results'
    assert re.search(heading, found)
    assert "2 people: Aysel" in found


def row_of(page: str, registration) -> str:
    """The search result of ``registration`` on the door page, its markup."""
    return page.split(f'id="result-{registration.pk}"', 1)[1].split("</li>", 1)[0]


def test_a_button_on_a_result_comes_back_to_its_row_with_the_answer_there(door, event, sign_up):
    """Check in or Undo on a search result sent the staff member to the page's top (the answer
    there, the results a long scroll away on a phone): now the same search, at that row."""
    nigar = sign_up(event, name="Nigar Hasanova", email="nigar@example.org")
    sign_up(event, name="Nigar Aliyeva", email="aliyeva@example.org")

    checked = door.post(url(event), {"action": "registration", "registration": nigar.pk, "q": "nigar"})
    after = door.get(checked["Location"]).text
    undone = door.post(url(event), {"action": "undo", "checkin": CheckIn.objects.get().pk, "q": "nigar"})
    after_undo = door.get(undone["Location"]).text

    assert checked["Location"] == f"{url(event)}?q=nigar#result-{nigar.pk}"
    assert 'value="nigar"' in after  # the search is still filled in
    assert 'data-code="checked_in">Checked in' in row_of(after, nigar)
    assert '<div id="verdict" aria-live="assertive" role="status">\n\n</div>' in after  # not at the top too
    assert f'<li class="card" id="result-{nigar.pk}" tabindex="-1">' in after  # the fragment focuses it
    assert f'action="#result-{nigar.pk}"' in after
    assert undone["Location"] == f"{url(event)}?q=nigar#result-{nigar.pk}"
    assert 'data-code="undone">Check-in undone' in row_of(after_undo, nigar)


def test_a_refused_check_in_of_a_result_is_answered_on_its_row(door, event, sign_up):
    nigar = sign_up(event, name="Nigar Hasanova", email="nigar@example.org")
    door.post(url(event), {"action": "registration", "registration": nigar.pk, "q": "nigar"})
    door.get(url(event))

    again = door.post(url(event), {"action": "registration", "registration": nigar.pk, "q": "nigar"})

    assert again.status_code == 400
    assert 'data-code="already_checked_in">Already checked in' in row_of(again.text, nigar)


def test_a_result_no_longer_listed_is_answered_at_the_results(door, event, sign_up):
    nigar = sign_up(event, name="Nigar Hasanova", email="nigar@example.org")

    checked = door.post(url(event), {"action": "registration", "registration": nigar.pk, "q": "aysel"})
    page = door.get(checked["Location"]).text

    assert checked["Location"] == f"{url(event)}?q=aysel#found-title"
    assert 'data-code="checked_in"' in page.split('id="verdict"')[1].split("</div>")[0]


@pytest.mark.parametrize("checkin_id", ["abc", "", "1.5"])
def test_undo_of_a_check_in_that_is_no_number_is_not_found(door, event, checkin_id):
    response = door.post(url(event), {"action": "undo", "checkin": checkin_id})

    assert response.status_code == 404


def test_registration_of_another_event_cannot_be_checked_in_by_id(door, event, sign_up):
    elsewhere = sign_up(factories.EventFactory(), email="other@example.org")

    response = door.post(url(event), {"action": "registration", "registration": elsewhere.pk})

    assert response.status_code == 404
    assert not CheckIn.objects.exists()


def test_walk_in_registers_and_checks_in(door, event):
    response = door.post(
        url(event), {"action": "walk_in", "name": "Walk In", "email": "", "party_size": "2"}, follow=True
    )

    registration = Registration.objects.get()
    assert response.context["verdict"]["code"] == "checked_in"
    assert registration.source == Registration.Source.WALK_IN and registration.party_size == 2
    assert CheckIn.objects.get().source == CheckIn.Source.WALK_IN


def test_walk_in_when_full_is_refused(door, staff, sign_up):
    full = under_way(capacity=1)
    full.checkin_staff.add(staff)
    sign_up(full)

    response = door.post(url(full), {"action": "walk_in", "name": "Walk In", "party_size": "1"}, follow=True)

    assert response.context["verdict"]["code"] == "error"
    assert Registration.objects.count() == 1


@pytest.mark.parametrize(("language", "said"), [("en", "The event is full."), ("az", "Tədbirdə yer qalmayıb.")])
def test_refused_walk_in_comes_back_with_what_was_typed_in_the_page_language(door, staff, sign_up, language, said):
    full = under_way(capacity=1)
    full.checkin_staff.add(staff)
    sign_up(full)

    response = door.post(
        url(full), {"action": "walk_in", "name": "Rauf Quliyev", "email": "rauf@example.org", "party_size": "1"},
        headers={"accept-language": language}, follow=True,
    )  # fmt: skip

    assert response.status_code == 400 and not response.redirect_chain
    assert response.context["verdict"]["code"] == "error"
    assert said in response.text
    assert 'value="Rauf Quliyev"' in response.text and 'value="rauf@example.org"' in response.text
    assert "<details data-door-action open>" in response.text
    assert Registration.objects.count() == 1


def test_walk_in_with_a_bad_email_says_so_under_the_field_and_keeps_the_name(door, event):
    response = door.post(url(event), {"action": "walk_in", "name": "Rauf Quliyev", "email": "rauf@", "party_size": "1"})

    form = response.context["walk_in_form"]
    assert response.status_code == 400
    assert list(form.errors) == ["email"]
    assert 'id="id_email_error"' in response.text and 'value="Rauf Quliyev"' in response.text
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Name: This field is required. Number of people: This field is required."),
        ("az", "Ad: Bu sahə tələb edilir. Nəfər sayı: Bu sahə tələb edilir."),
    ],
)
def test_an_empty_walk_in_names_the_fields_it_needs_at_the_top(door, event, language, said):
    """The answer at the top said "This field is required." without naming the field."""
    empty = {"action": "walk_in", "name": "", "email": "", "party_size": ""}

    response = door.post(url(event), empty, headers={"accept-language": language})

    assert response.status_code == 400
    assert response.context["verdict"]["detail"] == said
    assert f"<small>{said}</small>" in response.text
    assert not Registration.objects.exists()


def test_a_walk_in_of_too_many_people_names_the_field_at_the_top(door, event):
    response = door.post(url(event), {"action": "walk_in", "name": "Rauf Quliyev", "party_size": "0"})

    assert response.context["verdict"]["detail"].startswith("Number of people: ")


def test_walk_in_of_an_invisible_name_is_refused_under_the_name(door, event):
    response = door.post(url(event), {"action": "walk_in", "name": "\u200b\u202e", "party_size": "1"})

    assert response.status_code == 400
    assert response.context["walk_in_form"].errors["name"] == ["Give the name of the person registering."]
    assert not Registration.objects.exists()


def test_refused_typed_code_stays_in_the_field_and_a_good_one_is_cleared(door, event, sign_up):
    registration = sign_up(event)

    refused = door.post(url(event), {"action": "code", "code": "ABCD-1234", "typed": "1"})
    done = door.post(url(event), {"action": "code", "code": ticket_payload(registration), "typed": "1"}, follow=True)

    assert refused.status_code == 400 and refused.context["verdict"]["code"] == "not_a_ticket"
    assert 'value="ABCD-1234"' in refused.text
    assert done.context["verdict"]["code"] == "checked_in" and done.redirect_chain
    assert ticket_payload(registration) not in done.text
    assert "<details open>" not in done.text


def test_door_closed_a_month_before_the_event_is_said_in_red(door, staff, sign_up):
    ahead = factories.EventFactory(start=timezone.now() + dt.timedelta(days=30))
    ahead.checkin_staff.add(staff)
    registration = sign_up(ahead)

    response = door.post(url(ahead), {"action": "code", "code": ticket_payload(registration)}, follow=True)

    assert response.context["verdict"]["code"] == "door_closed"
    assert response.context["verdict"]["level"] == "bad"
    assert "Check-in opens a day before the event" in response.text
    assert not CheckIn.objects.exists()


def test_service_worker_is_served_for_the_checkin_scope(client):
    response = client.get("/checkin/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/checkin/"
    assert "/static/js/checkin.js" in response.text


def test_checkin_page_stays_under_the_page_budget(door, event, sign_up, first_load):
    for number in range(30):
        sign_up(event, email=f"p{number}@example.org", name=f"Person {number}")

    response = door.get(url(event), {"q": "Person"})

    assert first_load(response) < PAGE_BUDGET


def test_checkin_page_counts_people_not_registrations(door, event, sign_up):
    event.capacity = 10
    event.save()
    family = sign_up(event, name="Farid Mammadov", email="farid@example.org", party_size=3)
    sign_up(event, name="Samira Valiyeva", email="samira@example.org")

    response = door.post(
        url(event), {"action": "registration", "registration": family.pk}, headers={"accept": "application/json"}
    )
    page = door.get(url(event))

    counts = response.json()["counts"]
    assert (counts["checked_in_people"], counts["checked_in"]) == (3, 1)
    assert (counts["registered_people"], counts["registered"]) == (4, 2)
    assert '<strong data-count="checked_in_people">3</strong>' in page.text
    assert "people checked in" in page.text and "1 registration<" in page.text
    assert '<strong data-count="registered_people">4</strong>' in page.text


def test_checkin_words_cover_every_status_and_plural(door, event):
    words = door.get(url(event)).context["words"]
    titles = door.get(url(event)).context["titles"]

    assert set(words["statuses"]) == {status for status, _ in Registration._meta.get_field("status").choices}
    assert words["waiting"] == ["%(count)s scan waiting to sync", "%(count)s scans waiting to sync"]
    assert {"bad_scan_time", "throttled", "already_checked_in", "invalid"} <= set(titles)


def test_checkin_words_are_in_azerbaijani(door, event):
    response = door.get(url(event), headers={"accept-language": "az"})

    words = response.context["words"]
    assert words["statuses"]["confirmed"] == "Təsdiqlənib"
    assert words["statuses"]["waitlisted"] == "Gözləmə siyahısında"
    assert words["offline"] == "Bağlantı yoxdur"
    assert 'id="checkin-words"' in response.text


def test_offline_copy_of_the_page_leaves_out_the_answer_and_the_search(door, event, sign_up):
    registration = sign_up(event, name="Nigar Hasanova", email="nigar@example.org")
    door.post(url(event), {"action": "code", "code": ticket_payload(registration)})

    copy = door.get(url(event), {"q": "nigar"}, headers={"X-Checkin-Offline-Copy": "1"})
    visit = door.get(url(event))

    assert copy.context["verdict"] is None and copy.context["results"] == []
    assert "csrfmiddlewaretoken" in copy.text
    assert visit.context["verdict"]["code"] == "checked_in"  # the answer waits for the next visit


def test_service_worker_keeps_the_page_that_asks(client):
    response = client.get("/checkin/sw.js")

    assert '"keep-page"' in response.text
    assert '"X-Checkin-Offline-Copy": "1"' in response.text
    assert "/static/vendor/qr-scanner/qr-scanner-worker.min.js" in response.text


def test_service_worker_keeps_every_static_file_the_door_page_loads(door, event, client):
    """Offline, a file the worker did not keep is missing: the header's logo showed as a broken image."""
    page = door.get(url(event)).text
    worker = client.get("/checkin/sw.js").text
    loaded = set(re.findall(r'(?:src|href)="(/static/[^"]+)"', page))

    assert "/static/favicon.svg" in loaded
    assert {name for name in loaded if f'"{name}"' not in worker} == set()


def test_checkin_page_has_no_inline_script_or_style(door, event, sign_up):
    sign_up(event)

    html = door.get(url(event)).text

    assert re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html) == []
    assert " style=" not in html


# --- my doors -------------------------------------------------------------------------------


def test_my_doors_lists_the_events_whose_door_the_user_works_and_nothing_else(client, event, staff, organiser):
    organised = factories.EventFactory(title="Organised here", organisers=[organiser])
    event.title = "Staffed here"
    event.save()
    factories.EventFactory(title="Someone else's")
    long_past = factories.EventFactory(title="Long past", start=timezone.now() - dt.timedelta(days=30))
    long_past.checkin_staff.add(staff)

    staff_page = signed_in(client, staff).get("/checkin/")
    organiser_page = signed_in(client, organiser).get("/checkin/")

    assert [e.title for e in staff_page.context["events"]] == ["Staffed here"]
    assert f'href="/checkin/{event.pk}/"' in staff_page.text
    assert [e.pk for e in organiser_page.context["events"]] == [organised.pk]


def test_my_doors_leaves_out_online_only_events(client, event, staff):
    # an online-only event has no door (event.has_venue, the ticket page's rule)
    webinar = factories.WebinarFactory(title="Webinar", start=event.start, end=event.end)
    hybrid = under_way(title="Hybrid", format=EventFormat.HYBRID, join_url="https://meet.example.org/h")
    for other in (webinar, hybrid):
        other.checkin_staff.add(staff)

    page = signed_in(client, staff).get("/checkin/")

    assert [e.title for e in page.context["events"]] == ["Robotics workshop", "Hybrid"]
    assert f'href="/checkin/{webinar.pk}/"' not in page.text


def test_door_of_an_online_only_event_says_it_has_none(client, staff, sign_up):
    webinar = under_way(
        title="Webinar", format=EventFormat.ONLINE, venue_name="", city="", join_url="https://z.example.org/1"
    )
    webinar.checkin_staff.add(staff)
    registration = sign_up(webinar)
    door = signed_in(client, staff)

    page = door.get(url(webinar))
    scan = door.post(url(webinar), {"action": "code", "code": ticket_payload(registration)})

    assert page.status_code == 200
    assert 'id="no-door"' in page.text and "online only" in page.text
    assert 'id="camera"' not in page.text and "checkin.js" not in page.text
    assert scan.status_code == 409 and 'id="no-door"' in scan.text
    assert not CheckIn.objects.filter(registration=registration).exists()


def test_menu_leaves_out_my_doors_for_staff_of_online_only_events(client):
    webinar = factories.WebinarFactory()
    staff = factories.UserFactory()
    webinar.checkin_staff.add(staff)

    page = signed_in(client, staff).get("/")

    assert page.status_code == 200
    assert "My doors" not in page.text


def test_my_doors_needs_signing_in(client):
    response = client.get("/checkin/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_menu_offers_my_doors_to_check_in_staff_and_organisers_only(client, staff, organiser):
    attendee = factories.UserFactory()

    as_staff = signed_in(client, staff).get("/")
    as_organiser = signed_in(client, organiser).get("/")
    as_attendee = signed_in(client, attendee).get("/")

    assert 'href="/checkin/">My doors<' in as_staff.text
    assert 'href="/checkin/">My doors<' in as_organiser.text
    assert "My doors" not in as_attendee.text


def test_door_shows_the_local_time_plainly(door, event):
    """Times are local and plain: no IANA name; the city and offset only where it helps (online)."""
    event.format = "in_person"
    event.save(update_fields=["format"])

    page = door.get(url(event)).text
    # what people read: the script's data (the zone the offline times are shown in) left out
    text = re.sub(r"<script.*?</script>", "", page, flags=re.S)

    assert "Asia/Baku" not in text
    assert re.search(r"\d{1,2}:\d{2}", text)


@pytest.mark.parametrize(("language", "name"), [("en", "an erased account"), ("az", "silinmiş hesab")])
def test_already_in_names_an_erased_account_that_checked_in(door, event, sign_up, language, name):
    colleague = factories.UserFactory(username="colleague")
    event.checkin_staff.add(colleague)
    registration = sign_up(event)
    checkin_services.check_in(event_id=event.pk, secret=ticket_payload(registration), by=colleague)
    erase_personal_data(user=colleague)

    response = door.post(
        url(event), {"action": "code", "code": ticket_payload(registration)}, headers={"accept-language": language},
        follow=True,
    )  # fmt: skip

    assert response.context["verdict"]["code"] == "already_checked_in"
    assert response.context["verdict"]["by"] == name
    assert name in response.text and f"erased-{colleague.pk}" not in response.text


def test_my_doors_come_in_pages_in_start_order(client, organiser):
    start = timezone.now() + dt.timedelta(days=1)
    for number in range(30):
        factories.EventFactory(
            title=f"Door {number:02}",
            organisers=[organiser],
            start=start + dt.timedelta(hours=number),
            end=start + dt.timedelta(hours=number, minutes=90),
        )
    signed_in(client, organiser)

    first, second = client.get("/checkin/"), client.get("/checkin/?page=2")

    assert [e.title for e in first.context["events"]] == [f"Door {number:02}" for number in range(25)]
    assert [e.title for e in second.context["events"]] == [f"Door {number:02}" for number in range(25, 30)]
    assert 'href="?page=2" rel="next"' in first.text and "Page 1 of 2" in first.text
    assert 'href="?page=1" rel="prev"' in second.text
    assert client.get("/checkin/?page=nonsense").context["page"].number == 1


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "check-in opens on Friday 25 March 2044, 18:00, Baku time (UTC+4), a day before the event."),
        ("az", "bir gün əvvəl açılır: 25 mart 2044, cümə, 18:00, Bakı vaxtı ilə (UTC+4)."),
    ],
)
def test_closed_door_names_the_opening_with_its_year_and_zone_as_the_site_writes_time(client, language, said):
    # it said "check-in opens on 25 March, 18:00": which year, whose clock?
    start = dt.datetime(2044, 3, 26, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=4)))
    event = factories.EventFactory(timezone="Asia/Baku", start=start, end=start + dt.timedelta(hours=2))
    user = factories.UserFactory()
    event.checkin_staff.add(user)

    page = signed_in(client, user).get(url(event), headers={"accept-language": language}).text

    notice = re.search(r'<p class="notice" id="door-closed"[^>]*>(.*?)</p>', page, re.S).group(1)
    assert said in notice


@pytest.mark.parametrize("language", ["en", "az"])
def test_the_connection_badge_is_not_worded_like_an_online_event(door, event, language):
    """The badge beside the event's time said "Online" (Onlayn): at an in-person workshop it read
    as the event's format. It says whether the device has a connection."""
    import json

    from django.utils import translation

    page = door.get(url(event), HTTP_ACCEPT_LANGUAGE=language).text
    words = json.loads(re.search(r'id="checkin-words" type="application/json">(.*?)</script>', page).group(1))

    with translation.override(language):
        from django.utils.translation import gettext

        online_event = gettext("Online")
    assert online_event not in (words["online"], words["offline"])
    assert words["online"] != words["offline"]


@pytest.mark.parametrize("path", ["/accounts/logout/", "/admin/logout/"])
def test_signing_out_tells_the_browser_to_forget_the_door(client, path):
    """The door's offline copy and its list of names live in the browser (service worker
    cache, localStorage): signing out, on the site or the admin, clears them."""
    signed_in(client, factories.UserFactory(is_superuser=True, is_staff=True))

    response = client.post(path)

    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(("language", "where", "not_said"), [("en", "Shaki", "Şəki"), ("az", "Şəki", "Shaki")])
def test_my_doors_names_the_region_in_the_readers_spelling(client, staff, language, where, not_said):
    """A door's line named the city as typed ("Shaki") on the Azerbaijani page too, where the
    event page and the events list say "Şəki": the one rule, the ``place`` filter, names it."""
    from events.models import Region

    shaki = Region.objects.get(slug="shaki")
    visit = factories.EventFactory(title="Role models visit", region=shaki, city="Shaki", venue_name="Youth House")
    visit.checkin_staff.add(staff)

    page = signed_in(client, staff).get("/checkin/", headers={"accept-language": language}).text

    line = re.search(rf'data-event="{visit.pk}">.*?<p class="small">(.*?)</p>', page, re.S).group(1)
    assert line.endswith(f" · {where}") and not_said not in line


DOOR_ACTION = re.compile(r"<(\w+)[^>]*\bdata-door-action\b[^>]*>")


@pytest.mark.parametrize(
    ("starts_in", "state", "language", "said"),
    [
        (dt.timedelta(days=30), "before", "en", "The door is closed: check-in opens on"),
        (dt.timedelta(days=30), "before", "az", "Giriş hələ bağlıdır. O, tədbirdən bir gün əvvəl açılır:"),
        (-dt.timedelta(days=3), "after", "en", "The door is closed: check-in closed on"),
        (-dt.timedelta(days=3), "after", "az", "Giriş artıq bağlıdır. O, tədbirdən bir gün sonra bağlandı:"),
        (-dt.timedelta(hours=1), "open", "en", ""),
    ],
)
def test_a_closed_door_offers_no_scanner_check_in_walk_in_or_undo(client, sign_up, starts_in, state, language, said):
    """Closed, the page offered "Check in" (code, name, walk-in) for the server to answer
    door_closed to each: the notice says why once and the actions are not offered. Finding
    people still works; undoing a check-in follows the door (the server refuses it closed)."""
    start = timezone.now().replace(microsecond=0) + starts_in
    event = under_way()
    user = factories.UserFactory()
    event.checkin_staff.add(user)
    sign_up(event, name="Leyla Aliyeva", email="leyla@example.org", source="organiser")
    inside = sign_up(event, name="Leyla Quliyeva", email="leyla.q@example.org", source="organiser")
    checkin_services.check_in_registration(event=event, registration=inside, by=user)
    Event.objects.filter(pk=event.pk).update(start=start, end=start + dt.timedelta(hours=2))

    page = signed_in(client, user).get(url(event), {"q": "leyla"}, headers={"accept-language": language}).text

    actions = [match.group(0) for match in DOOR_ACTION.finditer(page)]
    # the code form with the camera, the found person's "Check in", the other's "Undo", the walk-in
    assert [re.match(r"<(\w+)", tag).group(1) for tag in actions] == ["div", "button", "button", "details"]
    assert 'class="link"' in actions[2]
    assert [" hidden" in tag for tag in actions] == [state != "open"] * 4
    assert 'id="door-scan"' in actions[0] and "Leyla Aliyeva" in page
    notice = re.search(r'<p class="notice" id="door-closed"[^>]*>', page).group(0)
    assert (" hidden" in notice) == (state == "open")
    shown = re.findall(r'<span data-door="(\w+)">([^<]*)</span>', page)
    assert [(part, text[: len(said)]) for part, text in shown] == ([(state, said)] if said else [])


def test_a_cancelled_events_door_says_it_is_cancelled_and_offers_nothing(client, sign_up):
    """A cancelled session of a series stayed on My doors like any other, and its door page said
    the door opens a day before it (or offered Check in while the window was open): door staff
    of the series came for nothing. My doors marks it, the page says it is cancelled."""
    event = under_way(title="Mentoring circle")
    user = factories.UserFactory()
    event.checkin_staff.add(user)
    sign_up(event, name="Leyla Aliyeva", email="leyla@example.org", source="organiser")
    later = factories.EventFactory(title="Mentoring circle", start=event.start + dt.timedelta(days=14))
    later.checkin_staff.add(user)

    event_services.cancel_event(event=event, reason="The hall is closed.")
    web = signed_in(client, user)

    page = web.get(url(event), {"q": "leyla"}).text
    doors = web.get("/checkin/").text

    actions = [match.group(0) for match in DOOR_ACTION.finditer(page)]
    assert actions and all(" hidden" in tag for tag in actions)
    shown = re.findall(r'<span data-door="(\w+)">([^<]*)</span>', page)
    assert shown == [("cancelled", "This event is cancelled: its door does not open. The hall is closed.")]
    assert '"cancelled": true' in page  # checkin.js keeps it so by the device's clock, offline too
    cards = re.findall(r'<li class="card" data-event="(\d+)">(.*?)</li>', doors, re.S)
    assert [(int(pk), 'data-status="cancelled"' in card) for pk, card in cards] == [(event.pk, True), (later.pk, False)]


# --- "already checked in": one wording, the server's and the script's ---------------------------


@pytest.mark.parametrize(
    ("language", "said", "words"),
    [
        ("en", "at {at} by Volunteer Quliyeva", "at %(when)s by %(by)s"),
        ("az", "{at}, Volunteer Quliyeva tərəfindən", "%(when)s, %(by)s tərəfindən"),
    ],
)
def test_already_in_says_when_and_by_whom_in_the_words_the_script_is_given(door, event, sign_up, language, said, words):
    """The server said "at 13:00 by …" and the offline script "12:59 · …": one wording, the
    script's words the server's own."""
    colleague = factories.UserFactory(first_name="Volunteer", last_name="Quliyeva")
    event.checkin_staff.add(colleague)
    registration = sign_up(event)
    first = checkin_services.check_in(event_id=event.pk, secret=ticket_payload(registration), by=colleague)
    at = timezone.localtime(first.checked_in_at, event.zone).strftime("%H:%M")
    headers = {"accept-language": language}

    response = door.post(url(event), {"action": "code", "code": ticket_payload(registration)}, headers=headers)

    verdict = response.context["verdict"]
    assert verdict["line"] == said.format(at=at)
    assert f"<small>{said.format(at=at)}</small>" in response.text
    assert response.context["words"]["checkedInAt"] == words
    assert (
        verdict["at"]
        == checkin_services.LiveCheckIn(
            id=first.pk, checked_in_at=first.checked_in_at, by_name="", device="", source=""
        ).as_extra()["checked_in_at"]
    )


@pytest.mark.parametrize(
    ("language", "said"), [("en", "at 15 Jan, 13:05 by someone"), ("az", "15 yanvar, 13:05, kimsə tərəfindən")]
)
def test_already_in_since_another_day_says_the_day_and_someone_for_no_account(door, event, sign_up, language, said):
    """A check-in of another day (the door opens a day before) says the day too, as the script
    writes it; one whose account is gone said "at 13:05 by " and nothing."""
    registration = sign_up(event)
    first = checkin_services.check_in(
        event_id=event.pk, secret=ticket_payload(registration), by=factories.UserFactory(is_superuser=True)
    )
    moment = dt.datetime(2000, 1, 15, 13, 5, tzinfo=event.zone)
    CheckIn.objects.filter(pk=first.pk).update(checked_in_at=moment, by=None)

    response = door.post(
        url(event), {"action": "code", "code": ticket_payload(registration)}, headers={"accept-language": language}
    )

    assert response.context["verdict"]["line"] == said
    assert f"<small>{said}</small>" in response.text
