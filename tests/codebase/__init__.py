"""Tests of the code itself (layers, dead code, templates, forms), not of what it does."""

# the project's own packages: the apps and the shared ground
APPS = [
    "attendance",
    "events",
    "events_project",
    "feeds",
    "notifications",
    "programmes",
    "registrations",
    "speakers",
    "teams",
]
