"""Input and output shapes of the check-in API (tickets at the door, offline devices)."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from events.models import MAX_PARTY_SIZE
from events_project import fields
from events_project.fields import ApiEmailField
from registrations.checkin.services import MAX_BATCH_SCANS, live_check_in, scanner_name
from registrations.models import CheckIn, Registration
from registrations.services.tickets import ticket_hash


class ScanSerializer(serializers.Serializer):
    # blank is the service's to answer (empty_code), not a field error whose code says "invalid" ticket
    # text only: a JSON number is a client's bug too (malformed_scan), not a code to look up
    secret = fields.TextField(
        trim_whitespace=True,
        allow_blank=True,
        help_text="The QR payload or bare secret (anything else, however long, is answered `not_a_ticket`).",
    )
    device = fields.TextField(max_length=100, required=False, allow_blank=True, default="")


def parse_scan(data) -> tuple[str, str]:
    """ScanSerializer's rules, checked by hand on the hot path; falls back to the serializer
    (and its error body) for anything unusual."""
    if hasattr(data, "get"):
        secret, device = data.get("secret"), data.get("device", "")
        if isinstance(secret, str) and isinstance(device, str):
            secret, device = secret.strip(), device.strip()
            if secret and len(device) <= 100:
                # longer than a code can be (a link's QR code): the service's not_a_ticket, not a
                # field error whose code, invalid, a scanner shows as "not a valid ticket"
                return secret[:201], device
    payload = ScanSerializer(data=data)
    payload.is_valid(raise_exception=True)
    return payload.validated_data["secret"], payload.validated_data["device"]


class ManualCheckInSerializer(serializers.Serializer):
    registration = serializers.IntegerField(min_value=1, help_text="Id from the search endpoint.")
    device = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class WalkInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    email = ApiEmailField(required=False, allow_blank=True, default="")
    party_size = serializers.IntegerField(min_value=1, max_value=MAX_PARTY_SIZE, default=1)
    device = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ScanTimeField(fields.DateTimeField):
    """A device's clock reading. One so far off that it cannot be moved into the server's time
    zone (year 1, year 9999), or outside the dates of events_project.limits, is kept as given:
    the service refuses that scan alone (``bad_scan_time``) rather than the whole batch."""

    def enforce_timezone(self, value):
        try:
            return super().enforce_timezone(value)
        except (serializers.ValidationError, OverflowError):
            return value if timezone.is_aware(value) else value.replace(tzinfo=dt.UTC)


class OfflineScanSerializer(serializers.Serializer):
    client_scan_id = serializers.CharField(max_length=64)
    scanned_at = ScanTimeField()
    secret = serializers.CharField(max_length=200, required=False, allow_blank=True, help_text="The scanned code.")
    ticket_hash = serializers.RegexField(r"^[0-9a-fA-F]{64}$", required=False, allow_blank=True)
    registration = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        allow_null=True,
        help_text="Id from the downloaded list: the person was found by name (a lost QR code).",
    )

    def validate(self, attrs):
        given = [name for name in ("secret", "ticket_hash", "registration") if attrs.get(name)]
        if len(given) != 1:
            raise serializers.ValidationError(
                _("Give one of: the scanned secret, the ticket_hash or the registration id from the list.")
            )
        return attrs


class OfflineBatchSerializer(serializers.Serializer):
    device = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    scans = OfflineScanSerializer(many=True, allow_empty=True, max_length=MAX_BATCH_SCANS)


class RegistrationAtDoorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    party_size = serializers.IntegerField()
    party_names = serializers.ListField(child=serializers.CharField())
    status = serializers.CharField()


class CheckInSerializer(serializers.ModelSerializer):
    registration = serializers.SerializerMethodField()
    checked_in_by = serializers.SerializerMethodField()
    undone_by = serializers.SerializerMethodField()

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "registration",
            "checked_in_at",
            "checked_in_by",
            "device",
            "source",
            "client_scan_id",
            "undone_at",
            "undone_by",
        ]

    def get_registration(self, checkin) -> dict:
        registration = checkin.registration
        return {"id": registration.pk, "name": registration.name, "party_size": registration.party_size}

    def get_checked_in_by(self, checkin) -> str:
        return scanner_name(checkin.by)

    def get_undone_by(self, checkin) -> str:
        return scanner_name(checkin.undone_by)


_datetime = fields.DateTimeField()


def checkin_data(checkin: CheckIn) -> dict:
    """What CheckInSerializer gives, built by hand for the scan's hot path (a serializer
    instance costs more than the rest of the response)."""
    registration = checkin.registration
    return {
        "id": checkin.pk,
        "registration": {"id": registration.pk, "name": registration.name, "party_size": registration.party_size},
        "checked_in_at": _datetime.to_representation(checkin.checked_in_at),
        "checked_in_by": scanner_name(checkin.by),
        "device": checkin.device,
        "source": checkin.source,
        "client_scan_id": checkin.client_scan_id,
        "undone_at": _datetime.to_representation(checkin.undone_at) if checkin.undone_at else None,
        "undone_by": scanner_name(checkin.undone_by),
    }


class CheckInResultSerializer(serializers.Serializer):
    """What a scan answers. ``code`` is what clients switch on; the rest explains it."""

    code = serializers.CharField()
    detail = serializers.CharField()
    checkin = CheckInSerializer(required=False)
    registration = RegistrationAtDoorSerializer(required=False)
    checked_in_at = fields.DateTimeField(required=False)
    checked_in_by = serializers.CharField(required=False)
    device = serializers.CharField(required=False)


class _LiveCheckInFields(serializers.Serializer):
    checked_in_at = serializers.SerializerMethodField()
    checked_in_by = serializers.SerializerMethodField()

    def get_checked_in_at(self, registration) -> str | None:
        at = getattr(registration, "live_checked_in_at", None)
        return fields.DateTimeField().to_representation(at) if at else None

    def get_checked_in_by(self, registration) -> str:
        live = live_check_in(registration)
        return live.by_name if live is not None else ""


class CheckInListEntrySerializer(_LiveCheckInFields, serializers.ModelSerializer):
    """One line of an offline device's list: the hash of the secret, never the secret."""

    ticket_hash = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = ["id", "ticket_hash", "name", "party_size", "party_names", "status", "checked_in_at", "checked_in_by"]

    def get_ticket_hash(self, registration) -> str:
        return ticket_hash(registration.ticket_secret)


