"""Input and output shapes. Public shapes list their fields explicitly: private ones
(PRIVATE_SPEAKER_FIELDS, unavailability reasons, override notes) are never among them."""

from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework import serializers

from events.models import Event, Language, Region
from events.selectors import events_managed_by
from events_project import fields
from events_project.people import account_name
from speakers import conflicts as speaker_conflicts
from speakers import services
from speakers.models import (
    PRIVATE_SPEAKER_FIELDS,
    AssignmentRole,
    AssignmentStatus,
    Speaker,
    SpeakerAssignment,
    SpeakerRole,
    SpeakerUnavailability,
    StemField,
)
from speakers.selectors import follows_event, speaker_contacts_visible_to, speakers_visible_to

PUBLIC_SPEAKER_FIELDS = [
    "id", "name", "title", "organisation", "stem_fields", "topics", "bio", "photo", "photo_url", "photo_src",
    "languages", "travel_regions", "roles", "public_email", "website", "linkedin_url", "upcoming_events",
]  # fmt: skip


def _local(value, event: Event) -> str:
    return timezone.localtime(value, event.zone).isoformat()


class UpcomingEventSerializer(serializers.Serializer):
    """An accepted assignment shown on the public roster: what and when, never how to join."""

    id = serializers.IntegerField(source="event.id")
    title = serializers.CharField(source="event.title")
    kind = serializers.CharField(source="event.kind")
    format = serializers.CharField(source="event.format")
    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()
    timezone = serializers.CharField(source="event.timezone")
    city = serializers.CharField(source="event.city")
    region = serializers.CharField(source="event.region.slug", default=None)
    role = serializers.CharField()
    page_url = serializers.CharField(source="event.get_absolute_url")

    def get_start(self, assignment) -> str:
        return _local(assignment.event.start, assignment.event)

    def get_end(self, assignment) -> str:
        return _local(assignment.event.end, assignment.event)


class SpeakerProfileFields(serializers.ModelSerializer):
    travel_regions = fields.SlugRelatedField(
        slug_field="slug", queryset=Region.objects.all(), many=True, required=False
    )
    stem_fields = serializers.ListField(child=serializers.ChoiceField(StemField.choices), required=False)
    roles = serializers.ListField(child=serializers.ChoiceField(SpeakerRole.choices), required=False)
    languages = serializers.ListField(child=serializers.ChoiceField(Language.choices), required=False)
    topics = serializers.ListField(child=serializers.CharField(max_length=100), required=False, max_length=30)
    # a plain file: whether it is an image, and which, is speakers.photos' one rule (the pages' too)
    photo = serializers.FileField(
        required=False,
        allow_null=True,
        allow_empty_file=True,
        help_text="A JPEG, PNG or WebP image (multipart), at most 5 MB and 6000 x 6000 pixels (25 megapixels); "
        "kept re-encoded as a JPEG of at most 512 pixels a side, upright and without EXIF. null (or an empty "
        "part) removes it. 400 photo_too_large, photo_too_many_pixels, photo_not_an_image; 403 "
        "speaker_engaged_elsewhere for another organiser's speaker (as for every field of the profile).",
    )
    photo_src = serializers.CharField(read_only=True, help_text="The uploaded photo, else photo_url.")
    upcoming_events = serializers.SerializerMethodField()

    class Meta:
        model = Speaker
        fields = PUBLIC_SPEAKER_FIELDS

    def get_upcoming_events(self, speaker) -> list[dict]:
        assignments = getattr(speaker, "upcoming_assignments", [])
        return UpcomingEventSerializer(assignments, many=True).data


class PublicSpeakerSerializer(SpeakerProfileFields):
    class Meta(SpeakerProfileFields.Meta):
        read_only_fields = PUBLIC_SPEAKER_FIELDS


