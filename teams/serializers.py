"""Input and output shapes of the series' door team in the API."""

from rest_framework import serializers

from events_project.fields import ApiEmailField
from events_project.people import account_name
from teams.models import TeamInvitation


class SeriesDoorInvitationInputSerializer(serializers.Serializer):
    email = ApiEmailField(max_length=254)


class SeriesTeamInvitationSerializer(serializers.ModelSerializer):
    """A series' door link as its organisers see it: never the token (only its hash is stored)."""

    state = serializers.CharField(read_only=True)
    used_by = serializers.SerializerMethodField()

    class Meta:
        model = TeamInvitation
        fields = ["id", "email", "role", "state", "created_at", "expires_at", "used_at", "used_by", "revoked_at"]
        read_only_fields = fields

    def get_used_by(self, invitation) -> str | None:
        return account_name(invitation.used_by) if invitation.used_by_id else None


class SeriesDoorStaffSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField()
    email = serializers.CharField(read_only=True)

    def get_name(self, user) -> str:
        return account_name(user)
