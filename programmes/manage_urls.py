"""Workspace routes of the programmes app, mounted under /manage/ by events_project.urls."""

from django.urls import path

from programmes import manage_pages

urlpatterns = [
    path("dashboard/", manage_pages.dashboard_page, name="dashboard"),
]
