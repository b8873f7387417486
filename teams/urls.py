"""API routes of the teams app, mounted under /api/ by events_project.urls."""

from events_project.routing import Router
from teams import apis

router = Router()
router.register(
    "events/<id:event_id>/team/invitations", apis.EventTeamInvitationViewSet, basename="event-team-invitation"
)
router.register("events/<id:event_id>/team/organisers", apis.EventOrganiserViewSet, basename="event-organiser")
router.register("events/<id:event_id>/team/door-staff", apis.EventDoorStaffViewSet, basename="event-door-staff")
router.register(
    "series/<id:series_id>/team/invitations", apis.SeriesTeamInvitationViewSet, basename="series-team-invitation"
)
router.register("series/<id:series_id>/team/door-staff", apis.SeriesDoorStaffViewSet, basename="series-door-staff")

urlpatterns = router.urls
