"""A series certificate is the same kind of certificate as a programme's: numbered, signed,
verifiable on the public page, revocable, with the verification QR code on its PDF."""

import datetime as dt

import pytest

from programmes import certificates
from programmes.models import Certificate
from registrations.models import Attendance
from tests import factories
from tests.notifications.conftest import make_registration
from tests.programmes.test_certificates import qr_codes_in

START = dt.datetime(2026, 10, 1, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def series(organiser, settings):
    settings.SERIES_COMPLETION_THRESHOLD = 0.75
    series = factories.SeriesFactory(title="Mentoring circle")
    series.organisers.set([organiser])
    for week in range(4):
        start = START + dt.timedelta(weeks=week)
        session = factories.EventFactory(
            series=series, series_original_start=start, start=start, end=start + dt.timedelta(hours=1)
        )
        session.attendance_finalised_at = session.end
        session.save(update_fields=["attendance_finalised_at"])
        make_registration(session, name="Nigar Hasanova", email="nigar@example.org", attendance=Attendance.ATTENDED)
    return series


def test_the_series_certificate_is_verifiable_and_revocable(client, series, organiser):
    certificate = certificates.issue_series_certificate(series=series, email="nigar@example.org", by=organiser)
    link = f"/certificates/verify/{certificates.verification_token(certificate)}/"

    valid = client.get(link)
    certificates.revoke_certificate(certificate=certificate, by=organiser, reason="issued in error")
    revoked = client.get(link)
    reissued = certificates.issue_series_certificate(series=series, email="nigar@example.org")

    assert (certificate.attendance_rate, certificate.sessions_attended) == (100, 4)
    assert 'data-verdict="valid"' in valid.content.decode()
    assert 'data-verdict="revoked"' in revoked.content.decode()
    assert reissued.pk != certificate.pk and reissued.number != certificate.number
    assert Certificate.objects.filter(series=series, revoked_at__isnull=True).count() == 1


def test_the_verification_page_names_the_series_as_a_series(client, series, organiser):
    certificate = certificates.issue_series_certificate(series=series, email="nigar@example.org", by=organiser)
    link = f"/certificates/verify/{certificates.verification_token(certificate)}/"

    english = client.get(link).content.decode()
    azerbaijani = client.get(link, HTTP_ACCEPT_LANGUAGE="az").content.decode()

    assert "<dt>Series</dt><dd>Mentoring circle</dd>" in english
    assert "<dt>Silsilə</dt><dd>Mentoring circle</dd>" in azerbaijani
    assert "<dt>Programme</dt>" not in english


def test_the_pdf_carries_the_verification_link(series):
    certificate = certificates.issue_series_certificate(series=series, email="nigar@example.org")
    pdf = certificates.certificate_pdf(certificate=certificate)

    assert pdf.startswith(b"%PDF")
    assert qr_codes_in(pdf) == [certificates.verification_url(certificate)]


def test_the_participant_link_issues_one_certificate(api_client, series):
    from programmes import certificate_links

    token = certificate_links.link_token(series=series, email="nigar@example.org")  # the emailed link

    first = api_client.get(f"/api/attendance/certificates/{token}/")
    second = api_client.get(f"/api/attendance/certificates/{token}/")

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.content.startswith(b"%PDF")
    assert Certificate.objects.filter(series=series).count() == 1


def test_the_organiser_sees_and_revokes_series_certificates_through_the_api(organiser_client, series):
    certificate = certificates.issue_series_certificate(series=series, email="nigar@example.org")

    listed = organiser_client.get("/api/certificates/")
    revoked = organiser_client.post(f"/api/certificates/{certificate.pk}/revoke/", {"reason": "duplicate"})
    other = factories.OrganiserFactory()
    organiser_client.force_authenticate(other)
    hidden = organiser_client.get(f"/api/certificates/{certificate.pk}/")

    assert [row["series"] for row in listed.json()["results"]] == [series.pk]
    assert revoked.status_code == 200 and revoked.json()["valid"] is False
    assert hidden.status_code == 404


def test_issuing_a_series_certificate_is_recorded_once(series, organiser):
    from events.models import ActionLogEntry

    certificate = certificates.issue_series_certificate(series=series, email="nigar@example.org", by=organiser)
    certificates.issue_series_certificate(series=series, email="nigar@example.org")  # the PDF again: the same one

    assert list(ActionLogEntry.objects.values_list("action", "subject_type", "subject_id", "actor", "event")) == [
        ("certificate.issued", "certificate", certificate.pk, organiser.pk, None)
    ]
