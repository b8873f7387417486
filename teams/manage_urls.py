"""Workspace routes of the teams app, mounted under /manage/ by events_project.urls."""

from django.urls import path

from teams import manage_pages

urlpatterns = [
    path("events/<id:pk>/team/", manage_pages.event_team, name="manage-event-team"),
    path("series/<id:pk>/team/", manage_pages.series_team, name="manage-series-team"),
]
