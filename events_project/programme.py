"""The programme's name, one source for the pages and the mail.

``PROGRAMME_NAME`` (default "STEM Mentorship") is a word of the site like any other: it is read
through gettext, so the default reads "STEM Mentorluq" in Azerbaijani, in the site's header and in
every message's footer alike. A programme that sets a name of its own gives its Azerbaijani in
``PROGRAMME_NAME_AZ`` (else that name is used as set in both languages).

Templates: ``{% load programme %}{% programme_name %}`` (registered in ``settings.TEMPLATES``).
"""

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_noop

register = template.Library()

# the default's msgid, so that its Azerbaijani stays in the catalogue (locale/az: "STEM Mentorluq")
DEFAULT_NAME = gettext_noop("STEM Mentorship")


@register.simple_tag
def programme_name() -> str:
    """The programme's name in the active language."""
    if (translation.get_language() or "").split("-")[0] == "az" and settings.PROGRAMME_NAME_AZ:
        return settings.PROGRAMME_NAME_AZ
    return translation.gettext(settings.PROGRAMME_NAME)
