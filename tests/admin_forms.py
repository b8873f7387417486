"""The Django admin as a superuser uses it in tests: a signed-in client, and a change form's data
as the page was opened (fields, the initial values posted beside them, the inlines' management
forms), so that a test posts back what a browser would with one field changed."""

from django.test import Client

from tests import factories


def administrator() -> Client:
    client = Client()
    client.force_login(factories.UserFactory(is_superuser=True, is_staff=True))
    return client


def opened_change_form(registration) -> tuple[Client, str, dict]:
    """An administrator opens the registration's admin page: the client, the page and the form's
    data as it was then."""
    admin = administrator()
    page = f"/admin/registrations/registration/{registration.pk}/change/"
    response = admin.get(page)
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = field.prepare_value(form[name].value())
        if value is not None and value is not False:
            data[name] = value
            if field.show_hidden_initial:  # what the page was opened with, posted back beside it
                data[f"initial-{name}"] = value
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(key): value for key, value in management.initial.items()})
    return admin, page, data
