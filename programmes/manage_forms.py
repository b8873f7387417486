"""Forms of the organiser workspace for programmes: the dashboard's filters, a programme, its
cohorts and their enrolments."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attendance.manage_forms import DashboardEventFilterForm
from events.manage_forms import ServiceErrors
from events.models import Event, Series
from events.selectors import series_managed_by
from events_project import limits
from events_project.fields import EmailField, NumberField
from events_project.filters import understood
from events_project.limits import DESCRIPTION_MAX_LENGTH
from programmes.models import Enrolment, Programme

# how far back the programme form offers series (those the programme holds stay offered)
OFFERED_SERIES_SINCE = dt.timedelta(days=365)


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


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Ticked rows by id. An id out of the database's range is refused like an unknown one, before
    any query: Django answers an exact lookup out of range with nothing, but an ``in`` lookup
    overflows SQLite's integer (a 500)."""

    def _check_values(self, value):
        for key in value:
            try:
                number = int(str(key))
            except (TypeError, ValueError):
                number = 0
            if not 0 < number <= limits.MAX_ID:
                message = self.error_messages["invalid_choice"]
                raise ValidationError(message, code="invalid_choice", params={"value": key})
        return super()._check_values(value)


DATE_WIDGET = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class ProgrammeForm(ServiceErrors, forms.Form):
    """A programme: its dates, its certificate threshold, and which of the organiser's own series
    it takes in (someone else's series are never offered, and saving keeps those a co-organiser
    added). Its one-off events are added and taken out one at a time on the programme's page
    (``manage_pages.programme_detail``): a box for each event the organiser ever ran made the
    page grow past its budget."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    starts_on = forms.DateField(label=_("First day"), **DATE_WIDGET)
    ends_on = forms.DateField(label=_("Last day"), **DATE_WIDGET)
    threshold_percent = NumberField(
        label=_("Attendance that earns a certificate (%)"),
        min_value=1,
        max_value=100,
        initial=70,
        help_text=_("The share of their sessions a participant must attend, from 1 to 100."),
    )
    series = IdsChoiceField(
        label=_("Series it includes"),
        queryset=Series.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Your series with a session in the last year or to come, and those it already includes."),
    )

    FIELD_NAMES = {"completion_threshold": "threshold_percent"}
    # unticking the series a cohort follows: the error is marked at the series' boxes
    FIELD_OF_CODE = {"series_followed_by_cohort": "series"}

    def __init__(self, *args, user, programme: Programme | None = None, **kwargs):
        self.programme = programme
        if programme is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": programme.title,
                "description": programme.description,
                "starts_on": programme.starts_on,
                "ends_on": programme.ends_on,
                "threshold_percent": round(programme.completion_threshold * 100),
                "series": [series.pk for series in programme.series.all()],
            }
        super().__init__(*args, **kwargs)
        self.user = user
        # the series of the last year and those to come (and any the programme holds): a box for
        # every series an organiser ever ran made the form grow for ever
        since = timezone.now() - OFFERED_SERIES_SINCE
        recent = Exists(Event.objects.filter(series=OuterRef("pk"), end__gte=since)) | Q(created_at__gte=since)
        held = Q(pk__in=programme.series.values("pk")) if programme is not None else Q(pk__in=[])
        self.fields["series"].queryset = series_managed_by(user).filter(recent | held).order_by("title", "id")

    def organises_no_series(self) -> bool:
        """Whether the organiser has no series at all (the page then says how to plan one)."""
        return not self.fields["series"].queryset.exists() and not series_managed_by(self.user).exists()

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The programme must end on or after its first day."))
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        series = list(data["series"])
        if self.programme is not None:
            # what a co-organiser added, which this organiser was never offered, stays
            offered_series = self.fields["series"].queryset.values("pk")
            series += list(self.programme.series.exclude(pk__in=offered_series))
        return {
            "title": data["title"],
            "description": data["description"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "completion_threshold": data["threshold_percent"] / 100,
            "series": series,
        }


class CohortForm(ServiceErrors, forms.Form):
    # create_cohort's refusals are marked at the field they are about
    FIELD_OF_CODE = {"cohort_name_taken": "name", "series_not_in_programme": "series"}

    name = forms.CharField(label=_("Name of the cohort"), max_length=200)
    series = forms.ModelChoiceField(
        label=_("It follows"),
        queryset=Series.objects.none(),
        required=False,
        empty_label=_("The whole programme (every series and event)"),
        help_text=_("Members are registered for every session still to come of what the cohort follows."),
    )

    def __init__(self, *args, programme: Programme, user, **kwargs):
        super().__init__(*args, **kwargs)
        # the programme's series that this organiser runs (series_managed_by), as the API chooses
        # them: one a co-organiser added, or one handed over to someone else, is not theirs to follow
        self.fields["series"].queryset = programme.series.filter(
            pk__in=series_managed_by(user).order_by().values("pk")
        ).order_by("title", "id")


class MentorChoiceField(forms.ChoiceField):
    """One of the mentors the cohort allows, or none; cleans to the speaker (or None)."""

    def __init__(self, *, mentors: list, **kwargs):
        self.mentors = {str(mentor.pk): mentor for mentor in mentors}
        choices = [("", _("No mentor"))] + [(key, mentor.name) for key, mentor in self.mentors.items()]
        super().__init__(choices=choices, required=False, **kwargs)

    def clean(self, value):
        return self.mentors.get(super().clean(value) or "")


def _mentor_field(mentors: list) -> MentorChoiceField:
    return MentorChoiceField(mentors=mentors, label=_("Mentor"))


class EnrolForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    email = EmailField(label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"}))

    def __init__(self, *args, mentors: list, **kwargs):
        """``mentors``: the ones the cohort allows (``selectors.mentors_for``); none, no field."""
        super().__init__(*args, **kwargs)
        if mentors:
            self.fields["mentor"] = _mentor_field(mentors)


class MentorForm(forms.Form):
    def __init__(self, *args, mentors: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"] = _mentor_field(mentors)


class EnrolmentFilterForm(forms.Form):
    """Read from the query string; a status out of its choices is ignored."""

    q = forms.CharField(label=_("Search name or email"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any")), *Enrolment.Status.choices])

    def filters(self) -> dict:
        data = understood(self)
        return {"text": data.get("q", ""), "status": data.get("status", "")}


class EnrolmentListForm(forms.Form):
    lines = forms.CharField(
        label=_("People, one a line"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=200_000,
        help_text=_("Name, email: for example “Aysel Aliyeva, aysel@example.org”. Up to 1,000 lines."),
    )
