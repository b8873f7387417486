"""Every field of a form that holds a person's name, email address, phone, organisation or a
password says what a browser may fill in (``autocomplete``): one's own details on one's own forms
(the account made from an emailed link, registering, the speaker's profile, passwords), and
``off`` where an organiser types someone else's (a walk-in, an invitation, a new speaker), so that
the browser never offers the organiser's own name and address there. The account page's name
had none: the browser offered nothing, and a password manager did not know what it was."""

import importlib
import pkgutil

import pytest
from django import forms

from tests.codebase import APPS

PERSON_FIELDS = {"name", "email", "new_name", "new_email", "public_email", "phone", "organisation"}
# names that are not a person's
NOT_A_PERSON = {("programmes.manage_forms.CohortForm", "name")}
ALLOWED = {"name", "email", "tel", "organization", "new-password", "current-password", "username", "off"}


def _forms() -> list[type[forms.BaseForm]]:
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if module.name.rsplit(".", 1)[-1] in ("accounts", "account_pages") or "forms" in module.name:
                importlib.import_module(module.name)
    found, todo = [], list(forms.BaseForm.__subclasses__())
    while todo:
        form = todo.pop()
        todo.extend(form.__subclasses__())
        if form.__module__.split(".")[0] in APPS and not form.__module__.endswith("admin"):
            found.append(form)
    return found


def _autocomplete(form: type[forms.BaseForm], name: str) -> str | None:
    return form.base_fields[name].widget.attrs.get("autocomplete")


def test_every_field_of_a_person_says_what_the_browser_may_fill_in():
    missing = []
    for form in _forms():
        for name, field in form.base_fields.items():
            person = name in PERSON_FIELDS or isinstance(field, forms.EmailField)
            person = person or isinstance(field.widget, forms.PasswordInput)
            where = f"{form.__module__}.{form.__name__}"
            if person and (where, name) not in NOT_A_PERSON and _autocomplete(form, name) not in ALLOWED:
                missing.append(f"{where}.{name}")
    assert missing == []


@pytest.mark.parametrize(
    ("where", "field", "expected"),
    [
        ("events_project.accounts.NewAccountForm", "name", "name"),
        ("events_project.accounts.NewAccountForm", "username", "username"),
        ("events_project.accounts.NewAccountForm", "password", "new-password"),
        ("registrations.page_forms.RegistrationForm", "name", "name"),
        ("registrations.page_forms.RegistrationForm", "email", "email"),
        ("registrations.page_forms.TicketRecoveryForm", "email", "email"),
        ("speakers.page_forms.SpeakerProfileForm", "name", "name"),
        ("speakers.page_forms.SpeakerProfileForm", "email", "email"),
        ("speakers.page_forms.SpeakerProfileForm", "phone", "tel"),
        ("speakers.page_forms.SpeakerProfileForm", "organisation", "organization"),
        ("notifications.account_pages.QueuedPasswordResetForm", "email", "email"),
        ("registrations.page_forms.WalkInForm", "name", "off"),
        ("registrations.manage_forms.AddRegistrationForm", "email", "off"),
        ("speakers.manage_forms.AssignSpeakerForm", "new_name", "off"),
    ],
)
def test_own_details_are_filled_in_and_someone_elses_are_not(where, field, expected):
    module, name = where.rsplit(".", 1)
    form = getattr(importlib.import_module(module), name)

    assert _autocomplete(form, field) == expected
