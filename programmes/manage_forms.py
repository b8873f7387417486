"""The dashboard's filters (organiser workspace)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import EventKind, Region


class DashboardFilterForm(forms.Form):
    """Read from the query string; a value out of its choices is left out, never a 500."""

    kind = forms.ChoiceField(label=_("Kind of event"), required=False, choices=[("", _("Any")), *EventKind.choices])
    region = forms.ModelChoiceField(
        label=_("Region"), required=False, queryset=Region.objects.order_by("name"), empty_label=_("Any")
    )
    programme = forms.ChoiceField(label=_("Programme"), required=False)

    def __init__(self, *args, programmes: list, **kwargs):
        """``programmes``: the ones the organiser may see, already read (no second query)."""
        super().__init__(*args, **kwargs)
        self.programmes = {str(programme.pk): programme for programme in programmes}
        self.fields["programme"].choices = [("", _("Any"))] + [
            (key, programme.title) for key, programme in self.programmes.items()
        ]

    def chosen_programme(self):
        return self.programmes.get(self.cleaned_data.get("programme") or "") if self.is_valid() else None

    def narrow(self, events):
        """The events the page counts, narrowed by the valid filters."""
        if not self.is_valid():
            return events
        data = self.cleaned_data
        if data["kind"]:
            events = events.filter(kind=data["kind"])
        if data["region"]:
            events = events.filter(region=data["region"])
        return events