class SearchResultSerializer(_LiveCheckInFields, serializers.ModelSerializer):
    class Meta:
        model = Registration
        fields = ["id", "name", "email", "party_size", "party_names", "status", "checked_in_at", "checked_in_by"]


class DoorCountsSerializer(serializers.Serializer):
    registered = serializers.IntegerField(help_text="Confirmed registrations.")
    registered_people = serializers.IntegerField()
    checked_in = serializers.IntegerField(help_text="Registrations with a live check-in.")
    checked_in_people = serializers.IntegerField()
    waiting = serializers.IntegerField(help_text="Waiting list, including seats on offer.")
    waiting_people = serializers.IntegerField()
    pending = serializers.IntegerField(help_text="Awaiting approval.")


class ScanResultSerializer(serializers.Serializer):
    client_scan_id = serializers.CharField()
    code = serializers.CharField(
        help_text="`checked_in`, `already_checked_in`, `wrong_event`, `cancelled`, `not_confirmed`, `invalid`, "
        "`not_a_ticket`, `unknown_registration` (an id from the list that the event no longer has), `door_closed`, "
        "`no_door`, `bad_scan_time` (dated outside the event's window) or `throttled` (send it again later)."
    )
    detail = serializers.CharField()
    replayed = serializers.BooleanField()
    checkin_id = serializers.IntegerField(required=False)
    checked_in_at = fields.DateTimeField(required=False)
    checked_in_by = serializers.CharField(required=False, help_text="Who checked the person in (a conflict).")
    device = serializers.CharField(required=False, help_text="On which device (a conflict).")
    registration = RegistrationAtDoorSerializer(required=False)


class OfflineBatchResultSerializer(serializers.Serializer):
    results = ScanResultSerializer(many=True)
    summary = serializers.DictField(child=serializers.IntegerField())
