"""A programme's own action log (the programme, its cohorts, enrolments and certificates) on its
workspace page, the impact report, for the organisers who may see the programme and no one else."""

import datetime as dt
import html

import pytest
from django.utils import timezone

from events.models import ActionLogEntry, Event, EventKind
from events.selectors import ACTION_LOG_LIMIT
from programmes import tasks
from programmes.certificates import revoke_certificate
from programmes.models import Programme
from programmes.selectors import action_log_of_programme
from programmes.services import (
    assign_mentor,
    create_cohort,
    enrol,
    erase_enrolments_of,
    leave_cohort,
    update_programme,
)
from registrations.services.privacy import erase_personal_data
from tests import factories
from tests.programmes.conftest import client_for, record, session

pytestmark = pytest.mark.django_db


def sign_in(client, user):
    user.save()  # the factory sets a password it never saves; the session checks the saved one
    client.force_login(user)
    return client


def organiser_named(first_name, last_name):
    return factories.OrganiserFactory(first_name=first_name, last_name=last_name)


def work_on(programme, by):
    """What an organiser does to a programme: every kind of entry the programme's log holds."""
    update_programme(programme=programme, title=f"{programme.title} (renamed)", by=by)
    cohort = create_cohort(programme=programme, name="Autumn", by=by)
    enrolment = enrol(cohort=cohort, name="Aysel Aliyeva", email=f"aysel.{programme.pk}@example.org", by=by)
    certificate = factories.CertificateFactory(enrolment=enrolment)
    revoke_certificate(certificate=certificate, by=by, reason="Issued by mistake")
    return cohort, enrolment, certificate


@pytest.fixture
def leyla():
    return organiser_named("Leyla", "Huseynova")


@pytest.fixture
def kamran():
    return organiser_named("Kamran", "Mammadov")


def test_programme_log_holds_its_own_cohorts_enrolments_and_certificates_only(leyla, kamran):
    own = factories.ProgrammeFactory(organisers=[leyla])
    other = factories.ProgrammeFactory(organisers=[kamran])
    cohort, enrolment, certificate = work_on(own, leyla)
    work_on(other, kamran)
    series_certificate = factories.CertificateFactory(
        enrolment=None, series=factories.SeriesFactory(), participant_name="Kamal", programme_title="Circle"
    )
    revoke_certificate(certificate=series_certificate, by=kamran)

    log = action_log_of_programme(own)
    entries = [(entry.action, entry.subject_type, entry.subject_id, entry.actor_id) for entry in log.entries]

    assert entries == [
        ("certificate.revoked", "certificate", certificate.pk, leyla.pk),
        ("enrolment.created", "enrolment", enrolment.pk, leyla.pk),
        ("cohort.created", "cohort", cohort.pk, leyla.pk),
        ("programme.changed", "programme", own.pk, leyla.pk),
    ]
    assert ActionLogEntry.objects.filter(actor=kamran).count() == 5  # his are there, on his own programme
    assert log.total == 4 and not log.is_partial


def test_programme_page_shows_its_activity_to_its_organiser(client, leyla, kamran):
    own = factories.ProgrammeFactory(organisers=[leyla])
    other = factories.ProgrammeFactory(organisers=[kamran])
    cohort, enrolment, certificate = work_on(own, leyla)
    work_on(other, kamran)

    page = sign_in(client, leyla).get(f"/programmes/{own.pk}/report/").text

    assert '<section aria-labelledby="action-log" class="no-print">' in page  # the printed report is figures
    assert "Leyla Huseynova changed the programme" in page
    # each subject named as the organiser knows it, read from the record (the log stores no name)
    assert "Leyla Huseynova created a cohort (Autumn)" in page
    assert "Leyla Huseynova enrolled a participant (Aysel Aliyeva in Autumn)" in page
    assert "Leyla Huseynova revoked a certificate (certificate for Aysel Aliyeva)" in page
    assert f"(#{enrolment.pk})" not in page and f"(#{certificate.pk})" not in page
    assert "Kamran" not in page
    assert f"aysel.{own.pk}@example.org" not in page  # a name, never an address
    assert 'data-testid="action-log-partial"' not in page  # all of it is shown


