"""The workspace's programmes: list and new, a programme's page (edit, cohorts, certificates),
a cohort's members (enrol, pair a mentor, leave), and the walls between organisers."""

import datetime as dt
import html
import re

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from events.models import EventKind
from events.when import card
from notifications.models import OutboxMessage
from programmes import certificates, services
from programmes.manage_forms import ProgrammeForm
from programmes.models import Certificate, Cohort, Enrolment, Programme, SessionSkip
from registrations.models import Registration, RegistrationStatus
from tests import factories
from tests.pages.conftest import signed_in
from tests.programmes.conftest import record, session

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(organiser):
    return factories.ProgrammeFactory(title="STEM mentoring 2026/27", organisers=[organiser])


@pytest.fixture
def series(organiser, programme):
    series = factories.SeriesFactory(title="Mentoring circle", kind=EventKind.MENTORING_SESSION, published=True)
    series.organisers.add(organiser)
    programme.series.add(series)
    return series


@pytest.fixture
def cohort(programme, series):
    return factories.CohortFactory(programme=programme, series=series, name="Mentees 2026")


@pytest.fixture
def future(series):
    first = (timezone.now() + dt.timedelta(days=7)).replace(microsecond=0)
    return [session(series, first + dt.timedelta(days=14 * index)) for index in range(3)]


@pytest.fixture
def mentor():
    return factories.SpeakerFactory(name="Nigar Aliyeva", roles=["mentor"])


@pytest.fixture
def stranger_web(client):
    return signed_in(client, factories.OrganiserFactory(username="another-organiser"))


def cohort_url(cohort, query=""):
    return f"/manage/programmes/{cohort.programme_id}/cohorts/{cohort.pk}/{query}"


