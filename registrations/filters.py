import django_filters
from django.db.models import Q
from django.utils import timezone

from events_project.filters import BooleanFilter, FilterSet
from events_project.search_folding import fold
from registrations.models import Attendance, Invitation, Registration, RegistrationStatus, Sector


class RegistrationFilter(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=RegistrationStatus.choices)
    sector = django_filters.MultipleChoiceFilter(choices=Sector.choices)
    source = django_filters.MultipleChoiceFilter(choices=Registration.Source.choices)
    attendance = django_filters.MultipleChoiceFilter(choices=Attendance.choices)
    q = django_filters.CharFilter(method="filter_text", help_text="Name, email or organisation contains")

    class Meta:
        model = Registration
        fields = ["status", "sector", "source", "attendance"]

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # names folded as every name search folds them (events_project.search_folding)
        by_name = Q(name__icontains=value) | Q(search_name__contains=fold(value))
        return queryset.filter(by_name | Q(email__icontains=value) | Q(organisation__icontains=value))


class MyRegistrationFilter(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=RegistrationStatus.choices)
    upcoming = BooleanFilter(method="filter_upcoming", help_text="Only events that have not ended")

    class Meta:
        model = Registration
        fields = ["status"]

    def filter_upcoming(self, queryset, name, value):
        if value is None:
            return queryset
        ended = Q(event__end__lte=timezone.now())
        return queryset.exclude(ended) if value else queryset.filter(ended)


class InvitationFilter(FilterSet):
    sector = django_filters.MultipleChoiceFilter(choices=Sector.choices)
    used = BooleanFilter(field_name="used_at", lookup_expr="isnull", exclude=True)
    revoked = BooleanFilter(field_name="revoked_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Invitation
        fields = ["sector"]
