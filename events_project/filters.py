"""Query-string filters of every list: one base FilterSet whose values are strict.

- ids (``?event=``, ``?series=``): :class:`IdFilter`, 1 to 2^63-1; a bigger number is a 400,
  not an overflow in the database; an id of an event, series, programme or cohort the caller may
  not see (the filter's ``scope``, their ``*_visible_to``/``*_managed_by`` selector) is a 404, as
  an unknown one is, never an empty list that reads as "nothing there";
- booleans (``?upcoming=``): true/false, 1/0, yes/no, on/off; anything else is a 400 (django-
  filter's own boolean quietly ignores ``bogus`` and returns everything);
- dates: within events_project.limits;
- ``?ordering=``: only the view's ``ordering_fields``; an unknown field is a 400.

:class:`FilterSet` refuses, when the class is created, a filter that would let an unbounded
number, a lax boolean or an unbounded date through, and :class:`FilterBackend` (the default
filter backend) refuses a view whose FilterSet does not derive from it.
"""

import django_filters
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters as drf_filters
from rest_framework.exceptions import ValidationError

from events_project import limits
from events_project.fields import FormDateField

TRUE_VALUES = frozenset({"true", "1", "yes", "on"})
FALSE_VALUES = frozenset({"false", "0", "no", "off"})
MIN_INTEGER, MAX_INTEGER = -(2**63), 2**63 - 1


class StrictBooleanField(forms.Field):
    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise forms.ValidationError(_("Give true or false."), code="invalid_boolean")


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class IdFilter(django_filters.NumberFilter):
    """A primary key (or a foreign key's id): a whole number from 1 to 2^63-1.

    ``scope(user)``: the rows the id may name for this caller (an app's selector); any other id,
    unknown or someone else's, is a 404 (:meth:`FilterSet.filter_queryset`)."""

    field_class = forms.IntegerField

    def __init__(self, *args, scope=None, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", limits.MAX_ID)
        self.scope = scope
        super().__init__(*args, **kwargs)


class NumberFilter(django_filters.NumberFilter):
    """Any other whole number, within what a 64-bit column holds."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", MIN_INTEGER)
        kwargs.setdefault("max_value", MAX_INTEGER)
        super().__init__(*args, **kwargs)


class PlausibleIsoDateTimeField(IsoDateTimeField):
    def to_python(self, value):
        value = super().to_python(value)
        limits.validate_plausible_date(value)
        return value


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = PlausibleIsoDateTimeField


class DateFilter(django_filters.DateFilter):
    field_class = FormDateField


_STRICT_DEFAULTS = {
    **FILTER_FOR_DBFIELD_DEFAULTS,
    models.BooleanField: {"filter_class": BooleanFilter},
    models.NullBooleanField: {"filter_class": BooleanFilter},
    models.DateTimeField: {"filter_class": IsoDateTimeFilter},
    models.DateField: {"filter_class": DateFilter},
    models.AutoField: {"filter_class": IdFilter},
    models.BigAutoField: {"filter_class": IdFilter},
    models.ForeignKey: {"filter_class": IdFilter},
    models.OneToOneField: {"filter_class": IdFilter},
    **{
        field: {"filter_class": NumberFilter}
        for field in (
            models.IntegerField,
            models.BigIntegerField,
            models.SmallIntegerField,
            models.PositiveIntegerField,
            models.PositiveBigIntegerField,
            models.PositiveSmallIntegerField,
        )
    },
}

# filters whose values reach the database unchecked, with what to use instead
_LAX = {
    django_filters.BooleanFilter: BooleanFilter,
    django_filters.NumberFilter: "IdFilter or NumberFilter",
    django_filters.IsoDateTimeFilter: IsoDateTimeFilter,
    django_filters.DateTimeFilter: IsoDateTimeFilter,
    django_filters.DateFilter: DateFilter,
    django_filters.ModelChoiceFilter: IdFilter,
    django_filters.ModelMultipleChoiceFilter: "a MultipleChoiceFilter or IdFilter",
}
_STRICT = (BooleanFilter, IdFilter, NumberFilter, IsoDateTimeFilter, DateFilter)


class FilterSet(django_filters.FilterSet):
    """The base of every FilterSet of the API (and of the public calendar feed)."""

    FILTER_DEFAULTS = _STRICT_DEFAULTS

    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        for name, declared in filters.items():
            if isinstance(declared, _STRICT):
                continue
            for lax, instead in _LAX.items():
                if isinstance(declared, lax):
                    raise ImproperlyConfigured(
                        f"{cls.__name__}.{name}: use events_project.filters' {getattr(instead, '__name__', instead)} "
                        f"instead of {type(declared).__name__}, which lets unchecked values reach the database."
                    )
        return filters

    def filter_queryset(self, queryset):
        # someone else's event (series, programme, cohort) answers as an unknown one: a 404, not an
        # empty list that says "nobody registered" of an event that has registrants
        user = getattr(self.request, "user", None)
        for name, value in self.form.cleaned_data.items():
            scope = getattr(self.filters[name], "scope", None)
            if scope is not None and value is not None and not scope(user).filter(pk=value).exists():
                raise Http404
        return super().filter_queryset(queryset)


class FilterBackend(DjangoFilterBackend):
    filterset_base = FilterSet

    def get_filterset_class(self, view, queryset=None):
        filterset_class = super().get_filterset_class(view, queryset)
        if filterset_class is not None and not issubclass(filterset_class, FilterSet):
            raise ImproperlyConfigured(
                f"{type(view).__name__}.filterset_class must derive from events_project.filters.FilterSet"
            )
        return filterset_class


class OrderingFilter(drf_filters.OrderingFilter):
    """DRF's ordering, except that a field the view does not offer is a 400, not ignored, and
    that every ordering ends with the primary key: a list is paged by OFFSET, and rows tied on
    the asked-for field (?ordering=status, or waiting_since, null for every confirmed
    registration) came back in whatever order each page's query plan gave on PostgreSQL, so
    paging through skipped some rows and listed others twice."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not {"pk", "-pk", "id", "-id"} & set(ordering):
            ordering = [*ordering, "pk"]
        return ordering

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        unknown = [term for term in fields if term not in valid]
        if unknown:
            offered = sorted(name for name, _label in self.get_valid_fields(queryset, view, {"request": request}))
            # each asked-for term cut short: the reader's own text is echoed back
            asked = ", ".join(term if len(term) <= 40 else f"{term[:40]}…" for term in unknown[:5])
            raise ValidationError(
                {
                    self.ordering_param: [
                        _("Unknown ordering %(asked)s; use one of: %(offered)s.")
                        % {"asked": asked, "offered": ", ".join(offered)}
                    ]
                }
            )
        return valid


def understood(form: forms.Form) -> dict:
    """The filters of a page's list form that are valid: one that is not (a status out of its
    choices, a mistyped date in a shared link) is left out on its own and the others still apply;
    an unbound form filters nothing. Django keeps the valid fields in ``cleaned_data`` even when
    another one fails."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return dict(form.cleaned_data)
