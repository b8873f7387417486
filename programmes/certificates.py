"""Completion certificates: issued at the programme's attendance threshold, verifiable, revocable.

One mechanism for everything a person completes: a programme (``issue_certificate``) and a series
of sessions (``issue_series_certificate``, at the series' threshold of ``attendance.services.figures``)
get the same numbered, signed, revocable certificate and the same PDF with its verification QR code.

The QR code on the PDF holds a link to ``/certificates/verify/<signed>/``. The signed part is
made with ``django.core.signing`` (SECRET_KEY, own salt): a changed character fails the
signature. The page shows only what the certificate itself prints, and whether it was revoked.
"""

import io

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attendance.exceptions import NotCompleted
from attendance.rates import as_percent
from attendance.services.figures import participant_series_record
from events.models import Series
from events.services import log_action
from events_project.periodic import process_each
from events_project.typed_text import tidy_email
from notifications import kinds
from notifications.services import queue_message
from programmes.exceptions import CertificateInvalid, NotEligible, ProgrammeError, ProgrammeNotOver
from programmes.journeys import Journey, build_journeys, participant_journey
from programmes.models import Certificate, Enrolment, Programme

SIGNING_SALT = "programmes.certificate"


@transaction.atomic
def issue_certificate(*, enrolment: Enrolment, by=None, now=None, journey: Journey | None = None) -> Certificate:
    """Issue the participant's completion certificate; a second call returns the valid one.

    Side effects: a ``certificate_issued`` message to the participant; ``certificate.issued`` in
    the programme's action log (by nobody when the daily task issues it).

    Raises NotEligible (``below_threshold``) under the programme's attendance threshold, and
    (``left_cohort``) for a participant who left the cohort: a completion certificate says they
    completed the programme, and their rate counts only the sessions held before they left (a
    member who came twice and left would have 100%). One issued before they left stays valid.

    ``journey``: the participant's, when the caller has just built it with everyone else's
    (:func:`issue_certificates`: six queries for all of them instead of six for each).
    """
    now = now or timezone.now()
    enrolment = Enrolment.objects.select_for_update().select_related("cohort__programme").get(pk=enrolment.pk)
    existing = enrolment.certificates.filter(revoked_at__isnull=True).first()
    if existing is not None:
        return existing
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise NotEligible(
            _("The participant has left the cohort: a completion certificate is for those who complete it."),
            "left_cohort",
        )
    if journey is None:
        journey = participant_journey(enrolment=enrolment, now=now)
    if not journey.completed:
        raise NotEligible(
            _("Attendance %(rate)s%% is below the programme's %(threshold)s%% threshold.")
            % {"rate": as_percent(journey.rate) or 0, "threshold": as_percent(journey.threshold)},
            extra={"attendance_rate": journey.rate, "threshold": journey.threshold},
        )
    certificate = Certificate.objects.create(
        enrolment=enrolment,
        participant_name=enrolment.name,
        programme_title=enrolment.cohort.programme.title,
        attendance_rate=as_percent(journey.rate),
        sessions_attended=journey.attended,
        issued_at=now,
        issued_by=by,
    )
    # by is None when the daily task issues it (issue_due_certificates): the system did
    log_action(by=by, action="certificate.issued", subject=certificate)
    if enrolment.email:
        # the participant hears of it: one message per certificate (sent after commit)
        queue_message(
            kind=kinds.CERTIFICATE_ISSUED,
            recipient_email=enrolment.email,
            recipient_name=enrolment.name,
            about=certificate,
            dedup_key=f"{kinds.CERTIFICATE_ISSUED}:{certificate.pk}",
            context={
                "programme_title": certificate.programme_title,
                "attendance_rate": certificate.attendance_rate,
                "certificate_url": verification_url(certificate),
            },
        )
    return certificate


def issue_series_certificate(*, series: Series, email: str, by=None, now=None) -> Certificate:
    """The certificate of a participant who completed a series; a second call returns the valid one.

    Raises NotCompleted (``not_completed``) below the series' threshold, ``not_a_participant``
    for someone with no attendance in it.
    """
    now = now or timezone.now()
    email = tidy_email(email)
    record = participant_series_record(series=series, email=email)
    existing = Certificate.objects.filter(series=series, participant_email=email, revoked_at__isnull=True).first()
    if existing is not None:
        return existing
    if not record["completed"]:
        raise NotCompleted(
            _("Attendance %(rate)s%% is below the %(threshold)s%% needed for a certificate.")
            % {"rate": as_percent(record["rate"]), "threshold": as_percent(record["threshold"])},
            "not_completed",
        )
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(
                series=series,
                participant_email=email,
                participant_name=record["name"] or email,
                programme_title=series.title,
                attendance_rate=as_percent(record["rate"]),
                sessions_attended=record["attended"],
                issued_at=now,
                issued_by=by if getattr(by, "is_authenticated", False) else None,
            )
            # recorded like a programme's certificate; no workspace page shows a series' certificates yet
            log_action(by=by, action="certificate.issued", subject=certificate)
            return certificate
    except IntegrityError:  # issued by a simultaneous request
        return Certificate.objects.get(series=series, participant_email=email, revoked_at__isnull=True)


