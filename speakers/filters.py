import django_filters
from django.db.models import Q
from django.utils import timezone

from events.models import Language
from events.selectors import events_managed_by
from events_project.filters import BooleanFilter, FilterSet, IdFilter
from speakers.models import AssignmentRole, AssignmentStatus, Speaker, SpeakerAssignment, SpeakerRole, StemField
from speakers.selectors import speakers_visible_to


def _in_json_list(name: str, value: str) -> Q:
    # the list is stored as JSON text: match the quoted slug (same on SQLite and PostgreSQL)
    return Q(**{f"{name}__icontains": f'"{value}"'})


class SpeakerFilter(FilterSet):
    field = django_filters.ChoiceFilter(choices=StemField.choices, method="filter_list", help_text="STEM field slug")
    language = django_filters.ChoiceFilter(choices=Language.choices, method="filter_list")
    role = django_filters.ChoiceFilter(choices=SpeakerRole.choices, method="filter_list")
    region = django_filters.CharFilter(method="filter_region", help_text="Region slug they can travel to")
    q = django_filters.CharFilter(method="filter_text", help_text="Name, title, organisation, topics, bio")

    class Meta:
        model = Speaker
        fields = ["field", "language", "role", "region", "q"]

    def filter_list(self, queryset, name, value):
        column = {"field": "stem_fields", "language": "languages", "role": "roles"}[name]
        return queryset.filter(_in_json_list(column, value)) if value else queryset

    def filter_region(self, queryset, name, value):
        # a subquery, not a join: one row per speaker, no DISTINCT
        through = Speaker.travel_regions.through.objects.filter(region__slug=value).values("speaker_id")
        return queryset.filter(pk__in=through)

    def filter_text(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(title__icontains=value)
            | Q(organisation__icontains=value)
            | Q(topics__icontains=value)
            | Q(bio__icontains=value)
        )


class AssignmentFilter(FilterSet):
    event = IdFilter(field_name="event_id", scope=events_managed_by)
    # the roster is shared: an organiser may name any speaker, only one that exists
    speaker = IdFilter(field_name="speaker_id", scope=speakers_visible_to)
    status = django_filters.MultipleChoiceFilter(choices=AssignmentStatus.choices)
    role = django_filters.MultipleChoiceFilter(choices=AssignmentRole.choices)
    unanswered = BooleanFilter(method="filter_unanswered", help_text="Invited, no answer yet")

    class Meta:
        model = SpeakerAssignment
        fields = ["event", "speaker", "status", "role"]

    def filter_unanswered(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.filter(status=AssignmentStatus.INVITED)
        return queryset.exclude(status=AssignmentStatus.INVITED)


class ScheduleFilter(FilterSet):
    when = django_filters.ChoiceFilter(
        choices=[("upcoming", "Upcoming"), ("past", "Past")], method="filter_when", help_text="upcoming or past"
    )
    status = django_filters.MultipleChoiceFilter(choices=AssignmentStatus.choices)

    class Meta:
        model = SpeakerAssignment
        fields = ["when", "status"]

    def filter_when(self, queryset, name, value):
        now = timezone.now()
        if value == "upcoming":
            return queryset.filter(event__end__gt=now)
        if value == "past":
            return queryset.filter(event__end__lte=now)
        return queryset
