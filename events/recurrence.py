"""Recurrence rules of series (RFC 5545 RRULE), parsed and expanded in bounded time.

What a series' rule may be:
- FREQ is DAILY, WEEKLY, MONTHLY or YEARLY: sessions are daily at most, at the time of
  ``first_start`` (no BYHOUR, BYMINUTE, BYSECOND); INTERVAL is at most 999;
- the first start comes from the series (``first_start``), never from a DTSTART in the rule;
- COUNT or UNTIL, not both; COUNT at most ``MAX_OCCURRENCES``, UNTIL within
  ``MAX_SPAN`` of the first start, dates within events_project.limits; a rule with neither
  is expanded over ``OPEN_ENDED_HORIZON``;
- it must give at least one date, and at most ``MAX_OCCURRENCES``.

Expansion walks at most ``MAX_SPAN`` of calendar, whatever the rule: dateutil compares UNTIL
only with dates that match, so a rule that never matches again (``BYMONTH=2;BYMONTHDAY=30``)
would otherwise walk day by day to the year 9999, for half a minute.
"""

import datetime as dt
import re

from dateutil import rrule as dateutil_rrule
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.exceptions import InvalidRecurrence
from events_project import limits

MAX_OCCURRENCES = 400
OPEN_ENDED_HORIZON = dt.timedelta(days=2 * 366)
MAX_SPAN = dt.timedelta(days=10 * 366)
MAX_INTERVAL = 999
MAX_RULE_LENGTH = 500
ALLOWED_FREQUENCIES = {
    dateutil_rrule.DAILY: "DAILY",
    dateutil_rrule.WEEKLY: "WEEKLY",
    dateutil_rrule.MONTHLY: "MONTHLY",
    dateutil_rrule.YEARLY: "YEARLY",
}
# one RRULE's parts, as RFC 5545 spells them
_PART = re.compile(r"[A-Z]+=[A-Za-z0-9,+\-:]+")
_TIME_OF_DAY_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
_UNTIL = re.compile(r"UNTIL=(\d{8}(?:T\d{6}Z?)?)")


class _WalkedTooFar(Exception):
    pass


class _BoundedRule(dateutil_rrule.rrule):
    """A dateutil rule that stops walking after a number of months.

    dateutil's iterator rebuilds its month tables at each month it enters (each period for
    MONTHLY and YEARLY rules) and reads ``_bynweekday`` there, once or twice; counting those
    reads bounds the walk, matches or not. Tested with python-dateutil 2.9 (requirements.txt).
    """

    def __init__(self, *, reads: int, **kwargs):
        self._reads_left = None
        super().__init__(cache=False, **kwargs)
        self._reads_left = reads

    @property
    def _bynweekday(self):
        if self._reads_left is not None:
            self._reads_left -= 1
            if self._reads_left < 0:
                raise _WalkedTooFar
        return self._bynweekday_value

    @_bynweekday.setter
    def _bynweekday(self, value):
        self._bynweekday_value = value


def _refuse(message: str, code: str = "invalid_recurrence"):
    raise InvalidRecurrence(message, code)


def _parts(rule_text: str) -> dict[str, str]:
    text = rule_text.strip()
    if len(text) > MAX_RULE_LENGTH:
        _refuse(_("The recurrence rule is longer than %(max)s characters.") % {"max": MAX_RULE_LENGTH})
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if "DTSTART" in text.upper():
        _refuse(_("Give the rule only (FREQ=...); the series' first_start is its DTSTART."))
    parts = {}
    for part in text.upper().split(";"):
        if not _PART.fullmatch(part):
            _refuse(_("The recurrence rule is not valid: %(part)s is not NAME=VALUE.") % {"part": repr(part[:40])})
        name, value = part.split("=", 1)
        if name in parts:
            _refuse(_("The recurrence rule gives %(name)s twice.") % {"name": name})
        parts[name] = value
    return parts


def _plausible_until(value: str, zone) -> str:
    """UNTIL within the date limits; in UTC (…Z) turned into local wall time, on which the
    rule is evaluated."""
    try:
        if "T" in value:
            until = dt.datetime.strptime(value.rstrip("Z"), "%Y%m%dT%H%M%S")
        else:
            until = dt.datetime.strptime(value, "%Y%m%d")
    except ValueError:
        _refuse(_("UNTIL=%(value)s is not a date (YYYYMMDD or YYYYMMDDTHHMMSS).") % {"value": value})
    if not limits.is_plausible(until):
        _refuse(
            _("UNTIL: %(reason)s") % {"reason": limits.year_error_message()},
            "date_out_of_range",
        )
    if value.endswith("Z"):
        until = until.replace(tzinfo=dt.UTC).astimezone(zone).replace(tzinfo=None)
        return until.strftime("%Y%m%dT%H%M%S")
    return value


