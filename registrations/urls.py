"""API routes of this app, mounted under /api/ by events_project.urls."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns = router.urls
