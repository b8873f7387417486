"""Input fields that keep dates within events_project.limits (API serializers and page forms).

DRF applies the timezone to a parsed datetime before any validator runs, and a year such as
0001 or 9999 overflows right there (``OverflowError``, a 500); a Django form lets it through
to the database, which overflows the same way. These fields refuse it first, with a 400, and
refuse a naive time that does not exist in the zone it is read in (the hour the clocks skip).
:func:`install` makes them the fields every ModelSerializer builds for date and datetime
columns; serializers and forms that declare a field use these classes.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from rest_framework import serializers

from events_project import limits


def _plausible(value):
    if value is not None and not limits.is_plausible(value):
        raise serializers.ValidationError(limits.year_error_message(), code="date_out_of_range")
    return value


class DateTimeField(serializers.DateTimeField):
    def enforce_timezone(self, value):
        value = _plausible(value)
        zone = self.timezone if hasattr(self, "timezone") else self.default_timezone()
        if zone is not None and timezone.is_naive(value):
            # DRF's own check misses a time the clocks skip: zoneinfo makes it aware silently
            try:
                limits.validate_wall_clock(value, zone)
            except ValidationError as error:
                raise serializers.ValidationError(error.messages, code="nonexistent_time") from None
        return super().enforce_timezone(value)


class DateField(serializers.DateField):
    def to_internal_value(self, value):
        return _plausible(super().to_internal_value(value))


class FormDateField(forms.DateField):
    def to_python(self, value):
        value = super().to_python(value)
        limits.validate_plausible_date(value)
        return value


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A relation to an object the requesting user may use.

    Its choices are ``selector(request.user)`` (``events_managed_by``, ``series_managed_by``,
    ``programmes_managed_by``, ...), built per request: an id of someone else's object is a 400
    ("does not exist"), exactly like an unknown one, so posting it reveals nothing. Ids outside
    the database's range are refused the same way, before any query.
    """

    def __init__(self, *, selector, model, **kwargs):
        self.selector = selector
        super().__init__(queryset=model.objects.none(), **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.selector(getattr(request, "user", None))

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            number = int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 0 < number <= limits.MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(number)


def install() -> None:
    """Every ModelSerializer maps date and datetime columns to the fields above."""
    serializers.ModelSerializer.serializer_field_mapping[models.DateTimeField] = DateTimeField
    serializers.ModelSerializer.serializer_field_mapping[models.DateField] = DateField
