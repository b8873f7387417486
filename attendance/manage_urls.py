"""Workspace routes of attendance, mounted under /manage/ by events_project.urls."""

from django.urls import path

from attendance import manage_pages

urlpatterns = [
    path("events/<id:pk>/attendance/", manage_pages.event_attendance, name="manage-event-attendance"),
    path(
        "events/<id:pk>/attendance/imports/<id:import_id>/",
        manage_pages.attendance_import,
        name="manage-event-attendance-import",
    ),
]
