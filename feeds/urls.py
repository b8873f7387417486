"""API routes of calendar feeds, mounted under /api/ by events_project.urls."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from feeds import apis

router = SimpleRouter()
router.register("me/calendar-feeds", apis.CalendarFeedViewSet, basename="calendar-feed")

urlpatterns = [
    path("events/<int:pk>/ics/", apis.EventIcsView.as_view(), name="event-ics"),
    *router.urls,
]
