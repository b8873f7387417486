"""Server-rendered pages of this app, mounted at / by events_project.urls."""

urlpatterns = []
