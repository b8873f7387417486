"""The admin site: Django's, with query-string initial values checked before a form shows them.

An add page takes initial values from its query string (``?event=3``). Django hands them to
the form unchecked, and a value a field cannot read (``?event=0001-01-01``, an id past 2^63)
breaks the page while it is drawn: a 500. Here each model admin, whoever registers it, leaves
out the initial values its form's field refuses.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.core.exceptions import ValidationError


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


class AdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, CheckedInitialData):
            admin_class = type(
                admin_class.__name__, (CheckedInitialData, admin_class), {"__module__": admin_class.__module__}
            )
        super().register(model_or_iterable, admin_class, **options)


class AdminConfig(DjangoAdminConfig):
    default_site = "events_project.admin_site.AdminSite"
