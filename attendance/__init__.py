"""Attendance: who came, for how long, what they are told afterwards, and the rates and
thresholds built on it. See docs/reference/attendance.md."""
