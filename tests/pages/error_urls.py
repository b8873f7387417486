"""The site's routes plus one that fails, to see the 500 page (tests only)."""

from django.urls import path

from events_project.urls import urlpatterns as site_urlpatterns


def fail(request):
    raise RuntimeError("a deliberate failure, to show the 500 page")


urlpatterns = [path("test-errors/500/", fail), *site_urlpatterns]
