from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events import services
from events.models import Event, Region, Series
from events_project.exceptions import DomainError


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "name_az", "kind", "economic_region"]
    list_filter = ["kind", "economic_region"]
    search_fields = ["name", "name_az", "economic_region"]
    prepopulated_fields = {"slug": ["name"]}


class EventAdminForm(forms.ModelForm):
    """The admin saves the model itself, not through update_event: it asks the service's rule
    for moving an event (an event that is over keeps its time, see services.check_time_change)."""

    class Meta:
        model = Event
        # every field: a list here is all EventAdmin shows (it names none; the inline names its own)
        fields = "__all__"  # noqa: DJ007

    def clean(self):
        data = super().clean()
        event = self.instance
        if event.pk is not None and data.get("start") and data.get("end"):
            try:
                services.check_time_change(event=event, start=data["start"], end=data["end"])
            except DomainError as error:
                raise ValidationError(error.message, code=error.code) from None
        return data


class OccurrenceInline(admin.TabularInline):
    model = Event
    form = EventAdminForm
    fk_name = "series"
    fields = ["title", "start", "end", "status", "detached_from_series", "seats_taken"]
    # the status changes only through the services (the event admin's Publish and Cancel actions)
    readonly_fields = ["status", "seats_taken"]
    extra = 0
    show_change_link = True
    ordering = ["start"]


class SeriesAdminForm(forms.ModelForm):
    """The admin saves the series itself, then brings its occurrences in line with the rule: the
    rule and exception dates are checked first, as create_series and update_series check them
    (a rule the service refuses, FREQ=SECONDLY say, was a server error after the save)."""

    class Meta:
        model = Series
        fields = "__all__"  # noqa: DJ007 -- the admin shows every field; a list here would be all it shows

    def clean(self):
        data = super().clean()
        needed = ("rrule", "first_start", "timezone", "exdates")
        if not all(data.get(name) is not None for name in needed):
            return data  # a missing one has its own error
        series = Series(**{name: data[name] for name in needed})
        for field, check in (("exdates", lambda: services.parse_exdates(series.exdates, series.zone)),
                             ("rrule", lambda: services.expand_series(series))):  # fmt: skip
            try:
                check()
            except DomainError as error:
                self.add_error(field, ValidationError(error.message, code=error.code))
                break
        return data


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    form = SeriesAdminForm
    list_display = ["title", "kind", "rrule", "first_start", "published"]
    list_filter = ["kind", "published", "format"]
    search_fields = ["title", "description"]
    filter_horizontal = ["organisers", "checkin_staff"]
    inlines = [OccurrenceInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # the rule or template may have changed: regenerate the future occurrences
        services.sync_series_occurrences(series=form.instance, by=request.user)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    form = EventAdminForm
    list_display = ["title", "kind", "format", "start", "status", "region", "capacity", "seats_taken"]
    list_filter = ["status", "kind", "format", "language", "audience", "region"]
    search_fields = ["title", "description", "venue_name", "city"]
    date_hierarchy = "start"
    # status: a new event starts as a draft; it is published or cancelled only through the services
    # (the actions below), whose checks, emails and audit log saving the field directly would skip
    readonly_fields = [
        "uid", "status", "seats_taken", "sequence", "published_at", "cancelled_at", "created_at", "updated_at",
    ]  # fmt: skip
    filter_horizontal = ["organisers", "checkin_staff"]
    list_select_related = ["region"]
    actions = ["publish_selected", "cancel_selected"]

    @admin.action(description=_("Publish selected events"))
    def publish_selected(self, request, queryset):
        done = self._one_by_one(request, queryset, services.publish_event, left=[Event.Status.PUBLISHED])
        if done:
            message = ngettext("%(count)d event published.", "%(count)d events published.", done)
            self.message_user(request, message % {"count": done}, level=messages.SUCCESS)

    @admin.action(description=_("Cancel selected events (registrants are told)"))
    def cancel_selected(self, request, queryset):
        # no reason: it is shown as stored, and English words would reach every reader
        left = [Event.Status.CANCELLED, Event.Status.COMPLETED]
        done = self._one_by_one(request, queryset, services.cancel_event, left=left, say_left=True)
        if done:
            message = ngettext("%(count)d event cancelled.", "%(count)d events cancelled.", done)
            self.message_user(request, message % {"count": done}, level=messages.SUCCESS)

    def _one_by_one(self, request, queryset, service, *, left, say_left=False) -> int:
        """Each event through ``service`` (its checks, emails and audit log): one it refuses is named
        with the reason and the others go ahead; those in a ``left`` status are left as they are
        (named when ``say_left``). Returns how many the service took."""
        done = 0
        for event in queryset:
            if event.status in left:
                if say_left:
                    words = _("%(event)s: it is %(status)s already, left as it is.")
                    status = event.get_status_display().lower()
                    self.message_user(request, words % {"event": event, "status": status}, messages.WARNING)
                continue
            try:
                service(event=event, by=request.user)
            except DomainError as error:
                self.message_user(request, f"{event}: {error.message}", level=messages.WARNING)
            else:
                done += 1
        return done