def test_another_organiser_never_sees_a_programmes_activity(client, leyla, kamran):
    own = factories.ProgrammeFactory(organisers=[leyla])
    factories.ProgrammeFactory(organisers=[kamran])
    work_on(own, leyla)

    response = sign_in(client, kamran).get(f"/programmes/{own.pk}/report/")

    assert response.status_code == 404
    assert "Leyla" not in response.text


def test_programme_activity_in_azerbaijani(client, leyla):
    quiet = factories.ProgrammeFactory(organisers=[leyla])
    busy = factories.ProgrammeFactory(organisers=[leyla])
    work_on(busy, leyla)
    sign_in(client, leyla)

    quiet_page = client.get(f"/programmes/{quiet.pk}/report/", headers={"accept-language": "az"}).text
    busy_page = client.get(f"/programmes/{busy.pk}/report/", headers={"accept-language": "az"}).text

    assert "Fəaliyyət" in quiet_page and "Bu proqramla hələ heç nə edilməyib." in quiet_page
    assert "Leyla Huseynova proqramı dəyişdi" in busy_page
    assert "Leyla Huseynova qrup yaratdı (Autumn)" in busy_page
    assert "Leyla Huseynova iştirakçını qeydə aldı (Aysel Aliyeva, qrup: Autumn)" in busy_page
    assert "Leyla Huseynova sertifikatı ləğv etdi (Aysel Aliyeva üçün sertifikat)" in busy_page


# --- every action on a programme is in its activity, for its organisers only ---------------


def report_of(client, user, programme, language="en"):
    return sign_in(client, user).get(f"/programmes/{programme.pk}/report/", headers={"accept-language": language})


def assert_only_its_organisers_read(client, programme, line, *, organiser, other):
    """``line`` is on the programme's report for its organiser, and nowhere ``other`` looks."""
    assert line in report_of(client, organiser, programme).text
    own_of_other = factories.ProgrammeFactory(organisers=[other])
    assert report_of(client, other, programme).status_code == 404
    assert line not in report_of(client, other, own_of_other).text


def test_creating_a_programme_is_its_first_activity(client, leyla, kamran):
    response = client_for(leyla).post(
        "/api/programmes/", {"title": "STEM 2027", "starts_on": "2027-01-10", "ends_on": "2027-06-30"}, format="json"
    )
    programme = Programme.objects.get(pk=response.json()["id"])

    assert response.status_code == 201
    assert [(entry.action, entry.actor) for entry in action_log_of_programme(programme).entries] == [
        ("programme.created", leyla)
    ]
    assert "Nothing has been done to this programme yet." not in report_of(client, leyla, programme).text
    assert_only_its_organisers_read(
        client, programme, "Leyla Huseynova created the programme", organiser=leyla, other=kamran
    )


@pytest.fixture
def autumn(leyla):
    """Leyla's programme with a mentoring series whose sessions are to come, and its cohort."""
    programme = factories.ProgrammeFactory(organisers=[leyla])
    series = factories.SeriesFactory(title="Mentoring circle", kind=EventKind.MENTORING_SESSION, published=True)
    series.organisers.set([leyla])
    programme.series.add(series)
    return create_cohort(programme=programme, name="Autumn", series=series, by=leyla)


def test_leaving_the_cohort_is_in_the_activity(client, leyla, kamran, autumn, future):
    session(autumn.series, future[0])
    enrolment = enrol(cohort=autumn, name="Aysel Aliyeva", email="aysel@example.org", by=leyla)

    response = client_for(leyla).post(f"/api/enrolments/{enrolment.pk}/leave/")
    client_for(leyla).post(f"/api/enrolments/{enrolment.pk}/leave/")  # leaving twice changes nothing

    assert response.status_code == 200
    assert ActionLogEntry.objects.filter(action="enrolment.left").count() == 1
    assert_only_its_organisers_read(
        client,
        autumn.programme,
        "Leyla Huseynova ended a participant&#x27;s enrolment (Aysel Aliyeva in Autumn)",
        organiser=leyla,
        other=kamran,
    )
    page = report_of(client, leyla, autumn.programme, "az").text
    assert "Leyla Huseynova iştirakçının qrupdakı iştirakına son qoydu (Aysel Aliyeva, qrup: Autumn)" in page


