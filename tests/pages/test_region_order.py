"""Every list of regions is sorted as its reader reads it: the Azerbaijani pages name the regions
in Azerbaijani (Şəki) and sort them in the Azerbaijani alphabet (events.regions), not by the
English name (which put Qəbələ before Gəncə and Xaçmaz before Laçın) nor by code point (which put
Şəki after Zaqatala)."""

import re

import pytest

from tests import factories
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db

# the seeded regions (migration events/0010) in the Azerbaijani alphabet: ... g, x, ı, i, ..., k, q,
# l, ..., s, ş, t, ...
AZERBAIJANI_ORDER = [
    "Ağdam", "Astara", "Bakı", "Daşkəsən", "Gəncə", "Xaçmaz", "Xırdalan", "İmişli", "Qazax", "Qəbələ",
    "Quba", "Laçın", "Lənkəran", "Mingəçevir", "Naxçıvan", "Salyan", "Sumqayıt", "Şamaxı", "Şəki",
    "Şirvan", "Şuşa", "Tovuz", "Yevlax", "Zaqatala",
]  # fmt: skip
ENGLISH_ORDER = [
    "Aghdam", "Astara", "Baku", "Dashkasan", "Gabala", "Ganja", "Gazakh", "Guba", "Imishli", "Khachmaz",
    "Khirdalan", "Lachin", "Lankaran", "Mingachevir", "Nakhchivan", "Salyan", "Shaki", "Shamakhi",
    "Shirvan", "Shusha", "Sumgait", "Tovuz", "Yevlakh", "Zagatala",
]  # fmt: skip


def options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [label.strip() for value, label in re.findall(r'<option value="([^"]+)"[^>]*>(.*?)</option>', select)]


def ticks(html: str, name: str) -> list[str]:
    return re.findall(rf'<input type="checkbox" name="{name}"[^>]*>\s*(.*?)\s*</label>', html, re.S)


def organiser_page(client, path, language):
    organiser = factories.UserFactory()
    from events.roles import make_organiser

    make_organiser(organiser)
    return signed_in(client, organiser).get(path, headers={"accept-language": language}).text


@pytest.mark.parametrize(("language", "order"), [("az", AZERBAIJANI_ORDER), ("en", ENGLISH_ORDER)])
@pytest.mark.parametrize("path", ["/manage/events/new/outreach_visit/", "/manage/series/new/", "/manage/dashboard/"])
def test_workspace_region_lists_follow_the_readers_alphabet(client, path, language, order):
    html = organiser_page(client, path, language)

    assert options(html, "region") == order


@pytest.mark.parametrize(("language", "order"), [("az", AZERBAIJANI_ORDER), ("en", ENGLISH_ORDER)])
@pytest.mark.parametrize("path", ["/", "/speakers/"])
def test_public_region_filters_follow_the_readers_alphabet(client, path, language, order):
    html = client.get(path, headers={"accept-language": language}).text

    assert options(html, "region") == order


@pytest.mark.parametrize(("language", "order"), [("az", AZERBAIJANI_ORDER), ("en", ENGLISH_ORDER)])
def test_the_speakers_travel_regions_follow_the_readers_alphabet(client, language, order):
    speaker = factories.SpeakerFactory(user=factories.UserFactory())

    html = signed_in(client, speaker.user).get("/speaker/profile/", headers={"accept-language": language}).text

    assert ticks(html, "travel_regions") == order


@pytest.mark.parametrize(
    ("language", "said"),
    [("az", "Gəncə, Xaçmaz, Qəbələ, Şəki, Zaqatala"), ("en", "Gabala, Ganja, Khachmaz, Shaki, Zagatala")],
)
def test_a_speakers_page_names_the_regions_they_travel_to_in_the_readers_alphabet(client, language, said):
    from events.models import Region

    speaker = factories.SpeakerFactory(listed=True)
    speaker.travel_regions.set(Region.objects.filter(slug__in=["zagatala", "shaki", "gabala", "khachmaz", "ganja"]))

    html = client.get(f"/speakers/{speaker.pk}/", headers={"accept-language": language}).text

    assert re.search(r"<dd>([^<]*Zaqatala|[^<]*Zagatala)</dd>", html).group(1) == said
