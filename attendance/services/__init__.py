"""Attendance rules: ``finalisation`` (when attendance is final, follow-ups, corrections),
``participant_reports`` (reading and importing Zoom / Teams / generic reports), ``figures``
(the one attendance rate, event and series figures, series certificates)."""
