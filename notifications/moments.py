"""How soon an event starts, as a reminder says it. How a time itself is written is
``events.when``'s rule, the same for mails, pages and calendar files."""

from django.utils.translation import gettext, ngettext


def starts_in(minutes: int) -> str:
    """How soon an event starts, for a reminder sent ``minutes`` before it, in the active language."""
    minutes = int(minutes)
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        if days == 1:
            return gettext("tomorrow")
        return ngettext("in %(count)d day", "in %(count)d days", days) % {"count": days}
    if minutes % 60 == 0:
        hours = minutes // 60
        if hours == 1:
            return gettext("in one hour")
        return ngettext("in %(count)d hour", "in %(count)d hours", hours) % {"count": hours}
    return ngettext("in %(count)d minute", "in %(count)d minutes", minutes) % {"count": minutes}
