"""Certificates of attendance go only to the person who proves they own the address.

Anyone can register with someone else's address and gets that registration's management token
in the answer, so a management token proves nothing about the address. A participant gets their
certificate either signed in (the account's own email address) or through a signed link this
module emails to the address: whoever opens it read that mailbox.

The page or API that asks says the same whether or not the address has a certificate.
"""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attendance.exceptions import NotCompleted
from attendance.services.figures import participant_series_record
from events.models import Series
from events_project.exceptions import NotFound
from events_project.typed_text import tidy_email
from notifications import kinds
from notifications.language import supported
from notifications.services import queue_message

SALT = "programmes.certificate-link"
LINK_MAX_AGE = dt.timedelta(days=30)
# one message per address and series within this window, however often asked
RESEND_WINDOW_SECONDS = 10 * 60


def link_token(*, series: Series, email: str) -> str:
    return signing.dumps([series.pk, tidy_email(email)], salt=SALT, compress=True)


def link_url(*, series: Series, email: str) -> str:
    return f"{settings.SITE_URL}/api/attendance/certificates/{link_token(series=series, email=email)}/"


def series_and_email(*, token: str) -> tuple[Series, str]:
    """What a link opens; a forged, altered or expired link is not found."""
    try:
        series_id, email = signing.loads(token, salt=SALT, max_age=LINK_MAX_AGE)
        series = Series.objects.filter(pk=int(series_id)).first()
    except (signing.BadSignature, ValueError, TypeError, OverflowError):
        series = None
    if series is None:
        raise NotFound(_("This certificate link is not valid (or has expired)."), "certificate_link_invalid")
    return series, email


def send_certificate_link(*, series: Series, email: str, language: str = "", now=None) -> bool:
    """Email ``email`` a link to its certificate of ``series`` if it completed the series, in
    ``language`` (the one the asker's request asked for, ``request_language``; none: the address's
    chosen language, else the default mail language, when it is sent).

    Returns whether a message was queued. Side effect: one outbox message (deduplicated per
    address, series and RESEND_WINDOW_SECONDS), sent after commit.
    """
    now = now or timezone.now()
    address = tidy_email(email)
    if not address:
        return False
    try:
        record = participant_series_record(series=series, email=address)
    except NotCompleted:
        return False
    if not record["completed"]:
        return False
    window = int(now.timestamp()) // RESEND_WINDOW_SECONDS
    queue_message(
        kind=kinds.CERTIFICATE_LINK,
        recipient_email=address,
        recipient_name=record.get("name") or "",
        dedup_key=f"{kinds.CERTIFICATE_LINK}:{series.pk}:{signing.dumps(address, salt=SALT)[-16:]}:{window}",
        context={"series_title": series.title, "certificate_url": link_url(series=series, email=address)},
        language=supported(language),
    )
    return True
