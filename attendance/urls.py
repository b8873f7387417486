"""API routes of attendance, mounted under /api/ by events_project.urls."""

from django.urls import path

from attendance import apis
from events_project.routing import Router

router = Router()
router.register("attendance-imports", apis.AttendanceImportViewSet, basename="attendance-import")

urlpatterns = router.urls + [
    path("attendance/events/<id:event_id>/", apis.EventAttendanceView.as_view(), name="event-attendance"),
    path(
        "attendance/events/<id:event_id>/finalise/",
        apis.FinaliseEventAttendanceView.as_view(),
        name="event-attendance-finalise",
    ),
    path("attendance/series/<id:series_id>/", apis.SeriesAttendanceView.as_view(), name="series-attendance"),
]
