"""How the site names people, one rule for the pages, CSV exports and organisers' mails.

Erasure (``registrations.services.privacy``, ``programmes.services``) stores ``ERASED_NAME`` in
place of a registrant's or participant's name and renames the account ``erased_username(pk)``.
The stored placeholder is English and fixed (the API and the data keep it as it is); a person
reading a page sees it in their own language through ``person_name``, and an erased account
that did something is "an erased account" (``account_name``), never its internal username.

Templates: ``{% load people %}``, then ``{{ registration.name|person_name }}`` and
``{{ user|account_name }}`` (registered in ``settings.TEMPLATES`` as the ``people`` library).
"""

import unicodedata

from django import template
from django.utils.translation import gettext as _

ERASED_NAME = "Erased attendee"  # stored as is: the reader's language is chosen when shown
ERASED_DOMAIN = "erased.invalid"  # RFC 2606: never a real mailbox


def erased_username(pk: int) -> str:
    """The username erasure gives account ``pk`` (usernames are unique; the id makes it so)."""
    return f"erased-{pk}"


def is_erased_account(user) -> bool:
    return not user.is_active and user.username == erased_username(user.pk)


# zero-width non-joiner and joiner shape letters and emoji: kept inside a name
_JOINERS = "\u200c\u200d"


def tidy_name(value) -> str:
    """A person's name as typed, without surrounding blanks and without invisible formatting
    characters (a zero-width space, a right-to-left override that turns "Aysel" round on every
    list): "" when nothing visible is left, so a name of only those counts as no name."""
    text = "".join(c for c in str(value or "") if unicodedata.category(c) != "Cf" or c in _JOINERS).strip()
    return text if any(unicodedata.category(c)[0] not in "CZ" for c in text) else ""


def person_name(name: str) -> str:
    """A registrant's or participant's stored name as a reader sees it: the erased placeholder
    in the reader's language, any other name as it is."""
    return _("Erased attendee") if name == ERASED_NAME else name


def account_name(user) -> str:
    """What the site calls an account that did something: its full name, else its username;
    "the system or an attendee" for none (a job, a guest's link), "an erased account" for one
    that erasure closed."""
    if user is None:
        return _("the system or an attendee")
    if is_erased_account(user):
        return _("an erased account")
    return user.get_full_name() or user.get_username()


register = template.Library()
register.filter("person_name", person_name, is_safe=False)
register.filter("account_name", account_name, is_safe=False)
