"""Server-rendered pages of this app, mounted at / by events_project.urls."""

from django.urls import path

from notifications import preference_pages

urlpatterns = [
    path("messages/preferences/<str:token>/", preference_pages.preferences_page, name="message-preferences"),
    path("messages/unsubscribe/<str:token>/", preference_pages.unsubscribe_page, name="message-unsubscribe"),
]
