import django_filters

from notifications import kinds
from notifications.models import AttendanceImport, MessageTemplateOverride, OutboxMessage, OutboxStatus


class OutboxFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OutboxStatus.choices)
    kind = django_filters.MultipleChoiceFilter(choices=kinds.CHOICES)
    event = django_filters.NumberFilter(field_name="event_id")
    recipient = django_filters.CharFilter(field_name="recipient_email", lookup_expr="iexact")
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = OutboxMessage
        fields = ["status", "kind", "event", "recipient"]


class MessageTemplateFilter(django_filters.FilterSet):
    event = django_filters.NumberFilter(field_name="event_id")
    kind = django_filters.ChoiceFilter(choices=kinds.CHOICES)

    class Meta:
        model = MessageTemplateOverride
        fields = ["event", "kind"]


class AttendanceImportFilter(django_filters.FilterSet):
    event = django_filters.NumberFilter(field_name="event_id")
    status = django_filters.ChoiceFilter(choices=AttendanceImport.Status.choices)

    class Meta:
        model = AttendanceImport
        fields = ["event", "status"]
