"""Server-rendered pages of this app, mounted at / by events_project.urls."""

from django.urls import path

from events import pages

urlpatterns = [
    path("", pages.event_list, name="event-list"),
    path("events/", pages.event_list),
    path("events/<int:pk>/", pages.event_detail, name="event-detail"),
]
