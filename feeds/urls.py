"""API routes of calendar feeds, mounted under /api/ by events_project.urls."""

from django.urls import path

from events_project.routing import Router
from feeds import apis

router = Router()
router.register("me/calendar-feeds", apis.CalendarFeedViewSet, basename="calendar-feed")

urlpatterns = [
    path("events/<id:pk>/ics/", apis.EventIcsView.as_view(), name="event-ics"),
    *router.urls,
]
