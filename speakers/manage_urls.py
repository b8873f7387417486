"""Workspace routes of the speakers app, mounted under /manage/ by events_project.urls."""

from django.urls import path

from speakers import manage_pages

urlpatterns = [
    path("events/<int:pk>/speakers/", manage_pages.event_speakers, name="manage-event-speakers"),
]
