from django.contrib import admin, messages

from notifications.models import MessageTemplateOverride, OutboxMessage, OutboxStatus
from notifications.services import resend_message


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "recipient_email", "subject", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "kind"]
    search_fields = ["recipient_email", "recipient_name", "subject", "dedup_key"]
    raw_id_fields = ["event"]
    readonly_fields = [
        "dedup_key",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "claimed_at",
        "lease_until",
        "message_id",
        "language",
        "sent_at",
        "created_at",
        "updated_at",
        "about_type",
        "about_id",
        "event_start",
    ]
    # bodies and the context carry other people's private links, codes and join URLs; the
    # claim token is the sender's
    exclude = ["body_text", "body_html", "attachments", "claim_token", "context"]
    date_hierarchy = "created_at"
    actions = ["resend"]

    @admin.action(description="Send the selected messages again")
    def resend(self, request, queryset):
        count = 0
        for message in queryset.exclude(status=OutboxStatus.SENDING):
            resend_message(message=message, by=request.user)
            count += 1
        self.message_user(request, f"{count} message(s) queued again.", messages.SUCCESS)


@admin.register(MessageTemplateOverride)
class MessageTemplateOverrideAdmin(admin.ModelAdmin):
    list_display = ["event", "kind", "subject", "updated_at"]
    list_filter = ["kind"]
    raw_id_fields = ["event"]
