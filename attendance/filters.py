import django_filters

from attendance.models import AttendanceImport
from events.selectors import events_managed_by
from events_project.filters import FilterSet, IdFilter


class AttendanceImportFilter(FilterSet):
    event = IdFilter(field_name="event_id", scope=events_managed_by)
    status = django_filters.ChoiceFilter(choices=AttendanceImport.Status.choices)

    class Meta:
        model = AttendanceImport
        fields = ["event", "status"]
