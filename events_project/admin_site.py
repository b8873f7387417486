"""The admin site: Django's, for superusers only, scoped by the selectors, with query-string
initial values checked before a form shows them.

**Superusers only.** Organisers work in the organiser workspace under /manage/; the admin is
the operators' tool (``AdminSite.has_permission``). Every model admin is nevertheless scoped by
the model's ``*_managed_by`` selector (changelists, change forms, actions, relation choices and
autocompletes), so opening it to someone else would show them only their own objects.

**Secrets.** Fields that are credentials or carry them (``SECRET_FIELDS``: management tokens,
ticket secrets, invitation codes, outbox bodies) are never shown, to anyone.

An add page takes initial values from its query string (``?event=3``). Django hands them to
the form unchecked, and a value a field cannot read (``?event=0001-01-01``, an id past 2^63)
breaks the page while it is drawn: a 500. Here each model admin, whoever registers it, leaves
out the initial values its form's field refuses; likewise a changelist's lookup the database
cannot be asked (a year 0) is answered as any bad lookup, "?e=1" (``CheckedLookups``).
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.utils.module_loading import import_string
from django.utils.translation import gettext


class CheckedInitialData:
    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        fields = self.get_form(request).base_fields
        checked = {}
        for name, value in initial.items():
            field = fields.get(name)
            if field is None:
                continue
            try:
                field.clean(value)
            except (ValidationError, ValueError, TypeError, OverflowError):
                continue
            checked[name] = value
        return checked


class CheckedLookups:
    """A changelist's lookups from its query string that the database cannot be asked are the
    admin's own bad lookup ("?e=1"). Django checks them while building the query, but a year 0
    (``?created_at__year=0``) or a date at the edge of the calendar in the site's zone
    (``?created_at__gt=0001-01-01``) fails only when the count is written: a 500. A range
    (``?capacity__range=10,30``) is not a lookup the admin can take from a query string: Django
    splits ``__in`` values at commas, not a range's, and hands the database the text as a range of
    its characters (``?title__range=a`` a range of one, an IndexError when the count was written;
    ``?capacity__range=19`` from 1 to 9). No admin filter makes one: it is refused as any bad lookup."""

    def get_changelist_instance(self, request):
        ranges = [key for key in request.GET if key.endswith(f"{LOOKUP_SEP}range")]
        if ranges:
            raise IncorrectLookupParameters(f"{ranges[0]}: the admin takes no range from its address")
        try:
            return super().get_changelist_instance(request)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error


# (app label, model name) → fields never shown in the admin
SECRET_FIELDS = {
    ("registrations", "registration"): {"manage_token", "ticket_secret"},
    ("registrations", "invitation"): {"code"},
    ("notifications", "outboxmessage"): {"body_text", "body_html", "attachments", "claim_token", "context"},
    ("feeds", "calendarfeed"): {"token"},
    ("teams", "teaminvitation"): {"token_hash"},
    # an API token is its owner's password for the API (the admin lists them by owner, to revoke)
    ("authtoken", "token"): {"key"},
    ("authtoken", "tokenproxy"): {"key"},
}


def secret_fields(model) -> set[str]:
    return SECRET_FIELDS.get((model._meta.app_label, model._meta.model_name), set())


# (app label, model name) → the model's ``*_managed_by`` selector, by dotted path: the admin sits
# below the apps (import-linter's layers), so it names their selectors instead of importing them.
MANAGED_BY_SELECTORS = {
    ("events", "event"): "events.selectors.events_managed_by",
    ("events", "series"): "events.selectors.series_managed_by",
    ("registrations", "registration"): "registrations.selectors.registrations_managed_by",
    ("registrations", "question"): "registrations.selectors.questions_managed_by",
    ("registrations", "invitation"): "registrations.selectors.invitations_managed_by",
    ("registrations", "checkin"): "registrations.selectors.checkins_managed_by",
    ("speakers", "speaker"): "speakers.selectors.speakers_managed_by",
    ("speakers", "speakerassignment"): "speakers.selectors.assignments_managed_by",
    ("notifications", "outboxmessage"): "notifications.selectors.outbox_managed_by",
    ("notifications", "messagetemplateoverride"): "notifications.selectors.templates_managed_by",
    ("attendance", "attendanceimport"): "attendance.selectors.imports_managed_by",
    ("programmes", "programme"): "programmes.selectors.programmes_managed_by",
    ("programmes", "cohort"): "programmes.selectors.cohorts_managed_by",
    ("programmes", "enrolment"): "programmes.selectors.enrolments_managed_by",
    ("programmes", "certificate"): "programmes.selectors.certificates_managed_by",
    ("feeds", "calendarfeed"): "feeds.selectors.calendar_feeds_managed_by",
    ("teams", "teaminvitation"): "teams.selectors.team_invitations_managed_by",
}


def managed_by_selector(model):
    """The ``*_managed_by`` selector of ``model`` (None for shared reference data: regions, users)."""
    path = MANAGED_BY_SELECTORS.get((model._meta.app_label, model._meta.model_name))
    return import_string(path) if path else None


class ScopedAdmin:
    """Querysets and relation choices from the selectors; secret fields left out; email
    addresses read as at every other door (events_project.fields.EmailField)."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_active and request.user.is_superuser:
            return queryset
        selector = managed_by_selector(self.model)
        if selector is None:
            return queryset.none()
        return queryset.filter(pk__in=selector(request.user).order_by().values("pk"))

    def _scoped_choices(self, db_field, request, kwargs):
        selector = managed_by_selector(db_field.related_model)
        if selector is not None and "queryset" not in kwargs:
            kwargs["queryset"] = selector(request.user)
        return kwargs

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.EmailField):
            # the address as the site keeps it: Django's own field refuses one pasted with an
            # invisible character (a zero-width space) as invalid, which every other door accepts,
            # and would save it as typed where the services store it lower-case
            from events_project.fields import KeptEmailField  # noqa: PLC0415 (imports DRF: only once the app registry is ready)

            kwargs.setdefault("form_class", KeptEmailField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **self._scoped_choices(db_field, request, kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        from events_project.fields import IdMultipleChoiceField  # noqa: PLC0415 (imports DRF: only once the app registry is ready)

        kwargs.setdefault("form_class", IdMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **self._scoped_choices(db_field, request, kwargs))

    def get_list_display(self, request):
        hidden = secret_fields(self.model)
        return [name for name in super().get_list_display(request) if name not in hidden]

    def get_list_display_links(self, request, list_display):
        links = super().get_list_display_links(request, list_display)
        return links if links is None else [name for name in links if name in list_display]

    def get_search_fields(self, request):
        hidden = secret_fields(self.model)
        return [name for name in super().get_search_fields(request) if name.lstrip("^=@") not in hidden]

    def get_fields(self, request, obj=None):
        hidden = secret_fields(self.model)
        return [name for name in super().get_fields(request, obj) if name not in hidden]

    def get_readonly_fields(self, request, obj=None):
        hidden = secret_fields(self.model)
        return [name for name in super().get_readonly_fields(request, obj) if name not in hidden]

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or []), *sorted(secret_fields(self.model))]


