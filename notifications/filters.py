import django_filters

from events.selectors import events_managed_by
from events_project.filters import FilterSet, IdFilter, IsoDateTimeFilter
from notifications import kinds
from notifications.models import MessageTemplateOverride, OutboxMessage, OutboxStatus


class OutboxFilter(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OutboxStatus.choices)
    kind = django_filters.MultipleChoiceFilter(choices=kinds.CHOICES)
    event = IdFilter(field_name="event_id", scope=events_managed_by)
    recipient = django_filters.CharFilter(field_name="recipient_email", lookup_expr="iexact")
    created_after = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = OutboxMessage
        fields = ["status", "kind", "event", "recipient"]


class MessageTemplateFilter(FilterSet):
    event = IdFilter(field_name="event_id", scope=events_managed_by)
    kind = django_filters.ChoiceFilter(choices=kinds.CHOICES)

    class Meta:
        model = MessageTemplateOverride
        fields = ["event", "kind"]
