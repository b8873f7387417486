"""Regions in alphabetical order, as the reader's language has it.

A list of regions is read in the visitor's spelling (``Region.display_name``: Şəki on the
Azerbaijani pages), so it is sorted in that language's alphabet too. Sorted by the English
``name``, the Azerbaijani list read "Qəbələ, Gəncə, Qazax, Quba, İmişli, Xaçmaz, ..." (Gabala,
Ganja, Gazakh, Guba, Imishli, Khachmaz); sorted by code point, Şəki and Şamaxı came after Zaqatala.
"""

import re

from django import forms
from django.utils import translation

from events.models import Region
from events_project.fields import IdMultipleChoiceField

# the Azerbaijani Latin alphabet, in its order (x after h, q after k, ı before i)
AZERBAIJANI_ALPHABET = "abcçdeəfgğhxıijkqlmnoöprsştuüvyz"
_AZERBAIJANI_RANK = {letter: rank for rank, letter in enumerate(AZERBAIJANI_ALPHABET)}


def _language() -> str:
    return (translation.get_language() or "").split("-")[0]


def alphabetical_key(name: str) -> tuple[int, ...]:
    """A sort key that puts ``name`` where the active language's alphabet does: Azerbaijani's
    own order (Quba after Kürdəmir, Şəki after Sumqayıt) on the Azerbaijani pages, and letter by
    letter, case aside, elsewhere."""
    if _language() == "az":
        # Azerbaijani's dotted and dotless i: I is ı's capital, İ is i's
        lowered = name.replace("I", "ı").replace("İ", "i").lower()
        return tuple(_AZERBAIJANI_RANK.get(letter, len(_AZERBAIJANI_RANK) + ord(letter)) for letter in lowered)
    return tuple(ord(letter) for letter in name.casefold())


def in_alphabetical_order(choices):
    """(value, label) pairs sorted by their labels in the active language's alphabet."""
    return sorted(choices, key=lambda choice: alphabetical_key(str(choice[1])))


def region_choices() -> list[tuple[str, str]]:
    """(slug, name) of every region, named and sorted in the visitor's language."""
    return in_alphabetical_order((region.slug, region.display_name) for region in Region.objects.all())


class _AlphabeticalIterator(forms.models.ModelChoiceIterator):
    """The regions named in the language of the page being drawn, in its alphabet."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from in_alphabetical_order(self.choice(region) for region in self.queryset)


class RegionChoiceField(forms.ModelChoiceField):
    """A region picked from the list, sorted as the reader reads it (see the module)."""

    iterator = _AlphabeticalIterator

    def __init__(self, **kwargs):
        super().__init__(queryset=Region.objects.all(), **kwargs)


class RegionMultipleChoiceField(IdMultipleChoiceField):
    """Regions ticked in a list sorted as the reader reads it (see the module)."""

    iterator = _AlphabeticalIterator

    def __init__(self, **kwargs):
        super().__init__(queryset=Region.objects.all(), **kwargs)


def _places(event) -> list[tuple[str, set[str]]]:
    """The words of ``place_of``, each with every spelling that names the same place."""
    if event.region_id:
        region = event.region
        spellings = {region.name, region.name_az, region.display_name}
        if not event.city or event.city.casefold() in (region.name.casefold(), region.name_az.casefold()):
            return [(region.display_name, spellings | {event.city})]
        return [(event.city, {event.city}), (region.display_name, spellings)]
    return [(event.city, {event.city})] if event.city else []


def place_of(event) -> str:
    """Where, in a word: the region in the reader's spelling (Şəki on the Azerbaijani pages and
    mails), with the city or village typed when it is another place, else that city. Pages, mails
    and calendar files say it alike ("Lankaran" stood in the Azerbaijani mail under a page that
    said Lənkəran)."""
    return ", ".join(shown for shown, _ in _places(event))


def _says(text: str, name: str) -> bool:
    """Whether ``text`` names ``name`` as a word of its own, in any case."""
    return bool(name) and re.search(rf"(?<!\w){re.escape(name.casefold())}(?!\w)", text.casefold()) is not None


def place_after_address(event) -> str:
    """``place_of`` as it follows the venue's address: without the city or region the address
    names already, in any case and either spelling ("Nizami street 100, Baku" is not followed by
    ", Baku" again, nor "Şəki, M.F. Axundov 5" by ", Shaki")."""
    address = event.venue_address or ""
    return ", ".join(
        shown for shown, spellings in _places(event) if not any(_says(address, name) for name in spellings)
    )


def address_of(event) -> str:
    """The venue in one line: its name, its address and the place (``place_after_address``): the
    one rule the pages, mails and calendar files use."""
    return ", ".join(part for part in (event.venue_name, event.venue_address, place_after_address(event)) if part)
