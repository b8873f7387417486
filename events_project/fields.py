"""Input fields that keep dates within events_project.limits (API serializers and page forms),
and the pages' one number field (:class:`NumberField`).

DRF applies the timezone to a parsed datetime before any validator runs, and a year such as
0001 or 9999 overflows right there (``OverflowError``, a 500); a Django form lets it through
to the database, which overflows the same way. These fields refuse it first, with a 400, and
refuse a naive time that does not exist in the zone it is read in (the hour the clocks skip).
:func:`install` makes them the fields every ModelSerializer builds for date and datetime
columns; serializers and forms that declare a field use these classes.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS

from events_project import limits
from events_project.typed_text import tidy_email, without_invisible


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


def _number_limits(low, high) -> str:
    if low is not None and high is not None:
        return gettext("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
    if low is not None:
        return gettext("Enter a whole number of %(low)s or more.") % {"low": low}
    return gettext("Enter a whole number of %(high)s or less.") % {"high": high}


_number_limits_lazy = lazy(_number_limits, str)


class NumberField(forms.IntegerField):
    """A whole number whose limits a form states in plain words, both at once: "Enter a whole
    number from 1 to 100." / "1 ilə 100 arasında tam ədəd daxil edin.". Django's own messages
    say one bound in the abstract, which reads in Azerbaijani as "6-(y)a/ə bərabər və ya …".
    Every number field of the pages is one of these; a form's own ``error_messages`` still win."""

    def __init__(self, *, min_value=None, max_value=None, error_messages=None, **kwargs):
        # lazy: forms are built at import, before any request has chosen its language; the text
        # holds no "%", so the validators' "% params" leaves it as it is
        plain = _number_limits_lazy(min_value, max_value)
        messages = {"min_value": plain, "max_value": plain, **(error_messages or {})}
        super().__init__(min_value=min_value, max_value=max_value, error_messages=messages, **kwargs)


class BoundedManyRelatedField(serializers.ManyRelatedField):
    """``many=True`` of the API's relation fields: at most ``limits.MAX_RELATED_ITEMS`` items,
    each looked up once, all in one query where the child can (:class:`ScopedRelatedField`).

    DRF's own field asks the database once per item, repeats included: a list of one id
    repeated a few thousand times (a 1 MiB body holds some 300,000) held the worker for
    minutes on one request."""

    default_error_messages = {"too_many": _("Give at most {max_items} items.")}

    def to_internal_value(self, data):
        if isinstance(data, str | dict) or not hasattr(data, "__iter__"):
            self.fail("not_a_list", input_type=type(data).__name__)
        items = list(data)
        if not self.allow_empty and not items:
            self.fail("empty")
        if len(items) > limits.MAX_RELATED_ITEMS:
            self.fail("too_many", max_items=limits.MAX_RELATED_ITEMS)
        many = getattr(self.child_relation, "to_internal_values", None)
        if many is not None:
            return many(items)
        objects = []
        for item in _once_each(items):
            value = self.child_relation.to_internal_value(item)
            if value not in objects:
                objects.append(value)
        return objects


def _once_each(items: list) -> list:
    """``items`` without repeats, in their order (an unhashable one is kept, for its field to refuse)."""
    seen, unique = set(), []
    for item in items:
        try:
            key = (type(item), item)
            if key in seen:
                continue
            seen.add(key)
        except TypeError:
            pass
        unique.append(item)
    return unique


class BoundedManyMixin:
    """A relation field whose ``many=True`` is a :class:`BoundedManyRelatedField`."""

    @classmethod
    def many_init(cls, *args, **kwargs):
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        list_kwargs.update({key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS})
        return BoundedManyRelatedField(**list_kwargs)


class SlugRelatedField(BoundedManyMixin, serializers.SlugRelatedField):
    """DRF's SlugRelatedField, with a bounded ``many=True``."""


class ScopedRelatedField(BoundedManyMixin, serializers.PrimaryKeyRelatedField):
    """A relation to an object the requesting user may use.

    Its choices are ``selector(request.user)`` (``events_managed_by``, ``series_managed_by``,
    ``programmes_managed_by``, ...), built per request: an id of someone else's object is a 400
    ("does not exist"), exactly like an unknown one, so posting it reveals nothing. Ids outside
    the database's range are refused the same way, before any query. With ``many=True`` the ids
    are looked up together, in one query (:meth:`to_internal_values`).
    """

    def __init__(self, *, selector, model, **kwargs):
        self.selector = selector
        super().__init__(queryset=model.objects.none(), **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.selector(getattr(request, "user", None))

    def _number(self, data) -> int:
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            number = int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 0 < number <= limits.MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return number

    def to_internal_value(self, data):
        return super().to_internal_value(self._number(data))

    def to_internal_values(self, items: list) -> list:
        """The objects ``items`` name, each once, in their order: one query for all of them."""
        numbers = list(dict.fromkeys(self._number(item) for item in items))
        if not numbers:
            return []
        found = {obj.pk: obj for obj in self.get_queryset().filter(pk__in=numbers)}
        for number in numbers:
            if number not in found:
                self.fail("does_not_exist", pk_value=number)
        return [found[number] for number in numbers]


class EmailField(forms.EmailField):
    """A page's email field: an invisible character pasted with the address (a zero-width space
    from a chat or a document) is dropped before the address is checked, not refused as invalid;
    the check is the site's own (``limits.validate_email``: no address at an IP or "localhost")."""

    default_validators = [limits.validate_email]

    def to_python(self, value):
        return without_invisible(super().to_python(value)).strip()


class KeptEmailField(EmailField):
    """An address as the site keeps it (``typed_text.tidy_email``: lower-case too), for forms that
    save straight to a model with no service between (the admin): the services lower-case every
    address they store, and duplicates are found by the lower-case address."""

    def to_python(self, value):
        return tidy_email(super().to_python(value))


class ApiEmailField(serializers.EmailField):
    """The API's email field, with the pages' rule (:class:`EmailField`)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # DRF appends Django's own EmailValidator: the site's check replaces it
        self.validators = [
            limits.validate_email if isinstance(validator, EmailValidator) else validator
            for validator in self.validators
        ]

    def to_internal_value(self, data):
        return without_invisible(super().to_internal_value(data)).strip()


class TextField(serializers.CharField):
    """A CharField that takes text only: DRF's turns a number into its digits (``5`` → ``"5"``),
    so a scanner app sending its ticket code or device as a JSON number passed as text, against
    the API's word that a field of text refuses anything else."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Ticked rows by id, where an id past the database's range is no row: refused as any
    unknown value ("invalid_pk_value"). Django's own field asks the database with it and the
    driver overflows (SQLite's OverflowError, PostgreSQL's DataError): a 500. The admin's
    many-to-many fields (``ScopedAdmin``) and the pages' ticked lists use this one."""

    def _check_values(self, value):
        key = self.to_field_name or "pk"
        column = self.queryset.model._meta.pk if key == "pk" else self.queryset.model._meta.get_field(key)
        if isinstance(column, models.IntegerField):
            for pk in value:
                try:
                    number = int(str(pk).strip())
                except ValueError:
                    continue  # not a number: Django's own check says so
                if not -limits.MAX_ID - 1 <= number <= limits.MAX_ID:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super()._check_values(value)


def install() -> None:
    """Every ModelSerializer maps date, datetime and email columns to the fields above."""
    serializers.ModelSerializer.serializer_field_mapping[models.DateTimeField] = DateTimeField
    serializers.ModelSerializer.serializer_field_mapping[models.DateField] = DateField
    serializers.ModelSerializer.serializer_field_mapping[models.EmailField] = ApiEmailField