def issue_certificates(*, programme: Programme, by=None, now=None, before_end: bool = False) -> list[Certificate]:
    """Certificates for every participant of the programme who reached the threshold.

    Before the programme has ended (``Programme.has_ended``) eligibility counts only the sessions
    held so far (someone who came to the first session is "complete"): refused with 409
    ``programme_not_over`` unless the caller says ``before_end`` (the page's ticked box, the API's
    ``"before_end": true``). Participants whose certificate was revoked are left to the organisers
    (issue one by one); those who left the cohort get none (see issue_certificate).
    """
    now = now or timezone.now()
    if not before_end and not programme.has_ended(now):
        raise ProgrammeNotOver(
            _("The programme has not ended: certificates issued now count only the sessions held so far."),
        )
    enrolments = list(
        Enrolment.objects.filter(cohort__programme=programme, status=Enrolment.Status.ACTIVE)
        .exclude(certificates__revoked_at__isnull=False)
        .select_related("cohort__programme")
    )
    journeys = build_journeys(enrolments, now=now)
    completed = [enrolment for enrolment in enrolments if journeys[enrolment.pk].completed]
    # one participant's failure (logged) does not keep the others from their certificates
    return process_each(
        completed,
        lambda enrolment: issue_certificate(enrolment=enrolment, by=by, now=now, journey=journeys[enrolment.pk]),
        job="certificates",
    )


def issue_due_certificates(*, now=None) -> int:
    """Once a programme has ended, everyone who reached its threshold gets their certificate.

    Safe to run daily: a valid certificate is never issued twice. Returns how many are valid now.
    """
    now = now or timezone.now()
    ended = Programme.objects.ended(now).order_by("id")
    issued = process_each(ended, lambda programme: issue_certificates(programme=programme, now=now), job="certificates")
    return sum(len(certificates) for certificates in issued)


@transaction.atomic
def revoke_certificate(*, certificate: Certificate, by=None, reason: str = "", now=None) -> Certificate:
    """Revoke a certificate: its verification page says so from now on. Revoking twice changes nothing."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is not None:
        return certificate
    certificate.revoked_at = now or timezone.now()
    certificate.revoked_reason = reason[:300]
    certificate.save(update_fields=["revoked_at", "revoked_reason"])
    log_action(by=by, action="certificate.revoked", subject=certificate)
    return certificate


def _signer() -> signing.Signer:
    # no timestamp: the printed link never changes, and revocation (not age) ends it
    return signing.Signer(salt=SIGNING_SALT)


def verification_token(certificate: Certificate) -> str:
    return _signer().sign_object({"c": certificate.pk, "n": certificate.number})


def verification_url(certificate: Certificate) -> str:
    return f"{settings.SITE_URL}/certificates/verify/{verification_token(certificate)}/"


def verify_certificate(*, token: str) -> Certificate:
    """The certificate a verification link names, revoked or not; CertificateInvalid if tampered."""
    try:
        payload = _signer().unsign_object(token)
    except (signing.BadSignature, ValueError):
        raise CertificateInvalid(_("This certificate link is not genuine.")) from None
    if not isinstance(payload, dict):
        raise CertificateInvalid(_("This certificate link is not genuine."))
    certificate = Certificate.objects.filter(pk=payload.get("c"), number=payload.get("n")).first()
    if certificate is None:
        raise CertificateInvalid(_("No such certificate."))
    return certificate


def certificate_pdf(*, certificate: Certificate) -> bytes:
    """An A4 landscape PDF: name, programme, attendance, date, number, and the verification QR code."""
    import qrcode  # noqa: PLC0415 (reportlab and qrcode load slowly: only a PDF request pays for them)
    from reportlab.lib.pagesizes import A4, landscape  # noqa: PLC0415 (reportlab and qrcode load slowly: only a PDF request pays for them)
    from reportlab.lib.units import cm  # noqa: PLC0415 (reportlab and qrcode load slowly: only a PDF request pays for them)
    from reportlab.lib.utils import ImageReader  # noqa: PLC0415 (reportlab and qrcode load slowly: only a PDF request pays for them)
    from reportlab.pdfgen import canvas  # noqa: PLC0415 (reportlab and qrcode load slowly: only a PDF request pays for them)

    if certificate.revoked_at is not None:
        raise ProgrammeError(_("This certificate was revoked."), "certificate_revoked")
    url = verification_url(certificate)
    qr_image = qrcode.make(url, border=1)
    qr_png = io.BytesIO()
    qr_image.save(qr_png, format="PNG")
    qr_png.seek(0)

    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"Certificate {certificate.number}")
    pdf.setLineWidth(3)
    pdf.rect(1.2 * cm, 1.2 * cm, width - 2.4 * cm, height - 2.4 * cm)
    pdf.setFont("Helvetica-Bold", 30)
    pdf.drawCentredString(width / 2, height - 4.5 * cm, "Certificate of completion")
    pdf.setFont("Helvetica", 16)
    pdf.drawCentredString(width / 2, height - 6.5 * cm, "This certifies that")
    pdf.setFont("Helvetica-Bold", 26)
    pdf.drawCentredString(width / 2, height - 8.2 * cm, certificate.participant_name)
    pdf.setFont("Helvetica", 16)
    pdf.drawCentredString(width / 2, height - 10 * cm, "has completed")
    pdf.setFont("Helvetica-Bold", 20)
    pdf.drawCentredString(width / 2, height - 11.5 * cm, certificate.programme_title)
    pdf.setFont("Helvetica", 13)
    pdf.drawCentredString(
        width / 2,
        height - 13 * cm,
        f"attending {certificate.sessions_attended} sessions ({certificate.attendance_rate}% attendance)",
    )
    pdf.setFont("Helvetica", 11)
    pdf.drawString(2.5 * cm, 3.2 * cm, f"Issued {certificate.issued_at:%d %B %Y}")
    pdf.drawString(2.5 * cm, 2.5 * cm, f"Certificate no. {certificate.number}")
    pdf.drawImage(ImageReader(qr_png), width - 6.5 * cm, 2 * cm, 4.5 * cm, 4.5 * cm)
    pdf.setFont("Helvetica", 8)
    pdf.drawRightString(width - 2 * cm, 1.6 * cm, "Scan to verify")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
