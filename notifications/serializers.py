from rest_framework import serializers

from events_project import fields
from notifications import kinds
from notifications.models import AttendanceImport, MessageTemplateOverride, OutboxMessage


class OutboxMessageSerializer(serializers.ModelSerializer):
    attachment_names = serializers.SerializerMethodField()

    class Meta:
        model = OutboxMessage
        fields = [
            "id",
            "kind",
            "recipient_email",
            "recipient_name",
            "subject",
            "event",
            "status",
            "attempts",
            "last_error",
            "next_attempt_at",
            "sent_at",
            "created_at",
            "dedup_key",
            "attachment_names",
        ]
        read_only_fields = fields

    def get_attachment_names(self, message) -> list[str]:
        if "attachments" in message.get_deferred_fields():
            return []
        return [attachment["filename"] for attachment in message.attachments or []]


class OutboxMessageDetailSerializer(OutboxMessageSerializer):
    class Meta(OutboxMessageSerializer.Meta):
        fields = [*OutboxMessageSerializer.Meta.fields, "body_text", "body_html"]
        read_only_fields = fields


class MessageTemplateSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=kinds.CHOICES)

    class Meta:
        model = MessageTemplateOverride
        fields = ["id", "event", "kind", "subject", "body", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class MessageTemplateUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = MessageTemplateOverride
        fields = ["subject", "body"]


class AttendanceImportSerializer(serializers.ModelSerializer):
    class Meta:
        model = AttendanceImport
        fields = [
            "id",
            "event",
            "filename",
            "format",
            "detected_format",
            "threshold_percent",
            "send_corrections",
            "status",
            "error",
            "error_code",
            "rows",
            "matched",
            "attended",
            "unmatched_rows",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class AttendanceUploadSerializer(serializers.Serializer):
    event = serializers.IntegerField()
    file = serializers.FileField()
    format = serializers.ChoiceField(choices=AttendanceImport.Format.choices, default="auto")
    threshold_percent = serializers.IntegerField(min_value=1, max_value=100, default=50)
    send_corrections = serializers.BooleanField(
        default=False,
        help_text="After the follow-ups went out: send one short correction to people whose attendance changes.",
    )


class FinaliseAttendanceSerializer(serializers.Serializer):
    without_report = serializers.BooleanField(
        default=False,
        help_text="Online and hybrid events: finalise with no participant report (everyone not checked in is a "
        "no-show).",
    )


class EventAttendanceFiguresSerializer(serializers.Serializer):
    event = serializers.IntegerField()
    title = serializers.CharField()
    finalised_at = fields.DateTimeField(allow_null=True)
    registered = serializers.IntegerField()
    attended = serializers.IntegerField()
    no_show = serializers.IntegerField()
    unknown = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text="attended / (attended + no-show)")


class SeriesParticipantAttendanceSerializer(serializers.Serializer):
    email = serializers.EmailField()
    name = serializers.CharField()
    registered = serializers.IntegerField()
    attended = serializers.IntegerField()
    no_show = serializers.IntegerField()
    rate = serializers.FloatField(help_text="attended / sessions held")
    completed = serializers.BooleanField()


class SeriesAttendanceFiguresSerializer(serializers.Serializer):
    series = serializers.IntegerField()
    title = serializers.CharField()
    sessions_held = serializers.IntegerField()
    threshold = serializers.FloatField()
    registered = serializers.IntegerField()
    attended = serializers.IntegerField()
    no_show = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    participants = SeriesParticipantAttendanceSerializer(many=True)
