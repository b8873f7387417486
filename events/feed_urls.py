"""Calendar routes. ``urlpatterns`` are mounted at / (events.page_urls) and
``api_urlpatterns`` under /api/ (events.urls)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from events import feeds

urlpatterns = [
    path("calendar/events.ics", feeds.PublicFeedView.as_view(), name="calendar-public"),
    path("calendar/series/<int:series_id>.ics", feeds.SeriesFeedView.as_view(), name="calendar-series"),
    path("calendar/private/<str:token>.ics", feeds.PrivateFeedView.as_view(), name="calendar-private"),
]

router = SimpleRouter()
router.register("me/calendar-feeds", feeds.CalendarFeedViewSet, basename="calendar-feed")

api_urlpatterns = [
    path("events/<int:pk>/ics/", feeds.EventIcsView.as_view(), name="event-ics"),
    *router.urls,
]
