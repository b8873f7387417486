"""Workspace routes of the notifications app, mounted under /manage/ by events_project.urls."""

from django.urls import path

from notifications import manage_pages

urlpatterns = [
    path("outbox/", manage_pages.outbox, name="manage-outbox"),
    path("events/<id:pk>/messages/", manage_pages.event_messages, name="manage-event-messages"),
    path("events/<id:pk>/messages/<str:kind>/", manage_pages.message_template, name="manage-event-message"),
]
