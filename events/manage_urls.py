"""Workspace routes of the events app, mounted under /manage/ by events_project.urls."""

from django.urls import path

from events import manage_pages

urlpatterns = [
    path("", manage_pages.event_list, name="manage-events"),
    path("events/new/", manage_pages.event_new, name="manage-event-new"),
    path("events/new/<str:kind>/", manage_pages.event_create, name="manage-event-create"),
    path("events/<id:pk>/", manage_pages.event_overview, name="manage-event"),
    path("events/<id:pk>/edit/", manage_pages.event_edit, name="manage-event-edit"),
    path("events/<id:pk>/duplicate/", manage_pages.event_duplicate, name="manage-event-duplicate"),
    path("events/<id:pk>/publish/", manage_pages.event_publish, name="manage-event-publish"),
    path("events/<id:pk>/move/", manage_pages.event_move, name="manage-event-move"),
    path("events/<id:pk>/cancel/", manage_pages.event_cancel, name="manage-event-cancel"),
    path("series/", manage_pages.series_list, name="manage-series"),
    path("series/new/", manage_pages.series_create, name="manage-series-create"),
    path("series/<id:pk>/", manage_pages.series_detail, name="manage-series-detail"),
    path("series/<id:pk>/edit/", manage_pages.series_edit, name="manage-series-edit"),
]
