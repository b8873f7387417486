"""The workspace menu and an event's tabs, with the current one marked for screen readers."""

from django import template
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