def test_skipping_a_session_is_in_the_activity_without_its_reason(client, leyla, kamran, autumn):
    # 22:30 UTC is already the next day in Baku: the session's own date is the one the organisers know
    start = dt.datetime(timezone.now().year + 1, 3, 3, 22, 30, tzinfo=dt.UTC)
    event = session(autumn.series, start, timezone="Asia/Baku")
    Event.objects.filter(pk=event.pk).update(title="Setting goals")
    enrolment = enrol(cohort=autumn, name="Aysel Aliyeva", email="aysel@example.org", by=leyla)

    response = client_for(leyla).post(
        f"/api/enrolments/{enrolment.pk}/skip/", {"event": event.pk, "reason": "Hospital appointment"}, format="json"
    )

    assert response.status_code == 201
    entry = ActionLogEntry.objects.get(action="enrolment.session_skipped")
    assert (entry.subject_id, entry.data) == (enrolment.pk, {"event": event.pk})
    assert_only_its_organisers_read(
        client,
        autumn.programme,
        "Leyla Huseynova excused a participant from a session"
        f" (Aysel Aliyeva in Autumn; session: Setting goals, 4 March {start.year})",
        organiser=leyla,
        other=kamran,
    )
    page = report_of(client, leyla, autumn.programme, "az").text
    assert "Hospital" not in page
    assert (
        "Leyla Huseynova iştirakçını bir görüşdən azad etdi"
        f" (Aysel Aliyeva, qrup: Autumn; görüş: Setting goals, 4 mart {start.year})"
    ) in page


def attended_all(enrolment, past):
    for start in past[:3]:
        record(session(enrolment.cohort.series, start), enrolment.email, "attended")


def test_issuing_a_certificate_is_in_the_activity(client, leyla, kamran, autumn, past):
    enrolment = factories.EnrolmentFactory(cohort=autumn, name="Aysel Aliyeva", email="aysel@example.org")
    attended_all(enrolment, past)

    response = client_for(leyla).post(f"/api/enrolments/{enrolment.pk}/certificate/")
    client_for(leyla).post(f"/api/enrolments/{enrolment.pk}/certificate/")  # the same one again: not logged

    assert response.status_code == 201
    assert list(ActionLogEntry.objects.filter(action="certificate.issued").values_list("subject_id", "actor")) == [
        (response.json()["id"], leyla.pk)
    ]
    assert_only_its_organisers_read(
        client,
        autumn.programme,
        "Leyla Huseynova issued a certificate (certificate for Aysel Aliyeva)",
        organiser=leyla,
        other=kamran,
    )
    page = report_of(client, leyla, autumn.programme, "az").text
    assert "Leyla Huseynova sertifikat verdi (Aysel Aliyeva üçün sertifikat)" in page


def test_the_daily_task_issues_certificates_as_the_system(client, leyla, kamran, autumn, past):
    enrolment = factories.EnrolmentFactory(cohort=autumn, name="Aysel Aliyeva", email="aysel@example.org")
    attended_all(enrolment, past)
    Programme.objects.filter(pk=autumn.programme_id).update(ends_on=timezone.localdate() - dt.timedelta(days=1))

    assert (tasks.issue_due_certificates(), tasks.issue_due_certificates()) == (1, 1)

    assert list(ActionLogEntry.objects.filter(action="certificate.issued").values_list("actor", flat=True)) == [None]
    assert_only_its_organisers_read(
        client,
        autumn.programme,
        "the system or an attendee issued a certificate (certificate for Aysel Aliyeva)",
        organiser=leyla,
        other=kamran,
    )


