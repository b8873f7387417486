"""Calendar feed routes outside /api/ (what calendar clients subscribe to), mounted at /."""

from django.urls import path

from feeds import apis, pages

urlpatterns = [
    path("calendar/events.ics", apis.PublicFeedView.as_view(), name="calendar-public"),
    path("calendar/series/<id:series_id>.ics", apis.SeriesFeedView.as_view(), name="calendar-series"),
    path("calendar/private/<str:token>.ics", apis.PrivateFeedView.as_view(), name="calendar-private"),
    path("my/calendars/", pages.calendar_feeds, name="calendar-feeds"),
    # the ticket's own "Add to calendar", by its private link (the join link for a confirmed seat)
    path("registrations/manage/<str:token>/event.ics", pages.ticket_calendar, name="registration-ics"),
]
