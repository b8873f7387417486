"""Workspace routes of the speakers app, mounted under /manage/ by events_project.urls."""

urlpatterns: list = []