def test_an_erased_participant_is_not_named_in_the_activity(client, leyla, autumn):
    participant = factories.UserFactory(email="aysel@example.org")
    enrol(cohort=autumn, name="Aysel Aliyeva", email="aysel@example.org", user=participant, by=leyla)

    erase_enrolments_of(user=participant)
    page = report_of(client, leyla, autumn.programme).text

    assert "Leyla Huseynova enrolled a participant (Erased attendee in Autumn)" in page
    assert "Aysel" not in page


@pytest.mark.parametrize(
    ("language", "lines"),
    [
        (
            "en",
            [
                "Leyla Huseynova enrolled a participant (Erased attendee in Autumn)",
                "an erased account ended a participant's enrolment (Erased attendee in Autumn)",
            ],
        ),
        (
            "az",
            [
                "Leyla Huseynova iştirakçını qeydə aldı (Silinmiş iştirakçı, qrup: Autumn)",
                "silinmiş hesab iştirakçının qrupdakı iştirakına son qoydu (Silinmiş iştirakçı, qrup: Autumn)",
            ],
        ),
    ],
)
def test_a_participant_who_left_and_was_erased_is_named_in_the_readers_language(client, leyla, autumn, language, lines):
    participant = factories.UserFactory(username="aysel", first_name="Aysel", last_name="Aliyeva")
    enrolment = enrol(cohort=autumn, name="Aysel Aliyeva", email="aysel@example.org", user=participant, by=leyla)
    leave_cohort(enrolment=enrolment, by=participant)

    erase_personal_data(user=participant)
    page = html.unescape(report_of(client, leyla, autumn.programme, language).text)

    assert [line for line in lines if line in page] == lines
    assert f"erased-{participant.pk}" not in page
    assert "Aysel" not in page


@pytest.mark.parametrize("enrolments", [1, 5])
def test_naming_the_subjects_takes_the_same_queries_however_many(leyla, autumn, enrolments, django_assert_num_queries):
    for number in range(enrolments):
        enrolment = enrol(cohort=autumn, name=f"Mentee {number}", email=f"mentee{number}@example.org", by=leyla)
        revoke_certificate(certificate=factories.CertificateFactory(enrolment=enrolment), by=leyla)

    # the entries, then the names of the cohort, the enrolments and the certificates
    with django_assert_num_queries(4):
        log = action_log_of_programme(autumn.programme)

    assert len(log.entries) == 1 + 2 * enrolments


def test_a_long_activity_says_how_much_it_leaves_out(client, leyla):
    programme = factories.ProgrammeFactory(organisers=[leyla])
    for number in range(ACTION_LOG_LIMIT + 1):
        update_programme(programme=programme, title=f"STEM {number}", by=leyla)

    page = report_of(client, leyla, programme).text
    az_page = report_of(client, leyla, programme, "az").text

    assert page.count("Leyla Huseynova changed the programme") == ACTION_LOG_LIMIT
    assert "Showing the latest 50 of 51 entries." in page
    assert "Son 50 qeyd göstərilir, cəmi 51 qeyd var." in az_page


def test_unpairing_a_mentor_is_not_told_as_pairing(client, leyla, kamran, autumn, mentor):
    enrolment = enrol(cohort=autumn, name="Aysel Aliyeva", email="aysel@example.org", by=leyla)

    assign_mentor(enrolment=enrolment, mentor=mentor, by=leyla)
    assign_mentor(enrolment=enrolment, mentor=None, by=leyla)

    actions = [entry.action for entry in action_log_of_programme(autumn.programme).entries]
    assert actions[:2] == ["enrolment.mentor_removed", "enrolment.mentor_assigned"]
    assert_only_its_organisers_read(
        client,
        autumn.programme,
        "Leyla Huseynova unpaired a participant from their mentor (Aysel Aliyeva in Autumn)",
        organiser=leyla,
        other=kamran,
    )
