"""A programme's own action log (the programme, its cohorts, enrolments and certificates) on its
workspace page, the impact report, for the organisers who may see the programme and no one else."""

import pytest

from events.models import ActionLogEntry
from programmes.certificates import revoke_certificate
from programmes.selectors import action_log_of_programme
from programmes.services import create_cohort, enrol, update_programme
from tests import factories

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

    entries = list(action_log_of_programme(own).values_list("action", "subject_type", "subject_id", "actor"))

    assert entries == [
        ("certificate.revoked", "certificate", certificate.pk, leyla.pk),
        ("enrolment.created", "enrolment", enrolment.pk, leyla.pk),
        ("cohort.created", "cohort", cohort.pk, leyla.pk),
        ("programme.changed", "programme", own.pk, leyla.pk),
    ]
    assert ActionLogEntry.objects.filter(actor=kamran).count() == 5  # his are there, on his own programme


def test_programme_page_shows_its_activity_to_its_organiser(client, leyla, kamran):
    own = factories.ProgrammeFactory(organisers=[leyla])
    other = factories.ProgrammeFactory(organisers=[kamran])
    cohort, enrolment, certificate = work_on(own, leyla)
    work_on(other, kamran)

    page = sign_in(client, leyla).get(f"/programmes/{own.pk}/report/").text

    assert '<section aria-labelledby="action-log" class="no-print">' in page  # the printed report is figures
    assert "Leyla Huseynova changed the programme" in page
    assert f"Leyla Huseynova created a cohort (#{cohort.pk})" in page
    assert f"Leyla Huseynova enrolled a participant (#{enrolment.pk})" in page
    assert f"Leyla Huseynova revoked a certificate (#{certificate.pk})" in page
    assert "Kamran" not in page
    assert "Aysel" not in page  # the log names no participant


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
    update_programme(programme=busy, title="STEM 2027", by=leyla)
    sign_in(client, leyla)

    quiet_page = client.get(f"/programmes/{quiet.pk}/report/", headers={"accept-language": "az"}).text
    busy_page = client.get(f"/programmes/{busy.pk}/report/", headers={"accept-language": "az"}).text

    assert "Fəaliyyət" in quiet_page and "Bu proqramla hələ heç nə edilməyib." in quiet_page
    assert "Leyla Huseynova proqramı dəyişdi" in busy_page
