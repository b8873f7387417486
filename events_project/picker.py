"""Choosing among an organiser's rows on a workspace page, at any volume.

A list that offers every row the organiser ever made (a checkbox per event, an option per
speaker) grows with their data until the page is past its budget (200 KB, docs/reference/
pages.md): an organiser with 2,500 events a year had 2,900 checkboxes, 400 KB. Search and add
stays bounded whatever the volume (:func:`search_to_add`, ``_search_to_add.html``): a GET search
box, at most :data:`SHOWN` matches each with an Add button (a POST of its own), and the rows
already chosen a page at a time with their own Remove; it works without JavaScript and from the
keyboard. Where a page picks one row in a form with other fields (the speaker to invite), a
bounded select does the same (:class:`BoundedModelChoiceField`): at most :data:`SHOWN_IN_SELECT`
options, narrowed by the page's search, while a posted choice is looked up in the whole set.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.forms.models import ModelChoiceIterator

# matches a search-and-add list shows at most
SHOWN = 20
# options a bounded <select> offers at most
SHOWN_IN_SELECT = 100
# a search text longer than this is cut (nobody types more; it keeps the LIKE cheap)
SEARCH_LENGTH = 100


@dataclass(frozen=True)
class Choice:
    """``badge``: a status shown beside the label, ``(status, words)`` for the ``status_badge``
    tag (a draft beside a published event of the same title and time), or ``None``."""

    pk: int
    label: str
    badge: tuple[str, str] | None = None


@dataclass(frozen=True)
class Found:
    """What a search-and-add list shows: ``text`` searched (cut to SEARCH_LENGTH), at most SHOWN
    ``choices``, and whether more matched (the page asks for a narrower search)."""

    text: str
    choices: list[Choice]
    more: bool


def search_text(value) -> str:
    return str(value or "").strip()[:SEARCH_LENGTH]


def search_to_add(
    candidates: QuerySet,
    *,
    text: str,
    fields: tuple[str, ...],
    label: Callable[[Any], str],
    badge: Callable[[Any], tuple[str, str] | None] = lambda row: None,
    shown: int = SHOWN,
) -> Found:
    """At most ``shown`` of ``candidates`` (in their order) whose ``fields`` contain ``text``;
    one query, whatever the number of candidates. ``badge(row)``: the row's :attr:`Choice.badge`."""
    text = search_text(text)
    if text:
        matching = Q()
        for field in fields:
            matching |= Q(**{f"{field}__icontains": text})
        candidates = candidates.filter(matching)
    rows = list(candidates[: shown + 1])
    choices = [Choice(pk=row.pk, label=label(row), badge=badge(row)) for row in rows[:shown]]
    return Found(text=text, choices=choices, more=len(rows) > shown)


class BoundedChoiceIterator(ModelChoiceIterator):
    """The options of a :class:`BoundedModelChoiceField`: its queryset's first rows only."""

    @property
    def queryset(self):
        # read when the options are rendered: the form sets the field's queryset after the field
        # is made (and may set it again)
        rows = self.field.queryset
        return rows if rows is None else rows[: self.field.shown_at_most]

    @queryset.setter
    def queryset(self, value):
        """ModelChoiceIterator keeps the field's queryset; this one reads it (above)."""


class BoundedModelChoiceField(forms.ModelChoiceField):
    """A ``<select>`` of at most ``shown_at_most`` options (in the queryset's order). A posted id
    is looked up in the whole queryset (one query), so a row past the options is not refused."""

    iterator = BoundedChoiceIterator

    def __init__(self, *args, shown_at_most: int = SHOWN_IN_SELECT, **kwargs):
        self.shown_at_most = shown_at_most
        super().__init__(*args, **kwargs)