def parse_rule(rule_text: str, *, first: dt.datetime, zone) -> dateutil_rrule.rrule:
    """The rule as dateutil reads it, starting at ``first`` (local, naive); InvalidRecurrence
    (400) for anything outside the rules above."""
    if not limits.is_plausible(first):
        _refuse(
            _("first_start: %(reason)s") % {"reason": limits.year_error_message()},
            "date_out_of_range",
        )
    parts = _parts(rule_text)
    if "FREQ" not in parts:
        _refuse(_("The recurrence rule needs a FREQ."))
    for name in _TIME_OF_DAY_PARTS:
        if name in parts:
            _refuse(_("%(name)s is not used: every session starts at the time of first_start.") % {"name": name})
    if "COUNT" in parts and "UNTIL" in parts:
        _refuse(_("Give COUNT or UNTIL, not both."))
    if "UNTIL" in parts:
        parts["UNTIL"] = _plausible_until(parts["UNTIL"], zone)
    text = ";".join(f"{name}={value}" for name, value in parts.items())
    try:
        rule = dateutil_rrule.rrulestr(text, dtstart=first, forceset=False, cache=False)
    except (ValueError, TypeError, OverflowError) as exc:
        _refuse(_("The recurrence rule is not valid: %(exc)s") % {"exc": exc})
    if not isinstance(rule, dateutil_rrule.rrule):
        _refuse(_("Give one recurrence rule."))
    if rule._freq not in ALLOWED_FREQUENCIES:
        _refuse(_("Sessions repeat daily at most: use FREQ=DAILY, WEEKLY, MONTHLY or YEARLY."), "frequency_too_high")
    if not 1 <= rule._interval <= MAX_INTERVAL:
        _refuse(_("INTERVAL runs from 1 to %(max)s.") % {"max": MAX_INTERVAL})
    if rule._count is not None and not 1 <= rule._count <= MAX_OCCURRENCES:
        _refuse(
            _("A series may have at most %(max)s occurrences.") % {"max": MAX_OCCURRENCES},
            "too_many_occurrences",
        )
    if rule._until is not None and rule._until > first + MAX_SPAN:
        _refuse(
            _("A series may span at most %(years)s years: move UNTIL closer.") % {"years": MAX_SPAN.days // 366},
            "series_too_long",
        )
    return rule


def _months_between(first: dt.datetime, last: dt.datetime) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def _wall_time(moment: dt.datetime, zone) -> dt.datetime:
    return timezone.localtime(moment, zone).replace(tzinfo=None)


def expand(*, rule_text: str, first_start: dt.datetime, zone, excluded: set[dt.datetime]) -> list[dt.datetime]:
    """The aware start of every occurrence, ``excluded`` local starts left out."""
    first = timezone.localtime(first_start, zone).replace(tzinfo=None)
    rule = parse_rule(rule_text, first=first, zone=zone)
    bounded = rule._count is not None or rule._until is not None
    horizon = first + (MAX_SPAN if bounded else OPEN_ENDED_HORIZON)
    if rule._until is not None:
        horizon = min(horizon, rule._until)
    # same arguments as dateutil's own rrule.replace(), in a rule that stops walking
    arguments = {
        "freq": rule._freq,
        "dtstart": rule._dtstart,
        "interval": rule._interval,
        "wkst": rule._wkst,
        "count": rule._count,
        "until": rule._until,
        **rule._original_rule,
    }
    # dateutil rebuilds its tables each period of a YEARLY rule, each month of the others
    periods = _months_between(first, horizon)
    if rule._freq == dateutil_rrule.YEARLY:
        periods = horizon.year - first.year + 1
    bounded_rule = _BoundedRule(reads=2 * periods + 4, **arguments)
    starts, given = [], 0
    try:
        for occurrence in bounded_rule:
            if occurrence > horizon:
                break
            given += 1
            # fold=0: a wall time repeated by a DST fall-back means its first instance; one the
            # clocks skip is the instant it names (02:30 → 03:30 summer time), normalised
            start = limits.in_zone(occurrence, zone)
            # an exception date names the occurrence by the rule's wall time or, for one the
            # clocks skip, by the wall time it really starts at (03:30 for 02:30)
            if occurrence in excluded or (excluded and _wall_time(start, zone) in excluded):
                continue
            if len(starts) >= MAX_OCCURRENCES:
                _refuse(
                    _("A series may have at most %(max)s occurrences.") % {"max": MAX_OCCURRENCES},
                    "too_many_occurrences",
                )
            starts.append(start)
    except _WalkedTooFar:
        pass  # no date before the horizon: the walk stops here
    if given == 0:
        _refuse(
            _("The recurrence rule gives no date within %(years)s years of the first start.")
            % {"years": MAX_SPAN.days // 366},
            "no_occurrences",
        )
    if rule._count is not None and given < rule._count:
        _refuse(
            _("The rule's %(count)s occurrences do not fit within %(years)s years.")
            % {"count": rule._count, "years": MAX_SPAN.days // 366},
            "series_too_long",
        )
    return starts
