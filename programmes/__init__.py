"""Programmes, cohorts, participant journeys, completion certificates and the impact report.

- ``services``: programmes, cohorts, enrolment (registering for every occurrence), skips, leaving
- ``journeys``: a participant's events, attendance rates and streaks; the missed-twice alert
- ``certificates``: completion certificates (PDF with a QR code) and their verification
- ``reports``: the impact report (API, CSV, printable page)
- ``receivers``: occurrences published later reach the cohorts that follow them
"""
