"""Server-rendered pages of this app, mounted at / by events_project.urls."""

from django.urls import path

from speakers import views

urlpatterns = [
    path("speakers/", views.roster, name="speaker-roster"),
    path("speakers/<int:pk>/", views.speaker_detail, name="speaker-detail"),
    path("speaker/", views.speaker_area, name="speaker-area"),
    path("speaker/profile/", views.edit_profile, name="speaker-profile"),
    path("speaker/invitations/<int:pk>/answer/", views.answer_invitation, name="speaker-answer"),
    path("speaker/calendar-feed/", views.calendar_feed, name="speaker-feed"),
]
