"""Input and output shapes of the programmes API (see programmes.apis)."""

from rest_framework import serializers

from events.models import Event, Region, Series
from events.selectors import events_managed_by, series_managed_by
from events_project import fields
from events_project.fields import ApiEmailField
from programmes.certificates import verification_url
from programmes.models import AgeGroup, Certificate, Cohort, Enrolment, ParticipantSector, Programme
from programmes.permissions import can_read_enrolment_profile
from programmes.selectors import programmes_managed_by
from registrations.models import RegistrationStatus


class ProgrammeSerializer(serializers.ModelSerializer):
    # only series and events the caller organises (someone else's is a 400, like an unknown id)
    series = fields.ScopedRelatedField(many=True, model=Series, selector=series_managed_by, required=False)
    events = fields.ScopedRelatedField(many=True, model=Event, selector=events_managed_by, required=False)
    organisers = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    cohort_count = serializers.IntegerField(read_only=True, default=0)
    report_url = serializers.SerializerMethodField()
    report_page_url = serializers.SerializerMethodField()

    class Meta:
        model = Programme
        fields = [
            "id", "title", "description", "starts_on", "ends_on", "completion_threshold", "series", "events",
            "organisers", "cohort_count", "report_url", "report_page_url", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]

    def get_report_url(self, programme) -> str:
        return f"/api/programmes/{programme.pk}/report/"

    def get_report_page_url(self, programme) -> str:
        return f"/programmes/{programme.pk}/report/"

    def validate(self, data):
        starts_on = data.get("starts_on", getattr(self.instance, "starts_on", None))
        ends_on = data.get("ends_on", getattr(self.instance, "ends_on", None))
        if starts_on and ends_on and ends_on < starts_on:
            raise serializers.ValidationError({"ends_on": "The programme must end on or after its first day."})
        return data


class CohortSerializer(serializers.ModelSerializer):
    programme = fields.ScopedRelatedField(model=Programme, selector=programmes_managed_by)
    series = fields.ScopedRelatedField(model=Series, selector=series_managed_by, required=False, allow_null=True)
    active_members = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Cohort
        fields = ["id", "programme", "series", "name", "active_members", "created_at"]
        read_only_fields = ["created_at"]
        validators = []  # the unique name is checked by the database (409) and the service


class EnrolSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    email = ApiEmailField()
    sector = serializers.ChoiceField(choices=ParticipantSector.choices, required=False, allow_blank=True, default="")
    age_group = serializers.ChoiceField(choices=AgeGroup.choices, required=False, allow_blank=True, default="")
    region = serializers.SlugRelatedField(
        slug_field="slug", queryset=Region.objects.all(), required=False, allow_null=True, default=None
    )
    mentor = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="Speaker id")


# what a participant gave for the programme's figures (selectors.enrolment_profiles_visible_to)
ENROLMENT_PROFILE_FIELDS = ("sector", "age_group", "region")