def shown(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


# --- the list and a new programme -----------------------------------------------------------


def test_list_shows_only_my_programmes_with_their_reports(organiser_web, programme):
    factories.ProgrammeFactory(title="Someone else's year", organisers=[factories.OrganiserFactory()])

    response = organiser_web.get("/manage/programmes/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert [item.title for item in response.context["page"]] == ["STEM mentoring 2026/27"]
    html = response.content.decode()
    assert f"/manage/programmes/{programme.pk}/" in html and f"/programmes/{programme.pk}/report/" in html
    assert "Someone else" not in html


def test_list_is_paginated(organiser_web, organiser):
    for number in range(27):
        factories.ProgrammeFactory(title=f"Year {number}", organisers=[organiser])

    first = organiser_web.get("/manage/programmes/")
    second = organiser_web.get("/manage/programmes/?page=2")

    assert len(first.context["page"]) == 25 and len(second.context["page"]) == 2


def test_menu_has_programmes(organiser_web):
    html = organiser_web.get("/manage/dashboard/").content.decode()

    assert 'href="/manage/programmes/"' in html


def test_new_programme_offers_only_my_series(organiser_web, organiser, series):
    theirs = factories.SeriesFactory(title="Their circle")
    theirs.organisers.add(factories.OrganiserFactory())

    form = organiser_web.get("/manage/programmes/new/").context["form"]

    assert list(form.fields["series"].queryset) == [series]
    # one-off events are added on the programme's page, by search (test_one_off_events_*)
    assert "events" not in form.fields

    response = organiser_web.post(
        "/manage/programmes/new/",
        {
            "title": "Girls in STEM 2027",
            "starts_on": "2027-01-10",
            "ends_on": "2027-09-30",
            "threshold_percent": "75",
            "series": [series.pk, theirs.pk],
        },
    )

    assert response.status_code == 400  # someone else's series is not a choice
    assert not Programme.objects.filter(title="Girls in STEM 2027").exists()

    response = organiser_web.post(
        "/manage/programmes/new/",
        {
            "title": "Girls in STEM 2027",
            "starts_on": "2027-01-10",
            "ends_on": "2027-09-30",
            "threshold_percent": "75",
            "series": [series.pk],
        },
    )

    created = Programme.objects.get(title="Girls in STEM 2027")
    assert response.status_code == 302 and response["Location"] == f"/manage/programmes/{created.pk}/"
    assert created.completion_threshold == 0.75
    assert list(created.organisers.all()) == [organiser]
    assert list(created.series.all()) == [series] and not created.events.exists()


def test_new_programme_refuses_an_end_before_its_start(organiser_web):
    response = organiser_web.post(
        "/manage/programmes/new/",
        {"title": "Backwards", "starts_on": "2027-05-01", "ends_on": "2027-01-01", "threshold_percent": "70"},
    )

    assert response.status_code == 400
    assert "The programme must end on or after its first day." in response.content.decode()
    assert not Programme.objects.exists()


# --- a programme's page -----------------------------------------------------------------------


def test_edit_keeps_a_co_organisers_series(organiser_web, organiser, programme, series):
    theirs = factories.SeriesFactory(title="Co-organiser's circle")
    theirs.organisers.add(factories.OrganiserFactory())
    programme.series.add(theirs)

    response = organiser_web.post(
        f"/manage/programmes/{programme.pk}/",
        {
            "action": "edit",
            "title": "STEM mentoring, renamed",
            "starts_on": programme.starts_on.isoformat(),
            "ends_on": programme.ends_on.isoformat(),
            "threshold_percent": "80",
        },
    )

    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.title, programme.completion_threshold) == ("STEM mentoring, renamed", 0.8)
    # unticking my series takes it out; the co-organiser's, never offered to me, stays
    assert list(programme.series.all()) == [theirs]


def test_a_series_a_cohort_follows_stays_in_the_programme(organiser_web, programme, series, cohort):
    edit = {
        "action": "edit",
        "title": programme.title,
        "starts_on": programme.starts_on.isoformat(),
        "ends_on": programme.ends_on.isoformat(),
    }

    response = organiser_web.post(f"/manage/programmes/{programme.pk}/", {**edit, "threshold_percent": "70"})

    # unticking the series the cohort follows would leave the cohort following what the programme no longer has
    assert response.status_code == 400
    assert "A cohort (“Mentees 2026”) follows a series you took out of the programme" in response.content.decode()
    assert list(programme.series.all()) == [series]
    # the error is marked at the series' boxes, which the summary links to: "Please correct the
    # marked fields." stood above it with no field marked
    form = response.context["form"]
    assert list(form.errors) == ["series"]
    assert '<a href="#id_series_0">Series it includes: A cohort (“Mentees 2026”) follows' in response.content.decode()


def test_a_cohort_name_taken_is_marked_at_the_name(organiser_web, programme, cohort):
    response = organiser_web.post(f"/manage/programmes/{programme.pk}/", {"action": "cohort", "name": cohort.name})

    assert response.context["cohort_form"].errors == {"name": ["The programme already has a cohort of this name."]}
    assert '<a href="#cohort_name">Name of the cohort: The programme already has a cohort' in response.content.decode()


def test_an_error_naming_no_field_is_not_told_to_correct_marked_fields():
    """A refusal of the whole form (a service's error about no field) has no mark to look for:
    the summary says the refusal itself, not "Please correct the marked fields." above it."""
    whole = ProgrammeForm(data={}, user=factories.OrganiserFactory())
    whole.errors.clear()
    whole.add_error(None, "The event is cancelled.")
    field = ProgrammeForm(data={}, user=factories.OrganiserFactory())

    with translation.override("en"):
        said = render_to_string("includes/error_summary.html", {"form": whole})
        marked = render_to_string("includes/error_summary.html", {"form": field})

    assert "The event is cancelled." in said
    assert "Please correct the marked fields." not in said
    assert "Please correct the marked fields." in marked


def test_cohorts_listed_with_active_members_and_a_new_one(organiser_web, programme, cohort, series):
    factories.EnrolmentFactory(cohort=cohort)
    factories.EnrolmentFactory(cohort=cohort, status=Enrolment.Status.LEFT)

    page = organiser_web.get(f"/manage/programmes/{programme.pk}/")

    assert [(item.name, item.active_members) for item in page.context["cohorts"]] == [("Mentees 2026", 1)]
    ids = re.findall(r'\bid="([^"]+)"', page.content.decode())
    assert sorted({key for key in ids if ids.count(key) > 1}) == []  # two forms, one page
    assert "1 active member" in page.content.decode()

    response = organiser_web.post(
        f"/manage/programmes/{programme.pk}/", {"action": "cohort", "name": "Spring mentees", "series": series.pk}
    )

    created = Cohort.objects.get(name="Spring mentees")
    assert response["Location"] == f"/manage/programmes/{programme.pk}/cohorts/{created.pk}/"
    assert created.series == series


def test_a_programme_without_cohorts_opens_the_new_cohort_form_and_says_so(organiser_web, programme, series):
    empty = organiser_web.get(f"/manage/programmes/{programme.pk}/").content.decode()
    factories.CohortFactory(programme=programme, series=series, name="Mentees 2026")
    with_one = organiser_web.get(f"/manage/programmes/{programme.pk}/").content.decode()

    assert "No cohort yet: name the first one below and choose what it follows." in empty
    assert '<details class="card" open id="new-cohort">' in empty
    assert '<details class="card" id="new-cohort">' in with_one


def test_an_empty_cohort_says_how_to_enrol_and_a_search_says_nobody_matches(organiser_web, cohort):
    empty = organiser_web.get(cohort_url(cohort)).content.decode()
    factories.EnrolmentFactory(cohort=cohort, name="Aysel Aliyeva")
    searched = organiser_web.get(cohort_url(cohort, "?q=nobody-of-this-name")).content.decode()

    assert "Nobody is enrolled yet: enrol someone, or paste a list of people, above." in empty
    assert "Nobody matches." in searched and "Nobody is enrolled yet" not in searched


def test_a_taken_cohort_name_is_a_form_error(organiser_web, programme, cohort):
    response = organiser_web.post(f"/manage/programmes/{programme.pk}/", {"action": "cohort", "name": cohort.name})

    assert response.status_code == 400
    assert "The programme already has a cohort of this name." in response.content.decode()


def test_a_series_outside_the_programme_is_not_a_choice(organiser_web, organiser, programme):
    elsewhere = factories.SeriesFactory()
    elsewhere.organisers.add(organiser)

    response = organiser_web.post(
        f"/manage/programmes/{programme.pk}/", {"action": "cohort", "name": "Stray", "series": elsewhere.pk}
    )

    assert response.status_code == 400 and not Cohort.objects.filter(name="Stray").exists()


# the programme of these tests runs nine months on: issuing before its end is ticked as such
EARLY_CERTIFICATES = {"action": "certificates", "early": "1"}


def test_certificates_before_the_programme_ends_need_the_box_ticked(
    organiser_web, programme, cohort, series, django_capture_on_commit_callbacks
):
    held = session(series, (timezone.now() - dt.timedelta(days=14)).replace(microsecond=0))
    good = factories.EnrolmentFactory(cohort=cohort)
    record(held, good.email, "attended")
    programme.ends_on = timezone.localdate() + dt.timedelta(days=200)
    programme.save(update_fields=["ends_on"])

    page = organiser_web.get(f"/manage/programmes/{programme.pk}/").text
    with django_capture_on_commit_callbacks(execute=True):
        refused = organiser_web.post(f"/manage/programmes/{programme.pk}/", {"action": "certificates"}, follow=True)

    assert 'name="early" value="1" id="early" required' in page
    assert "The programme has not ended: tick the box" in shown(refused)
    assert not Certificate.objects.exists() and not mail.outbox
    programme.ends_on = timezone.localdate() - dt.timedelta(days=1)
    programme.save(update_fields=["ends_on"])
    assert 'name="early"' not in organiser_web.get(f"/manage/programmes/{programme.pk}/").text
    with django_capture_on_commit_callbacks(execute=True):
        ended = organiser_web.post(f"/manage/programmes/{programme.pk}/", {"action": "certificates"}, follow=True)
    assert "1 certificate issued" in shown(ended)


def test_before_its_first_day_a_programme_offers_no_certificates_yet(organiser_web, programme):
    """ "Issue them now, counting only the sessions held so far" was offered before any was held:
    it issued nothing. The page says when they can be issued instead."""
    programme.starts_on = timezone.localdate() + dt.timedelta(days=3)
    programme.ends_on = programme.starts_on + dt.timedelta(days=200)
    programme.save(update_fields=["starts_on", "ends_on"])

    page = organiser_web.get(f"/manage/programmes/{programme.pk}/").text
    programme.starts_on = timezone.localdate()
    programme.save(update_fields=["starts_on"])
    first_day = organiser_web.get(f"/manage/programmes/{programme.pk}/").text

    assert 'value="certificates"' not in page and 'name="early"' not in page
    assert 'data-testid="certificates-not-yet"' in page
    assert "certificates can be issued once its sessions have been held" in page
    assert 'value="certificates"' not in first_day and "None of the programme's events is over yet" in first_day


def test_a_programme_under_way_offers_no_certificates_until_one_of_its_events_is_over(
    organiser_web, programme, series, future
):
    # its first day passed, its sessions all to come: "Issue them now" was offered and each press
    # answered that nobody had reached the threshold
    programme.starts_on = timezone.localdate() - dt.timedelta(days=10)
    programme.ends_on = timezone.localdate() + dt.timedelta(days=200)
    programme.save(update_fields=["starts_on", "ends_on"])
    url = f"/manage/programmes/{programme.pk}/"

    before = organiser_web.get(url).text
    before_az = organiser_web.get(url, HTTP_ACCEPT_LANGUAGE="az").text
    session(series, (timezone.now() - dt.timedelta(days=3)).replace(microsecond=0))
    after = organiser_web.get(url).text

    assert 'value="certificates"' not in before and 'name="early"' not in before
    assert "None of the programme's events is over yet" in before
    assert "Proqramın tədbirlərindən heç biri hələ başa çatmayıb" in before_az
    assert 'value="certificates"' in after and 'name="early"' in after
    assert 'data-testid="certificates-not-yet"' not in after


def test_certificates_for_everyone_eligible_said_in_words(
    organiser_web, programme, cohort, series, django_capture_on_commit_callbacks
):
    first = (timezone.now() - dt.timedelta(days=60)).replace(microsecond=0)
    held = [session(series, first + dt.timedelta(days=14 * index)) for index in range(2)]
    good, weak = factories.EnrolmentFactory(cohort=cohort), factories.EnrolmentFactory(cohort=cohort)
    for event in held:
        record(event, good.email, "attended")
        record(event, weak.email, "no_show")

    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_web.post(f"/manage/programmes/{programme.pk}/", EARLY_CERTIFICATES, follow=True)

    assert "1 certificate issued; each participant is emailed theirs." in shown(response)
    assert list(Certificate.objects.values_list("enrolment_id", flat=True)) == [good.pk]
    assert len(mail.outbox) == 1 and good.email in mail.outbox[0].to[0]

    again = organiser_web.post(f"/manage/programmes/{programme.pk}/", EARLY_CERTIFICATES, follow=True)

    assert "No new certificate: the 1 participant who reached the threshold already has one." in shown(again)
    assert Certificate.objects.count() == 1


def test_certificates_when_nobody_is_eligible(organiser_web, programme, cohort):
    response = organiser_web.post(f"/manage/programmes/{programme.pk}/", EARLY_CERTIFICATES, follow=True)

    assert "Nobody has reached the attendance threshold yet" in shown(response)


def test_an_unknown_action_is_404(organiser_web, programme):
    assert organiser_web.post(f"/manage/programmes/{programme.pk}/", {"action": "explode"}).status_code == 404


# --- a cohort's members -------------------------------------------------------------------------


def test_enrol_registers_for_the_sessions_to_come_with_a_mentor(organiser_web, cohort, future, mentor):
    page = organiser_web.get(cohort_url(cohort))
    assert list(page.context["mentors"]) == [mentor]
    ids = re.findall(r'\bid="([^"]+)"', page.content.decode())
    assert sorted({key for key in ids if ids.count(key) > 1}) == []
    assert page.context["next_session"] == future[0]

    response = organiser_web.post(
        cohort_url(cohort),
        {"action": "enrol", "name": "Aynur Rzayeva", "email": "Aynur@Example.org", "mentor": mentor.pk},
        follow=True,
    )

    enrolment = Enrolment.objects.get(cohort=cohort)
    assert (enrolment.email, enrolment.mentor) == ("aynur@example.org", mentor)
    assert Registration.objects.filter(email="aynur@example.org", source="cohort").count() == 3
    assert "Aynur Rzayeva is enrolled and registered for the sessions still to come." in shown(response)

    again = organiser_web.post(
        cohort_url(cohort), {"action": "enrol", "name": "Aynur R.", "email": "aynur@example.org"}, follow=True
    )

    assert "aynur@example.org is already in the cohort." in shown(again)
    assert Enrolment.objects.filter(cohort=cohort).count() == 1


def test_a_speaker_who_is_not_a_mentor_is_not_offered(organiser_web, cohort, mentor):
    panellist = factories.SpeakerFactory(name="Only a panellist", roles=["panellist"])

    response = organiser_web.post(
        cohort_url(cohort), {"action": "enrol", "name": "Aynur", "email": "aynur@example.org", "mentor": panellist.pk}
    )

    assert response.status_code == 400
    assert not Enrolment.objects.exists()


def test_a_whole_programme_cohort_has_no_mentors(organiser_web, programme, mentor):
    whole = factories.CohortFactory(programme=programme, name="Everyone")

    page = organiser_web.get(cohort_url(whole))

    assert page.context["mentors"] == [] and "mentor" not in page.context["enrol_form"].fields

    factories.EnrolmentFactory(cohort=whole)
    enrolment = whole.enrolments.get()
    response = organiser_web.post(
        cohort_url(whole), {"action": "mentor", "chosen": enrolment.pk, "mentor": mentor.pk}, follow=True
    )

    assert "Choose one of the cohort's mentors." in shown(response)
    enrolment.refresh_from_db()
    assert enrolment.mentor is None


def test_pairing_several_at_once_and_nobody_ticked(organiser_web, cohort, mentor):
    first, second = factories.EnrolmentFactory(cohort=cohort), factories.EnrolmentFactory(cohort=cohort)
    html = organiser_web.get(cohort_url(cohort)).content.decode()
    # one mentor list for the page, however many cards
    assert html.count('form="pair-form" name="chosen"') == 2 and html.count('name="mentor" id="pair-mentor"') == 1

    paired = organiser_web.post(
        cohort_url(cohort), {"action": "mentor", "chosen": [first.pk, second.pk], "mentor": mentor.pk}, follow=True
    )

    assert "2 members are paired with Nigar Aliyeva." in shown(paired)
    assert set(cohort.enrolments.values_list("mentor", flat=True)) == {mentor.pk}
    nobody = organiser_web.post(cohort_url(cohort), {"action": "mentor", "mentor": ""}, follow=True)
    assert "Tick the members to pair first." in shown(nobody)


def test_pair_change_and_unpair_a_mentor(organiser_web, cohort, mentor):
    other = factories.SpeakerFactory(name="Rashad Mammadov", roles=["mentor", "panellist"])
    enrolment = factories.EnrolmentFactory(cohort=cohort, name="Aynur Rzayeva")

    paired = organiser_web.post(
        cohort_url(cohort), {"action": "mentor", "chosen": enrolment.pk, "mentor": mentor.pk}, follow=True
    )
    assert "Aynur Rzayeva is paired with Nigar Aliyeva." in shown(paired)

    organiser_web.post(cohort_url(cohort), {"action": "mentor", "chosen": enrolment.pk, "mentor": other.pk})
    enrolment.refresh_from_db()
    assert enrolment.mentor == other

    unpaired = organiser_web.post(
        cohort_url(cohort), {"action": "mentor", "chosen": enrolment.pk, "mentor": ""}, follow=True
    )
    assert "Aynur Rzayeva has no mentor now." in shown(unpaired)
    enrolment.refresh_from_db()
    assert enrolment.mentor is None


def test_leaving_asks_first_says_what_happens_and_cancels_future_places(
    organiser_web, cohort, future, django_capture_on_commit_callbacks
):
    organiser_web.post(cohort_url(cohort), {"action": "enrol", "name": "Aynur Rzayeva", "email": "aynur@example.org"})
    enrolment = Enrolment.objects.get(cohort=cohort)

    html = organiser_web.get(cohort_url(cohort)).content.decode()
    confirm = html[html.index('<details class="confirm">') : html.index("</details>", html.index('class="confirm"'))]
    assert 'value="leave"' in confirm and "seats at the sessions still to come are cancelled" in confirm

    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_web.post(
            cohort_url(cohort, "?q=aynur"), {"action": "leave", "enrolment": enrolment.pk, "back": "q=aynur"}
        )

    assert response.status_code == 302 and response["Location"] == cohort_url(
        cohort, f"?q=aynur#member-{enrolment.pk}"
    )  # the message, not the lists
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.LEFT
    statuses = set(Registration.objects.filter(email="aynur@example.org").values_list("status", flat=True))
    assert statuses == {RegistrationStatus.CANCELLED}
    assert len(mail.outbox) == 1 and "aynur@example.org" in mail.outbox[0].to[0]


def test_members_searched_and_paginated(organiser_web, cohort):
    for number in range(52):
        factories.EnrolmentFactory(cohort=cohort, name=f"Mentee {number:02}", email=f"m{number}@example.org")
    factories.EnrolmentFactory(cohort=cohort, name="Leyla Mammadova", email="leyla@example.org")

    first = organiser_web.get(cohort_url(cohort))
    second = organiser_web.get(cohort_url(cohort, "?page=2"))
    found = organiser_web.get(cohort_url(cohort, "?q=LEYLA"))
    by_email = organiser_web.get(cohort_url(cohort, "?q=m51@"))

    assert len(first.context["page"]) == 50 and len(second.context["page"]) == 3
    assert [item.name for item in found.context["page"]] == ["Leyla Mammadova"]
    assert [item.name for item in by_email.context["page"]] == ["Mentee 51"]
    assert organiser_web.get(cohort_url(cohort, "?status=nonsense")).context["page"].paginator.count == 53


def test_a_member_card_on_page_two_comes_back_to_page_two(organiser_web, cohort):
    """Leaving, a certificate or pairing from the second page of a search lands there again, not
    on page one."""
    for number in range(55):
        factories.EnrolmentFactory(cohort=cohort, name=f"Mentee {number:02}", email=f"m{number}@example.org")

    page = organiser_web.get(cohort_url(cohort, "?status=active&page=2"))
    member = page.context["page"].object_list[0]
    response = organiser_web.post(
        cohort_url(cohort), {"action": "leave", "enrolment": member.pk, "back": page.context["back"]}
    )

    assert 'name="back" value="status=active&amp;page=2"' in page.content.decode()
    assert response.status_code == 302 and response["Location"].endswith(
        "?status=active&page=2#listed"
    )  # the card left the list


# --- the walls -----------------------------------------------------------------------------------


def test_another_organiser_gets_404_everywhere_and_changes_nothing(stranger_web, programme, cohort, series, mentor):
    enrolment = factories.EnrolmentFactory(cohort=cohort)
    future = session(series, timezone.now() + dt.timedelta(days=7))
    base = f"/manage/programmes/{programme.pk}/"

    assert stranger_web.get("/manage/programmes/").context["page"].paginator.count == 0
    assert stranger_web.get(base).status_code == 404
    assert stranger_web.get(cohort_url(cohort)).status_code == 404
    assert stranger_web.post(base, {"action": "certificates"}).status_code == 404
    assert stranger_web.post(base, {"action": "cohort", "name": "Mine now"}).status_code == 404
    posts = [
        {"action": "enrol", "name": "Intruder", "email": "intruder@example.org"},
        {"action": "mentor", "chosen": enrolment.pk, "mentor": mentor.pk},
        {"action": "leave", "enrolment": enrolment.pk},
        {"action": "skip", "enrolment": enrolment.pk, "event": future.pk},
        {"action": "undo_skip", "enrolment": enrolment.pk, "event": future.pk},
    ]
    for data in posts:
        assert stranger_web.post(cohort_url(cohort), data).status_code == 404
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.mentor, cohort.enrolments.count()) == ("active", None, 1)
    assert not Cohort.objects.filter(name="Mine now").exists() and not SessionSkip.objects.exists()


