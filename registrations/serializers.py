"""Input and output shapes of the registrations API. No rules here: the services decide."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from events.models import MAX_PARTY_SIZE
from events_project import fields, limits
from registrations.models import Answer, Attendance, Invitation, Question, Registration, RegistrationStatus, Sector
from registrations.services.registration import waiting_position


class InEventZone:
    """Datetimes in the event's own timezone (as the events API shows them)."""

    def to_representation(self, instance):
        event = instance.event if hasattr(instance, "event") else None
        if event is None:
            return super().to_representation(instance)
        with timezone.override(event.zone):
            return super().to_representation(instance)


# --- input --------------------------------------------------------------------------------


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]})
class AnswerValueField(serializers.Field):
    """Text, number or yes/no: stored as text, checked against the question by the service."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return "yes" if data else "no"
        if isinstance(data, (str, int, float)):
            return str(data)
        raise serializers.ValidationError(_("An answer is text, a number or true/false."))

    def to_representation(self, value):
        return value


class RegisterSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    answers = serializers.DictField(
        child=AnswerValueField(),
        required=False,
        default=dict,
        help_text='Question id → answer, e.g. {"12": "academia", "13": true}',
    )
    party_size = serializers.IntegerField(min_value=1, max_value=MAX_PARTY_SIZE, default=1)
    party_names = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list, max_length=MAX_PARTY_SIZE
    )
    consent_data_processing = serializers.BooleanField(default=False)
    consent_recording = serializers.BooleanField(required=False, allow_null=True, default=None)
    sector = serializers.ChoiceField(choices=Sector.choices, required=False, allow_blank=True, default="")
    organisation = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    invitation_code = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


_TEXT_LIMITS = {"name": 200, "email": 254, "organisation": 200, "invitation_code": 40}
_SECTORS = frozenset(Sector.values)


def _plain_text(value, limit: int, *, blank: bool = True) -> str | None:
    """A CharField's value (trimmed), or None when the field itself would have to judge it."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if len(value) > limit or "\x00" in value or (not value and not blank):
        return None
    try:
        value.encode()  # lone surrogates: the serializer says what is wrong
    except UnicodeEncodeError:
        return None
    return value


def _plain_answers(answers) -> dict | None:
    if not isinstance(answers, dict):
        return None
    cleaned = {}
    for key, value in answers.items():
        if isinstance(value, bool):
            cleaned[str(key)] = "yes" if value else "no"
        elif isinstance(value, (str, int, float)):
            cleaned[str(key)] = str(value)
        else:
            return None
    return cleaned


def _plain_registration(data) -> dict | None:
    """RegisterSerializer's validated data, for input that needs none of its coercions."""
    if type(data) is not dict:  # JSON; a form's QueryDict has the serializer's own rules
        return None
    parsed = {}
    for name, limit in _TEXT_LIMITS.items():
        parsed[name] = _plain_text(data.get(name, ""), limit)
        if parsed[name] is None:
            return None
    parsed["answers"] = _plain_answers(data.get("answers", {}))
    party_size = data.get("party_size", 1)
    names = data.get("party_names", [])
    if parsed["answers"] is None or type(party_size) is not int or not 1 <= party_size <= MAX_PARTY_SIZE:
        return None
    if not isinstance(names, list) or len(names) > MAX_PARTY_SIZE:
        return None
    parsed["party_size"] = party_size
    parsed["party_names"] = [_plain_text(name, 200, blank=False) for name in names]
    consent, recording, sector = (
        data.get("consent_data_processing", False),
        data.get("consent_recording"),
        data.get("sector", ""),
    )
    if (
        None in parsed["party_names"]
        or type(consent) is not bool
        or not (sector == "" or isinstance(sector, str) and sector in _SECTORS)
    ):
        return None
    if recording is not None and type(recording) is not bool:
        return None
    return {**parsed, "consent_data_processing": consent, "consent_recording": recording, "sector": sector}


def parse_registration(data) -> dict:
    """``RegisterSerializer(data=data)``'s validated data (its 400 when invalid).

    The registration rush's input is checked by hand when it is plain (strings, real booleans
    and numbers within the limits): the serializer's field machinery costs a tenth of a
    registration's CPU. Anything else goes to the serializer, so errors read the same;
    tests/registrations/test_parse_registration.py holds both to the same answers.
    """
    parsed = _plain_registration(data)
    if parsed is not None:
        return parsed
    payload = RegisterSerializer(data=data)
    payload.is_valid(raise_exception=True)
    return payload.validated_data


class OrganiserAddSerializer(RegisterSerializer):
    name = serializers.CharField(max_length=200)
    email = serializers.CharField(max_length=254)


class TransferSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    email = serializers.CharField(max_length=254)
    consent_data_processing = serializers.BooleanField(
        default=False, help_text="The colleague agrees to the processing of their data."
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AttendanceDecisionSerializer(serializers.Serializer):
    attendance = serializers.ChoiceField(
        choices=Attendance.choices, help_text="`attended`, `no_show`, or `unknown` (back to the automatic sources)."
    )


# --- output -------------------------------------------------------------------------------


class AnswerSerializer(serializers.ModelSerializer):
    question_label = serializers.CharField(source="question.label", read_only=True)

    class Meta:
        model = Answer
        fields = ["question", "question_label", "value"]


class EventSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    format = serializers.CharField()
    status = serializers.CharField()
    timezone = serializers.CharField()
    start = fields.DateTimeField()
    end = fields.DateTimeField()
    venue_name = serializers.CharField()
    city = serializers.CharField()
    chatham_house_rule = serializers.BooleanField()
    ics_url = serializers.SerializerMethodField()

    def get_ics_url(self, event) -> str:
        return f"/api/events/{event.pk}/ics/"

    def to_representation(self, instance):
        with timezone.override(instance.zone):
            return super().to_representation(instance)


class RegistrationSerializer(InEventZone, serializers.ModelSerializer):
    """A registration as its organisers see it."""

    answers = AnswerSerializer(many=True, read_only=True)
    invitation = serializers.PrimaryKeyRelatedField(read_only=True)
    substitute_for = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Registration
        fields = [
            "id", "event", "name", "email", "status", "source", "party_size", "party_names", "seats_held",
            "waiting_since", "offer_expires_at", "sector", "organisation", "invitation", "substitute_for",
            "consent_data_processing", "consent_recording", "consented_at", "attendance", "attendance_by_hand",
            "minutes_attended", "answers", "created_at", "confirmed_at", "cancelled_at",
        ]  # fmt: skip
        read_only_fields = fields


class OwnRegistrationSerializer(InEventZone, serializers.ModelSerializer):
    """A registration as its registrant sees it: with ticket links, join details and position."""

    event = EventSummarySerializer(read_only=True)
    waiting_position = serializers.SerializerMethodField()
    join_url = serializers.SerializerMethodField()
    manage_url = serializers.SerializerMethodField()
    ticket_qr_svg_url = serializers.SerializerMethodField()
    ticket_qr_png_url = serializers.SerializerMethodField()
    answers = AnswerSerializer(many=True, read_only=True)

    class Meta:
        model = Registration
        fields = [
            "event", "name", "email", "status", "party_size", "party_names", "waiting_position",
            "offer_expires_at", "sector", "organisation", "consent_data_processing", "consent_recording",
            "manage_token", "manage_url", "join_url", "ticket_qr_svg_url", "ticket_qr_png_url", "answers",
            "created_at", "confirmed_at", "cancelled_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True, help_text="On the waiting list only; else null."))
    def get_waiting_position(self, registration):
        if not self.context.get("with_position", True):
            return None
        # a registration that just joined knows its place (the waiting list's counter)
        told = getattr(registration, "position_told", None)
        return told if told is not None else waiting_position(registration)

    def get_join_url(self, registration) -> str | None:
        # only a ticket opens the online room
        if registration.status == RegistrationStatus.CONFIRMED and registration.event.is_online:
            return registration.event.join_url or None
        return None

    def get_manage_url(self, registration) -> str:
        # the page a person opens from their email; the same token drives /api/registrations/manage/
        return f"{settings.SITE_URL}/registrations/manage/{registration.manage_token}/"

    @extend_schema_field(
        serializers.CharField(allow_null=True, help_text="A confirmed ticket to an event with a venue only; else null.")
    )
    def get_ticket_qr_svg_url(self, registration) -> str | None:
        # a ticket to an online-only event has no code: there is no door to show it at
        if not registration.has_door_code:
            return None
        return f"/api/registrations/manage/{registration.manage_token}/qr.svg"

    @extend_schema_field(
        serializers.CharField(allow_null=True, help_text="A confirmed ticket to an event with a venue only; else null.")
    )
    def get_ticket_qr_png_url(self, registration) -> str | None:
        # a ticket to an online-only event has no code: there is no door to show it at
        if not registration.has_door_code:
            return None
        return f"/api/registrations/manage/{registration.manage_token}/qr.png"


_when = fields.DateTimeField()


def own_registration_data(registration: Registration) -> dict:
    """``OwnRegistrationSerializer(registration).data``, built without a serializer instance:
    the answer to every registration in a rush, where building the serializer's fields costs
    more than the rest of the answer. ``tests/registrations/test_hot_path.py`` holds the two equal.
    """
    event = registration.event
    shape = OwnRegistrationSerializer
    zone = event.zone
    # the field's output format: DRF's default, ISO 8601, unless REST_FRAMEWORK says otherwise
    iso = str(api_settings.DATETIME_FORMAT).lower() == ISO_8601

    def when(value):
        if value is None:
            return None
        if iso and isinstance(value, dt.datetime) and value.utcoffset() is not None and limits.is_plausible(value):
            # what the field answers for an aware time it accepts, without its per-call lookups
            # (a sixth of the answer's CPU): the time in the event's zone, ISO 8601, UTC as Z
            text = value.astimezone(zone).isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return _when.to_representation(value)

    with timezone.override(zone):
        told = getattr(registration, "position_told", None)
        return {
            "event": {
                "id": event.pk,
                "title": event.title,
                "kind": str(event.kind),
                "format": str(event.format),
                "status": str(event.status),
                "timezone": str(event.timezone),
                "start": when(event.start),
                "end": when(event.end),
                "venue_name": event.venue_name,
                "city": event.city,
                "chatham_house_rule": event.chatham_house_rule,
                "ics_url": f"/api/events/{event.pk}/ics/",
            },
            "name": registration.name,
            "email": registration.email,
            "status": str(registration.status),
            "party_size": registration.party_size,
            "party_names": registration.party_names,
            "waiting_position": told if told is not None else waiting_position(registration),
            "offer_expires_at": when(registration.offer_expires_at),
            "sector": str(registration.sector),
            "organisation": registration.organisation,
            "consent_data_processing": registration.consent_data_processing,
            "consent_recording": registration.consent_recording,
            "manage_token": registration.manage_token,
            "manage_url": shape.get_manage_url(None, registration),
            "join_url": shape.get_join_url(None, registration),
            "ticket_qr_svg_url": shape.get_ticket_qr_svg_url(None, registration),
            "ticket_qr_png_url": shape.get_ticket_qr_png_url(None, registration),
            "answers": [
                {"question": answer.question_id, "question_label": answer.question.label, "value": answer.value}
                for answer in registration.answers.all()
            ],
            "created_at": when(registration.created_at),
            "confirmed_at": when(registration.confirmed_at),
            "cancelled_at": when(registration.cancelled_at),
        }


class AlreadyRegisteredSerializer(serializers.Serializer):
    """The answer for an address that holds a registration already. Anyone may type any address:
    only the registration's signed-in owner gets ``status`` and ``registration``; anyone else gets
    ``code`` and ``detail`` alone, the same whatever the registration's status, and its private
    link goes to the address by email."""

    code = serializers.CharField(default="already_registered")
    detail = serializers.CharField()
    status = serializers.CharField(required=False, help_text="Only when you are signed in as its owner.")
    registration = OwnRegistrationSerializer(required=False, help_text="Only when you are signed in as its owner.")


class QuestionSerializer(serializers.ModelSerializer):
    position = serializers.IntegerField(
        min_value=0, max_value=32767, required=False, help_text="Left out: after the event's last question."
    )

    class Meta:
        model = Question
        fields = ["id", "event", "label", "help_text", "kind", "choices", "required", "position"]
        read_only_fields = ["id", "event"]


class InvitationSerializer(serializers.ModelSerializer):
    registration_status = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = [
            "id", "event", "email", "name", "sector", "organisation", "code", "created_at", "used_at",
            "revoked_at", "registration_status",
        ]  # fmt: skip
        read_only_fields = ["id", "event", "code", "created_at", "used_at", "revoked_at", "registration_status"]

    def get_registration_status(self, invitation) -> str | None:
        # `registration_set` is prefetched by the view: no query per invitation
        registrations = sorted(invitation.registration_set.all(), key=lambda r: r.pk)
        return registrations[-1].status if registrations else None


class SectorBalanceSerializer(serializers.Serializer):
    sector = serializers.CharField()
    label = serializers.CharField()
    invited = serializers.IntegerField()
    invitations_used = serializers.IntegerField()
    pending = serializers.IntegerField()
    confirmed = serializers.IntegerField()
    waitlisted = serializers.IntegerField()
    offered = serializers.IntegerField()


class RegistrationSummarySerializer(serializers.Serializer):
    capacity = serializers.IntegerField(allow_null=True)
    seats_taken = serializers.IntegerField()
    seats_left = serializers.IntegerField(allow_null=True)
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="Registrations by status")
    sectors = SectorBalanceSerializer(many=True)
    rsvp_deadline = fields.DateTimeField(allow_null=True)
