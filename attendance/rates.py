"""The one definition of an attendance rate and the one unit of a threshold.

- **rate** = attended / (attended + missed), a fraction 0–1 (four decimals), ``None`` when there is
  neither. "Missed" is what the caller counts against: no-shows for an event or a programme
  journey; the sessions held that a participant did not attend for a series.
- **threshold**: a fraction 0–1 too (0.75 is three sessions in four). A rate reaches a
  threshold when it is at least the threshold.

Pages show both as per cent (``events.templatetags.event_pages.percent``); certificates print the
per cent of their day.
"""

import math

from django.conf import settings


def attendance_rate(attended: int, missed: int) -> float | None:
    if attended + missed <= 0:
        return None
    return round(attended / (attended + missed), 4)


def no_show_rate(attended: int, missed: int) -> float | None:
    rate = attendance_rate(attended, missed)
    return None if rate is None else round(1 - rate, 4)


def reaches(rate: float | None, threshold: float) -> bool:
    return rate is not None and rate >= threshold


def as_percent(rate: float | None) -> int | None:
    """A rate written as a whole per cent (certificates, messages), rounded down: 69.5 % is
    never written "70 %" next to a 70 % threshold it did not reach."""
    return None if rate is None else math.floor(rate * 100 + 1e-9)


def series_completion_threshold() -> float:
    """The share of a series' sessions that completes it (``SERIES_COMPLETION_THRESHOLD``)."""
    return float(settings.SERIES_COMPLETION_THRESHOLD)
