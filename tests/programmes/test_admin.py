"""The programmes admin (superusers): its actions go through the services and say what they did."""

import pytest

from programmes import certificates, services
from programmes.models import Certificate
from tests import factories
from tests.programmes.conftest import record, session

pytestmark = pytest.mark.django_db


# admin_client: pytest-django's, a superuser signed in


def test_issue_certificates_action_says_how_many_it_issued_and_names_each_it_skipped_and_why(
    admin_client, cohort, mentoring_series, past
):
    completer = factories.EnrolmentFactory(cohort=cohort, name="Aynur Rzayeva", email="aynur@example.org")
    gone = factories.EnrolmentFactory(cohort=cohort, name="Elvin Mammadov", email="elvin@example.org")
    absent = factories.EnrolmentFactory(cohort=cohort, name="Leyla Hasanova", email="leyla@example.org")
    holder = factories.EnrolmentFactory(cohort=cohort, name="Rauf Aliyev", email="rauf@example.org")
    for start in past[:2]:
        held = session(mentoring_series, start)
        for enrolment in (completer, gone, holder):
            record(held, enrolment.email, "attended")
        record(held, absent.email, "no_show")
    services.leave_cohort(enrolment=gone)
    held_before = certificates.issue_certificate(enrolment=holder)

    response = admin_client.post(
        "/admin/programmes/enrolment/",
        {"action": "issue_certificates", "_selected_action": [completer.pk, gone.pk, absent.pk, holder.pk]},
        follow=True,
    )

    assert response.status_code == 200
    shown = sorted((message.level_tag, str(message)) for message in response.context["messages"])
    assert shown == sorted([
        ("warning", f"{gone}: The participant has left the cohort: a completion certificate is for those who "
                    "complete it."),
        ("warning", f"{absent}: Attendance 0% is below the programme's 70% threshold."),
        ("warning", f"{holder}: holds certificate {held_before.number} already, left as it is."),
        ("success", "1 certificate issued."),
    ])  # fmt: skip
    assert sorted(Certificate.objects.values_list("enrolment__name", flat=True)) == ["Aynur Rzayeva", "Rauf Aliyev"]


def test_leave_action_says_how_many_left_and_names_who_had_left_already(admin_client, cohort):
    staying = factories.EnrolmentFactory(cohort=cohort, name="Aynur Rzayeva", email="aynur@example.org")
    gone = factories.EnrolmentFactory(cohort=cohort, name="Elvin Mammadov", email="elvin@example.org")
    services.leave_cohort(enrolment=gone)

    response = admin_client.post(
        "/admin/programmes/enrolment/",
        {"action": "leave_selected", "_selected_action": [staying.pk, gone.pk]},
        follow=True,
    )

    shown = sorted((message.level_tag, str(message)) for message in response.context["messages"])
    assert shown == [
        ("success", "1 member left the cohort."),
        ("warning", f"{gone}: left the cohort already, left as it is."),
    ]
    staying.refresh_from_db()
    assert staying.status == "left"


def test_revoke_action_stores_no_reason_in_the_admins_language(admin_client, cohort, mentoring_series, past):
    # revoked_reason is an organiser's own words, shown as typed: the action has none to give, and a
    # sentence written here ("Revoked in the admin.") stayed in English for every reader
    holder = factories.EnrolmentFactory(cohort=cohort, name="Aynur Rzayeva", email="aynur@example.org")
    for start in past[:2]:
        record(session(mentoring_series, start), holder.email, "attended")
    certificate = certificates.issue_certificate(enrolment=holder)

    admin_client.post(
        "/admin/programmes/certificate/", {"action": "revoke_selected", "_selected_action": [certificate.pk]}
    )

    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    assert certificate.revoked_reason == ""


def test_revoke_action_says_how_many_it_revoked_and_names_those_revoked_already(
    admin_client, cohort, mentoring_series, past
):
    first = factories.EnrolmentFactory(cohort=cohort, name="Aynur Rzayeva", email="aynur@example.org")
    second = factories.EnrolmentFactory(cohort=cohort, name="Rauf Aliyev", email="rauf@example.org")
    for start in past[:2]:
        held = session(mentoring_series, start)
        record(held, first.email, "attended")
        record(held, second.email, "attended")
    valid = certificates.issue_certificate(enrolment=first)
    revoked = certificates.revoke_certificate(certificate=certificates.issue_certificate(enrolment=second))

    response = admin_client.post(
        "/admin/programmes/certificate/",
        {"action": "revoke_selected", "_selected_action": [valid.pk, revoked.pk]},
        follow=True,
    )

    shown = sorted((message.level_tag, str(message)) for message in response.context["messages"])
    assert shown == [
        ("success", "1 certificate revoked."),
        ("warning", f"Certificate {revoked.number}: revoked already, left as it is."),
    ]
    valid.refresh_from_db()
    assert valid.revoked_at is not None


def test_the_admin_keeps_a_cohort_within_its_programmes_series(admin_client, programme, mentoring_series, cohort):
    stray = factories.SeriesFactory(title="Outside the programme")

    moved = admin_client.post(
        f"/admin/programmes/cohort/{cohort.pk}/change/",
        {"programme": programme.pk, "name": cohort.name, "series": stray.pk},
    )
    emptied = admin_client.post(
        f"/admin/programmes/programme/{programme.pk}/change/",
        {
            "title": programme.title,
            "description": "",
            "starts_on": programme.starts_on.isoformat(),
            "ends_on": programme.ends_on.isoformat(),
            "completion_threshold": programme.completion_threshold,
            "organisers": [each.pk for each in programme.organisers.all()],
        },
    )

    assert moved.status_code == emptied.status_code == 200  # the form again, with the error
    assert "The cohort&#x27;s series must belong to the programme." in moved.content.decode()
    assert "follows a series you took out of the programme" in emptied.content.decode()
    cohort.refresh_from_db()
    assert cohort.series == mentoring_series and list(programme.series.all()) == [mentoring_series]