def test_my_own_programme_cannot_reach_another_ones_cohort_or_enrolment(organiser_web, organiser, programme, cohort):
    theirs = factories.CohortFactory(programme=factories.ProgrammeFactory(organisers=[factories.OrganiserFactory()]))
    their_member = factories.EnrolmentFactory(cohort=theirs)
    mine_elsewhere = factories.CohortFactory(programme=factories.ProgrammeFactory(organisers=[organiser]))

    assert organiser_web.get(f"/manage/programmes/{programme.pk}/cohorts/{theirs.pk}/").status_code == 404
    # my cohort, but under another of my programmes' addresses
    assert organiser_web.get(f"/manage/programmes/{programme.pk}/cohorts/{mine_elsewhere.pk}/").status_code == 404
    response = organiser_web.post(cohort_url(cohort), {"action": "leave", "enrolment": their_member.pk})
    assert response.status_code == 404
    their_member.refresh_from_db()
    assert their_member.status == "active"


@pytest.mark.parametrize("bad", ["abc", "0", "-1", str(2**64), ""])
def test_bad_posted_ids_are_404(organiser_web, cohort, bad):
    assert organiser_web.post(cohort_url(cohort), {"action": "leave", "enrolment": bad}).status_code == 404
    assert organiser_web.post(cohort_url(cohort), {"action": "mentor", "chosen": bad}).status_code == 404


# --- language and time ----------------------------------------------------------------------------


def test_pages_in_azerbaijani_with_dates_written_the_one_way(organiser_web, programme, cohort, future):
    """Dates go through events.when (the day filter, card_when), so they read as every list does."""
    organiser_web.cookies["django_language"] = "az"
    factories.EnrolmentFactory(cohort=cohort, name="Aynur Rzayeva")
    # one session over: the programme page offers its certificates then
    session(future[0].series, (timezone.now() - dt.timedelta(days=3)).replace(microsecond=0))
    programme.starts_on = dt.date(2026, 9, 1)  # a day of its own, to read its Azerbaijani month
    programme.save(update_fields=["starts_on"])

    listing = organiser_web.get("/manage/programmes/").content.decode()
    detail = organiser_web.get(f"/manage/programmes/{programme.pk}/").content.decode()
    members = organiser_web.get(cohort_url(cohort)).content.decode()

    assert "Yeni proqram" in listing and "1 sentyabr 2026" in listing
    assert "Hüququ olan hər kəsə sertifikat verin" in detail and "Yeni qrup" in detail
    assert "Qrupdan çıxarın" in members and "Növbəti görüş" in members
    # the two ways to enrol, side by side, alike and polite (not "... qoş"; "Qoşun" alone reads "Join")
    assert "Kimisə qrupa əlavə edin" in members and "Siyahı ilə qrupa əlavə edin" in members
    assert "Siyahını qrupa əlavə edin" in members and "qoş<" not in members
    assert "1 aktiv üzv" not in members and "Aktiv üzvlər" in members


def test_the_next_session_is_written_as_lists_write_it(organiser_web, cohort, future):
    html = organiser_web.get(cohort_url(cohort)).content.decode()

    assert card(future[0]) in html


# --- a pasted list, enrolled in the background ----------------------------------------------------


LIST = """Aysel Aliyeva, aysel@example.org
Leyla Mammadova; LEYLA@example.org

no email here
Rashad, Mammadov, not-an-address
Aysel again, aysel@example.org
Nigar Guliyeva\tnigar@example.org
"""


