"""Calendar feed routes outside /api/ (what calendar clients subscribe to), mounted at /."""

from django.urls import path

from feeds import apis, pages

urlpatterns = [
    path("calendar/events.ics", apis.PublicFeedView.as_view(), name="calendar-public"),
    path("calendar/series/<int:series_id>.ics", apis.SeriesFeedView.as_view(), name="calendar-series"),
    path("calendar/private/<str:token>.ics", apis.PrivateFeedView.as_view(), name="calendar-private"),
    path("my/calendars/", pages.calendar_feeds, name="calendar-feeds"),
]
