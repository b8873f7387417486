"""The speaker's photo on the site's pages: uploaded, seen, replaced and removed on their own
profile page (the rule is the API's, ``speakers.photos``), and shown where speakers are shown."""

import io
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from speakers import services
from speakers.photos import STORED_PHOTO_MAX_BYTES
from tests import factories
from tests.pages.conftest import PAGE_BUDGET, signed_in
from tests.speakers import images

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def speaker(db):
    user = factories.UserFactory(username="leyla")
    return factories.SpeakerFactory(name="Leyla Hasanova", user=user, email="leyla@private.example.org")


def upload(data: bytes, name="me.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def served(response) -> bytes:
    return b"".join(response.streaming_content)


def test_speaker_uploads_sees_replaces_and_removes_the_photo(client, speaker, django_capture_on_commit_callbacks):
    signed_in(client, speaker.user)
    empty = client.get("/speaker/profile/").text

    uploaded = client.post("/speaker/profile/photo/", {"photo": upload(images.jpeg_sideways_with_gps())})
    speaker.refresh_from_db()
    first = speaker.photo.name
    with_photo = client.get("/speaker/profile/").text
    own = client.get("/speaker/profile/photo/")
    with django_capture_on_commit_callbacks(execute=True):
        replaced = client.post("/speaker/profile/photo/", {"photo": upload(images.png(), "new.png")})
    speaker.refresh_from_db()
    second = speaker.photo.name
    with django_capture_on_commit_callbacks(execute=True):
        removed = client.post("/speaker/profile/photo/", {"remove": "1"})
    speaker.refresh_from_db()

    assert "Upload photo" in empty and "Remove photo" not in empty
    assert (uploaded.status_code, uploaded["Location"]) == (302, "/speaker/profile/#photo")
    assert f'src="/speaker/profile/photo/?v={first.rsplit("/", 1)[-1][:8]}" alt="Leyla Hasanova"' in with_photo
    assert "Replace photo" in with_photo and "Remove photo" in with_photo
    assert 'enctype="multipart/form-data"' in with_photo
    kept = served(own)
    assert own["Content-Type"] == "image/jpeg" and own["Cache-Control"].startswith("private")
    assert Image.open(io.BytesIO(kept)).size == (20, 40) and b"Exif" not in kept
    assert replaced.status_code == 302 and second != first
    assert removed.status_code == 302 and not speaker.photo
    assert not default_storage.exists(first) and not default_storage.exists(second)
    assert client.get("/speaker/profile/photo/").status_code == 404


BAD = {
    "a text file named .jpg": (b"not a photo at all\n", "The photo must be a JPEG, PNG or WebP image."),
    "a truncated image": (images.truncated_jpeg(), "The photo must be a JPEG, PNG or WebP image."),
    "a decompression bomb": (images.png_header(100_000, 100_000), "The photo is too large: at most 6000"),
    "an oversize upload": (b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024), "The photo is too large: at most 5 MB."),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_file_is_a_form_error_in_an_alert(client, speaker, case):
    data, message = BAD[case]
    signed_in(client, speaker.user)

    response = client.post("/speaker/profile/photo/", {"photo": upload(data)})

    assert response.status_code == 400
    alert = re.search(r'<div [^>]*role="alert"[^>]*id="photo-errors"[^>]*>(.*?)</div>', response.text, re.S)
    assert alert and message in alert.group(1)
    assert 'aria-invalid="true"' in response.text and 'id="id_photo_error"' in response.text
    # the profile's own form, shown again under the refusal, still saves the profile
    assert '<form method="post" action="/speaker/profile/" novalidate>' in response.text
    speaker.refresh_from_db()
    assert not speaker.photo


def test_no_file_chosen_is_a_form_error(client, speaker):
    signed_in(client, speaker.user)

    response = client.post("/speaker/profile/photo/", {})

    assert response.status_code == 400 and "Choose a photo to upload." in response.text


def test_someone_without_a_speaker_profile_has_no_photo_to_change(client):
    signed_in(client, factories.UserFactory())

    assert client.post("/speaker/profile/photo/", {"photo": upload(images.png())}).status_code == 404


def test_public_pages_show_the_photo_with_the_name_and_stay_small(client, speaker, first_load):
    services.update_speaker(speaker=speaker, by=speaker.user, photo=upload(images.noisy_jpeg(1200)))
    speaker.refresh_from_db()
    event = factories.EventFactory(status="published")
    factories.SpeakerAssignmentFactory(speaker=speaker, event=event, status="accepted")
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    for other in factories.SpeakerFactory.create_batch(23):
        services.update_speaker(speaker=other, by=admin, photo=upload(images.png()))
    src = f"/speakers/{speaker.pk}/photo/?v={speaker.photo_version}"

    pages = {url: client.get(url) for url in ["/speakers/", f"/speakers/{speaker.pk}/", f"/events/{event.pk}/"]}
    photo = client.get(src)

    for url, response in pages.items():
        assert response.status_code == 200, url
        img = re.search(rf'<img [^>]*src="{re.escape(src)}"[^>]*>', response.text)
        assert img, url
        assert 'alt="Leyla Hasanova"' in img.group(0) and 'loading="lazy"' in img.group(0)
        assert re.search(r'width="\d+" height="\d+"', img.group(0))
        assert first_load(response) < PAGE_BUDGET, url
    assert photo["Content-Type"] == "image/jpeg"
    assert len(served(photo)) <= STORED_PHOTO_MAX_BYTES


def test_an_unlisted_speakers_photo_shows_only_where_a_published_event_names_them(client):
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    guest = factories.SpeakerFactory(name="Kamala Huseynova", listed=False)
    planned = factories.SpeakerFactory(name="Orkhan Rzayev", listed=False)
    for speaker in (guest, planned):
        services.update_speaker(speaker=speaker, by=admin, photo=upload(images.png()))
    published = factories.EventFactory(status="published")
    draft = factories.EventFactory(status="draft", published_at=None)
    factories.SpeakerAssignmentFactory(speaker=guest, event=published, status="accepted")
    factories.SpeakerAssignmentFactory(speaker=planned, event=draft, status="accepted")
    guest.refresh_from_db()

    page = client.get(f"/events/{published.pk}/").text

    assert f'src="/speakers/{guest.pk}/photo/?v={guest.photo_version}" alt="Kamala Huseynova"' in page
    assert client.get(f"/speakers/{guest.pk}/photo/").status_code == 200
    assert client.get(f"/speakers/{planned.pk}/photo/").status_code == 404
    assert client.get(f"/speakers/{guest.pk}/").status_code == 404  # still off the roster
