"""Server-rendered pages of this app, mounted at / by events_project.urls."""

from django.urls import path

from events import pages

urlpatterns = [
    path("", pages.event_list, name="event-list"),
    path("events/", pages.event_list),
    path("events/<id:pk>/", pages.event_detail, name="event-detail"),
    path("home/", pages.signed_in_home, name="signed-in-home"),
]
