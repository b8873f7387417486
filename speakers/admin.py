"""Admin (superusers only) for the roster and the assignments. Writes go through the services,
so inviting from here sends the invitation and conflicts need a recorded reason; a speaker's
profile is saved by its form, which asks the service's profile rules (``clean_profile``) first."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.files.uploadedfile import UploadedFile
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from events.models import Language
from events_project.exceptions import DomainError
from speakers import services
from speakers.conflicts import conflicts_for, conflicts_for_assignments
from speakers.models import (
    AssignmentStatus,
    Speaker,
    SpeakerAssignment,
    SpeakerRole,
    SpeakerUnavailability,
    StemField,
)
from speakers.photos import normalised_photo


class SpeakerForm(forms.ModelForm):
    stem_fields = forms.MultipleChoiceField(
        choices=StemField.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    roles = forms.MultipleChoiceField(choices=SpeakerRole.choices, required=False, widget=forms.CheckboxSelectMultiple)
    languages = forms.MultipleChoiceField(choices=Language.choices, required=False, widget=forms.CheckboxSelectMultiple)
    topics = forms.CharField(required=False, help_text=_("Separate topics with commas."))
    # a plain file: speakers.photos decides what an acceptable photo is, here as in the API and pages
    photo = forms.FileField(
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP, at most 5 MB and 6000 × 6000 pixels."),
    )

    class Meta:
        model = Speaker
        fields = [
            "name", "title", "organisation", "stem_fields", "topics", "bio", "photo", "photo_url", "languages",
            "travel_regions", "roles", "public_email", "website", "linkedin_url", "email", "phone", "private_notes",
            "listed", "user",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["topics"] = ", ".join(self.instance.topics)

    def clean_photo(self):
        photo = self.cleaned_data["photo"]
        if not isinstance(photo, UploadedFile):
            return photo  # unchanged (the stored file) or cleared (False)
        try:
            return normalised_photo(photo)
        except DomainError as error:
            raise forms.ValidationError(error.message, code=error.code) from None

    def clean_topics(self):
        return [topic.strip() for topic in self.cleaned_data["topics"].split(",") if topic.strip()]

    def clean(self):
        # the admin saves the model itself: the profile rules of the API and the pages (a
        # LinkedIn link on linkedin.com, ...) are the service's, asked here so none is skipped
        data = super().clean()
        profile = {name: data[name] for name in services.PROFILE_FIELDS if name in data}
        try:
            data.update(services.clean_profile(profile))
        except DomainError as error:
            field = services.PROFILE_CODE_FIELDS.get(error.code)
            refusal = forms.ValidationError(error.message, code=error.code)
            self.add_error(field if field in self.fields else None, refusal)
        return data


class JsonListFilter(admin.SimpleListFilter):
    """Filter on one slug of a JSON list field (roles, STEM fields, languages)."""

    field_name = ""
    options: list = []

    def lookups(self, request, model_admin):
        return self.options

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        return queryset.filter(**{f"{self.field_name}__icontains": f'"{value}"'})


class RoleFilter(JsonListFilter):
    title = _("role")
    parameter_name = "role"
    field_name = "roles"
    options = SpeakerRole.choices


class StemFieldFilter(JsonListFilter):
    title = _("STEM field")
    parameter_name = "field"
    field_name = "stem_fields"
    options = StemField.choices


class LanguageFilter(JsonListFilter):
    title = _("language")
    parameter_name = "language"
    field_name = "languages"
    options = Language.choices


class UnavailabilityInline(admin.TabularInline):
    model = SpeakerUnavailability
    extra = 0


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    form = SpeakerForm
    list_display = ["name", "title", "organisation", "role_list", "language_list", "listed", "user"]
    list_filter = [RoleFilter, StemFieldFilter, LanguageFilter, "travel_regions", "listed"]
    search_fields = ["name", "title", "organisation", "email", "public_email", "topics", "bio"]
    filter_horizontal = ["travel_regions"]
    autocomplete_fields = ["user"]
    inlines = [UnavailabilityInline]
    readonly_fields = ["created_at", "updated_at"]

    @admin.display(description=_("Roles"))
    def role_list(self, speaker):
        return ", ".join(str(SpeakerRole(role).label) for role in speaker.roles if role in SpeakerRole.values)

    @admin.display(description=_("Languages"))
    def language_list(self, speaker):
        return ", ".join(speaker.languages)


class AssignmentForm(forms.ModelForm):
    # who reads the conflicts (set by SpeakerAssignmentAdmin.get_form): they name only what they may see
    viewer = None

    class Meta:
        model = SpeakerAssignment
        fields = ["event", "speaker", "role", "order", "response_deadline", "conflict_override_reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["response_deadline"].required = False
        if self.instance.pk:
            for name in ("event", "speaker"):
                self.fields[name].disabled = True

    def clean(self):
        cleaned = super().clean()
        event, speaker = cleaned.get("event"), cleaned.get("speaker")
        if not self.instance.pk and event and speaker and not cleaned.get("conflict_override_reason", "").strip():
            found = conflicts_for(speaker_id=speaker.pk, event=event, viewer=self.viewer)
            if found:
                raise forms.ValidationError(
                    _("Conflicts: %(list)s Give an override reason to assign anyway.")
                    % {"list": " ".join(conflict.detail for conflict in found)}
                )
        return cleaned


class AssignmentChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        # conflicts of the whole page in two queries, not two per row
        found = conflicts_for_assignments(self.result_list, viewer=request.user)
        for assignment in self.result_list:
            assignment.found_conflicts = found[assignment.pk]


@admin.register(SpeakerAssignment)
class SpeakerAssignmentAdmin(admin.ModelAdmin):
    form = AssignmentForm
    list_display = ["speaker", "event", "role", "order", "status", "response_deadline", "reminder_count",
                    "conflict_column"]  # fmt: skip
    list_filter = ["status", "role", "event__kind", "event__region", "response_deadline"]
    search_fields = ["speaker__name", "event__title"]
    list_select_related = ["speaker", "event"]
    autocomplete_fields = ["event", "speaker"]
    readonly_fields = [
        "status", "conflict_details", "message", "invited_at", "invited_by", "responded_at", "reminder_count",
        "last_reminded_at", "unanswered_alert_sent_at", "withdrawn_at", "conflict_overridden_by",
        "conflict_overridden_at",
    ]  # fmt: skip
    actions = ["withdraw_selected", "remind_selected"]

    def get_changelist(self, request, **kwargs):
        return AssignmentChangeList

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"viewer": request.user})

    def get_object(self, request, object_id, from_field=None):
        assignment = super().get_object(request, object_id, from_field)
        if assignment is not None:
            # the change form's conflicts, read as this user may (the display below has no request)
            assignment.found_conflicts = conflicts_for_assignments([assignment], viewer=request.user)[assignment.pk]
        return assignment

    def _conflicts(self, assignment):
        # read with the request's user in the changelist (AssignmentChangeList) or get_object
        return getattr(assignment, "found_conflicts", [])

    @admin.display(description=_("Conflicts"))
    def conflict_column(self, assignment):
        found = self._conflicts(assignment)
        if not found:
            return "—"
        label = ", ".join(sorted({conflict.code for conflict in found}))
        if assignment.conflict_override_reason:
            return format_html("⚠ {} <small>(overridden)</small>", label)
        return format_html("<strong>⚠ {}</strong>", label)

    @admin.display(description=_("Conflicts"))
    def conflict_details(self, assignment):
        if not assignment.pk:
            return "—"
        found = self._conflicts(assignment)
        if not found:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((c.detail,) for c in found)))

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            assigned = services.assign_speaker(
                event=data["event"],
                speaker=data["speaker"],
                by=request.user,
                role=data["role"],
                order=data["order"],
                response_deadline=data.get("response_deadline"),
                conflict_override_reason=data.get("conflict_override_reason", ""),
            )
            for field in SpeakerAssignment._meta.concrete_fields:
                setattr(obj, field.attname, getattr(assigned, field.attname))
            return
        changes = {name: data[name] for name in ("role", "order", "response_deadline") if name in form.changed_data}
        if changes:
            services.update_assignment(assignment=obj, by=request.user, **changes)
        if "conflict_override_reason" in form.changed_data and data["conflict_override_reason"].strip():
            services.override_conflicts(assignment=obj, by=request.user, reason=data["conflict_override_reason"])

    @admin.action(description=_("Withdraw selected invitations"))
    def withdraw_selected(self, request, queryset):
        count = 0
        for assignment in queryset.filter(status__in=[AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED]):
            services.withdraw_assignment(assignment=assignment, by=request.user)
            count += 1
        self.message_user(request, _("%(count)d withdrawn.") % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Send a reminder now to those who have not answered"))
    def remind_selected(self, request, queryset):
        count = 0
        for assignment in queryset.filter(status=AssignmentStatus.INVITED).select_related("event", "speaker"):
            if services.send_reminder(assignment=assignment):
                count += 1
        self.message_user(request, _("%(count)d reminded.") % {"count": count}, messages.SUCCESS)
