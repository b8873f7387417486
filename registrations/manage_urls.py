"""Workspace routes of the registrations app, mounted under /manage/ by events_project.urls."""

from django.urls import path

from registrations import manage_pages

urlpatterns = [
    path("events/<id:pk>/registrations/", manage_pages.event_registrations, name="manage-event-registrations"),
    path("events/<id:pk>/questions/", manage_pages.event_questions, name="manage-event-questions"),
    path("events/<id:pk>/questions/<id:question_pk>/", manage_pages.question_edit, name="manage-question-edit"),
    path("events/<id:pk>/invitations/", manage_pages.event_invitations, name="manage-event-invitations"),
]
