"""API routes of this app, mounted under /api/ by events_project.urls."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from speakers import apis

router = SimpleRouter()
router.register("speakers", apis.SpeakerViewSet, basename="speaker")
router.register("speaker-assignments", apis.SpeakerAssignmentViewSet, basename="speaker-assignment")
router.register("me/speaker/schedule", apis.MyScheduleViewSet, basename="my-speaker-schedule")
router.register("me/speaker/unavailability", apis.MyUnavailabilityViewSet, basename="my-speaker-unavailability")

urlpatterns = [
    path("me/speaker/", apis.MySpeakerProfileView.as_view(), name="my-speaker-profile"),
    path("speaker-invitations/respond/<str:token>/", apis.InvitationLinkView.as_view(), name="speaker-invitation-link"),
    *router.urls,
]
