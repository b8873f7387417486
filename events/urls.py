from rest_framework.routers import SimpleRouter

from events import apis

router = SimpleRouter()
router.register("events", apis.EventViewSet, basename="event")
router.register("series", apis.SeriesViewSet, basename="series")
router.register("regions", apis.RegionViewSet, basename="region")

urlpatterns = router.urls
