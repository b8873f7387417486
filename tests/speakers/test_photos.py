"""A speaker's photo: one rule (``speakers.photos``) for the API, the pages and the admin, with
real image files made by Pillow (tests/speakers/images.py)."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from speakers import services
from speakers.exceptions import SpeakerError
from speakers.photos import MAX_PHOTO_BYTES, STORED_PHOTO_MAX_BYTES, STORED_PHOTO_SIDE
from tests import factories
from tests.speakers import images

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(data: bytes, name="me.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored(speaker) -> bytes:
    speaker.refresh_from_db()
    with speaker.photo.open("rb") as file:
        return file.read()


def test_photo_is_turned_upright_and_loses_its_exif_and_location(speaker_a):
    original = images.jpeg_sideways_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the upload does carry GPS

    services.update_speaker(speaker=speaker_a, by=speaker_a.user, photo=upload(original))

    kept = stored(speaker_a)
    image = Image.open(io.BytesIO(kept))
    assert (image.format, image.size) == ("JPEG", (20, 40))
    top, bottom = image.getpixel((10, 5)), image.getpixel((10, 35))
    assert top[0] > 150 and top[2] < 100, top  # red on top: turned as EXIF orientation 6 says
    assert bottom[2] > 150 and bottom[0] < 100, bottom
    assert dict(image.getexif()) == {}
    assert b"Exif" not in kept and b"PhoneMaker" not in kept


def test_photo_is_kept_under_a_random_name_whatever_the_upload_was_called(speaker_a, speaker_b):
    services.update_speaker(speaker=speaker_a, by=speaker_a.user, photo=upload(images.png(), "../../etc/x.png"))
    services.update_speaker(speaker=speaker_b, by=speaker_b.user, photo=upload(images.png(), "../../etc/x.png"))

    names = [speaker.photo.name for speaker in (speaker_a, speaker_b)]
    assert all(name.startswith("speakers/") and name.endswith(".jpg") and "etc" not in name for name in names)
    assert names[0] != names[1]


@pytest.mark.parametrize("data", [images.png(), images.png(mode="RGB", color=(1, 2, 3)), images.webp()])
def test_png_and_webp_are_kept_as_jpeg(speaker_a, data):
    services.update_speaker(speaker=speaker_a, by=speaker_a.user, photo=upload(data, "me.png", "image/png"))

    assert Image.open(io.BytesIO(stored(speaker_a))).format == "JPEG"


def test_a_large_noisy_photo_is_kept_small(speaker_a):
    services.update_speaker(speaker=speaker_a, by=speaker_a.user, photo=upload(images.noisy_jpeg(1500)))

    kept = stored(speaker_a)
    assert len(kept) <= STORED_PHOTO_MAX_BYTES
    assert Image.open(io.BytesIO(kept)).size == (STORED_PHOTO_SIDE, STORED_PHOTO_SIDE)


BAD_FILES = {
    "text named .jpg": (b"just some text, not a photo\n" * 10, "photo_not_an_image"),
    "gif": (images.gif(), "photo_not_an_image"),
    "truncated jpeg": (images.truncated_jpeg(), "photo_not_an_image"),
    "empty": (b"", "photo_not_an_image"),
    "bomb beyond Pillow's error": (images.png_header(100_000, 100_000), "photo_too_many_pixels"),
    "bomb beyond Pillow's warning": (images.png_header(10_000, 10_000), "photo_too_many_pixels"),
    "over 25 megapixels": (images.png_header(5_001, 5_001), "photo_too_many_pixels"),
    "over 6000 pixels a side": (images.png_header(6_001, 10), "photo_too_many_pixels"),
    "over 5 MB": (b"\xff\xd8\xff" + b"\x00" * MAX_PHOTO_BYTES, "photo_too_large"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_files_are_refused_by_the_service(speaker_a, case):
    data, code = BAD_FILES[case]

    with pytest.raises(SpeakerError) as refused:
        services.update_speaker(speaker=speaker_a, by=speaker_a.user, photo=upload(data))

    assert refused.value.code == code
    speaker_a.refresh_from_db()
    assert not speaker_a.photo


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_files_are_a_400_with_the_rules_code_in_the_api(speaker_a, case):
    data, code = BAD_FILES[case]

    response = client_for(speaker_a.user).patch("/api/me/speaker/", {"photo": upload(data)}, format="multipart")

    assert (response.status_code, response.json()["code"]) == (400, code)


def test_speaker_replaces_and_removes_own_photo_in_the_api(speaker_a, django_capture_on_commit_callbacks):
    client = client_for(speaker_a.user)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.patch("/api/me/speaker/", {"photo": upload(images.png())}, format="multipart")
    first_name = speaker_a.__class__.objects.get(pk=speaker_a.pk).photo.name
    with django_capture_on_commit_callbacks(execute=True):
        second = client.patch("/api/me/speaker/", {"photo": upload(images.webp())}, format="multipart")
    second_name = speaker_a.__class__.objects.get(pk=speaker_a.pk).photo.name
    with django_capture_on_commit_callbacks(execute=True):
        removed = client.patch("/api/me/speaker/", {"photo": None}, format="json")

    assert [r.status_code for r in (first, second, removed)] == [200, 200, 200]
    assert first_name != second_name
    assert removed.json()["photo"] is None and removed.json()["photo_src"] == ""
    assert not default_storage.exists(first_name) and not default_storage.exists(second_name)


@pytest.fixture
def engaged_elsewhere(organiser):
    """A speaker of ``organiser``'s webinar, with a photo."""
    speaker = factories.SpeakerFactory(name="Nigar Guliyeva")
    factories.SpeakerAssignmentFactory(speaker=speaker, event=factories.EventFactory(organisers=[organiser]))
    services.update_speaker(speaker=speaker, by=organiser, photo=upload(images.png()))
    speaker.refresh_from_db()
    return speaker


