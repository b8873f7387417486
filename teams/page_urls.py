"""The page a team invitation links to, mounted at / by events_project.urls."""

from django.urls import path

from teams import pages

urlpatterns = [
    path("team/accept/<str:token>/", pages.accept, name="team-accept"),
]
