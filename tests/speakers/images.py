"""Image files for the photo tests, made with Pillow (real files, not hand-written magic bytes),
and the headers of images too large to make."""

import io
import random
import struct
import zlib

from PIL import ExifTags, Image

RED = (220, 20, 20)
BLUE = (20, 20, 220)


def jpeg_sideways_with_gps() -> bytes:
    """A phone's photo held sideways: stored 40 × 20, red on the left, blue on the right, with
    EXIF orientation 6 (turn 90° clockwise to view: red on top) and where it was taken (GPS)."""
    image = Image.new("RGB", (40, 20), BLUE)
    image.paste(RED, (0, 0, 20, 20))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (40.0, 22.0, 37.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (49.0, 50.0, 12.0),
    }
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, quality=95)
    return buffer.getvalue()


def png(size=(64, 48), color=(30, 120, 60, 255), mode="RGBA") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def webp(size=(64, 64)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 160, 40)).save(buffer, format="WEBP")
    return buffer.getvalue()


def gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (16, 16)).save(buffer, format="GIF")
    return buffer.getvalue()


def noisy_jpeg(side: int, quality: int = 95) -> bytes:
    """A large photo that compresses badly (noise): the worst case for the kept copy's size."""
    rng = random.Random(7)
    image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def truncated_jpeg() -> bytes:
    whole = noisy_jpeg(120)
    return whole[: len(whole) // 2]


def png_header(width: int, height: int) -> bytes:
    """A valid PNG's signature and IHDR claiming ``width`` × ``height`` with a tiny IDAT: what a
    decompression bomb looks like before it is decoded (a few dozen bytes, billions of pixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = chunk(b"IDAT", zlib.compress(b"\x00" * 64))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + idat + chunk(b"IEND", b"")
