"""Input and output shapes of an event's team and a series' door team in the API."""

from rest_framework import serializers

from events_project.fields import ApiEmailField
from events_project.people import account_name
from teams.models import TeamInvitation, TeamRole


class SeriesDoorInvitationInputSerializer(serializers.Serializer):
    email = ApiEmailField(max_length=254)


class EventTeamInvitationInputSerializer(serializers.Serializer):
    email = ApiEmailField(max_length=254)
    role = serializers.ChoiceField(
        choices=TeamRole.choices, help_text="`checkin` (the door of this event) or `organiser` (a co-organiser)."
    )


class TeamInvitationSerializer(serializers.ModelSerializer):
    """A team link as its organisers see it: never the token (only its hash is stored)."""

    state = serializers.CharField(read_only=True)
    used_by = serializers.SerializerMethodField()

    class Meta:
        model = TeamInvitation
        fields = ["id", "email", "role", "state", "created_at", "expires_at", "used_at", "used_by", "revoked_at"]
        read_only_fields = fields

    def get_used_by(self, invitation) -> str | None:
        return account_name(invitation.used_by) if invitation.used_by_id else None


class TeamMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField()
    email = serializers.CharField(read_only=True)

    def get_name(self, user) -> str:
        return account_name(user)