class OwnSpeakerSerializer(SpeakerProfileFields):
    """The speaker's own profile: their public fields and their own contact details."""

    class Meta(SpeakerProfileFields.Meta):
        fields = [*PUBLIC_SPEAKER_FIELDS, "email", "phone", "listed"]
        read_only_fields = ["listed"]


class LinkedAccountField(serializers.PrimaryKeyRelatedField):
    """The account a speaker signs in with. Who may not link accounts directly is refused before
    the id is looked up: an unknown id and someone's real account get the same 403."""

    def to_internal_value(self, data):
        request = self.context.get("request")
        speaker = getattr(self.parent, "instance", None)
        # the account the speaker has already (a profile sent back whole) is no new link
        unchanged = speaker is not None and speaker.user_id is not None and str(data) == str(speaker.user_id)
        if data is not None and not unchanged:
            services.check_may_link(data, getattr(request, "user", None))
        return super().to_internal_value(data)


class OrganiserSpeakerSerializer(SpeakerProfileFields):
    user = LinkedAccountField(
        queryset=get_user_model().objects.all(),
        required=False,
        allow_null=True,
        help_text="The account the speaker signs in with (id); null to unlink.",
    )

    class Meta(SpeakerProfileFields.Meta):
        fields = [*PUBLIC_SPEAKER_FIELDS, "email", "phone", "private_notes", "listed", "user", "created_at",
                  "updated_at"]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]

    def to_representation(self, instance):
        """The private fields only of a speaker whose contacts the reader may see
        (``selectors.speaker_contacts_visible_to``): a speaker engaged only at other organisers'
        events has none of them here."""
        data = super().to_representation(instance)
        if instance.pk not in self._contacts_seen(instance):
            for name in PRIVATE_SPEAKER_FIELDS:
                data.pop(name, None)
        return data

    def _contacts_seen(self, instance) -> set[int]:
        # read once per response for a list (its items share the context), else for this speaker
        seen = self.context.get("_speaker_contacts_seen")
        if seen is None:
            request = self.context.get("request")
            speakers = speaker_contacts_visible_to(getattr(request, "user", None))
            page = getattr(self.parent, "instance", None) if self.parent is not None else None
            ids = [speaker.pk for speaker in page] if page is not None else [instance.pk]
            seen = set(speakers.filter(pk__in=ids).values_list("pk", flat=True))
            self.context["_speaker_contacts_seen"] = seen
        return seen


class ConflictEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    start = fields.DateTimeField()
    end = fields.DateTimeField()


class ConflictSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["overlap", "unavailable", "travel"])
    detail = serializers.CharField()
    other_event = ConflictEventSerializer(allow_null=True)


