"""Tickets: what a confirmed registration's QR code carries, and the images of it.

The code holds ``TICKET_PAYLOAD_PREFIX`` followed by the registration's ``ticket_secret``
(26 characters of RFC 4648 base32, 130 random bits, unique index), e.g.
``EVT1:KQ6J2B4N7RZ3MXW5TA2YHC4DLE``. Nothing personal is in it, so a photo of the code
tells nobody who it belongs to. Upper-case letters, digits and ``:`` are all in QR's
alphanumeric mode, which keeps the code small (version 2, 25×25 modules) and easy to scan
from a phone screen at a dim door. The prefix names the format, so a scanner can tell our
tickets from any other QR code and a later format can coexist with this one.

A ticket stops admitting when its registration is cancelled (the door answers
``cancelled``) or when it is re-issued: :func:`reissue_ticket` draws a new secret, after
which the old code answers ``invalid``.
"""

import hashlib
import io

import qrcode
import qrcode.constants
from django.utils.translation import gettext_lazy as _
from qrcode.image.svg import SvgPathImage

from events.services import log_action
from registrations.exceptions import NotFound
from registrations.models import TICKET_SECRET_LENGTH, Registration, new_ticket_secret

TICKET_PAYLOAD_PREFIX = "EVT1:"
BASE32_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def ticket_payload(registration: Registration) -> str:
    """The text inside the registration's QR code."""
    return f"{TICKET_PAYLOAD_PREFIX}{registration.ticket_secret}"


def secret_from_payload(text: str) -> str | None:
    """The ticket secret in a scanned or typed code, or None when it cannot be one.

    Accepts the full payload or the bare secret, in any case, with stray spaces or dashes
    from hand entry. A string that cannot be a secret is refused here, without a query.
    """
    if not isinstance(text, str):
        return None
    cleaned = "".join(text.split()).upper()
    if cleaned.startswith(TICKET_PAYLOAD_PREFIX):
        cleaned = cleaned[len(TICKET_PAYLOAD_PREFIX) :]
    cleaned = cleaned.replace("-", "")
    if len(cleaned) != TICKET_SECRET_LENGTH or not set(cleaned) <= BASE32_ALPHABET:
        return None
    return cleaned


def ticket_hash(secret: str) -> str:
    """SHA-256 (hex) of a ticket secret: what an offline check-in device receives.

    A device can recognise a scanned code by hashing it, but a stolen list of hashes
    cannot be turned back into codes that the check-in API would accept.
    """
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def _qr_code(registration: Registration) -> qrcode.QRCode:
    # M recovers ~15% damage (a cracked phone screen, a crease in a printout) and keeps
    # the code at version 2; border=4 is the quiet zone the standard asks for.
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(ticket_payload(registration), optimize=0)
    code.make(fit=True)
    return code


def qr_png(*, registration: Registration) -> bytes:
    """The ticket's QR code as a PNG image (black on white)."""
    buffer = io.BytesIO()
    _qr_code(registration).make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(*, registration: Registration) -> str:
    """The ticket's QR code as a standalone SVG document (one path, scales to any size)."""
    image = _qr_code(registration).make_image(image_factory=SvgPathImage)
    return image.to_string(encoding="unicode")


def require_door_code(registration: Registration) -> Registration:
    """The ticket's code, its images and its re-issue exist only for a ticket with a door: an
    online-only event has none (``Registration.has_door_code``), so 404 ``no_door_code``."""
    if not registration.has_door_code:
        raise NotFound(_("This ticket has no code: the event is online only, with no door."), "no_door_code")
    return registration


def reissue_ticket(*, registration: Registration, by=None) -> Registration:
    """Give the registration a new ticket secret: the old QR code stops working at once.

    For a code that leaked (a screenshot shared in a group chat) or a lost phone. A check-in
    already made stays. No side effects; the ticket page and the next email show the new code.
    An online-only ticket has no code to re-issue (404 ``no_door_code``).
    """
    require_door_code(registration)
    registration.ticket_secret = new_ticket_secret()
    registration.save(update_fields=["ticket_secret", "updated_at"])
    log_action(by=by, action="registration.ticket_reissued", event=registration.event, subject=registration)
    return registration
