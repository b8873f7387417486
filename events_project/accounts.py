"""Accounts made for someone who follows an emailed link (a team invitation, a speaker's account
link) and has none yet: their name and a password, the account under the address the link went to.

The link is what admits, so the address is the one it was sent to, never one typed on the page.
"""

import hashlib

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events_project.exceptions import Conflict, DomainError
from events_project.people import tidy_name

# the field of NewAccountForm a refusal of new_account belongs to, so that it is shown next to it
ERROR_FIELDS = {"name_required": "name", "weak_password": "password"}


class NewAccountForm(forms.Form):
    """Someone new following an emailed link: their name and a password for the account made for them.

    The address the link went to is shown above them, read-only, as the ``username`` a password
    manager files the new password under (Chromium's advice for sign-up forms: a username field,
    even one the person does not type in); without it a manager saved a password for no account.
    The address is the link's, never the posted one."""

    username = forms.CharField(
        label=gettext_lazy("Your email address"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "readonly": True}),
        help_text=gettext_lazy("The address the link was sent to: your account's."),
    )
    name = forms.CharField(
        label=gettext_lazy("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password = forms.CharField(
        label=gettext_lazy("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        max_length=128,
        help_text=gettext_lazy("At least 8 characters; not only digits, not a common password, not like your name."),
    )
    password_again = forms.CharField(
        label=gettext_lazy("The password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        max_length=128,
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self.fields["username"].initial = email
        if self.is_bound:
            # shown back as the link's address, whatever was posted in its place
            self.data = self.data.copy()
            self.data[self.add_prefix("username")] = email

    def clean_username(self) -> str:
        return self.email

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", _("The two passwords differ."))
        return data


def account_exists(email: str) -> bool:
    return get_user_model().objects.filter(email__iexact=email).exists()


def _username_for(email: str) -> str:
    """The address as the username, as it fits (150 characters); a longer one is cut and given a
    digest of the whole, so two long addresses that begin alike are two usernames, not one taken."""
    limit = get_user_model()._meta.get_field("username").max_length
    if len(email) <= limit:
        return email
    digest = hashlib.sha256(email.encode()).hexdigest()[:12]
    return f"{email[: limit - len(digest) - 1]}-{digest}"


def new_account(*, email: str, name: str, password: str):
    """A new account for ``email`` with ``name`` and ``password``; refused (``name_required``,
    ``weak_password``, ``account_exists``) when the name is blank, the password too weak or the
    address already has an account (whose owner signs in instead). The caller holds the lock
    that makes its link work once."""
    user_model = get_user_model()
    name = tidy_name(name)
    if not name:
        raise DomainError(_("Give your name."), "name_required")
    if account_exists(email):
        raise Conflict(_("An account with this address exists: sign in to accept."), "account_exists")
    first, _space, last = name.partition(" ")
    user = user_model(username=_username_for(email), email=email, first_name=first[:150], last_name=last[:150])
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), "weak_password") from None
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise Conflict(_("An account with this address exists: sign in to accept."), "account_exists") from None
    return user
