from events import apis
from events_project.routing import Router

router = Router()
router.register("events", apis.EventViewSet, basename="event")
router.register("series", apis.SeriesViewSet, basename="series")
router.register("regions", apis.RegionViewSet, basename="region")

urlpatterns = router.urls
