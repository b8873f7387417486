"""Forms of the organiser workspace for an event's questions, invitation codes and registrations."""

from django import forms
from django.utils.translation import gettext_lazy as _

from events_project.fields import EmailField, NumberField
from events_project.filters import understood
from registrations.models import Attendance, Question, RegistrationStatus, Sector
from registrations.services.messages import BODY_MAX, SUBJECT_MAX
from registrations.services.questions import MAX_CHOICE_LENGTH
from registrations.services.registration import MAX_PARTY_SIZE


class QuestionForm(forms.Form):
    label = forms.CharField(label=_("Question"), max_length=200)
    help_text = forms.CharField(label=_("Hint shown under the question"), required=False, max_length=300)
    kind = forms.ChoiceField(
        label=_("Kind of answer"), choices=Question.Kind.choices, initial=Question.Kind.TEXT, widget=forms.RadioSelect
    )
    choices = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a choice question: one option a line, at least one."),
    )
    choices.required_when = Question.Kind.CHOICE  # not marked "(optional)" (manage/_field.html)
    required = forms.BooleanField(label=_("An answer is required"), required=False)

    def __init__(self, *args, question: Question | None = None, **kwargs):
        if question is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "label": question.label,
                "help_text": question.help_text,
                "kind": question.kind,
                "choices": "\n".join(str(choice) for choice in question.choices or []),
                "required": question.required,
            }
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        options = [line.strip()[:MAX_CHOICE_LENGTH] for line in data.get("choices", "").splitlines() if line.strip()]
        if data.get("kind") == Question.Kind.CHOICE and not options:
            self.add_error("choices", _("A choice question needs at least one option."))
        data["choices"] = options if data.get("kind") == Question.Kind.CHOICE else []
        return data

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("label", "help_text", "kind", "choices", "required")}


class InvitationForm(forms.Form):
    email = EmailField(label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    name = forms.CharField(
        label=_("Name"), required=False, max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    sector = forms.ChoiceField(label=_("Sector"), required=False, choices=[("", "—"), *Sector.choices])
    organisation = forms.CharField(
        label=_("Organisation"), required=False, max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )


YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]


class RegistrationFilterForm(forms.Form):
    """The list's filters, read from the query string; a value out of its choices is ignored."""

    q = forms.CharField(label=_("Search name, email or organisation"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any")), *RegistrationStatus.choices])
    sector = forms.ChoiceField(label=_("Sector"), required=False, choices=[("", _("Any")), *Sector.choices])
    organisation = forms.CharField(
        label=_("Organisation"), required=False, max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    checked_in = forms.ChoiceField(label=_("Checked in"), required=False, choices=YES_NO)
    attendance = forms.ChoiceField(label=_("Attendance"), required=False, choices=[("", _("Any")), *Attendance.choices])

    def filters(self) -> dict:
        data = understood(self)
        return {
            "text": data.get("q", ""),
            "status": data.get("status", ""),
            "sector": data.get("sector", ""),
            "organisation": data.get("organisation", ""),
            "checked_in": {"yes": True, "no": False}.get(data.get("checked_in")),
            "attendance": data.get("attendance", ""),
        }


class AddRegistrationForm(forms.Form):
    """Shares a page with the filters (sector, organisation): its own ids (``add_sector``), so each
    label and each error summary link finds this form's field, not the filter's."""

    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    email = EmailField(label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    party_size = NumberField(label=_("People in the party"), min_value=1, max_value=MAX_PARTY_SIZE, initial=1)
    sector = forms.ChoiceField(label=_("Sector"), required=False, choices=[("", "—"), *Sector.choices])
    organisation = forms.CharField(
        label=_("Organisation"), required=False, max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "add_%s")
        super().__init__(*args, **kwargs)


class MessageRegistrantsForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX)
    body = forms.CharField(
        label=_("Message"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The event's date, place and link are added below your words."),
    )
