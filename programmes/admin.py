"""Admin for programmes, cohorts, enrolments and certificates."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events_project.exceptions import DomainError
from programmes import certificates, services
from programmes.models import Certificate, Cohort, Enrolment, MissedSessionsAlert, Programme, SessionSkip


class ProgrammeAdminForm(forms.ModelForm):
    """The programme's series under the service's rule: none a cohort follows is taken out."""

    def clean(self):
        data = super().clean()
        if "series" in data:
            try:
                services.check_series_kept(self.instance, data["series"])
            except DomainError as error:
                raise ValidationError({"series": error.message}) from error
        return data


class CohortAdminForm(forms.ModelForm):
    """A cohort follows the whole programme or one of its series (the service's rule)."""

    def clean(self):
        data = super().clean()
        if data.get("programme") is not None:
            try:
                services.check_cohort_series(data["programme"], data.get("series"))
            except DomainError as error:
                raise ValidationError({"series": error.message}) from error
        return data


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    form = ProgrammeAdminForm
    list_display = ["title", "starts_on", "ends_on", "completion_threshold"]
    search_fields = ["title", "description"]
    filter_horizontal = ["organisers", "series", "events"]


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    form = CohortAdminForm
    list_display = ["name", "programme", "series"]
    list_filter = ["programme"]
    list_select_related = ["programme", "series"]


class SkipInline(admin.TabularInline):
    model = SessionSkip
    extra = 0
    raw_id_fields = ["event"]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "cohort", "status", "mentor", "joined_at", "left_at"]
    list_filter = ["status", "cohort__programme", "cohort", "sector", "age_group"]
    search_fields = ["name", "email"]
    list_select_related = ["cohort__programme", "mentor"]
    raw_id_fields = ["user", "mentor"]
    readonly_fields = ["status", "joined_at", "left_at"]
    inlines = [SkipInline]
    actions = ["leave_selected", "issue_certificates"]

    @admin.action(description="Leave the cohort (future registrations are cancelled)")
    def leave_selected(self, request, queryset):
        """Each active member through leave_cohort; one who left already is named and left as is."""
        done = 0
        for enrolment in queryset.select_related("cohort"):
            if enrolment.status == Enrolment.Status.LEFT:
                words = _("%(enrolment)s: left the cohort already, left as it is.")
                self.message_user(request, words % {"enrolment": enrolment}, messages.WARNING)
                continue
            services.leave_cohort(enrolment=enrolment, by=request.user)
            done += 1
        message = ngettext("%(count)d member left the cohort.", "%(count)d members left the cohort.", done)
        self.message_user(request, message % {"count": done}, level=messages.SUCCESS if done else messages.INFO)

    @admin.action(description="Issue completion certificates to those above the threshold")
    def issue_certificates(self, request, queryset):
        """Each enrolment through issue_certificate (its checks, message and audit log): one it
        refuses (left the cohort, below the threshold) is named with the reason, one that holds a
        valid certificate is named and left as it is, and the action says how many it issued."""
        now = timezone.now()
        issued = 0
        for enrolment in queryset.select_related("cohort__programme"):
            try:
                certificate = certificates.issue_certificate(enrolment=enrolment, by=request.user, now=now)
            except DomainError as error:
                self.message_user(request, f"{enrolment}: {error.message}", level=messages.WARNING)
                continue
            if certificate.issued_at != now:  # issue_certificate returns a valid one it finds
                words = _("%(enrolment)s: holds certificate %(number)s already, left as it is.")
                self.message_user(
                    request, words % {"enrolment": enrolment, "number": certificate.number}, messages.WARNING
                )
                continue
            issued += 1
        message = ngettext("%(count)d certificate issued.", "%(count)d certificates issued.", issued)
        self.message_user(request, message % {"count": issued}, level=messages.SUCCESS if issued else messages.INFO)


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["number", "participant_name", "programme_title", "attendance_rate", "issued_at", "revoked_at"]
    list_filter = ["programme_title"]
    search_fields = ["number", "participant_name"]
    readonly_fields = [field.name for field in Certificate._meta.fields if field.name not in ("revoked_reason",)]
    actions = ["revoke_selected"]

    @admin.action(description=_("Revoke selected certificates"))
    def revoke_selected(self, request, queryset):
        """Each valid certificate through revoke_certificate; one revoked already is named and left as is.
        No reason is stored: ``revoked_reason`` keeps an organiser's own words, shown as typed to every
        reader, and a sentence written here would stay in the admin's language (it said "Revoked in the
        admin." to Azerbaijani readers too); the action log records who revoked it."""
        done = 0
        for certificate in queryset:
            if certificate.revoked_at is not None:
                words = _("Certificate %(number)s: revoked already, left as it is.")
                self.message_user(request, words % {"number": certificate.number}, messages.WARNING)
                continue
            certificates.revoke_certificate(certificate=certificate, by=request.user)
            done += 1
        message = ngettext("%(count)d certificate revoked.", "%(count)d certificates revoked.", done)
        self.message_user(request, message % {"count": done}, level=messages.SUCCESS if done else messages.INFO)


@admin.register(MissedSessionsAlert)
class MissedSessionsAlertAdmin(admin.ModelAdmin):
    list_display = ["enrolment", "first_missed_event", "missed_count", "created_at"]
    list_select_related = ["enrolment__cohort", "first_missed_event"]
    readonly_fields = ["enrolment", "first_missed_event", "missed_count", "created_at"]
