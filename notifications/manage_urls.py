"""Workspace routes of the notifications app, mounted under /manage/ by events_project.urls."""

urlpatterns: list = []
