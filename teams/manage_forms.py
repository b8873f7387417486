"""Forms of the team tab and of the page that accepts a team invitation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from events_project.fields import EmailField
from teams.models import TeamRole


class TeamInvitationForm(forms.Form):
    email = EmailField(label=_("Their email address"), max_length=254)
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
        help_text=_("They will check people in at the door of every session of this series, those added later too."),
    )


class NewAccountForm(forms.Form):
    """Someone new following a team link: their name and a password for the account made for them."""

    name = forms.CharField(label=_("Your name"), max_length=200)
    password = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        max_length=128,
        help_text=_("At least 8 characters; not only digits, not a common password, not like your name."),
    )
    password_again = forms.CharField(
        label=_("The password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        max_length=128,
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", _("The two passwords differ."))
        return data
