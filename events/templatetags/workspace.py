"""The workspace menu and an event's tabs, with the current one marked for screen readers."""

from django import forms, template
from django.urls import NoReverseMatch, reverse

from events import workspace

register = template.Library()


def _links(tabs, request, *args) -> list[dict]:
    current = request.path if request is not None else ""
    links = []
    for tab in tabs:
        try:
            url = reverse(tab.url_name, args=args)
        except NoReverseMatch:
            continue
        links.append({"label": tab.label, "url": url, "current": current == url})
    return links


@register.inclusion_tag("manage/_menu.html", takes_context=True)
def workspace_menu(context):
    return {"links": _links(workspace.SECTIONS, context.get("request"))}


@register.inclusion_tag("manage/_event_tabs.html", takes_context=True)
def event_tabs(context, event):
    tabs = [tab for tab in workspace.EVENT_TABS if tab.shown_for is None or tab.shown_for(event)]
    return {"event": event, "links": _links(tabs, context.get("request"), event.pk)}


@register.filter
def marked_optional(bound_field) -> bool:
    """Whether a field's label says "(optional)": only where leaving it out is fine, always.
    Not a select that always has a value (no empty choice: nothing can be left out), nor a field
    the form needs in some case (``required_when``, said by its help text), where "(optional)"
    would contradict the error the form then gives ("A choice question needs at least one option")."""
    field = bound_field.field
    # a read-only field (the address of an account made from an emailed link) is nothing to fill in
    if field.required or getattr(field, "required_when", None) or field.widget.attrs.get("readonly"):
        return False
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.MultipleChoiceField):
        return any(value in ("", None) for value, _label in field.choices)
    return True
