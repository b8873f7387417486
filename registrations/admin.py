"""Admin (superusers only). Status and seats change only through the services (admin actions),
so the seat counter and the waiting list stay right; registrations are added through the API
or the event page, never by editing rows."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from events_project.exceptions import DomainError
from events_project.people import account_name
from registrations.checkin import services as checkin_services
from registrations.models import Answer, CheckIn, Invitation, Question, Registration
from registrations.services import attendance as attendance_services
from registrations.services import invitations as invitation_services
from registrations.services import questions as question_services
from registrations.services import registration as registration_services


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ["question", "value"]
    readonly_fields = ["question", "value"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


def _apply(modeladmin, request, queryset, service, done: str):
    changed = 0
    for registration in queryset.select_related("event"):
        try:
            service(registration=registration, by=request.user)
            changed += 1
        except DomainError as error:
            modeladmin.message_user(request, f"{registration}: {error.message} ({error.code})", messages.WARNING)
    if changed:
        modeladmin.message_user(request, f"{changed} {done}.", messages.SUCCESS)


@admin.action(description=_("Approve selected (takes seats)"))
def approve(modeladmin, request, queryset):
    _apply(modeladmin, request, queryset, registration_services.approve_registration, "approved")


@admin.action(description=_("Reject selected"))
def reject(modeladmin, request, queryset):
    _apply(modeladmin, request, queryset, registration_services.reject_registration, "rejected")


@admin.action(description=_("Cancel selected (frees seats, promotes the waiting list)"))
def cancel(modeladmin, request, queryset):
    _apply(modeladmin, request, queryset, registration_services.cancel_registration, "cancelled")


@admin.action(description=_("Move selected off the waiting list"))
def promote(modeladmin, request, queryset):
    _apply(modeladmin, request, queryset, registration_services.promote_registration, "moved in")


class RegistrationForm(forms.ModelForm):
    """Each field posts back the value the page was opened with, so the form tells what the
    administrator changed from what a participant report or the door wrote meanwhile
    (``changed_data``): only the first is written (``RegistrationAdmin.save_model``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.show_hidden_initial = True


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    form = RegistrationForm
    list_display = ["name", "email", "event", "status", "party_size", "sector", "source", "attendance", "created_at"]
    list_filter = ["status", "source", "sector", "attendance", "event__kind"]
    search_fields = ["name", "email", "organisation", "event__title"]
    list_select_related = ["event"]
    autocomplete_fields = ["event"]
    raw_id_fields = ["user", "invitation", "substitute_for"]
    date_hierarchy = "created_at"
    inlines = [AnswerInline]
    actions = [approve, reject, cancel, promote]
    readonly_fields = [
        "event", "status", "source", "party_size", "seats_held", "waiting_since", "offer_expires_at",
        "invitation", "substitute_for", "consent_data_processing",
        "consent_recording", "consented_at", "created_at", "updated_at", "confirmed_at", "cancelled_at",
        "attendance_by_hand",
    ]  # fmt: skip
    fields = [
        "event", "status", "name", "email", "user", "party_size", "party_names", "seats_held", "sector",
        "organisation", "waiting_since", "offer_expires_at", "invitation", "substitute_for",
        "consent_data_processing", "consent_recording", "consented_at", "attendance", "attendance_by_hand",
        "minutes_attended", "source", "created_at", "confirmed_at", "cancelled_at",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # deleting would leave its seats counted: cancel instead
        return False

    def save_model(self, request, obj, form, change):
        # only what the administrator changed is written: the whole row saved back would overwrite
        # what a participant report or the door wrote since the page was opened (attendance, minutes);
        # attendance by the one rule of a decision by hand (registrations.services.attendance)
        changed = [name for name in form.changed_data if name != "attendance"]
        if changed:
            obj.save(update_fields=[*changed, "updated_at"])
        if "attendance" in form.changed_data:
            attendance_services.decide_attendance_by_hand(registration=obj, attendance=obj.attendance)


class QuestionForm(forms.ModelForm):
    """The admin saves a question itself: the rules of the API and the workspace (options
    tidied and all different, ...) are the service's, asked here so none is skipped."""

    class Meta:
        model = Question
        fields = "__all__"  # noqa: DJ007 -- the admin shows every field; a list here would be all it shows

    def clean(self):
        data = super().clean()
        if "kind" not in data:
            return data  # its own error is shown
        question = Question(label=data.get("label") or "", kind=data["kind"], choices=data.get("choices") or [])
        try:
            question_services.check_question(question)
        except DomainError as error:
            field = question_services.CODE_FIELDS.get(error.code)
            self.add_error(
                field if field in self.fields else None, forms.ValidationError(error.message, code=error.code)
            )
        else:
            data["choices"] = question.choices
        return data


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionForm
    list_display = ["label", "event", "kind", "required", "position"]
    list_filter = ["kind", "required"]
    search_fields = ["label", "event__title"]
    autocomplete_fields = ["event"]
    list_select_related = ["event"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "event", "sector", "organisation", "created_at", "used_at", "revoked_at"]
    list_filter = ["sector", ("used_at", admin.EmptyFieldListFilter), ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "name", "organisation", "event__title"]
    autocomplete_fields = ["event"]
    list_select_related = ["event"]
    readonly_fields = ["created_by", "created_at", "used_at", "revoked_at"]
    exclude = ["code"]  # a credential: never shown
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # a new invitation goes through the service, which emails the code
        created = invitation_services.create_invitation(
            event=obj.event,
            email=obj.email,
            name=obj.name,
            sector=obj.sector,
            organisation=obj.organisation,
            by=request.user,
        )
        obj.pk = created.pk
        obj.code = created.code

    @admin.action(description=_("Revoke selected unused invitations"))
    def revoke(self, request, queryset):
        for invitation in queryset:
            try:
                invitation_services.revoke_invitation(invitation=invitation, by=request.user)
            except DomainError as error:
                self.message_user(request, f"{invitation}: {error.message}", messages.WARNING)


# --- check-in -------------------------------------------------------------------------


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    """The door's record, read-only: check-ins are made by scanning (or the check-in API) and
    taken back with the undo action, never edited, so who/when/device stay true."""

    list_display = ["registration", "event", "checked_in_at", "scanner", "device", "source", "undone_at"]
    list_filter = ["source", ("undone_at", admin.EmptyFieldListFilter)]
    search_fields = ["registration__name", "registration__email", "event__title", "device"]
    list_select_related = ["registration", "event", "by"]
    date_hierarchy = "checked_in_at"
    # who scanned and who undid, as the rest of the site names an account (an erased one is "an
    # erased account", never its placeholder username erased-<id>)
    readonly_fields = [
        {"by": "scanner", "undone_by": "undoer"}.get(field.name, field.name) for field in CheckIn._meta.fields
    ]
    fields = readonly_fields  # the raw user columns stay out of the form
    actions = ["undo"]

    @admin.display(description=_("Checked in by"), ordering="by")
    def scanner(self, checkin) -> str:
        return account_name(checkin.by) if checkin.by_id else self.get_empty_value_display()

    @admin.display(description=_("Undone by"))
    def undoer(self, checkin) -> str:
        return account_name(checkin.undone_by) if checkin.undone_by_id else self.get_empty_value_display()

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Undo selected check-ins"))
    def undo(self, request, queryset):
        for checkin in queryset.filter(undone_at__isnull=True):
            checkin_services.undo_check_in(checkin=checkin, by=request.user)
        self.message_user(request, _("Check-ins undone."), messages.SUCCESS)