def test_a_pasted_list_is_enrolled_in_the_background_with_each_bad_line_refused(
    organiser_web, cohort, future, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = organiser_web.post(cohort_url(cohort), {"action": "enrol_list", "lines": LIST})

    # the request only stores the list: nobody is enrolled before the job runs
    assert response.status_code == 302 and response["Location"] == cohort_url(cohort) + "#lists"
    assert not Enrolment.objects.exists() and len(queued) == 1

    with django_capture_on_commit_callbacks(execute=True):
        queued[0]()  # the job (django-q2 in sync mode)

    emails = sorted(Enrolment.objects.filter(cohort=cohort).values_list("email", flat=True))
    assert emails == ["aysel@example.org", "leyla@example.org", "nigar@example.org"]
    assert Registration.objects.filter(source="cohort").count() == 3 * len(future)
    html = organiser_web.get(cohort_url(cohort)).content.decode()
    assert "Done: 3 people enrolled" in html and "3 lines refused" in html
    assert "Line 4 (“no email here”): Write it as: Name, email." in html
    assert "Line 5 (“Rashad, Mammadov, not-an-address”): This is not an email address." in html
    assert "Line 6 (“Aysel again, aysel@example.org”): The same email is on an earlier line." in html


def test_addresses_copied_from_a_mail_program_are_enrolled_with_their_names(
    organiser_web, cohort, future, django_capture_on_commit_callbacks
):
    # "Name <email>" is how Gmail or Outlook copies its recipients, a list of them comma-separated
    pasted = 'Leyla Məmmədova <Leyla@example.org>,\n"Nigar Əliyeva" <nigar@example.org>;\n<nobody@example.org>\n'

    with django_capture_on_commit_callbacks(execute=True):
        organiser_web.post(cohort_url(cohort), {"action": "enrol_list", "lines": pasted})

    enrolled = sorted(Enrolment.objects.filter(cohort=cohort).values_list("name", "email"))
    assert enrolled == [("Leyla Məmmədova", "leyla@example.org"), ("Nigar Əliyeva", "nigar@example.org")]
    html = organiser_web.get(cohort_url(cohort)).content.decode()
    assert "Line 3 (“&lt;nobody@example.org&gt;”): Write it as: Name, email." in html


def test_a_long_list_goes_a_batch_a_run_and_twice_run_enrols_once(cohort, django_capture_on_commit_callbacks):
    from programmes import enrolment_lists, tasks

    text = "\n".join(f"Mentee {number}, mentee{number}@example.org" for number in range(45))
    with django_capture_on_commit_callbacks(execute=False):
        listed = enrolment_lists.queue_enrolment_list(cohort=cohort, text=text)

    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        assert tasks.enrol_from_list(listed.pk) == enrolment_lists.BATCH
    # besides the sending of each person's cohort_enrolled message, the list's next run
    sending = "_send_after_commit.<locals>.hand_out"
    next_runs = [callback for callback in after_commit if getattr(callback, "__qualname__", "") != sending]
    assert len(next_runs) == 1 and cohort.enrolments.count() == enrolment_lists.BATCH
    assert OutboxMessage.objects.filter(kind="cohort_enrolled").count() == enrolment_lists.BATCH

    with django_capture_on_commit_callbacks(execute=True):
        next_runs[0]()
    listed.refresh_from_db()
    assert (listed.handled, listed.enrolled, listed.rows) == (45, 45, [])
    assert listed.finished_at is not None
    assert tasks.enrol_from_list(listed.pk) == 45  # a finished list: nothing happens again
    assert cohort.enrolments.count() == 45
    assert tasks.enrol_from_list(987654) == 0


def test_a_run_enrols_each_person_in_a_transaction_of_their_own(cohort, future, django_capture_on_commit_callbacks):
    # the batch in one transaction held every session's seats (on SQLite: the whole database)
    # for the length of the batch; now each person's registrations commit on their own
    from django.db import transaction

    from programmes import enrolment_lists

    text = "Aysel Aliyeva, aysel@example.org\nNigar Hasanova, nigar@example.org"
    with django_capture_on_commit_callbacks(execute=False):
        listed = enrolment_lists.queue_enrolment_list(cohort=cohort, text=text)
    depths = []
    enrol = enrolment_lists.services.enrol

    def enrol_and_look(**details):
        depths.append(len(transaction.get_connection().savepoint_ids))
        return enrol(**details)

    enrolment_lists.services.enrol = enrol_and_look
    try:
        with django_capture_on_commit_callbacks(execute=True):
            enrolment_lists.enrol_next(enrolment_list=listed)
    finally:
        enrolment_lists.services.enrol = enrol
    outer = len(transaction.get_connection().savepoint_ids)
    # inside the test's own transaction: only the person's savepoint, never the batch's too
    assert depths == [outer + 1, outer + 1]
    assert cohort.enrolments.count() == 2


def test_a_batch_another_run_recorded_meanwhile_is_not_counted_again(cohort, django_capture_on_commit_callbacks):
    from programmes import enrolment_lists
    from programmes.models import EnrolmentList

    with django_capture_on_commit_callbacks(execute=False):
        listed = enrolment_lists.queue_enrolment_list(cohort=cohort, text="Aysel Aliyeva, aysel@example.org")
    enrol = enrolment_lists._enrol_row

    def a_second_run_finishes_first(list_, row):
        outcome = enrol(list_, row)
        EnrolmentList.objects.filter(pk=list_.pk).update(handled=1, enrolled=1, finished_at=timezone.now(), rows=[])
        return outcome

    enrolment_lists._enrol_row = a_second_run_finishes_first
    try:
        enrolment_lists.enrol_next(enrolment_list=listed)
    finally:
        enrolment_lists._enrol_row = enrol

    listed.refresh_from_db()
    assert (listed.handled, listed.enrolled, listed.already) == (1, 1, 0)


def test_the_periodic_tidy_moves_on_a_stalled_list_and_deletes_lists_finished_long_ago(
    cohort, django_capture_on_commit_callbacks
):
    from programmes import enrolment_lists, tasks
    from programmes.models import EnrolmentList

    with django_capture_on_commit_callbacks(execute=False):
        stalled = enrolment_lists.queue_enrolment_list(cohort=cohort, text="Aysel Aliyeva, aysel@example.org")
        moving = enrolment_lists.queue_enrolment_list(cohort=cohort, text="Nigar Hasanova, nigar@example.org")
        old = enrolment_lists.queue_enrolment_list(cohort=cohort, text="no email here")
        recent = enrolment_lists.queue_enrolment_list(cohort=cohort, text="still no email")
    now = timezone.now()
    EnrolmentList.objects.filter(pk=stalled.pk).update(touched_at=now - dt.timedelta(minutes=6))
    EnrolmentList.objects.filter(pk=old.pk).update(finished_at=now - dt.timedelta(days=31))
    EnrolmentList.objects.filter(pk=recent.pk).update(finished_at=now - dt.timedelta(days=29))

    with django_capture_on_commit_callbacks(execute=True):
        outcome = tasks.tidy_enrolment_lists()

    assert outcome == {"resumed": 1, "deleted": 1}
    assert list(cohort.enrolments.values_list("email", flat=True)) == ["aysel@example.org"]
    assert sorted(EnrolmentList.objects.values_list("pk", flat=True)) == sorted([stalled.pk, moving.pk, recent.pk])
    assert EnrolmentList.objects.get(pk=moving.pk).finished_at is None  # its own job is on its way


def test_someone_already_in_the_cohort_is_counted_not_enrolled_twice(cohort, django_capture_on_commit_callbacks):
    from programmes import enrolment_lists

    factories.EnrolmentFactory(cohort=cohort, email="aysel@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        listed = enrolment_lists.queue_enrolment_list(cohort=cohort, text="Aysel Aliyeva, aysel@example.org")

    listed.refresh_from_db()
    assert (listed.enrolled, listed.already, listed.refused) == (0, 1, [])
    assert cohort.enrolments.count() == 1


def test_a_refusal_by_the_service_stops_only_its_line(cohort, django_capture_on_commit_callbacks):
    from programmes import enrolment_lists

    text = f"{'A' * 199}, long@example.org\nAysel Aliyeva, aysel@example.org"
    with django_capture_on_commit_callbacks(execute=False):
        listed = enrolment_lists.queue_enrolment_list(cohort=cohort, text=text)
    # a row the model refuses although the page read it (an email longer than the field)
    listed.rows[0]["email"] = "x" * 250 + "@example.org"
    listed.save()

    with django_capture_on_commit_callbacks(execute=True):
        enrolment_lists.enrol_next(enrolment_list=listed)

    listed.refresh_from_db()
    assert listed.enrolled == 1 and [refusal["line"] for refusal in listed.refused] == [1]
    assert list(cohort.enrolments.values_list("email", flat=True)) == ["aysel@example.org"]


def test_an_empty_list_is_a_form_error(organiser_web, cohort):
    response = organiser_web.post(cohort_url(cohort), {"action": "enrol_list", "lines": "   \n  "})

    assert response.status_code == 400
    assert not cohort.enrolment_lists.exists()


def test_another_organiser_cannot_paste_a_list(stranger_web, cohort):
    response = stranger_web.post(cohort_url(cohort), {"action": "enrol_list", "lines": "Intruder, i@example.org"})

    assert response.status_code == 404 and not cohort.enrolment_lists.exists()


def test_a_full_page_of_members_with_thirty_mentors_stays_small(organiser_web, cohort, django_assert_max_num_queries):
    """30 mentors and 50 cards: one mentor list for the page, not one per card (which weighed 180 KB
    of the 200 KB every page may have)."""
    for number in range(30):
        factories.SpeakerFactory(name=f"Mentor Abdullayeva-Mammadzada {number}", roles=["mentor"])
    for number in range(60):
        factories.EnrolmentFactory(cohort=cohort, name=f"Mentee {number}", email=f"mentee.name{number}@example.org")

    with django_assert_max_num_queries(25):
        response = organiser_web.get(cohort_url(cohort))

    assert len(response.content) < 100 * 1024


@pytest.mark.parametrize("value", ["99999999999999999999", "0", "-1", "1e400", "x" * 300])
def test_ids_out_of_range_are_a_form_error_not_a_500(organiser_web, programme, value):
    """SQLite cannot hold an id past 2**63: an ``in`` lookup with one used to raise OverflowError."""
    fields = {"title": "T", "starts_on": "2027-01-01", "ends_on": "2027-02-01", "threshold_percent": "70"}

    created = organiser_web.post("/manage/programmes/new/", {**fields, "series": value})
    edited = organiser_web.post(f"/manage/programmes/{programme.pk}/", {**fields, "action": "edit", "series": value})
    cohort = organiser_web.post(
        f"/manage/programmes/{programme.pk}/", {"action": "cohort", "name": "C", "series": value}
    )
    added = organiser_web.post(f"/manage/programmes/{programme.pk}/", {"action": "add_event", "event": value})
    removed = organiser_web.post(f"/manage/programmes/{programme.pk}/", {"action": "remove_event", "event": value})

    assert (created.status_code, edited.status_code, cohort.status_code) == (400, 400, 400)
    assert (added.status_code, removed.status_code) == (404, 404)


def test_a_pasted_line_with_an_invisible_name_is_refused_at_once_in_words():
    from programmes import enrolment_lists

    rows, refused = enrolment_lists.read_lines("\u200b\u202e, leyla@example.org\n\u202eNigar\u200b, nigar@example.org")

    assert [(row["name"], row["email"]) for row in rows] == [("Nigar", "nigar@example.org")]
    assert [(refusal["line"], refusal["code"]) for refusal in refused] == [(1, "not_name_and_email")]


def test_a_member_ticked_many_times_is_paired_once_in_a_few_queries(
    organiser_web, cohort, mentor, django_assert_max_num_queries
):
    # a crafted form repeating one id (up to Django's 1,000 fields) paired and logged it each time
    from events.models import ActionLogEntry

    enrolment = factories.EnrolmentFactory(cohort=cohort, name="Aynur Rzayeva")

    with django_assert_max_num_queries(40):
        organiser_web.post(
            cohort_url(cohort), {"action": "mentor", "chosen": [enrolment.pk] * 300, "mentor": mentor.pk}
        )

    page = organiser_web.get(cohort_url(cohort))
    assert "Aynur Rzayeva is paired with Nigar Aliyeva." in shown(page)
    assert ActionLogEntry.objects.filter(action="enrolment.mentor_assigned").count() == 1


def test_a_programme_title_or_cohort_name_of_only_invisible_characters_is_a_form_error(organiser_web, programme):
    # a card whose link had nothing to read or press, as event titles were before
    new = organiser_web.post(
        "/manage/programmes/new/",
        {"title": "\u200b\u202e", "starts_on": "2027-01-01", "ends_on": "2027-06-30", "threshold_percent": 70},
    )
    cohort = organiser_web.post(f"/manage/programmes/{programme.pk}/", {"action": "cohort", "name": "\u200b \u2066"})

    assert new.status_code == 400 and new.context["form"].errors["title"] == ["Give a title people can read."]
    assert (
        cohort.status_code == 400 and "Give a name people can read." in cohort.context["cohort_form"].non_field_errors()
    )
    assert list(Programme.objects.all()) == [programme] and not Cohort.objects.exists()


@pytest.mark.parametrize("language", ["en", "az"])
def test_a_draft_to_add_is_marked_beside_its_published_copy(organiser_web, organiser, programme, language):
    """A draft and a published event of the same title and time read alike in the list to add
    and in the programme's events, Add buttons and all: the draft is marked "Draft"."""
    start = timezone.now() + dt.timedelta(days=5)
    draft = factories.EventFactory(title="Robotics day", organisers=[organiser], start=start, status="draft")
    published = factories.EventFactory(title="Robotics day", organisers=[organiser], start=start)
    url = f"/manage/programmes/{programme.pk}/"
    words = {"en": "Draft", "az": "Qaralama"}[language]

    found = organiser_web.get(url, {"find": "robotics"}, HTTP_ACCEPT_LANGUAGE=language).text
    choices = found.split('data-testid="add_event-choices"', 1)[1].split("</ul>", 1)[0]
    rows = {int(pk): row for row in choices.split("<li>")[1:] for pk in re.findall(r'name="event" value="(\d+)"', row)}
    programme.events.add(draft)
    held = organiser_web.get(url, HTTP_ACCEPT_LANGUAGE=language).text.split('id="events"', 1)[1]

    assert 'data-status="draft">' in rows[draft.pk] and f"{words}</span>" in rows[draft.pk]
    assert f" · {words}</span></button>" in rows[draft.pk]
    assert "data-status" not in rows[published.pk]
    assert 'data-status="draft">' in held.split("</ul>", 1)[0]


def test_one_off_events_are_found_by_title_added_and_taken_out(organiser_web, organiser, programme):
    now = timezone.now()
    programme.starts_on, programme.ends_on = (timezone.localdate() - dt.timedelta(days=365), timezone.localdate())
    programme.save()
    old = factories.EventFactory(
        title="Webinar ten months ago", organisers=[organiser], start=now - dt.timedelta(days=300)
    )
    # before the programme's first day: not offered
    factories.EventFactory(title="Webinar two years ago", organisers=[organiser], start=now - dt.timedelta(days=730))
    recent = factories.EventFactory(
        title="Webinar last month", organisers=[organiser], start=now - dt.timedelta(days=30)
    )
    factories.EventFactory(title="Open day", organisers=[organiser], start=now - dt.timedelta(days=3))
    factories.EventFactory(title="Webinar called off", organisers=[organiser], status="cancelled")
    factories.EventFactory(title="Webinar of theirs", organisers=[factories.OrganiserFactory()])
    url = f"/manage/programmes/{programme.pk}/"

    found = organiser_web.get(url, {"find": "webinar"})

    # my one-off events within the programme's dates whose title has "webinar", newest first;
    # cancelled, others' and those outside its dates are not offered
    assert [choice.label.split(" · ")[0] for choice in found.context["found"].choices] == [
        "Webinar last month",
        "Webinar ten months ago",
    ]
    assert 'name="action" value="add_event"' in found.text and "Webinar called off" not in found.text

    added = organiser_web.post(url, {"action": "add_event", "event": old.pk, "find": "webinar", "page": "1"})

    assert added.status_code == 302 and added["Location"] == f"{url}?find=webinar#events"
    assert list(programme.events.all()) == [old]
    page = organiser_web.get(added["Location"])
    assert "“Webinar ten months ago” is in the programme now." in shown(page)
    assert [event.title for event in page.context["held_events"]] == ["Webinar ten months ago"]
    # what the programme holds is not offered again
    assert [choice.pk for choice in page.context["found"].choices] == [recent.pk]
    # adding it twice (a second click) changes nothing
    assert organiser_web.post(url, {"action": "add_event", "event": old.pk}).status_code == 302
    assert list(programme.events.all()) == [old]

    removed = organiser_web.post(url, {"action": "remove_event", "event": old.pk})

    assert removed.status_code == 302 and removed["Location"] == f"{url}#events"
    assert not programme.events.exists()
    assert "“Webinar ten months ago” is taken out of the programme." in shown(organiser_web.get(url))


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", "Only events starting within the programme's dates are found"),
     ("az", "Yalnız proqramın tarixləri daxilində başlayan tədbirlər tapılır")],
)  # fmt: skip
def test_the_event_search_says_events_outside_the_programme_dates_are_not_found(
    organiser_web, programme, language, said
):
    # an organiser whose event was missing from the search could not tell why
    organiser_web.cookies["django_language"] = language

    page = html.unescape(organiser_web.get(f"/manage/programmes/{programme.pk}/").content.decode())

    assert said in page


