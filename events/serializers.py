from django.utils import timezone
from rest_framework import serializers

from events.models import Event, Region, Series, WhenFull
from events.permissions import can_manage_event
from events.selectors import series_visible_to
from events_project import limits
from registrations.selectors import seats_open_to_newcomer


class RegionSerializer(serializers.ModelSerializer):
    name = serializers.CharField(
        source="display_name", read_only=True, help_text="In the language asked for (Accept-Language: az gives Şəki)."
    )
    name_en = serializers.CharField(source="name", read_only=True)

    class Meta:
        model = Region
        fields = ["slug", "name", "name_en", "name_az", "kind", "economic_region", "latitude", "longitude"]


class InEventTimezone:
    """Read and write datetimes in the event's own timezone.

    Output carries the event's UTC offset (18:30+04:00 for Baku); naive input is taken as
    wall-clock time in the event's timezone, not the server's.
    """

    def to_representation(self, instance):
        with timezone.override(instance.zone):
            return super().to_representation(instance)

    def to_internal_value(self, data):
        name = data.get("timezone") if hasattr(data, "get") else None
        if not name and self.instance is not None:
            name = self.instance.timezone
        # an unknown name falls back to the site's zone here; the field's validator reports it
        zone = limits.zone_or_none(name) or timezone.get_current_timezone()
        with timezone.override(zone):
            return super().to_internal_value(data)


class EventSerializer(InEventTimezone, serializers.ModelSerializer):
    region = serializers.SlugRelatedField(
        slug_field="slug", queryset=Region.objects.all(), required=False, allow_null=True
    )
    # a method, not source="region.name": DRF drops a dotted field with a default from partial updates
    region_name = serializers.SerializerMethodField()
    seats_left = serializers.IntegerField(read_only=True, allow_null=True)
    seats_open = serializers.SerializerMethodField(
        help_text="Seats a person registering now would get: 0 while anyone is on the waiting list "
        "(they go first), null when there is no limit. What the event page shows."
    )
    when_full = serializers.ChoiceField(
        choices=WhenFull.choices,
        read_only=True,
        help_text="What registering online does while seats_open is 0: request (approval mode: a pending "
        "request the organisers decide on), waiting_list, or refused (409 event_full). What the event page says.",
    )
    registration_open = serializers.SerializerMethodField()
    ics_url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    series = serializers.SerializerMethodField(
        help_text="The series the event is a session of, when you may see that series (null otherwise)."
    )

    class Meta:
        model = Event
        fields = [
            "id", "uid", "title", "description", "kind", "format", "status", "timezone", "start", "end", "all_day",
            "venue_name", "venue_address", "region", "region_name", "city", "latitude", "longitude",
            "online_platform", "join_url", "capacity", "seats_taken", "seats_left", "seats_open", "when_full",
            "registration_mode",
            "registration_opens_at", "registration_closes_at", "registration_open", "rsvp_deadline",
            "waiting_list_enabled", "offer_hold_hours", "asks_recording_consent", "chatham_house_rule",
            "audience", "language", "max_party_size", "sectors", "reminder_offsets", "resources_url",
            "recording_url", "feedback_url",
            "series", "series_original_start", "sequence", "cancellation_reason", "ics_url", "page_url",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = [
            "uid", "status", "seats_taken", "series", "series_original_start", "sequence", "cancellation_reason",
            "created_at", "updated_at",
        ]  # fmt: skip
        extra_kwargs = {
            "join_url": {"help_text": "Only organisers of the event see it here; attendees get it with their ticket."}
        }

    def get_series(self, event) -> int | None:
        """Never published means never public: a session published on its own names no draft series
        (``events.pages.shown_series``), not even by its id, to whoever does not organise it."""
        if event.series_id is None or event.series.published:
            return event.series_id
        # the series the caller organises, read once per response (a list shares the context)
        seen = self.context.get("_visible_draft_series")
        if seen is None:
            request = self.context.get("request")
            user = getattr(request, "user", None)
            seen = set(series_visible_to(user).filter(published=False).values_list("pk", flat=True))
            self.context["_visible_draft_series"] = seen
        return event.series_id if event.series_id in seen else None

    def get_region_name(self, event) -> str | None:
        return event.region.display_name if event.region_id else None

    def get_seats_open(self, event) -> int | None:
        return seats_open_to_newcomer(event)

    def get_registration_open(self, event) -> bool:
        return event.registration_is_open()

    def get_ics_url(self, event) -> str:
        return f"/api/events/{event.pk}/ics/"

    def get_page_url(self, event) -> str:
        return event.get_absolute_url()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not can_manage_event(getattr(request, "user", None), instance):
            data.pop("join_url", None)
            data.pop("reminder_offsets", None)
        return data


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class SeriesSerializer(InEventTimezone, serializers.ModelSerializer):
    region = serializers.SlugRelatedField(
        slug_field="slug", queryset=Region.objects.all(), required=False, allow_null=True
    )
    occurrence_count = serializers.IntegerField(read_only=True, default=0)
    exdates = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=400)

    class Meta:
        model = Series
        fields = [
            "id", "uid", "title", "description", "kind", "format", "timezone", "rrule", "first_start",
            "duration_minutes", "exdates", "published", "venue_name", "venue_address", "region", "city",
            "latitude", "longitude", "online_platform", "join_url", "capacity", "registration_mode",
            "audience", "language", "occurrence_count", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["uid", "published", "created_at", "updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if not (user and user.is_authenticated and (user.is_superuser or user in instance.organisers.all())):
            data.pop("join_url", None)
        return data
