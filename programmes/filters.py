import django_filters

from events.selectors import series_visible_to
from events_project.filters import BooleanFilter, DateFilter, FilterSet, IdFilter
from programmes.models import AgeGroup, Certificate, Cohort, Enrolment, ParticipantSector, Programme
from programmes.selectors import (
    cohorts_listed_for,
    enrolment_profiles_visible_to,
    mentors_listed_for,
    programmes_listed_for,
    programmes_managed_by,
)


class ProgrammeFilter(FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", help_text="Words in the title")
    active_on = DateFilter(method="filter_active_on", help_text="Programmes running on this day")

    class Meta:
        model = Programme
        fields = ["q", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(starts_on__lte=value, ends_on__gte=value)


class CohortFilter(FilterSet):
    programme = IdFilter(field_name="programme_id", scope=programmes_managed_by)
    series = IdFilter(field_name="series_id", scope=series_visible_to)

    class Meta:
        model = Cohort
        fields = ["programme", "series"]


class EnrolmentFilter(FilterSet):
    cohort = IdFilter(field_name="cohort_id", scope=cohorts_listed_for)
    programme = IdFilter(field_name="cohort__programme_id", scope=programmes_listed_for)
    mentor = IdFilter(field_name="mentor_id", scope=mentors_listed_for)
    status = django_filters.ChoiceFilter(choices=Enrolment.Status.choices)
    # the profile narrows only the enrolments whose profile the caller may read: a mentor who
    # listed "?sector=government" learnt which of their mentees said so
    sector = django_filters.ChoiceFilter(choices=ParticipantSector.choices, method="filter_profile")
    age_group = django_filters.ChoiceFilter(choices=AgeGroup.choices, method="filter_profile")
    email = django_filters.CharFilter(field_name="email", lookup_expr="iexact")

    class Meta:
        model = Enrolment
        fields = ["cohort", "programme", "mentor", "status", "sector", "age_group", "email"]

    def filter_profile(self, queryset, name, value):
        if not value:
            return queryset
        readable = enrolment_profiles_visible_to(getattr(self.request, "user", None)).values("pk")
        return queryset.filter(**{name: value}, pk__in=readable)


class CertificateFilter(FilterSet):
    programme = IdFilter(field_name="enrolment__cohort__programme_id", scope=programmes_listed_for)
    valid = BooleanFilter(field_name="revoked_at", lookup_expr="isnull")

    class Meta:
        model = Certificate
        fields = ["programme", "valid"]