def test_an_event_outside_the_programme_dates_is_not_offered_nor_added(organiser_web, organiser, programme):
    # a programme of September to May: a December event of the year before is not one of its days
    programme.starts_on, programme.ends_on = dt.date(2026, 9, 1), dt.date(2027, 5, 31)
    programme.save(update_fields=["starts_on", "ends_on"])
    before = factories.EventFactory(
        title="Winter school",
        organisers=[organiser],
        start=timezone.make_aware(dt.datetime(2025, 12, 10, 10)),
        end=timezone.make_aware(dt.datetime(2025, 12, 10, 12)),
    )
    url = f"/manage/programmes/{programme.pk}/"

    assert organiser_web.get(url, {"find": "winter"}).context["found"].choices == []
    added = organiser_web.post(url, {"action": "add_event", "event": before.pk})

    assert added.status_code == 302 and not programme.events.exists()
    assert "“Winter school” does not start within the programme's dates (1 Sep 2026 to 31 May 2027)." in shown(
        organiser_web.get(url)
    )


def test_one_off_events_of_others_or_of_a_series_are_not_added_and_theirs_stay(
    organiser_web, organiser, programme, series
):
    url = f"/manage/programmes/{programme.pk}/"
    theirs = factories.EventFactory(title="Their fair", organisers=[factories.OrganiserFactory()])
    occurrence = session(series, timezone.now() + dt.timedelta(days=3))

    assert organiser_web.post(url, {"action": "add_event", "event": theirs.pk}).status_code == 404
    assert organiser_web.post(url, {"action": "add_event", "event": occurrence.pk}).status_code == 302
    assert "A session of a series comes with its series" in shown(organiser_web.get(url))
    assert not programme.events.exists()

    # a co-organiser's event in the programme is listed, but not mine to take out
    programme.events.add(theirs)
    page = organiser_web.get(url)
    assert [event.title for event in page.context["held_events"]] == ["Their fair"]
    assert 'value="remove_event"' not in page.text
    assert organiser_web.post(url, {"action": "remove_event", "event": theirs.pk}).status_code == 302
    assert list(programme.events.all()) == [theirs]
    assert "You can take out only events you organise." in shown(organiser_web.get(url))


def test_one_off_events_cannot_be_added_to_another_organisers_programme(stranger_web, organiser, programme):
    mine = factories.EventFactory(title="Open day", organisers=[organiser])
    url = f"/manage/programmes/{programme.pk}/"

    assert stranger_web.post(url, {"action": "add_event", "event": mine.pk}).status_code == 404
    assert not programme.events.exists()


