"""Forms of the server-rendered event pages (the list's filters)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import EventFormat, EventKind
from events.regions import region_choices
from events_project.filters import understood


class EventSearchForm(forms.Form):
    """The list's filters: rendered from GET, so a filtered list is a link that can be shared."""

    WHEN_CHOICES = [("upcoming", _("Upcoming")), ("past", _("Past")), ("all", _("All dates"))]

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *EventKind.choices])
    region = forms.ChoiceField(label=_("Region"), required=False)
    format = forms.ChoiceField(
        label=_("Format"), required=False, choices=[("", _("All formats")), *EventFormat.choices]
    )
    when = forms.ChoiceField(label=_("When"), required=False, choices=WHEN_CHOICES)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("All regions")), *region_choices()]

    def uses_folded_filters(self) -> bool:
        """Whether a filter behind the "Filters" disclosure is set (it then starts open)."""
        if not self.is_bound or not self.is_valid():
            return self.is_bound
        data = self.cleaned_data
        return any(data.get(name) for name in ("kind", "region", "format", "date_from", "date_to")) or (
            data.get("when") not in ("", None, "upcoming")
        )

    def filter_data(self) -> dict:
        """The cleaned choices in the words of events.filters.EventFilter. A filter that is not
        understood is left out, as the page says, and only that one: the others still apply."""
        data = understood(self)
        params = {}
        for name in ("q", "kind", "region", "format"):
            if data.get(name):
                params[name] = data[name]
        when = data.get("when") or "upcoming"
        if when != "all":
            params["upcoming"] = "true" if when == "upcoming" else "false"
        for name in ("date_from", "date_to"):
            if data.get(name):
                params[name] = data[name].isoformat()
        return params
