"""API routes of the teams app, mounted under /api/ by events_project.urls."""

from events_project.routing import Router
from teams import apis

router = Router()
router.register(
    "series/<id:series_id>/team/invitations", apis.SeriesTeamInvitationViewSet, basename="series-team-invitation"
)
router.register("series/<id:series_id>/team/door-staff", apis.SeriesDoorStaffViewSet, basename="series-door-staff")

urlpatterns = router.urls
