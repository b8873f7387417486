"""Forms of the organiser workspace for an event's speakers."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from events_project.fields import EmailField
from events_project.picker import BoundedModelChoiceField
from speakers.models import AssignmentRole


class SpeakerChoiceField(BoundedModelChoiceField):
    """The roster is shared by every organiser and grows with the site: the list offers its first
    SHOWN_IN_SELECT speakers (the page's search narrows it), a posted one is checked against all."""

    def label_from_instance(self, speaker):
        return f"{speaker.name} · {speaker.organisation}" if speaker.organisation else speaker.name


class AssignSpeakerForm(forms.Form):
    """A speaker from the roster, or someone not on it yet by name and email (added to the roster
    unlisted by ``services.invite_new_speaker``), in a role."""

    speaker = SpeakerChoiceField(
        label=_("Speaker"), queryset=None, required=False, empty_label=_("— Someone not on the roster (below) —")
    )
    new_name = forms.CharField(
        label=_("Or someone new: their name"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    new_email = EmailField(
        label=_("Their email"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_("The invitation goes there. They join the roster without being shown publicly."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=AssignmentRole.choices, initial=AssignmentRole.PANELLIST)
    response_deadline = forms.DateField(
        label=_("Answer wanted by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Reminders stop on this day; then you are told. Empty: a week before the event at the latest."),
    )
    conflict_override_reason = forms.CharField(
        label=_("Invite despite the conflicts, because"),
        required=False,
        max_length=500,
        help_text=_("Only when the speaker has conflicts: the reason is kept with the invitation."),
    )

    def __init__(self, *args, event, speakers, **kwargs):
        """``speakers``: whom the list offers (the speakers the organiser may see, as found by the
        page's search); a speaker posted from that list is checked against the same set."""
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["speaker"].queryset = speakers
        # one of the two is needed, the roster speaker or the new person: neither is "(optional)"
        for name in ("speaker", "new_name", "new_email"):
            self.fields[name].required_when = "no_other_speaker"

    def clean(self):
        data = super().clean()
        new_name, new_email = data.get("new_name", "").strip(), data.get("new_email", "")
        if data.get("speaker") is not None:
            if new_name or new_email:
                self.add_error("new_name", _("Choose a speaker from the list or give someone new, not both."))
        elif not new_name and not new_email and "new_email" not in self.errors:
            self.add_error("speaker", _("Choose a speaker, or give the name and email of someone new."))
        else:
            if not new_name:
                self.add_error("new_name", _("Give their name."))
            if not new_email and "new_email" not in self.errors:
                self.add_error("new_email", _("Give their email: the invitation goes there."))
        return data

    @property
    def is_new_speaker(self) -> bool:
        return self.cleaned_data.get("speaker") is None

    def service_arguments(self) -> dict:
        """The arguments of ``services.assign_speaker``, or of ``services.invite_new_speaker`` for
        someone new (``is_new_speaker``)."""
        data = self.cleaned_data
        deadline = data.get("response_deadline")
        if deadline is not None:
            deadline = dt.datetime.combine(deadline, dt.time(23, 59)).replace(tzinfo=self.event.zone)
        person = (
            {"name": data["new_name"], "email": data["new_email"]}
            if self.is_new_speaker
            else {"speaker": data["speaker"]}
        )
        return {
            **person,
            "role": data["role"],
            "response_deadline": deadline,
            "conflict_override_reason": data.get("conflict_override_reason", ""),
        }
