from rest_framework import serializers

from attendance.models import AttendanceImport
from attendance.services.participant_reports import failure_text
from events_project import fields
from events_project.fields import ApiEmailField


class AttendanceImportSerializer(serializers.ModelSerializer):
    error = serializers.SerializerMethodField(help_text="Why the import failed, in the request's language.")
    kept_by_hand = serializers.IntegerField(
        read_only=True,
        help_text="Registrants found whose attendance was decided by hand (by an organiser or an administrator): "
        "the report left it (minutes are recorded; `attended` does not count them).",
    )

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
            "kept_by_hand",
            "unmatched_rows",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_error(self, report) -> str:
        return failure_text(report)


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
    email = ApiEmailField()
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
