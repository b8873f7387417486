"""Forms of the team tab and of the page that accepts a team invitation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from events_project.fields import EmailField
from teams.models import TeamRole


class TeamInvitationForm(forms.Form):
    email = EmailField(
        label=_("Their email address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    role = forms.ChoiceField(
        label=_("What they will do"),
        choices=TeamRole.choices,
        initial=TeamRole.CHECKIN,
        widget=forms.RadioSelect,
        help_text=_("Check-in staff see only the door of this event. Co-organisers can change it like you."),
    )

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        if not event.has_venue:
            # an online-only event has no door (services.invite_to_team refuses one)
            role = self.fields["role"]
            role.choices = [(TeamRole.ORGANISER, TeamRole.ORGANISER.label)]
            role.initial = TeamRole.ORGANISER
            role.help_text = _("An online-only event has no door: co-organisers can change it like you.")


class SeriesDoorInvitationForm(forms.Form):
    email = EmailField(
        label=_("Their email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_("They will check people in at the door of every session of this series, those added later too."),
    )