class AssignmentSerializer(serializers.ModelSerializer):
    """An assignment as organisers see it, with its conflicts (computed, never hidden)."""

    event_title = serializers.CharField(source="event.title", read_only=True)
    event_start = fields.DateTimeField(source="event.start", read_only=True)
    speaker_name = serializers.CharField(source="speaker.name", read_only=True)
    awaiting_answer = serializers.SerializerMethodField()
    conflicts = serializers.SerializerMethodField()
    conflict_overridden_by = serializers.SerializerMethodField()

    class Meta:
        model = SpeakerAssignment
        fields = [
            "id", "event", "event_title", "event_start", "speaker", "speaker_name", "role", "order", "status",
            "awaiting_answer", "message", "invited_at", "responded_at", "response_deadline", "reminder_count",
            "last_reminded_at", "unanswered_alert_sent_at", "withdrawn_at", "conflicts",
            "conflict_override_reason", "conflict_overridden_by", "conflict_overridden_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_awaiting_answer(self, assignment) -> bool:
        return assignment.status == AssignmentStatus.INVITED

    @staticmethod
    def _conflicts_of(assignment, context) -> list:
        conflicts = context.get("conflicts")
        if conflicts is None or assignment.pk not in conflicts:
            request = context.get("request")
            viewer = getattr(request, "user", None)
            conflicts = speaker_conflicts.conflicts_for_assignments([assignment], viewer=viewer)
        return conflicts[assignment.pk]

    def get_conflicts(self, assignment) -> list[dict]:
        found = self._conflicts_of(assignment, self.context)
        return ConflictSerializer([conflict.as_dict() for conflict in found], many=True).data

    def get_conflict_overridden_by(self, assignment) -> str | None:
        user = assignment.conflict_overridden_by
        return account_name(user) if user else None


class AssignSpeakerSerializer(serializers.Serializer):
    # only events the caller organises (someone else's is a 400, like an unknown id)
    event = fields.ScopedRelatedField(model=Event, selector=events_managed_by)
    # any speaker of the roster one sees may be invited (a change to their profile is another matter)
    speaker = fields.ScopedRelatedField(model=Speaker, selector=speakers_visible_to)
    role = serializers.ChoiceField(choices=AssignmentRole.choices, default=AssignmentRole.PANELLIST)
    order = serializers.IntegerField(min_value=0, max_value=1000, default=0)
    response_deadline = fields.DateTimeField(required=False, allow_null=True, default=None)
    conflict_override_reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class UpdateAssignmentSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=AssignmentRole.choices, required=False)
    order = serializers.IntegerField(min_value=0, max_value=1000, required=False)
    response_deadline = fields.DateTimeField(required=False)


class OverrideSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class AnswerSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class LinkAnswerSerializer(AnswerSerializer):
    answer = serializers.ChoiceField(choices=["accept", "decline"])


class ScheduleEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    format = serializers.CharField()
    status = serializers.CharField()
    timezone = serializers.CharField()
    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()
    venue_name = serializers.CharField()
    venue_address = serializers.CharField()
    city = serializers.CharField()
    region = serializers.CharField(source="region.slug", default=None)
    online_platform = serializers.CharField()
    page_url = serializers.CharField(source="get_absolute_url")

    def get_start(self, event) -> str:
        return _local(event.start, event)

    def get_end(self, event) -> str:
        return _local(event.end, event)


class ScheduleSerializer(serializers.ModelSerializer):
    """One line of a speaker's own schedule. The join link only once they accepted."""

    event = ScheduleEventSerializer(read_only=True)
    join_url = serializers.SerializerMethodField()

    class Meta:
        model = SpeakerAssignment
        fields = ["id", "event", "role", "order", "status", "message", "invited_at", "responded_at",
                  "response_deadline", "join_url"]  # fmt: skip
        read_only_fields = fields

    def get_join_url(self, assignment) -> str | None:
        if assignment.join_url:
            return assignment.join_url
        return None


class InvitationLinkSerializer(ScheduleSerializer):
    """What the signed link in the invitation email shows (no join link before accepting).
    ``event`` is null once the speaker declined or was withdrawn while the event was never
    published, a draft or one cancelled unpublished (``selectors.follows_event``, the schedule's
    rule): the answer stays, the plans do not."""

    speaker_name = serializers.CharField(source="speaker.name", read_only=True)
    event = ScheduleEventSerializer(read_only=True, allow_null=True)

    class Meta(ScheduleSerializer.Meta):
        fields = ["id", "speaker_name", "event", "role", "status", "message", "response_deadline", "join_url"]
        read_only_fields = fields

    def to_representation(self, assignment):
        data = super().to_representation(assignment)
        if not follows_event(assignment):
            data["event"] = None
        return data


class UnavailabilitySerializer(serializers.ModelSerializer):
    class Meta:
        model = SpeakerUnavailability
        fields = ["id", "start", "end", "reason"]

    def validate(self, attrs):
        start = attrs.get("start", getattr(self.instance, "start", None))
        end = attrs.get("end", getattr(self.instance, "end", None))
        if start and end and end <= start:
            raise serializers.ValidationError({"end": "The period must end after it starts."})
        return attrs