def test_a_programme_page_stays_small_with_thousands_of_one_off_events(
    organiser_web, organiser, programme, django_assert_max_num_queries
):
    """2,500 one-off events a year were 2,900 checkboxes, 400 KB: now at most a page of those held
    and 20 to add, whatever the number."""

    events = _outreach_visits(organiser, start=timezone.now() - dt.timedelta(days=300), every_hours=2)
    programme.events.add(*events[:1500])
    url = f"/manage/programmes/{programme.pk}/"

    with django_assert_max_num_queries(30):
        page = organiser_web.get(url)

    assert page.status_code == 200 and len(page.content) < 200 * 1024
    assert len(page.context["held_events"]) == 25 and page.context["held_events"].paginator.count == 1500
    assert len(page.context["found"].choices) == 20 and page.context["found"].more
    assert "Only the first 20 are shown" in page.text
    # a search finds one among thousands; adding and taking out work at this volume too
    wanted = events[2999]
    found = organiser_web.get(url, {"find": "number 2999 "})
    assert [choice.pk for choice in found.context["found"].choices] == [wanted.pk]
    assert len(found.content) < 200 * 1024
    organiser_web.post(url, {"action": "add_event", "event": wanted.pk, "find": "number 2999"})
    assert programme.events.count() == 1501
    last_page = organiser_web.get(url, {"page": 60})
    assert "Pages of the programme" in last_page.text and len(last_page.context["held_events"]) == 25
    organiser_web.post(url, {"action": "remove_event", "event": events[0].pk, "page": "60"})
    assert programme.events.count() == 1500 and not programme.events.filter(pk=events[0].pk).exists()


def test_one_off_events_section_in_azerbaijani(organiser_web, organiser, programme):
    factories.EventFactory(title="Open day", organisers=[organiser])

    page = organiser_web.get(f"/manage/programmes/{programme.pk}/", HTTP_ACCEPT_LANGUAGE="az").text

    for words in ("Birdəfəlik tədbirlər", "Tədbirlərinizdən birini tapın", "Əlavə edin"):
        assert words in page


def test_enrolling_in_a_cohort_without_sessions_to_come_says_when_they_will_be_registered(organiser_web, cohort):
    response = organiser_web.post(
        cohort_url(cohort), {"action": "enrol", "name": "Aynur Rzayeva", "email": "aynur@example.org"}, follow=True
    )

    assert "registered for the sessions still to come" not in shown(response)
    assert "The cohort has no published session to come yet" in shown(response)
    assert cohort.enrolments.count() == 1


def test_one_members_certificate_is_issued_refused_in_words_and_revoked_from_the_cohort_page(
    organiser_web, cohort, series, django_capture_on_commit_callbacks
):
    held = session(series, (timezone.now() - dt.timedelta(days=14)).replace(microsecond=0))
    good = factories.EnrolmentFactory(cohort=cohort, name="Aysel Aliyeva")
    weak = factories.EnrolmentFactory(cohort=cohort, name="Nigar Hasanova")
    record(held, good.email, "attended")
    record(held, weak.email, "no_show")

    with django_capture_on_commit_callbacks(execute=True):
        issued = organiser_web.post(cohort_url(cohort), {"action": "certificate", "enrolment": good.pk}, follow=True)
        refused = organiser_web.post(cohort_url(cohort), {"action": "certificate", "enrolment": weak.pk}, follow=True)

    assert "Aysel Aliyeva has a certificate; it is emailed to them." in shown(issued)
    assert "below the programme's 70% threshold" in shown(refused)
    assert list(Certificate.objects.values_list("enrolment_id", flat=True)) == [good.pk]
    assert len(mail.outbox) == 1
    page = organiser_web.get(cohort_url(cohort)).text
    assert "Certificate issued" in page and "Revoke the certificate" in page

    revoked = organiser_web.post(
        cohort_url(cohort), {"action": "revoke", "enrolment": good.pk, "reason": "Attendance typed wrong"}, follow=True
    )

    certificate = Certificate.objects.get()
    assert certificate.revoked_at is not None and certificate.revoked_reason == "Attendance typed wrong"
    assert "The certificate of Aysel Aliyeva is revoked" in shown(revoked)
    again = organiser_web.post(cohort_url(cohort), {"action": "revoke", "enrolment": good.pk}, follow=True)
    assert "Aysel Aliyeva has no valid certificate to revoke." in shown(again)


def test_another_organiser_cannot_issue_or_revoke_a_members_certificate(stranger_web, cohort):
    member = factories.EnrolmentFactory(cohort=cohort)

    for action in ("certificate", "revoke"):
        assert stranger_web.post(cohort_url(cohort), {"action": action, "enrolment": member.pk}).status_code == 404
    assert not Certificate.objects.exists()


def test_the_hint_about_having_no_series_stands_under_the_series_field(client):
    # it stood under the one-off events, as if it were about them
    newcomer = signed_in(client, factories.OrganiserFactory(username="newcomer"))

    page = newcomer.get("/manage/programmes/new/").text

    assert page.index('id="id_series"') < page.index("You organise no series yet") < page.index("Create the programme")


def test_a_refusal_the_job_wrote_down_is_said_in_the_readers_language():
    # the job ran in the worker's language and kept its words; the page says it in the reader's
    from django.utils import translation

    from programmes.enrolment_lists import refusal_reason

    refusal = {"line": 3, "text": "\u200b", "code": "name_required", "message": "Give the participant's name."}

    with translation.override("az"):
        said = refusal_reason(refusal)

    assert said == "İştirakçının adını yazın."


def test_a_member_who_left_is_offered_no_certificate_and_refused_one_in_words(
    organiser_web, cohort, series, django_capture_on_commit_callbacks
):
    """The card offered "Issue a certificate" to someone who left after one session (100%)."""
    held = session(series, (timezone.now() - dt.timedelta(days=14)).replace(microsecond=0))
    left = factories.EnrolmentFactory(cohort=cohort, name="Aysel Aliyeva")
    record(held, left.email, "attended")
    services.leave_cohort(enrolment=left)

    page = organiser_web.get(cohort_url(cohort)).text
    with django_capture_on_commit_callbacks(execute=True):
        refused = organiser_web.post(cohort_url(cohort), {"action": "certificate", "enrolment": left.pk}, follow=True)

    card = page[page.index('data-status="left"') :]
    assert 'value="certificate"' not in card[: card.index("</li>")]
    assert "The participant has left the cohort" in shown(refused)
    assert not Certificate.objects.exists() and not mail.outbox


def test_a_member_who_left_keeps_the_certificate_issued_before_and_it_can_be_revoked(organiser_web, cohort, series):
    held = session(series, (timezone.now() - dt.timedelta(days=14)).replace(microsecond=0))
    left = factories.EnrolmentFactory(cohort=cohort, name="Aysel Aliyeva")
    record(held, left.email, "attended")
    certificate = certificates.issue_certificate(enrolment=left)
    services.leave_cohort(enrolment=left)

    page = organiser_web.get(cohort_url(cohort)).text

    assert "Revoke the certificate" in page
    assert certificates.issue_certificate(enrolment=left) == certificate


# --- excusing a member from a session -------------------------------------------------------------


def card_of(response, name: str) -> str:
    """The HTML of the member card that names ``name`` (without the messages a button on it left
    there, whose list items would end it early)."""
    page = re.sub(r'<div role="(?:alert|status)"><ul class="messages">.*?</ul></div>', "", response.content.decode())
    cards = page.split('data-testid="enrolment" ')[1:]
    return next(html[: html.index("</li>")] for html in cards if name in html[: html.index("</li>")])


def test_a_member_is_excused_from_a_session_and_registered_again_from_their_card(
    organiser_web, cohort, future, django_capture_on_commit_callbacks
):
    """The API's skip, on the member's card: through the same service, back to the search and page
    the organiser was on; and taken back when they can come after all."""
    from events.models import ActionLogEntry

    for number in range(55):
        factories.EnrolmentFactory(cohort=cohort, name=f"Aynur {number:02}", email=f"aynur{number}@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        organiser_web.post(
            cohort_url(cohort), {"action": "enrol", "name": "Aynur Zeynalova", "email": "az@example.org"}
        )
    member = Enrolment.objects.get(email="az@example.org")
    listed = organiser_web.get(cohort_url(cohort, "?q=aynur&page=2"))
    # the card links to itself with the form open, keeping the search and the page
    opens = f'href="?q=aynur&amp;page=2&amp;excuse={member.pk}"'
    assert opens in card_of(listed, "Aynur Zeynalova") and "<select" not in card_of(listed, "Aynur Zeynalova")
    page = organiser_web.get(cohort_url(cohort, f"?q=aynur&page=2&excuse={member.pk}"))
    assert page.context["back"] == "q=aynur&page=2"
    card_html = card_of(page, "Aynur Zeynalova")
    options = re.findall(r'<option value="(\d+)">', card_html)
    assert [int(value) for value in options] == [event.pk for event in future]

    with django_capture_on_commit_callbacks(execute=True):
        skipped = organiser_web.post(
            cohort_url(cohort),
            {
                "action": "skip",
                "enrolment": member.pk,
                "event": future[1].pk,
                "reason": "Exam",
                "back": page.context["back"],
            },
        )

    assert skipped.status_code == 302 and skipped["Location"] == cohort_url(
        cohort, f"?q=aynur&page=2#member-{member.pk}"
    )
    statuses = dict(Registration.objects.filter(email="az@example.org").values_list("event_id", "status"))
    assert statuses == {future[0].pk: "confirmed", future[1].pk: "cancelled", future[2].pk: "confirmed"}
    after = organiser_web.get(cohort_url(cohort, "?q=aynur&page=2"))
    said = shown(after)
    assert f"Aynur Zeynalova is excused from the session of {card(future[1])}" in said
    assert f"Excused from the session of {card(future[1])}" in card_of(after, "Aynur Zeynalova")
    opened = organiser_web.get(cohort_url(cohort, f"?q=aynur&page=2&excuse={member.pk}"))
    options = re.findall(r'<option value="(\d+)">', card_of(opened, "Aynur Zeynalova"))
    assert [int(value) for value in options] == [future[0].pk, future[2].pk]

    with django_capture_on_commit_callbacks(execute=True):
        undone = organiser_web.post(
            cohort_url(cohort),
            {"action": "undo_skip", "enrolment": member.pk, "event": future[1].pk, "back": "q=aynur&page=2"},
            follow=True,
        )

    assert "Aynur Zeynalova is no longer excused from the session" in shown(undone)
    assert Registration.objects.get(email="az@example.org", event=future[1], status="confirmed")
    assert not member.skips.exists()
    assert list(ActionLogEntry.objects.filter(action__startswith="enrolment.s").values_list("action", flat=True)) == [
        "enrolment.skip_undone",
        "enrolment.session_skipped",
    ]


