"""Forms of the organiser workspace for an event's speakers."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from speakers.models import AssignmentRole


class SpeakerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, speaker):
        return f"{speaker.name} · {speaker.organisation}" if speaker.organisation else speaker.name


class AssignSpeakerForm(forms.Form):
    speaker = SpeakerChoiceField(label=_("Speaker"), queryset=None)
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

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        deadline = data.get("response_deadline")
        if deadline is not None:
            deadline = dt.datetime.combine(deadline, dt.time(23, 59)).replace(tzinfo=self.event.zone)
        return {
            "speaker": data["speaker"],
            "role": data["role"],
            "response_deadline": deadline,
            "conflict_override_reason": data.get("conflict_override_reason", ""),
        }
