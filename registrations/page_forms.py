"""Forms of the server-rendered registration pages: the event's own questions become fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import MAX_PARTY_SIZE
from events_project.fields import EmailField, NumberField
from events_project.people import tidy_name
from events_project.typed_text import tidy_email
from registrations.models import ANSWER_MAX_LENGTH, NUMBER_ANSWER_MAX, Question, Sector

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def question_field(question: Question) -> forms.Field:
    common = {"label": question.label, "required": question.required, "help_text": question.help_text}
    if question.kind == Question.Kind.CHOICE:
        choices = [(str(choice), str(choice)) for choice in question.choices or []]
        return forms.ChoiceField(choices=[("", "—"), *choices], **common)
    if question.kind == Question.Kind.BOOLEAN:
        # radios, not a checkbox: a required checkbox could only ever be answered "yes"
        return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **common)
    if question.kind == Question.Kind.NUMBER:
        return NumberField(min_value=0, max_value=NUMBER_ANSWER_MAX, **common)
    return forms.CharField(max_length=ANSWER_MAX_LENGTH, **common)


class RegistrationForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    # true of a seat, a place on the waiting list and a request alike (the form cannot know which)
    email = EmailField(
        label=_("Email"),
        help_text=_("Everything about your registration is sent here, changes too."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, event, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.questions = list(questions)
        if event.registration_mode == "invitation":
            self.fields["invitation_code"] = forms.CharField(
                label=_("Invitation code"), max_length=40, help_text=_("It is in your invitation email.")
            )
        if event.registration_mode != "open" or event.kind == "roundtable":
            self.fields["sector"] = forms.ChoiceField(
                label=_("Sector"), required=False, choices=[("", "—"), *Sector.choices]
            )
            self.fields["organisation"] = forms.CharField(
                label=_("Organisation"),
                required=False,
                max_length=200,
                widget=forms.TextInput(attrs={"autocomplete": "organization"}),
            )
        # only where the event lets one registration bring others (Event.max_party_size)
        if event.allows_party:
            self.fields["party_size"] = NumberField(
                label=_("Number of people"),
                min_value=1,
                max_value=min(event.max_party_size, MAX_PARTY_SIZE),
                initial=1,
                error_messages={
                    "max_value": _("One registration brings at most %(limit_value)s people, you included."),
                },
                help_text=_("You and the people you bring (for example your children). Each needs a seat."),
            )
            self.fields["party_names"] = forms.CharField(
                label=_("Names of the people you bring"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
                help_text=_("One name per line."),
            )
        for question in self.questions:
            self.fields[f"question_{question.pk}"] = question_field(question)
        if event.asks_recording_consent:
            self.fields["consent_recording"] = forms.ChoiceField(
                label=_("May we record you during this event?"), choices=YES_NO, widget=forms.RadioSelect
            )
        self.fields["consent_data_processing"] = forms.BooleanField(
            label=_("I agree that the programme stores my registration details to organise this event."),
            error_messages={"required": _("We cannot register you without this consent.")},
        )

    def clean_email(self):
        return tidy_email(self.cleaned_data["email"])

    def clean(self):
        data = super().clean()
        # the service's rule: a line of only invisible characters names nobody
        names = [tidy_name(line) for line in (data.get("party_names") or "").splitlines() if tidy_name(line)]
        size = data.get("party_size") or 1
        # a party size that was refused is not 1: counting the names against it would contradict
        # the party size's own error ("2 names but bring 0 people" under "at most 5 people")
        if "party_size" not in self.errors and len(names) > size - 1:
            self.add_error(
                "party_names",
                _("You listed %(names)d names but bring %(guests)d people.")
                % {"names": len(names), "guests": size - 1},
            )
        data["party_names"] = names
        return data

    def service_arguments(self) -> dict:
        """Keyword arguments for registrations.services.registration.register."""
        data = self.cleaned_data
        answers = {}
        for question in self.questions:
            value = data.get(f"question_{question.pk}")
            if value not in (None, ""):
                answers[question.pk] = str(value)
        arguments = {
            "name": data["name"].strip(),
            "email": data["email"],
            "answers": answers,
            "party_size": data.get("party_size") or 1,
            "party_names": data["party_names"],
            "consent_data_processing": data["consent_data_processing"],
            "sector": data.get("sector", ""),
            "organisation": data.get("organisation", "").strip(),
            "invitation_code": data.get("invitation_code") or None,
        }
        if "consent_recording" in data:
            arguments["consent_recording"] = data["consent_recording"] == "yes"
        return arguments


class TicketRecoveryForm(forms.Form):
    email = EmailField(
        label=_("Your email address"),
        help_text=_("The address you registered with."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class CancelForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, cancel my registration"), error_messages={"required": _("Tick the box to confirm.")}
    )


class TransferForm(forms.Form):
    """An invited person names the colleague who comes in their place."""

    # someone else's details: the browser must not offer the holder's own
    name = forms.CharField(
        label=_("Your colleague's name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    email = EmailField(
        label=_("Your colleague's email"),
        help_text=_("Their ticket is sent there."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    consent_data_processing = forms.BooleanField(
        label=_("My colleague agrees that the programme stores their registration details to organise this event."),
        error_messages={"required": _("We cannot register your colleague without this consent.")},
    )

    def clean_email(self):
        return tidy_email(self.cleaned_data["email"])


class WalkInForm(forms.Form):
    """Someone at the door without a registration: registered and checked in in one step."""

    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    email = EmailField(
        label=_("Email (optional)"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    party_size = NumberField(label=_("Number of people"), min_value=1, max_value=MAX_PARTY_SIZE, initial=1)
