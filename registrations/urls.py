"""API routes of this app, mounted under /api/ by events_project.urls."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()
# --- registrations (registration, waiting list, invitations) ---
# --- check-in (tickets, scans, offline batches) ---

urlpatterns = router.urls
