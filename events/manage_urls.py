"""Workspace routes of the events app, mounted under /manage/ by events_project.urls."""

from django.urls import path

from events import manage_pages

urlpatterns = [
    path("", manage_pages.event_list, name="manage-events"),
    path("events/<int:pk>/", manage_pages.event_overview, name="manage-event"),
]
