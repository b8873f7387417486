"""Time zones as people read them: "Baku time (UTC+4)", never "Asia/Baku".

The pages (``event_pages.zone_hint``, ``zone_name``), the workspace forms (the time zone
choices, the help under a time field), mails and calendar text (``events.when``) all name a
zone this way.
"""

import datetime as dt
import functools
import zoneinfo

from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

# the zones the workspace offers, by the name of their city in the reader's language
ZONE_CITIES = {
    "Asia/Baku": gettext_lazy("Baku"),
    "Asia/Tbilisi": gettext_lazy("Tbilisi"),
    "Europe/Istanbul": gettext_lazy("Istanbul"),
    "Europe/Berlin": gettext_lazy("Berlin"),
    "Europe/London": gettext_lazy("London"),
}


def city_of(zone: str) -> str:
    """'Berlin' for Europe/Berlin: the city whose clock a zone is, in the reader's language."""
    return str(ZONE_CITIES.get(zone) or zone.rsplit("/", 1)[-1].replace("_", " "))


def utc_offset(moment: dt.datetime) -> str:
    """'UTC+4', 'UTC+5:30', 'UTC−3' for an aware moment."""
    offset = moment.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_name(zone: str, moment: dt.datetime | None = None, until: dt.datetime | None = None) -> str:
    """'Baku time (UTC+4)': the zone's city and its offset at ``moment`` (now when not given:
    a zone with summer time has two offsets). Given ``until`` too (an event's end) and a
    different offset then: 'Berlin time (UTC+1, then UTC+2)'."""
    if zone == "UTC":
        return "UTC"
    tzinfo = zoneinfo.ZoneInfo(zone)
    offset = utc_offset(timezone.localtime(moment or timezone.now(), tzinfo))
    later = utc_offset(timezone.localtime(until, tzinfo)) if until is not None else offset
    return _zone_words(zone, offset, later, get_language())


@functools.lru_cache(maxsize=1024)
def _zone_words(zone: str, offset: str, later: str, language: str | None) -> str:
    # written once per zone, offsets and language: a calendar feed names thousands of events' zones
    city = city_of(zone)
    if later != offset:
        return _("%(city)s time (%(offset)s, then %(later)s)") % {"city": city, "offset": offset, "later": later}
    return _("%(city)s time (%(offset)s)") % {"city": city, "offset": offset}
