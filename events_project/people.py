"""How the site names people, one rule for the pages, CSV exports and organisers' mails.

Erasure (``registrations.services.privacy``, ``programmes.services``) stores ``ERASED_NAME`` in
place of a registrant's or participant's name and renames the account ``erased_username(pk)``.
The stored placeholder is English and fixed (the API and the data keep it as it is); a person
reading a page sees it in their own language through ``person_name``, and an erased account
that did something is "an erased account" (``account_name``), never its internal username.

Templates: ``{% load people %}``, then ``{{ registration.name|person_name }}`` and
``{{ user|account_name }}`` (registered in ``settings.TEMPLATES`` as the ``people`` library).
"""

from django import template
from django.utils.translation import gettext as _

from events_project.typed_text import tidy_line

ERASED_NAME = "Erased attendee"  # stored as is: the reader's language is chosen when shown
ERASED_DOMAIN = "erased.invalid"  # RFC 2606: never a real mailbox


def erased_username(pk: int) -> str:
    """The username erasure gives account ``pk`` (usernames are unique; the id makes it so)."""
    return f"erased-{pk}"


def is_erased_account(user) -> bool:
    return not user.is_active and user.username == erased_username(user.pk)


def tidy_name(value) -> str:
    """A person's name as typed, cleaned as every typed text is (``typed_text.tidy_text``): no
    invisible formatting characters (a right-to-left override that turns "Aysel" round on every
    list), no blanks around it, one line (``typed_text.tidy_line``: a line break typed into it
    would start a line of its own in every mail that greets the person), and "" when nothing
    visible is left, so such a name is no name."""
    return tidy_line(value)


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