class AdminSite(admin.AdminSite):
    def logout(self, request, extra_context=None):
        """Signing out of the admin forgets the door pages kept on the device, as the site's does."""
        from events_project.account_pages import CLEAR_SITE_DATA  # noqa: PLC0415 (imports models: only once the app registry is ready)

        response = super().logout(request, extra_context)
        if request.method == "POST":
            response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response

    def has_permission(self, request):
        """Superusers only: organisers work in the organiser workspace (/manage/)."""
        return request.user.is_active and request.user.is_superuser

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, CheckedInitialData):
            admin_class = type(
                admin_class.__name__,
                (ScopedAdmin, CheckedInitialData, CheckedLookups, admin_class),
                {"__module__": admin_class.__module__},
            )
        super().register(model_or_iterable, admin_class, **options)


class AdminConfig(DjangoAdminConfig):
    default_site = "events_project.admin_site.AdminSite"

    def ready(self):
        super().ready()
        from rest_framework.authtoken.models import TokenProxy  # noqa: PLC0415 (a model: only once the apps are ready)

        # DRF names a token by its key, and the admin writes an object's name into its pages (the
        # change form's title, the delete confirmation, "recent actions") and its log. The proxy
        # exists for the admin alone: named by its owner there, the key is shown nowhere.
        TokenProxy.__str__ = _token_name


def _token_name(token) -> str:
    return gettext("API token of %(user)s") % {"user": token.user}
