"""Server-rendered pages of this app, mounted at / by events_project.urls."""

from django.urls import path

from notifications import views

urlpatterns = [
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("dashboard/registrations.csv", views.registrations_csv, name="dashboard-registrations-csv"),
    path("dashboard/attendance.csv", views.attendance_csv, name="dashboard-attendance-csv"),
]
