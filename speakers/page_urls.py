"""Server-rendered pages of this app, mounted at / by events_project.urls."""

from django.urls import path

from speakers import link_views, views

urlpatterns = [
    path("speakers/", views.roster, name="speaker-roster"),
    path("speakers/<int:pk>/", views.speaker_detail, name="speaker-detail"),
    path("speaker/", views.speaker_area, name="speaker-area"),
    path("speaker/profile/", views.edit_profile, name="speaker-profile"),
    path("speaker/invitations/<int:pk>/answer/", views.answer_invitation, name="speaker-answer"),
    path("speaker/calendar-feed/", views.calendar_feed, name="speaker-feed"),
    # the signed link in the invitation email (speakers helper)
    path("speaker/invitation/<str:token>/", link_views.invitation_link, name="speaker-invitation-page"),
]
