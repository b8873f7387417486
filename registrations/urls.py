"""API routes of this app, mounted under /api/ by events_project.urls."""

from django.urls import path

from events_project.routing import Router
from registrations.apis import invitations as invitation_apis
from registrations.apis import questions as question_apis
from registrations.apis import registration as registration_apis
from registrations.checkin import apis as checkin_apis

router = Router()
# --- registrations (registration, waiting list, invitations) ---
EVENT = "events/<id:event_id>"
router.register(f"{EVENT}/registrations", registration_apis.EventRegistrationViewSet, basename="event-registration")
router.register(f"{EVENT}/invitations", invitation_apis.InvitationViewSet, basename="invitation")
router.register(f"{EVENT}/questions", question_apis.QuestionViewSet, basename="question")
router.register("registrations/manage", registration_apis.ManageRegistrationViewSet, basename="manage-registration")
router.register("me/registrations", registration_apis.MyRegistrationViewSet, basename="my-registration")
# --- check-in (tickets, scans, offline batches) ---
checkin_urlpatterns = [
    path("events/<id:event_id>/checkin/", checkin_apis.ScanView.as_view(), name="checkin-scan"),
    path("events/<id:event_id>/checkin/search/", checkin_apis.SearchView.as_view(), name="checkin-search"),
    path("events/<id:event_id>/checkin/manual/", checkin_apis.ManualCheckInView.as_view(), name="checkin-manual"),
    path("events/<id:event_id>/checkin/walk-in/", checkin_apis.WalkInView.as_view(), name="checkin-walk-in"),
    path("events/<id:event_id>/checkin/counts/", checkin_apis.CountsView.as_view(), name="checkin-counts"),
    path("events/<id:event_id>/checkin/list/", checkin_apis.OfflineListView.as_view(), name="checkin-list"),
    path("events/<id:event_id>/checkin/batch/", checkin_apis.OfflineBatchView.as_view(), name="checkin-batch"),
    path("events/<id:event_id>/checkin/log/", checkin_apis.CheckInLogView.as_view(), name="checkin-log"),
    path("events/<id:event_id>/checkin/<id:checkin_id>/undo/", checkin_apis.UndoView.as_view(), name="checkin-undo"),
    path("registrations/manage/<str:token>/qr.png", checkin_apis.TicketPngView.as_view(), name="ticket-qr-png"),
    path("registrations/manage/<str:token>/qr.svg", checkin_apis.TicketSvgView.as_view(), name="ticket-qr-svg"),
    path(
        "registrations/manage/<str:token>/reissue-ticket/",
        checkin_apis.TicketReissueView.as_view(),
        name="ticket-reissue",
    ),
]

# check-in first: the door's scans should not walk the router's patterns
urlpatterns = checkin_urlpatterns + router.urls

# --- personal data (GDPR: download, erase) ---
from registrations.apis import privacy as privacy_apis  # noqa: E402

urlpatterns += [
    path("me/data/", privacy_apis.MyDataView.as_view(), name="my-data"),
    path(
        "registrations/manage/<str:token>/data/", privacy_apis.RegistrationDataView.as_view(), name="registration-data"
    ),
]
