"""The error summary every form page opens with (``templates/includes/error_summary.html``: the
public pages, the workspace and the accounts pages): "label: message" per error, each a link to
its field.

Templates: ``{% load error_summary %}``, then ``{{ field.label|summary_label }}`` (registered in
``settings.TEMPLATES`` as the ``error_summary`` library: events_project is the shared ground
under every app, so its templates load no app's library).
"""

from django import template

# A label written as a sentence ("I agree that …." / "May we record you?") ends in its own
# punctuation; before the ": " of "label: message" it would read ".:" or "?:".
CLOSING_PUNCTUATION = ".?!:;,…"


def summary_label(label) -> str:
    """A field's label as it opens a line of the error summary, "label: message"."""
    return str(label).rstrip().rstrip(CLOSING_PUNCTUATION).rstrip()


register = template.Library()
register.filter("summary_label", summary_label)
