"""Forms of the workspace's attendance page, and the dashboard's event filters."""

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from attendance.models import AttendanceImport
from attendance.services.participant_reports import MAX_REPORT_BYTES
from events.models import EventKind
from events.regions import RegionChoiceField
from events_project.fields import NumberField


class ReportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Participant report"),
        help_text=_("The CSV file Zoom or Microsoft Teams lets you download after the meeting (at most 5 MB)."),
    )
    format = forms.ChoiceField(label=_("Format"), choices=AttendanceImport.Format.choices, initial="auto")
    threshold_percent = NumberField(
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


class DashboardEventFilterForm(forms.Form):
    """The dashboard's filters by kind and region (``?kind=``, ``?region=``): the one place that
    narrows the events both the dashboard page (programmes.manage_pages, whose form adds the
    programme) and its CSV exports (attendance.exports) count. Read from the query string; a
    value out of its choices is left out, never a 500."""

    kind = forms.ChoiceField(label=_("Kind of event"), required=False, choices=[("", _("Any")), *EventKind.choices])
    region = RegionChoiceField(label=_("Region"), required=False, empty_label=_("Any"))

    def _valid_data(self) -> dict:
        if not self.is_bound:
            return {}
        if self.is_valid():
            return self.cleaned_data
        # one bad value (a region since deleted) drops that filter, not the others
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}

    def narrow(self, events):
        """The events counted, narrowed by the valid filters (the caller keeps the tenant wall:
        attendance.dashboard reads only within ``events_managed_by``)."""
        data = self._valid_data()
        if data.get("kind"):
            events = events.filter(kind=data["kind"])
        if data.get("region"):
            events = events.filter(region=data["region"])
        return events

    def chosen(self) -> dict:
        """The valid filters as a background export stores them: ``kind`` and ``region``."""
        data = self._valid_data()
        return {"kind": data.get("kind") or "", "region": data.get("region")}

    def export_query(self) -> str:
        """The valid kind and region filters as a query string for the CSV exports' links."""
        data = self._valid_data()
        query = QueryDict(mutable=True)
        if data.get("kind"):
            query["kind"] = data["kind"]
        if data.get("region"):
            query["region"] = str(data["region"].pk)
        return query.urlencode()
