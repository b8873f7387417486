"""The error summary every form page opens with (``templates/includes/error_summary.html``: the
public pages, the workspace and the accounts pages): "label: message" per error, each a link to
its field.

Templates: ``{% load error_summary %}``, then ``{{ field.label|summary_label }}`` (registered in
``settings.TEMPLATES`` as the ``error_summary`` library: events_project is the shared ground
under every app, so its templates load no app's library).
"""

from django import template
from django.core.exceptions import NON_FIELD_ERRORS

# A label written as a sentence ("I agree that …." / "May we record you?") ends in its own
# punctuation; before the ": " of "label: message" it would read ".:" or "?:".
CLOSING_PUNCTUATION = ".?!:;,…"


def summary_label(label) -> str:
    """A field's label as it opens a line of the error summary, "label: message"."""
    return str(label).rstrip().rstrip(CLOSING_PUNCTUATION).rstrip()


def marks_fields(form) -> bool:
    """Whether one of the form's fields carries an error (is marked): "Please correct the marked
    fields." above an error that names no field (a service's refusal) sent people looking for a
    mark that is not there."""
    return any(name != NON_FIELD_ERRORS for name in form.errors)


register = template.Library()
register.filter("summary_label", summary_label)
register.filter("marks_fields", marks_fields)