class EnrolmentSerializer(serializers.ModelSerializer):
    programme = serializers.IntegerField(source="cohort.programme_id", read_only=True)
    region = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    # blank when the participant chose not to say
    sector = serializers.ChoiceField(choices=ParticipantSector.choices, allow_blank=True, read_only=True)
    age_group = serializers.ChoiceField(choices=AgeGroup.choices, allow_blank=True, read_only=True)
    mentor_name = serializers.CharField(source="mentor.name", read_only=True, default=None, allow_null=True)
    journey_url = serializers.SerializerMethodField()

    class Meta:
        model = Enrolment
        fields = [
            "id", "cohort", "programme", "name", "email", "status", "joined_at", "left_at", "sector", "age_group",
            "region", "mentor", "mentor_name", "journey_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_journey_url(self, enrolment) -> str:
        return f"/api/enrolments/{enrolment.pk}/journey/"

    def to_representation(self, enrolment):
        data = super().to_representation(enrolment)
        # given for the programme's figures: the participant and the programme's organisers read
        # them, a mentor does not (nor does anyone when the caller is not known)
        shown = [name for name in ENROLMENT_PROFILE_FIELDS if name in data]
        request = self.context.get("request")
        if shown and not can_read_enrolment_profile(getattr(request, "user", None), enrolment):
            for name in shown:
                del data[name]
        return data


class SkipSerializer(serializers.Serializer):
    event = serializers.IntegerField()
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class UndoSkipSerializer(serializers.Serializer):
    event = serializers.IntegerField()


class SkipUndoneSerializer(serializers.Serializer):
    """What undoing a skip left: the participant's registration for the session, if it took one."""

    event = serializers.IntegerField()
    registration = serializers.IntegerField(allow_null=True, help_text="null: the session takes no registration now")
    registration_status = serializers.ChoiceField(
        choices=RegistrationStatus.choices,
        allow_null=True,
        help_text="confirmed, or waitlisted when the session filled meanwhile; null with registration",
    )


class MentorSerializer(serializers.Serializer):
    mentor = serializers.IntegerField(allow_null=True, help_text="Speaker id; null unpairs")


class JourneyEntrySerializer(serializers.Serializer):
    event_id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    start = fields.DateTimeField()
    series_id = serializers.IntegerField(allow_null=True)
    series_title = serializers.CharField()
    in_cohort = serializers.BooleanField()
    registration_status = serializers.CharField()
    outcome = serializers.ChoiceField(
        choices=["attended", "missed", "skipped", "upcoming", "cancelled", "waitlisted", "not_finalised"]
    )


class SeriesAttendanceSerializer(serializers.Serializer):
    series_id = serializers.IntegerField(allow_null=True)
    title = serializers.CharField()
    attended = serializers.IntegerField()
    missed = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class StreakSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    length = serializers.IntegerField()
    first_event_id = serializers.IntegerField()
    last_event_id = serializers.IntegerField()


class JourneySummarySerializer(serializers.Serializer):
    registered = serializers.IntegerField()
    attended = serializers.IntegerField()
    missed = serializers.IntegerField()
    skipped = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text="attended / (attended + missed), fraction 0–1")
    threshold = serializers.FloatField(help_text="fraction 0–1")
    completed = serializers.BooleanField()
    current_streak = StreakSerializer(allow_null=True)
    longest_attended_streak = serializers.IntegerField()
    longest_missed_streak = serializers.IntegerField()
    by_series = SeriesAttendanceSerializer(many=True)


class JourneySerializer(JourneySummarySerializer):
    enrolment = EnrolmentSerializer()
    entries = JourneyEntrySerializer(many=True)


class MenteeSerializer(EnrolmentSerializer):
    """A mentee as their mentor sees them: who, and how their attendance goes."""

    attendance = serializers.SerializerMethodField()

    class Meta(EnrolmentSerializer.Meta):
        # sector, age group and region were given for the programme's figures, not for the mentor
        fields = [
            *(field for field in EnrolmentSerializer.Meta.fields if field not in ENROLMENT_PROFILE_FIELDS),
            "attendance",
        ]
        read_only_fields = fields

    def get_attendance(self, enrolment) -> dict:
        journey = self.context["journeys"][enrolment.pk]
        return JourneySummarySerializer(journey).data


class CertificateSerializer(serializers.ModelSerializer):
    verification_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()
    valid = serializers.BooleanField(source="is_valid", read_only=True)

    class Meta:
        model = Certificate
        fields = [
            "id", "number", "enrolment", "series", "participant_name", "programme_title", "attendance_rate",
            "sessions_attended", "issued_at", "valid", "revoked_at", "revoked_reason", "verification_url", "pdf_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_verification_url(self, certificate) -> str:
        return verification_url(certificate)

    def get_pdf_url(self, certificate) -> str:
        return f"/api/certificates/{certificate.pk}/pdf/"


class IssueCertificatesSerializer(serializers.Serializer):
    before_end = serializers.BooleanField(
        default=False,
        help_text="Issue before the programme has ended, counting only the sessions held so far.",
    )


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
