import django_filters
from django.db.models import Q
from django.utils import timezone

from events.models import Audience, Event, EventFormat, EventKind, EventStatus, Language, Series
from events.selectors import series_visible_to
from events_project.filters import BooleanFilter, DateFilter, FilterSet, IdFilter, IsoDateTimeFilter


class EventFilter(FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=EventKind.choices)
    format = django_filters.MultipleChoiceFilter(choices=EventFormat.choices)
    status = django_filters.MultipleChoiceFilter(choices=EventStatus.choices)
    language = django_filters.MultipleChoiceFilter(choices=Language.choices)
    audience = django_filters.MultipleChoiceFilter(choices=Audience.choices)
    region = django_filters.CharFilter(field_name="region__slug", help_text="Region slug, e.g. ganja")
    city = django_filters.CharFilter(field_name="city", lookup_expr="iexact")
    series = IdFilter(field_name="series_id", scope=series_visible_to)
    starts_after = IsoDateTimeFilter(field_name="start", lookup_expr="gte")
    starts_before = IsoDateTimeFilter(field_name="start", lookup_expr="lt")
    date_from = DateFilter(
        field_name="end", lookup_expr="date__gte", help_text="Events still running on or after this day"
    )
    date_to = DateFilter(field_name="start", lookup_expr="date__lte", help_text="Events starting on or before this day")
    upcoming = BooleanFilter(method="filter_upcoming", help_text="Only events that have not ended")
    q = django_filters.CharFilter(method="filter_text", help_text="Free text: title, description, venue, city")

    class Meta:
        model = Event
        fields = ["kind", "format", "status", "language", "audience", "region", "city", "series"]

    def filter_text(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(venue_name__icontains=value)
            | Q(city__icontains=value)
            | Q(region__name__icontains=value)
            | Q(region__name_az__icontains=value)
        )

    def filter_upcoming(self, queryset, name, value):
        if value is None:
            return queryset
        now = timezone.now()
        return queryset.filter(end__gt=now) if value else queryset.filter(end__lte=now)


class SeriesFilter(FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=EventKind.choices)
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains")

    class Meta:
        model = Series
        fields = ["kind", "published"]
