"""Ids in URLs: one path converter and one router for the whole site.

Every primary key in a path is ``<id:name>``: digits from 1 to 2^63-1 (the range of the
database's 64-bit keys). Anything else does not match the route (404) instead of reaching
the database, where SQLite raises ``OverflowError`` and PostgreSQL "bigint out of range".
Routers build their detail routes with the same converter.
"""

from django.urls import register_converter
from rest_framework.routers import SimpleRouter

MAX_ID = 2**63 - 1


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError(f"{value} is not an id")  # the route does not match: 404
        return number

    def to_url(self, value) -> str:
        return str(int(value))


register_converter(IdConverter, "id")


class Router(SimpleRouter):
    """DRF's router with Django path converters: ``<id:pk>`` for primary keys, ``<str:...>``
    for other lookups (slugs, tokens) unless the viewset names a converter in
    ``lookup_value_converter``."""

    def __init__(self, trailing_slash=True):
        super().__init__(trailing_slash=trailing_slash, use_regex_path=False)

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        lookup_field = getattr(viewset, "lookup_field", "pk")
        lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
        converter = getattr(viewset, "lookup_value_converter", None)
        if converter is None:
            converter = "id" if lookup_field in ("pk", "id") else "str"
        return f"<{converter}:{lookup_prefix}{lookup_url_kwarg}>"
