"""One attendance rate and one threshold unit (a fraction 0–1) everywhere."""

import pytest

from attendance import dashboard, rates
from attendance.services import figures
from programmes import journeys, reports


@pytest.mark.parametrize(
    ("attended", "missed", "rate"),
    [(3, 1, 0.75), (0, 4, 0.0), (2, 0, 1.0), (0, 0, None), (7, 1, 0.875), (1, 2, 0.3333)],
)
def test_attendance_rate_is_a_fraction(attended, missed, rate):
    assert rates.attendance_rate(attended, missed) == rate


def test_every_figure_uses_the_one_definition():
    assert journeys.attendance_rate is rates.attendance_rate
    assert reports.attendance_rate is rates.attendance_rate
    assert dashboard.attendance_rate is rates.attendance_rate
    assert figures.attendance_rate is rates.attendance_rate
    assert dashboard.no_show_rate is reports.no_show_rate is rates.no_show_rate


def test_thresholds_and_percentages():
    assert rates.reaches(0.75, 0.75)
    assert not rates.reaches(0.695, 0.7)
    assert not rates.reaches(None, 0.1)
    assert rates.as_percent(0.695) == 69  # never "70 %" beside a 70 % threshold it missed
    assert rates.as_percent(0.7) == 70