def test_excusing_from_a_started_session_is_refused_in_words(organiser_web, cohort, series):
    held = session(series, (timezone.now() - dt.timedelta(hours=1)).replace(microsecond=0))
    member = factories.EnrolmentFactory(cohort=cohort, name="Aysel Aliyeva")

    response = organiser_web.post(
        cohort_url(cohort), {"action": "skip", "enrolment": member.pk, "event": held.pk}, follow=True
    )

    assert "A session that has started cannot be skipped." in shown(response)
    assert not member.skips.exists()


def test_excusing_is_only_for_the_cohorts_sessions_and_members(organiser_web, cohort, future):
    member = factories.EnrolmentFactory(cohort=cohort)
    elsewhere = factories.EventFactory(start=future[0].start)
    theirs = factories.EnrolmentFactory(
        cohort=factories.CohortFactory(programme=factories.ProgrammeFactory(organisers=[factories.OrganiserFactory()]))
    )

    for action in ("skip", "undo_skip"):
        assert (
            organiser_web.post(
                cohort_url(cohort), {"action": action, "enrolment": member.pk, "event": future[0].pk}
            ).status_code
            == 302
        )
        assert (
            organiser_web.post(
                cohort_url(cohort), {"action": action, "enrolment": member.pk, "event": elsewhere.pk}
            ).status_code
            == 404
        )
        assert (
            organiser_web.post(
                cohort_url(cohort), {"action": action, "enrolment": theirs.pk, "event": future[0].pk}
            ).status_code
            == 404
        )
        assert (
            organiser_web.post(cohort_url(cohort), {"action": action, "enrolment": member.pk, "event": "x"}).status_code
            == 404
        )
    assert not member.skips.exists()
    assert not SessionSkip.objects.exclude(enrolment=member).exists()


def test_excusing_a_member_in_azerbaijani(organiser_web, cohort, future):
    organiser_web.cookies["django_language"] = "az"
    member = factories.EnrolmentFactory(cohort=cohort, name="Aynur Rzayeva")
    organiser_web.post(cohort_url(cohort), {"action": "skip", "enrolment": member.pk, "event": future[0].pk})

    page = organiser_web.get(cohort_url(cohort))

    assert f"Aynur Rzayeva {card(future[0])} görüşündən azad edildi" in shown(page)
    html = page.content.decode()
    assert "Görüşə gələ bilməyəcək" in html and "Yenidən qeydiyyata alın" in html
    assert "Cannot come to a session" not in html and "Register them again" not in html


def test_a_full_page_of_members_and_a_years_sessions_stays_small(
    organiser_web, cohort, series, django_assert_max_num_queries
):
    """A year's sessions listed in each of 50 cards weighed more than the page may (200 KB with its
    stylesheet): only the card asked for (?excuse=) lists them."""
    first = (timezone.now() + dt.timedelta(days=3)).replace(microsecond=0)
    for index in range(17):
        session(series, first + dt.timedelta(days=14 * index))
    for number in range(30):
        factories.SpeakerFactory(name=f"Mentor Abdullayeva-Mammadzada {number}", roles=["mentor"])
    for number in range(60):
        factories.EnrolmentFactory(
            cohort=cohort, name=f"Mentee Abdullayeva-Mammadzada {number}", email=f"mentee.name{number}@example.org"
        )
    excused = cohort.enrolments.order_by("name", "id")[3]

    with django_assert_max_num_queries(25):
        response = organiser_web.get(cohort_url(cohort, f"?excuse={excused.pk}"))

    html = response.content.decode()
    cards = html[html.index('data-testid="enrolments"') :]
    assert html.count('name="event"') == 1 and cards[: cards.index("</ul>")].count("<option value=") == 17
    assert len(response.content) < 150 * 1024


def test_a_field_the_model_refused_in_the_job_is_said_in_the_readers_language(
    organiser_web, cohort, django_capture_on_commit_callbacks
):
    """The job runs in the worker's language: a model's refusal (code ``invalid``) kept its words.
    It keeps the field, code and parameters now, and each reader reads it in their language."""
    from django.utils import translation

    from programmes import enrolment_lists

    with django_capture_on_commit_callbacks(execute=False):
        listed = enrolment_lists.queue_enrolment_list(cohort=cohort, text="Aysel Aliyeva, aysel@example.org")
    long_email = "x" * 250 + "@example.org"  # longer than the field: the page read it, the model refuses it
    listed.rows[0]["email"] = long_email
    listed.save()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        enrolment_lists.enrol_next(enrolment_list=listed)

    listed.refresh_from_db()
    assert listed.refused == [
        {
            "line": 1,
            "text": "Aysel Aliyeva",
            "code": "invalid",
            "errors": [
                {
                    "field": "email",
                    "code": "max_length",
                    "params": {"limit_value": 254, "show_value": 262, "value": long_email},
                }
            ],
        }
    ]
    english = organiser_web.get(cohort_url(cohort)).content.decode()
    organiser_web.cookies["django_language"] = "az"
    azerbaijani = organiser_web.get(cohort_url(cohort)).content.decode()

    assert "Email: Ensure this value has at most 254 characters (it has 262)." in english
    assert "E-poçt: Bu dəyərin ən çox 254 simvol olduğuna əmin olun (262 simvol var)" in azerbaijani
    assert "Ensure this value" not in azerbaijani


def test_a_refusal_with_a_code_nobody_wrote_words_for_is_still_in_the_readers_language():
    import inspect

    from django.utils import translation

    from programmes import enrolment_lists, services
    from programmes.enrolment_lists import refusal_reason

    # every code the enrolment service refuses with has words; another says its code in a sentence
    raised = set(re.findall(r'Error\([^()]*(?:\([^()]*\))?[^()]*,\s*"(\w+)"\)', inspect.getsource(services.enrol)))
    assert raised and raised <= set(enrolment_lists.REFUSALS)

    with translation.override("az"):
        said = [
            refusal_reason({"line": 1, "text": "x", "code": "something_new"}),
            refusal_reason(
                {"line": 1, "code": "invalid", "errors": [{"field": "__all__", "code": "odd", "params": {}}]}
            ),
        ]

    assert said == ["Qrupa qoşulma rədd edildi (something_new).", "Qrupa qoşulma rədd edildi (odd)."]


# --- the members first, on a phone ------------------------------------------------------------------


def test_the_members_come_before_pairing_and_old_lists_are_folded(organiser_web, cohort, mentor):
    """On a phone the organiser reached the members past the pairing form and every refused line
    of the lists pasted that month: pairing now follows the list it ticks, and lists fold a day on."""
    from programmes.models import EnrolmentList

    factories.EnrolmentFactory(cohort=cohort, name="Aynur Rzayeva")
    old = EnrolmentList.objects.create(
        cohort=cohort, refused=[{"line": 1, "text": "x", "code": "bad_email"}], finished_at=timezone.now()
    )
    EnrolmentList.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=2))

    folded = organiser_web.get(cohort_url(cohort)).content.decode()
    EnrolmentList.objects.create(cohort=cohort, rows=[{"line": 1, "name": "A", "email": "a@example.org"}], total=1)
    unfolded = organiser_web.get(cohort_url(cohort)).content.decode()

    assert folded.index('data-testid="enrolments"') < folded.index('id="pair-form"')
    assert '<details class="card" id="lists" data-testid="lists">' in folded
    assert '<details class="card" id="lists" data-testid="lists" open>' in unfolded


def test_a_cohort_whose_sessions_are_drafts_says_so_instead_of_none_planned(organiser_web, cohort, future):
    # a new series is saved as drafts: "Next session: None planned" read as if it had no sessions
    from events.models import Event, EventStatus

    Event.objects.filter(pk__in=[event.pk for event in future]).update(status=EventStatus.DRAFT)

    page = organiser_web.get(cohort_url(cohort)).text
    page_az = organiser_web.get(cohort_url(cohort), HTTP_ACCEPT_LANGUAGE="az").text

    assert "None published yet: 3 sessions are drafts. Members get their seats once they are published." in page
    assert "None planned" not in page
    assert "Hələ dərc edilmiş görüş yoxdur: 3 görüş qaralamadır." in page_az
    Event.objects.filter(pk__in=[event.pk for event in future]).update(status=EventStatus.CANCELLED)
    assert "None planned" in organiser_web.get(cohort_url(cohort)).text


