"""Forms of the server-rendered speaker pages (roster filters, the speaker's own profile)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import Language
from events.regions import RegionMultipleChoiceField, region_choices
from events_project.fields import EmailField
from speakers.models import SpeakerRole, StemField


class RosterSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    field = forms.ChoiceField(label=_("Field"), required=False, choices=[("", _("All fields")), *StemField.choices])
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("All languages")), *Language.choices]
    )
    region = forms.ChoiceField(label=_("Travels to"), required=False)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("All roles")), *SpeakerRole.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("All regions")), *region_choices()]


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()]


class SpeakerProfileForm(forms.Form):
    """What a speaker edits about themself; organiser-only fields are not here at all."""

    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    stem_fields = forms.MultipleChoiceField(
        label=_("STEM fields"), choices=StemField.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    topics = forms.CharField(
        label=_("Topics"), required=False, help_text=_("Separate topics with commas."), max_length=1000
    )
    bio = forms.CharField(
        label=_("Short bio"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=Language.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    roles = forms.MultipleChoiceField(
        label=_("I act as"), choices=SpeakerRole.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    travel_regions = RegionMultipleChoiceField(
        label=_("Regions I can travel to"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    public_email = EmailField(
        label=_("Public email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    linkedin_url = forms.URLField(label=_("LinkedIn"), required=False, assume_scheme="https")
    email = EmailField(
        label=_("Private email (for invitations)"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        label=_("Private phone"), max_length=40, required=False, widget=forms.TextInput(attrs={"autocomplete": "tel"})
    )

    @classmethod
    def for_speaker(cls, speaker, data=None):
        initial = {
            name: getattr(speaker, name)
            for name in ("name", "title", "organisation", "stem_fields", "bio", "languages", "roles",
                         "public_email", "website", "linkedin_url", "email", "phone")
        }  # fmt: skip
        initial["topics"] = ", ".join(speaker.topics or [])
        initial["travel_regions"] = list(speaker.travel_regions.all())
        return cls(data, initial=initial)

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        data["topics"] = _lines(data["topics"])
        return data


class SpeakerPhotoForm(forms.Form):
    """The speaker's photo: what an acceptable one is, is ``speakers.photos``' rule, asked by the
    service (a plain file here, as in the API)."""

    photo = forms.FileField(
        label=_("Choose a photo"),
        help_text=_(
            "JPEG, PNG or WebP, at most 5 MB and 6000 × 6000 pixels. It is shown in a circle; "
            "the location and camera details in the file are removed."
        ),
        error_messages={"required": _("Choose a photo to upload."), "empty": _("The file is empty.")},
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class InvitationAnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
    message = forms.CharField(label=_("Message to the organisers (optional)"), required=False, max_length=2000)
