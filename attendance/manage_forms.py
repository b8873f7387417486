"""Forms of the workspace's attendance page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from attendance.models import AttendanceImport
from attendance.services.participant_reports import MAX_REPORT_BYTES


class ReportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Participant report"),
        help_text=_("The CSV file Zoom or Microsoft Teams lets you download after the meeting (at most 5 MB)."),
    )
    format = forms.ChoiceField(label=_("Format"), choices=AttendanceImport.Format.choices, initial="auto")
    threshold_percent = forms.IntegerField(
        label=_("Attended from (per cent of the event's length)"),
        min_value=1,
        max_value=100,
        initial=50,
        help_text=_("A person who was there at least this share of the scheduled time counts as attended."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_REPORT_BYTES:
            raise forms.ValidationError(_("A participant report is at most 5 MB."), code="file_too_large")
        return upload