def test_a_co_organiser_is_not_told_of_a_fellow_organisers_draft_sessions(client, organiser, programme, cohort, future):
    # organisers are tenants: a fellow organiser's drafts are their unpublished plan, not even counted
    from events.models import Event, EventStatus

    fellow = factories.OrganiserFactory(username="fellow")
    programme.organisers.add(fellow)
    Event.objects.filter(pk__in=[event.pk for event in future]).update(status=EventStatus.DRAFT, published_at=None)
    future[0].organisers.add(fellow)

    page = signed_in(client, fellow).get(cohort_url(cohort)).text

    assert "None published yet: 1 session is a draft. Members get their seats once it is published." in page
    Event.objects.filter(pk=future[0].pk).update(status=EventStatus.CANCELLED)
    assert "None planned" in signed_in(client, fellow).get(cohort_url(cohort)).text


@pytest.mark.parametrize(
    ("language", "joined", "pasted"),
    [("en", "joined 2 Mar 2026", "Pasted 2 Mar 2026, 13:30"), ("az", "qoşulub: 2 mart 2026", "2 mart 2026, 13:30")],
)
def test_when_a_member_joined_or_a_list_was_pasted_reads_as_every_stamp(
    organiser_web, cohort, language, joined, pasted, django_capture_on_commit_callbacks
):
    # it read "joined Saturday 28 November 2026", an event's date with its weekday, unlike every
    # other "when it was done" (registered, answered, queued: the STAMP formats)
    import datetime as dt

    from programmes.models import EnrolmentList

    moment = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)  # 13:30 in Baku
    factories.EnrolmentFactory(cohort=cohort, name="Aynur Rzayeva", joined_at=moment)
    with django_capture_on_commit_callbacks(execute=False):
        organiser_web.post(cohort_url(cohort), {"action": "enrol_list", "lines": "Nigar, nigar@example.org"})
    EnrolmentList.objects.update(created_at=moment)

    page = organiser_web.get(cohort_url(cohort), HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert joined in page and pasted in page
    assert "Monday 2 March 2026" not in page and "2 mart 2026, bazar ertəsi" not in page


def test_a_whole_programme_cohort_of_thousands_of_events_offers_the_next_sessions_to_excuse_from(
    organiser_web, organiser, programme
):
    """A whole-programme cohort follows every one-off event of its programme, which the page's
    search-and-add can grow to thousands: each was an option of the excuse list (240 KB)."""
    from programmes.manage_pages import SESSIONS_TO_EXCUSE

    events = _outreach_visits(organiser, start=timezone.now() + dt.timedelta(days=1), every_hours=3)
    programme.events.add(*events)
    cohort = factories.CohortFactory(programme=programme, series=None, name="Everyone")
    member = factories.EnrolmentFactory(cohort=cohort, name="Aynur Zeynalova", email="az@example.org")
    # excused, by the API, from a session far past the options: still listed, to take it back
    services.skip_session(enrolment=member, event=events[2999], by=organiser)

    page = organiser_web.get(cohort_url(cohort, f"?excuse={member.pk}"))

    assert page.status_code == 200 and len(page.content) < 200 * 1024
    options = re.findall(r'<option value="(\d+)">', page.text)
    assert [int(value) for value in options] == [event.pk for event in events[:SESSIONS_TO_EXCUSE]]
    assert f'name="event" value="{events[2999].pk}"' in page.text and "Register them again" in page.text


def test_the_programme_form_offers_the_last_years_series_and_those_it_holds(organiser_web, organiser, programme):
    """A box for every series an organiser ever ran grew the form for ever, as the one-off events'
    boxes did: it offers those with a session in the last year or to come (or made this year)."""
    from events.models import Series

    now = timezone.now()
    old, held_old, recent = (
        factories.SeriesFactory(title=title, kind=EventKind.MENTORING_SESSION) for title in ("Old", "Held old", "New")
    )
    for series in (old, held_old, recent):
        series.organisers.add(organiser)
    session(old, now - dt.timedelta(days=700))
    session(held_old, now - dt.timedelta(days=700))
    session(recent, now - dt.timedelta(days=30))
    Series.objects.filter(pk__in=[old.pk, held_old.pk, recent.pk]).update(created_at=now - dt.timedelta(days=800))
    programme.series.add(held_old)

    new_form = organiser_web.get("/manage/programmes/new/")
    edit_form = organiser_web.get(f"/manage/programmes/{programme.pk}/")

    assert list(new_form.context["form"].fields["series"].queryset) == [recent]
    assert list(edit_form.context["form"].fields["series"].queryset) == [held_old, recent]
    # saving keeps what it holds and was offered as ticked; an old series can no longer be ticked in
    response = organiser_web.post(
        f"/manage/programmes/{programme.pk}/",
        {
            "action": "edit",
            "title": programme.title,
            "starts_on": programme.starts_on.isoformat(),
            "ends_on": programme.ends_on.isoformat(),
            "threshold_percent": "70",
            "series": [held_old.pk, recent.pk],
        },
    )
    assert response.status_code == 302
    assert list(programme.series.order_by("title")) == [held_old, recent]
    refused = organiser_web.post(
        "/manage/programmes/new/",
        {"title": "T", "starts_on": "2027-01-01", "ends_on": "2027-02-01", "threshold_percent": "70", "series": old.pk},
    )
    assert refused.status_code == 400
    # with only old series, the organiser is not told they have none
    assert "You organise no series yet" not in new_form.text


def test_only_the_rosters_mentors_are_read_for_a_cohorts_mentor_lists(organiser, cohort, mentor):
    """The roster is every organiser's: it was read whole at each opening of a cohort's page and
    each speaker's roles looked at in Python; now the database picks the mentors."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from programmes import selectors
    from speakers.models import Speaker

    Speaker.objects.bulk_create(
        [Speaker(name=f"Panellist {n}", email=f"p{n}@example.org", roles=["panellist", "trainer"]) for n in range(300)]
    )
    both = factories.SpeakerFactory(name="Aysel Role-model", roles=["role_model", "mentor"])
    unlisted = factories.SpeakerFactory(name="Zaur Unlisted", roles=["mentor"], listed=False)

    with CaptureQueriesContext(connection) as queries:
        mentors = selectors.mentors_for(cohort, user=organiser)

    assert mentors == [both, mentor, unlisted]
    (read,) = [query["sql"] for query in queries if "speakers_speaker" in query["sql"]]
    assert '"roles"' in read and "LIKE" in read.upper()


def test_no_certificate_is_offered_on_a_card_before_the_cohorts_first_session_is_over(
    organiser_web, cohort, series, future
):
    # every card offered "Issue a certificate" while no session had been held: each press was refused
    member = factories.EnrolmentFactory(cohort=cohort, name="Aysel Aliyeva")

    before = organiser_web.get(cohort_url(cohort))
    before_az = organiser_web.get(cohort_url(cohort), HTTP_ACCEPT_LANGUAGE="az").text
    held = session(series, (timezone.now() - dt.timedelta(days=14)).replace(microsecond=0))
    record(held, member.email, "attended")
    after = organiser_web.get(cohort_url(cohort))

    assert 'value="certificate"' not in card_of(before, "Aysel Aliyeva")
    assert "once the cohort's first session is over" in before.text
    assert "Qrupun ilk görüşü başa çatdıqdan sonra" in before_az
    assert 'value="certificate"' in card_of(after, "Aysel Aliyeva")
    assert 'data-testid="certificates-not-yet"' not in after.text


def test_adding_an_event_says_in_azerbaijani_that_it_was_added_not_that_it_was_there_already(
    organiser_web, organiser, programme
):
    # "“…” artıq proqramdadır." reads "is already in the programme", as if the Add had done nothing
    event = factories.EventFactory(title="Careers in data science", organisers=[organiser])
    url = f"/manage/programmes/{programme.pk}/"

    added = organiser_web.post(url, {"action": "add_event", "event": event.pk}, HTTP_ACCEPT_LANGUAGE="az", follow=True)

    assert "“Careers in data science” proqrama əlavə edildi." in added.text
    assert "artıq proqramdadır" not in added.text


def test_a_pasted_lists_answer_is_said_in_the_lists_box_the_page_comes_back_to(organiser_web, cohort, future):
    # sent back to #lists, the phone showed the lists' box and the answer stood at the top, out of view
    response = organiser_web.post(
        cohort_url(cohort), {"action": "enrol_list", "lines": "Nigar, nigar@example.org"}, follow=True
    )
    html = response.content.decode()
    said = "1 person is being enrolled in the background"

    assert response.redirect_chain[-1][0].endswith("#lists")
    assert html.count(said) == 1 and html.index('id="lists"') < html.index(said)


def test_an_empty_cohort_whose_pasted_list_is_at_work_does_not_say_nobody_is_enrolled(organiser_web, cohort, future):
    """The lists' box said "12 people are being enrolled in the background" and the members'
    list under it "Nobody is enrolled yet: enrol someone, or paste a list of people"."""
    response = organiser_web.post(
        cohort_url(cohort), {"action": "enrol_list", "lines": "Nigar, nigar@example.org"}, follow=True
    )
    html = response.content.decode()

    assert "Nobody is enrolled yet" not in html
    assert "The list you pasted is being enrolled: its people appear here as they are enrolled" in html


def _outreach_visits(organiser, *, start, every_hours: int) -> list:
    """3,000 published one-off events of ``organiser``, an hour each, ``every_hours`` apart."""
    from events.models import Event

    events = Event.objects.bulk_create(
        [
            Event(
                title=f"Outreach visit to school number {number} of the Absheron region",
                start=start + dt.timedelta(hours=every_hours * number),
                end=start + dt.timedelta(hours=every_hours * number + 1),
                status="published",
            )
            for number in range(3000)
        ]
    )
    Event.organisers.through.objects.bulk_create(
        [Event.organisers.through(event_id=event.pk, user_id=organiser.pk) for event in events]
    )
    return events
