"""The one rule for a speaker's photo, whoever sends it (the API, the speaker's profile page, the
admin): a real JPEG, PNG or WebP, judged by Pillow from its bytes (never by the file's name or the
content type the browser claims), at most ``MAX_PHOTO_BYTES`` and ``MAX_PHOTO_SIDE`` pixels a side
and ``MAX_PHOTO_PIXELS`` in all, re-encoded as a small JPEG under a random name.

Re-encoding is what makes a photo safe to show: the copy kept has no EXIF (a phone's photo carries
the GPS position where it was taken), is turned upright as the EXIF orientation said, is at most
``STORED_PHOTO_SIDE`` pixels a side (pages show it at 96 CSS pixels) and a few dozen kilobytes
(``STORED_PHOTO_MAX_BYTES``), and whatever else the upload held (a script after the image data, a
polyglot) is gone with the original bytes.
"""

import io
import secrets
import warnings

from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from speakers.exceptions import SpeakerError

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_SIDE = 6000
MAX_PHOTO_PIXELS = 25_000_000
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
# pages show a photo at 96 CSS pixels (48 on cards): 512 leaves room for a 3x screen and a larger
# display later, at a size a phone loads at once
STORED_PHOTO_SIDE = 512
STORED_PHOTO_MAX_BYTES = 120 * 1024
QUALITIES = (82, 70, 55, 40)


def _refuse_too_large():
    return SpeakerError(
        _("The photo is too large: at most %(megabytes)s MB.") % {"megabytes": MAX_PHOTO_BYTES // (1024 * 1024)},
        "photo_too_large",
    )


def _refuse_not_an_image():
    return SpeakerError(_("The photo must be a JPEG, PNG or WebP image."), "photo_not_an_image")


def _refuse_too_many_pixels():
    return SpeakerError(
        _("The photo is too large: at most %(side)s × %(side)s pixels (%(megapixels)s megapixels).")
        % {"side": MAX_PHOTO_SIDE, "megapixels": MAX_PHOTO_PIXELS // 1_000_000},
        "photo_too_many_pixels",
    )


def normalised_photo(upload) -> ContentFile:
    """The photo to keep for ``upload`` (a file object with ``size`` and ``read``): a JPEG of at
    most ``STORED_PHOTO_SIDE`` pixels a side, upright, without EXIF, under a random name. Refused
    with SpeakerError ``photo_too_large`` (bytes), ``photo_too_many_pixels`` (dimensions, a
    decompression bomb among them) or ``photo_not_an_image`` (anything Pillow does not read whole
    as a JPEG, PNG or WebP: another format, a text file named .jpg, a truncated image)."""
    size = getattr(upload, "size", None)
    if size is None or size > MAX_PHOTO_BYTES:
        raise _refuse_too_large()
    upload.seek(0)
    data = upload.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise _refuse_too_large()
    with warnings.catch_warnings():
        # Pillow only warns below twice its own limit: here any bomb is an error
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = _read(data)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _refuse_too_many_pixels() from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            # truncated or corrupt data, or another format
            raise _refuse_not_an_image() from None
    return ContentFile(_encode(image), name=f"{secrets.token_urlsafe(16)}.jpg")


def _read(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
        # the header alone gives the dimensions: a bomb is refused before it is decoded
        width, height = probe.size
        if width > MAX_PHOTO_SIDE or height > MAX_PHOTO_SIDE or width * height > MAX_PHOTO_PIXELS:
            raise _refuse_too_many_pixels()
        probe.verify()
    image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    if image.format == "JPEG":
        # libjpeg decodes at 1/2, 1/4 or 1/8 scale when that still covers the kept size: a
        # 24-megapixel phone photo then takes a few megabytes of memory, not 70
        image.draft("RGB", (STORED_PHOTO_SIDE, STORED_PHOTO_SIDE))
    image.load()  # raises on truncated data (``ImageFile.LOAD_TRUNCATED_IMAGES`` stays off)
    return image


def _encode(image: Image.Image) -> bytes:
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # a transparent PNG on white, as the page's cards are
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, (255, 255, 255))
        image.paste(rgba, mask=rgba.getchannel("A"))
    else:
        image = image.convert("RGB")
    image.thumbnail((STORED_PHOTO_SIDE, STORED_PHOTO_SIDE), Image.Resampling.LANCZOS)
    for quality in QUALITIES:
        out = io.BytesIO()
        # no exif=, no icc_profile=: nothing of the upload's metadata is written
        image.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
        if out.tell() <= STORED_PHOTO_MAX_BYTES:
            break
    return out.getvalue()
