"""Workspace routes of the registrations app, mounted under /manage/ by events_project.urls."""

urlpatterns: list = []
