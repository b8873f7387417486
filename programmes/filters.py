from functools import partial

import django_filters

from programmes.models import AgeGroup, Certificate, Cohort, Enrolment, ParticipantSector, Programme

# ids beyond a 64-bit integer are refused (400), not sent to the database
IdFilter = partial(django_filters.NumberFilter, min_value=1, max_value=2**63 - 1)


class ProgrammeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", help_text="Words in the title")
    active_on = django_filters.DateFilter(method="filter_active_on", help_text="Programmes running on this day")

    class Meta:
        model = Programme
        fields = ["q", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(starts_on__lte=value, ends_on__gte=value)


class CohortFilter(django_filters.FilterSet):
    programme = IdFilter(field_name="programme_id")
    series = IdFilter(field_name="series_id")

    class Meta:
        model = Cohort
        fields = ["programme", "series"]


class EnrolmentFilter(django_filters.FilterSet):
    cohort = IdFilter(field_name="cohort_id")
    programme = IdFilter(field_name="cohort__programme_id")
    mentor = IdFilter(field_name="mentor_id")
    status = django_filters.ChoiceFilter(choices=Enrolment.Status.choices)
    sector = django_filters.ChoiceFilter(choices=ParticipantSector.choices)
    age_group = django_filters.ChoiceFilter(choices=AgeGroup.choices)
    email = django_filters.CharFilter(field_name="email", lookup_expr="iexact")

    class Meta:
        model = Enrolment
        fields = ["cohort", "programme", "mentor", "status", "sector", "age_group", "email"]


class CertificateFilter(django_filters.FilterSet):
    programme = IdFilter(field_name="enrolment__cohort__programme_id")
    valid = django_filters.BooleanFilter(field_name="revoked_at", lookup_expr="isnull")

    class Meta:
        model = Certificate
        fields = ["programme", "valid"]
