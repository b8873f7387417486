"""Server-rendered pages of this app, mounted at / by events_project.urls."""

from django.urls import path

from speakers import pages

urlpatterns = [
    path("speakers/", pages.roster, name="speaker-roster"),
    path("speakers/<id:pk>/", pages.speaker_detail, name="speaker-detail"),
    path("speakers/<id:pk>/photo/", pages.speaker_photo, name="speaker-photo"),
    path("speaker/", pages.speaker_area, name="speaker-area"),
    path("speaker/profile/", pages.edit_profile, name="speaker-profile"),
    # the speaker's own photo: GET shows it, POST uploads, replaces or removes it
    path("speaker/profile/photo/", pages.own_photo, name="speaker-own-photo"),
    path("speaker/invitations/<id:pk>/answer/", pages.answer_invitation, name="speaker-answer"),
    # the signed link in the invitation email (speakers helper)
    path("speaker/invitation/<str:token>/", pages.invitation_link, name="speaker-invitation-page"),
    # the accepted event as an .ics file, by the same link (a speaker without an account)
    path("speaker/invitation/<str:token>/event.ics", pages.invitation_calendar, name="speaker-invitation-ics"),
    # the signed link that links an account to a speaker profile (the person's consent)
    path("speaker/link/<str:token>/", pages.account_link, name="speaker-account-link"),
]
