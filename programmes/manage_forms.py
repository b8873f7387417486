"""The dashboard's filters (organiser workspace)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from attendance.manage_forms import DashboardEventFilterForm


class DashboardFilterForm(DashboardEventFilterForm):
    """Read from the query string; a value out of its choices is left out, never a 500. Kind and
    region narrow the events in attendance's form (``narrow``), which the CSV exports share; the
    programme is this app's own."""

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
