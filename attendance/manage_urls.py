"""Workspace routes of attendance, mounted under /manage/ by events_project.urls."""

from django.urls import path

from attendance import exports, manage_pages

urlpatterns = [
    path("events/<id:pk>/attendance/", manage_pages.event_attendance, name="manage-event-attendance"),
    path(
        "events/<id:pk>/attendance/imports/<id:import_id>/",
        manage_pages.attendance_import,
        name="manage-event-attendance-import",
    ),
    # the dashboard's CSV exports, beside its page (/manage/dashboard/, programmes.manage_urls)
    path("dashboard/registrations.csv", exports.registrations_csv, name="dashboard-registrations-csv"),
    path("dashboard/attendance.csv", exports.attendance_csv, name="dashboard-attendance-csv"),
    # a registrations export too big for a request, written in the background: its page, its file
    path("dashboard/exports/", exports.prepare_registrations_export, name="dashboard-registrations-exports"),
    path("dashboard/exports/<id:pk>/", exports.registrations_export, name="dashboard-registrations-export"),
    path(
        "dashboard/exports/<id:pk>/registrations.csv",
        exports.registrations_export_file,
        name="dashboard-registrations-export-file",
    ),
]
