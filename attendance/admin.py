from django.contrib import admin

from attendance.models import AttendanceImport


@admin.register(AttendanceImport)
class AttendanceImportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event", "filename", "detected_format", "status", "matched", "attended", "error_code"]
    list_filter = ["status", "detected_format"]
    raw_id_fields = ["event", "uploaded_by"]
    exclude = ["content"]
    readonly_fields = ["content_sha256", "unmatched_rows", "error", "finished_at"]
