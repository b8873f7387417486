"""Input fields that keep dates within events_project.limits (API serializers and page forms).

DRF applies the timezone to a parsed datetime before any validator runs, and a year such as
0001 or 9999 overflows right there (``OverflowError``, a 500); a Django form lets it through
to the database, which overflows the same way. These fields refuse it first, with a 400.
:func:`install` makes them the fields every ModelSerializer builds for date and datetime
columns; serializers and forms that declare a field use these classes.
"""

from django import forms
from django.db import models
from rest_framework import serializers

from events_project import limits


def _plausible(value):
    if value is not None and not limits.is_plausible(value):
        raise serializers.ValidationError(limits.year_error_message(), code="date_out_of_range")
    return value


class DateTimeField(serializers.DateTimeField):
    def enforce_timezone(self, value):
        return super().enforce_timezone(_plausible(value))


class DateField(serializers.DateField):
    def to_internal_value(self, value):
        return _plausible(super().to_internal_value(value))


class FormDateField(forms.DateField):
    def to_python(self, value):
        value = super().to_python(value)
        limits.validate_plausible_date(value)
        return value


def install() -> None:
    """Every ModelSerializer maps date and datetime columns to the fields above."""
    serializers.ModelSerializer.serializer_field_mapping[models.DateTimeField] = DateTimeField
    serializers.ModelSerializer.serializer_field_mapping[models.DateField] = DateField
