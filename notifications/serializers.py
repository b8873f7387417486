from rest_framework import serializers

from events.models import Event
from events.selectors import events_visible_to
from events_project import fields
from events_project.private_links import mask_private_links
from notifications import kinds
from notifications.models import MessageTemplateOverride, OutboxMessage


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
    """With the text: as sent for a sent message, else as it would go out now (rendered by the view).
    Its recipient's private links (a ticket's management link, an invitation) are theirs alone: the
    text shows where each leads, its secret left out (``private_links.mask_private_links``)."""

    body_text = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()

    def get_body_text(self, message) -> str:
        text = message.body_text or getattr(message, "rendered", None) and message.rendered.body_text or ""
        return mask_private_links(text)

    def get_body_html(self, message) -> str:
        rendered = getattr(message, "rendered", None)
        return mask_private_links(message.body_html or (rendered.body_html if rendered else ""))

    def get_attachment_names(self, message) -> list[str]:
        rendered = getattr(message, "rendered", None)
        attachments = message.attachments or (rendered.attachments if rendered else [])
        return [attachment["filename"] for attachment in attachments]

    class Meta(OutboxMessageSerializer.Meta):
        fields = [*OutboxMessageSerializer.Meta.fields, "body_text", "body_html"]
        read_only_fields = fields


class MessageTemplateSerializer(serializers.ModelSerializer):
    # an event the caller may not see is "does not exist", like an unknown id; one they see but do
    # not organise is the view's 403 (events.permissions.event_to_manage)
    event = fields.ScopedRelatedField(model=Event, selector=events_visible_to)
    kind = serializers.ChoiceField(choices=kinds.CHOICES)

    class Meta:
        model = MessageTemplateOverride
        fields = ["id", "event", "kind", "subject", "body", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        # no unique (event, kind) check here: it ran before the view's organiser check, so it told
        # anyone which wording another organiser's event had changed, and it refused the
        # organiser's own second POST that the service answers by replacing the wording
        validators = []


class MessageTemplateUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = MessageTemplateOverride
        fields = ["subject", "body"]
