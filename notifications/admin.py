from django import forms
from django.contrib import admin, messages

from notifications import kinds
from notifications.exceptions import DomainError
from notifications.models import MessageTemplateOverride, OutboxMessage, OutboxStatus
from notifications.services import resend_message
from notifications.services.templates import check_placeholders


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


class MessageTemplateOverrideForm(forms.ModelForm):
    class Meta:
        model = MessageTemplateOverride
        fields = ["event", "kind", "subject", "body"]

    def clean_kind(self):
        kind = self.cleaned_data["kind"]
        if kind not in kinds.ALL_KINDS:
            raise forms.ValidationError(f"Unknown message kind {kind!r}.", code="unknown_kind")
        return kind

    def clean(self):
        cleaned = super().clean()
        try:
            check_placeholders(cleaned.get("subject") or "", cleaned.get("body") or "")
        except DomainError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        return cleaned


@admin.register(MessageTemplateOverride)
class MessageTemplateOverrideAdmin(admin.ModelAdmin):
    form = MessageTemplateOverrideForm
    list_display = ["event", "kind", "subject", "updated_at"]
    list_filter = ["kind"]
    raw_id_fields = ["event"]
