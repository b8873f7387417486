"""Workspace routes of the events app, mounted under /manage/ by events_project.urls."""

from django.urls import path

from events import manage_pages

urlpatterns = [
    path("", manage_pages.event_list, name="manage-events"),
    path("events/new/", manage_pages.event_new, name="manage-event-new"),
    path("events/new/<str:kind>/", manage_pages.event_create, name="manage-event-create"),
    path("events/<int:pk>/", manage_pages.event_overview, name="manage-event"),
    path("events/<int:pk>/edit/", manage_pages.event_edit, name="manage-event-edit"),
    path("events/<int:pk>/duplicate/", manage_pages.event_duplicate, name="manage-event-duplicate"),
    path("events/<int:pk>/publish/", manage_pages.event_publish, name="manage-event-publish"),
    path("events/<int:pk>/move/", manage_pages.event_move, name="manage-event-move"),
    path("events/<int:pk>/cancel/", manage_pages.event_cancel, name="manage-event-cancel"),
    path("series/", manage_pages.series_list, name="manage-series"),
    path("series/new/", manage_pages.series_create, name="manage-series-create"),
    path("series/<int:pk>/", manage_pages.series_detail, name="manage-series-detail"),
    path("series/<int:pk>/edit/", manage_pages.series_edit, name="manage-series-edit"),
]
