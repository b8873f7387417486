"""API routes of this app, mounted under /api/ by events_project.urls."""

from events_project.routing import Router
from notifications import apis

router = Router()
router.register("outbox", apis.OutboxViewSet, basename="outbox")
router.register("message-templates", apis.MessageTemplateViewSet, basename="message-template")

urlpatterns = router.urls