def test_another_organiser_cannot_change_or_remove_the_photo(engaged_elsewhere):
    other = client_for(factories.OrganiserFactory())
    before = engaged_elsewhere.photo.name

    replaced = other.patch(
        f"/api/speakers/{engaged_elsewhere.pk}/", {"photo": upload(images.webp())}, format="multipart"
    )
    removed = other.patch(f"/api/speakers/{engaged_elsewhere.pk}/", {"photo": None}, format="json")
    pointed = other.patch(
        f"/api/speakers/{engaged_elsewhere.pk}/", {"photo_url": "https://example.org/someone.jpg"}, format="json"
    )
    titled = other.patch(f"/api/speakers/{engaged_elsewhere.pk}/", {"title": "Professor"}, format="json")

    assert [(r.status_code, r.json().get("code")) for r in (replaced, removed, pointed)] == [
        (403, "speaker_engaged_elsewhere")
    ] * 3
    # nor the rest of the profile that organiser's webinar shows
    assert (titled.status_code, titled.json()["code"]) == (403, "speaker_engaged_elsewhere")
    engaged_elsewhere.refresh_from_db()
    assert (engaged_elsewhere.photo.name, engaged_elsewhere.photo_url) == (before, "")
    assert engaged_elsewhere.title != "Professor"


def test_another_organiser_is_refused_before_the_file_is_read(engaged_elsewhere):
    other = client_for(factories.OrganiserFactory())

    bomb = upload(images.png_header(100_000, 100_000))

    response = other.patch(f"/api/speakers/{engaged_elsewhere.pk}/", {"photo": bomb}, format="multipart")

    assert (response.status_code, response.json()["code"]) == (403, "speaker_engaged_elsewhere")


def test_the_speakers_own_organiser_changes_the_photo(engaged_elsewhere, organiser):
    response = client_for(organiser).patch(
        f"/api/speakers/{engaged_elsewhere.pk}/", {"photo": upload(images.webp())}, format="multipart"
    )

    assert response.status_code == 200, response.content
    assert response.json()["photo_src"].startswith("/media/speakers/")


def test_organiser_adds_a_speaker_with_a_photo_through_the_same_rule(organiser):
    client = client_for(organiser)
    payload = {"name": "Rashad Aliyev", "email": "rashad@example.org"}

    photo = upload(images.jpeg_sideways_with_gps())
    made = client.post("/api/speakers/", {**payload, "photo": photo}, format="multipart")
    refused = client.post(
        "/api/speakers/", {**payload, "email": "r2@example.org", "photo": upload(b"text")}, format="multipart"
    )

    assert made.status_code == 201, made.content
    assert (refused.status_code, refused.json()["code"]) == (400, "photo_not_an_image")
    kept = stored(factories.SpeakerFactory._meta.model.objects.get(pk=made.json()["id"]))
    assert b"Exif" not in kept


def admin_form(speaker, photo):
    from speakers.admin import SpeakerForm

    data = {"name": speaker.name, "email": speaker.email, "listed": "on", "topics": ""}
    return SpeakerForm(data=data, files={"photo": photo}, instance=speaker)


def test_the_admins_form_asks_the_same_rule(speaker_a):
    refused = admin_form(speaker_a, upload(images.png_header(100_000, 100_000)))
    accepted = admin_form(speaker_a, upload(images.jpeg_sideways_with_gps(), "../holiday.jpg"))

    assert not refused.is_valid() and refused.errors["photo"][0].startswith("The photo is too large")
    assert accepted.is_valid(), accepted.errors
    accepted.save()
    assert b"Exif" not in stored(speaker_a) and "holiday" not in speaker_a.photo.name
