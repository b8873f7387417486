"""The password reset page of this app, mounted under /accounts/ by events_project.urls (before
Django's own account URLs, whose page would send the mail inside the request)."""

from django.urls import path

from notifications import account_pages

urlpatterns = [
    path("password_reset/", account_pages.password_reset, name="password_reset"),
]
